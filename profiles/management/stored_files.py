"""The stored files half of a backup: every file in the default storage, in one tar.

`manage.py backup` writes the database dump and, beside it, `<dump>.files.tar`:
every file of the default storage (publication pages, data files and PDFs, the
open dataset, archived sources, spreadsheets waiting for confirmation) under
`files/<its name>`, then `manifest.json` with each name's SHA-256 and size.
`manage.py restore` checks the whole archive against its manifest before it
changes anything, then writes every file back under the same name, into whatever
storage is configured (a local folder or an S3 bucket: a backup taken from one
restores onto the other).

Only the storage API is used (`listdir`, `open`, `save`), never a path on disk,
so the same code backs up a local folder and a bucket shared by several servers.
The archive is not compressed: PDFs and zips are already compressed.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage

MANIFEST = "manifest.json"
PREFIX = "files/"
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive is not a complete, unaltered stored-files backup."""


def archive_path(backup: Path) -> Path:
    """Where the stored files of the database backup `backup` are kept."""
    return backup.with_name(backup.name + ".files.tar")


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage, folder by folder, in a stable order."""
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:  # a local media folder that was never created
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(names):
        yield prefix + name
    for sub in sorted(folders):
        yield from walk(storage, prefix + sub)


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it (one read of each file, not two)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def digest(manifest: dict[str, dict]) -> str:
    """One SHA-256 over every name and file hash: printed by backup and restore alike."""
    lines = "".join(f"{name}:{entry['sha256']}\n" for name, entry in sorted(manifest.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def write(storage: Storage, path: Path) -> dict[str, dict]:
    """Write every stored file and the manifest into the tar at `path`; return the manifest."""
    manifest: dict[str, dict] = {}
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in walk(storage):
            info = tarfile.TarInfo(PREFIX + name)
            info.size = storage.size(name)
            with storage.open(name, "rb") as handle:
                reader = _Hashing(handle)
                tar.addfile(info, reader)
            manifest[name] = {"sha256": reader.sha256.hexdigest(), "size": reader.size}
        data = json.dumps({"files": manifest}, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return manifest


def verify(path: Path) -> dict[str, dict]:
    """The archive's manifest, once every file in it has its recorded SHA-256 and size."""
    try:
        with tarfile.open(path, "r") as tar:
            manifest = json.load(_member(tar, MANIFEST))["files"]
            for name, entry in manifest.items():
                _check_name(name)
                reader = _Hashing(_member(tar, PREFIX + name))
                while reader.read(CHUNK):
                    pass
                if (reader.sha256.hexdigest(), reader.size) != (entry["sha256"], entry["size"]):
                    raise ArchiveError(f"{name} in {path} does not match its SHA-256.")
    except (tarfile.TarError, OSError, ValueError, KeyError) as error:
        raise ArchiveError(f"{path} is not a stored-files backup: {error}") from error
    return manifest


def restore(storage: Storage, path: Path, manifest: dict[str, dict]) -> int:
    """Write every file of a verified archive back under its own name; return how many.

    A file already stored with the same bytes is left alone; one with other bytes
    is replaced. Each file is read back and hashed, so what the store holds is checked,
    not only what was sent to it.
    """
    with tarfile.open(path, "r") as tar:
        for name, entry in manifest.items():
            if storage.exists(name):
                if _sha256(storage, name) == entry["sha256"]:
                    continue
                storage.delete(name)
            saved = storage.save(name, File(_member(tar, PREFIX + name), name=name))
            if saved != name:
                raise ArchiveError(f"The storage stored {name} as {saved}.")
            if _sha256(storage, name) != entry["sha256"]:
                raise ArchiveError(f"{name} reads back with another SHA-256 from the storage.")
    return len(manifest)


def _sha256(storage: Storage, name: str) -> str:
    with storage.open(name, "rb") as handle:
        reader = _Hashing(handle)
        while reader.read(CHUNK):
            pass
    return reader.sha256.hexdigest()


def _member(tar: tarfile.TarFile, name: str) -> IO[bytes]:
    handle = tar.extractfile(name)
    if handle is None:
        raise ArchiveError(f"{name} is not a file in the archive.")
    return handle


def _check_name(name: str) -> None:
    """A storage name, never a way out of the media folder or the bucket's prefix."""
    if not name or name.startswith("/") or "\\" in name or ".." in name.split("/"):
        raise ArchiveError(f"Refusing the stored-file name {name!r}.")
