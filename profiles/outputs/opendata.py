"""The whole open dataset at /data/: stored per publication, assembled into downloads.

Two steps, so that publishing one profile costs the same at 100 governments as
at 10,000:

1. `refresh()` keeps one *part* per live publication under `opendata/parts/`
   (its rows of every data table as safe CSV text) and an index of them. It
   compares the live publications with the index (one query over their keys) and
   builds parts only for publications that are new; a withdrawn or no longer
   live one just leaves the index. Publications are immutable, so a part never
   needs rewriting. Its cost is that of the publications that changed.
2. `assemble()` writes the downloads (a CSV ZIP and an XLSX of the latest version
   of each government, a CSV ZIP of every version, each ZIP with its
   datapackage.json) by concatenating stored parts: no answer is queried again.
   It is O(size of the dataset), and the XLSX (which must parse and write every
   cell) is most of it, so publishing runs it at most once per
   `tasks.ASSEMBLY_INTERVAL`, whatever the number of publications in between
   (`profiles.publishing.tasks.rebuild_opendata`). A streamed XLSX was not an
   option: pandas writes cells column by column, which XlsxWriter's constant-memory
   mode cannot take, so a debounced build is the cheaper of the two.

Visitors never see a half-written file: downloads are stored under new,
content-hashed names, and only then does the small `opendata/manifest.json`
(replaced atomically) point at them. The previous set stays stored until the
next switch, so a download begun from the old manifest completes.

`rebuild()` (`manage.py build_opendata`) rebuilds every part and the downloads.
When to refresh is publishing's business; this module only builds, and never
imports publishing.
"""

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from profiles.models import Publication
from profiles.outputs import exports
from profiles.outputs.exports.codebook import codebook_tables
from profiles.outputs.exports.dataset import (
    Part,
    PublicationKey,
    csv_header,
    csv_parts,
    csv_zip,
    read_tables,
)

logger = logging.getLogger(__name__)

DIRECTORY = "opendata"
MANIFEST = f"{DIRECTORY}/manifest.json"
INDEX = f"{DIRECTORY}/parts/index.json"
LOCK_KEY = "opendata:rebuild-lock"
DIRTY_KEY = "opendata:rebuild-dirty"
ASSEMBLE_KEY = "opendata:assemble-wanted"
# Parts are built this many publications at a time: one set of queries each.
BATCH = 200
TABLES = tuple(exports.COLUMNS)


@dataclass(frozen=True)
class DatasetFile:
    """One downloadable file of the dataset: its public name and content type."""

    key: str
    name: str
    content_type: str


CSV = DatasetFile("csv", "mgi-open-data-csv.zip", "application/zip")
XLSX = DatasetFile(
    "xlsx",
    "mgi-open-data.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
CSV_ALL_VERSIONS = DatasetFile(
    "csv_all_versions", "mgi-open-data-all-versions-csv.zip", "application/zip"
)
FILES = (CSV, XLSX, CSV_ALL_VERSIONS)
BY_NAME = {f.name: f for f in FILES}


def refresh(*, everything: bool = False) -> dict:
    """Bring the parts and their index in line with the live publications; return the index.

    `everything` rebuilds every part (after a change to how rows are written, or
    to a government's name), otherwise only publications without a part get one.
    """
    now = timezone.now()
    live = {
        str(pk): (slug, year, version)
        for pk, slug, year, version in Publication.objects.live(at=now).values_list(
            "pk", "government__slug", "year", "version"
        )
    }
    old: dict[str, dict] = {} if everything else (read_index() or {}).get("parts", {})
    parts = {pk: entry for pk, entry in old.items() if pk in live}
    missing = [pk for pk in live if pk not in parts]
    for start in range(0, len(missing), BATCH):
        batch = Publication.objects.filter(pk__in=missing[start : start + BATCH])
        by_key = {live[pk]: pk for pk in missing[start : start + BATCH]}
        for key, part in csv_parts(batch).items():
            parts[by_key[key]] = _store_part(key, part)
    next_release = (
        Publication.objects.filter(ready_at__isnull=False, withdrawn_at__isnull=True)
        .filter(release_at__gt=now)
        .order_by("release_at")
        .values_list("release_at", flat=True)
        .first()
    )
    ordered: dict[str, dict] = dict(sorted(parts.items(), key=lambda item: _order(item[1])))
    index = {
        "refreshed_at": now.isoformat(),
        # An embargoed publication becomes public at this time without any event,
        # so the dataset is stale from then on (`is_stale`).
        "valid_until": next_release.isoformat() if next_release else None,
        "parts": ordered,
    }
    previous = read_index()
    _replace(INDEX, json.dumps(index).encode("utf-8"))
    keep = {entry["path"] for entry in parts.values()}
    for entry in (previous or {}).get("parts", {}).values():
        if entry["path"] not in keep:
            default_storage.delete(entry["path"])
    logger.info("open data parts: %d live, %d built", len(parts), len(missing))
    return index


def assemble() -> dict:
    """Write the downloads from the stored parts, then switch the manifest; return it."""
    index = read_index() or refresh()
    parts = list(index["parts"].values())
    newest: dict[str, dict] = {}
    for entry in parts:  # in (government, year, version) order: the last one wins
        newest[entry["government"]] = entry
    latest = {entry["path"] for entry in newest.values()}
    every_text: dict[str, list[str]] = {table: [csv_header(table)] for table in TABLES}
    latest_text: dict[str, list[str]] = {table: [csv_header(table)] for table in TABLES}
    for entry in parts:
        with default_storage.open(entry["path"], "rb") as handle:
            texts = json.loads(handle.read())["tables"]
        for table in TABLES:
            every_text[table].append(texts[table])
            if entry["path"] in latest:
                latest_text[table].append(texts[table])
    every = {table: "".join(chunks).encode("utf-8") for table, chunks in every_text.items()}
    current = {table: "".join(chunks).encode("utf-8") for table, chunks in latest_text.items()}
    generated_at = timezone.now().replace(microsecond=0).isoformat()
    codebook = codebook_tables()
    contents = {
        CSV.key: csv_zip(current, codebook, generated_at=generated_at),
        XLSX.key: exports.dataset_xlsx(
            exports.Dataset(read_tables(current), codebook, generated_at)
        ),
        CSV_ALL_VERSIONS.key: csv_zip(every, codebook, generated_at=generated_at),
    }
    files = {spec.key: _store_download(spec, contents[spec.key]) for spec in FILES}

    def total(entries: list[dict], table: str) -> int:
        return sum(entry["counts"][table] for entry in entries)

    current_parts = list(newest.values())
    manifest = {
        "generated_at": generated_at,
        "licence": settings.MGI_CONTENT_LICENCE,
        "valid_until": index["valid_until"],
        "counts": {
            "governments": len(newest),
            "publications": len(current_parts),
            "answers": total(current_parts, "answers"),
            "findings": total(current_parts, "findings"),
            "context_figures": total(current_parts, "context_figures"),
            "all_versions_publications": len(parts),
            "all_versions_answers": total(parts, "answers"),
        },
        "files": files,
    }
    previous = read_manifest() or {}
    manifest["previous_paths"] = sorted(
        {entry["path"] for entry in previous.get("files", {}).values()}
        - {entry["path"] for entry in files.values()}
    )
    _replace(MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
    # Files two generations old: no reader of the current or previous manifest needs them.
    keep = {entry["path"] for entry in files.values()} | set(manifest["previous_paths"])
    for path in previous.get("previous_paths", []):
        if path not in keep:
            default_storage.delete(path)
    logger.info(
        "open data assembled: %d publications, %d answers",
        manifest["counts"]["publications"],
        manifest["counts"]["answers"],
    )
    return manifest


def rebuild() -> dict:
    """Rebuild every part and the downloads from live publications; return the manifest."""
    refresh(everything=True)
    return assemble()


def update_serialised(*, assemble_downloads: bool) -> dict | None:
    """Refresh the parts (and assemble the downloads if asked) unless another update runs.

    The lock lives in the cache (Redis in production), so concurrent workers never
    write the index or the manifest at once; an update asked for while another
    runs makes that one run again, with the assembly if either asked for it, so
    no change is missed. Returns the new manifest when downloads were assembled.
    """
    return _serialised(refresh, assemble_downloads=assemble_downloads)


def rebuild_serialised() -> dict | None:
    """`rebuild()` under the same lock as `update_serialised`."""
    return _serialised(lambda: refresh(everything=True), assemble_downloads=True)


def _serialised(refresh_parts: Callable[[], dict], *, assemble_downloads: bool) -> dict | None:
    if not cache.add(LOCK_KEY, "1", timeout=30 * 60):
        cache.set(DIRTY_KEY, "1", timeout=30 * 60)
        if assemble_downloads:
            cache.set(ASSEMBLE_KEY, "1", timeout=30 * 60)
        return None
    manifest = None
    try:
        while True:
            cache.delete(DIRTY_KEY)
            wanted = assemble_downloads or cache.get(ASSEMBLE_KEY)
            cache.delete(ASSEMBLE_KEY)
            refresh_parts()
            if wanted:
                manifest = assemble()
            if not cache.get(DIRTY_KEY):
                return manifest
            refresh_parts, assemble_downloads = refresh, False
    finally:
        cache.delete(LOCK_KEY)


def read_manifest() -> dict | None:
    """The stored manifest, or None before the first build."""
    return _read_json(MANIFEST)


def read_index() -> dict | None:
    """The stored index of parts, or None before the first refresh."""
    return _read_json(INDEX)


def is_stale(manifest: dict) -> bool:
    """Whether an embargoed publication has become public since `manifest` was built."""
    valid_until = parse_datetime(manifest.get("valid_until") or "")
    return valid_until is not None and valid_until <= timezone.now()


def seconds_since_assembly() -> float | None:
    """How long ago the downloads were last assembled; None if they never were."""
    manifest = read_manifest()
    generated = parse_datetime(manifest["generated_at"]) if manifest else None
    return (timezone.now() - generated).total_seconds() if generated else None


def _order(entry: dict) -> tuple[str, int, int]:
    return entry["government"], entry["year"], entry["version"]


def _store_part(key: PublicationKey, part: Part) -> dict:
    """Store one publication's part under a content-hashed name; return its index entry."""
    slug, year, version = key
    data = json.dumps({"tables": part.texts}, ensure_ascii=False).encode("utf-8")
    sha256 = hashlib.sha256(data).hexdigest()
    path = f"{DIRECTORY}/parts/{slug}/{year}-v{version}-{sha256[:16]}.json"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(data))
    return {
        "government": slug,
        "year": year,
        "version": version,
        "path": path,
        "counts": part.counts,
    }


def _store_download(spec: DatasetFile, data: bytes) -> dict:
    sha256 = hashlib.sha256(data).hexdigest()
    stem, _, extension = spec.name.rpartition(".")
    path = f"{DIRECTORY}/{stem}-{sha256[:16]}.{extension}"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(data))
    return {
        "name": spec.name,
        "path": path,
        "sha256": sha256,
        "size": len(data),
        "content_type": spec.content_type,
    }


def _replace(name: str, data: bytes) -> None:
    """Replace a small stored file at once: a reader sees the old bytes or the new ones.

    On the local disk the new file is written beside the old one and renamed over
    it (`os.replace` is atomic). An object store (S3) replaces a key in one PUT,
    which opening the name for writing does, whatever `file_overwrite` says about
    `save()`; deleting and then saving would leave a moment with no manifest.
    """
    try:
        target = Path(default_storage.path(name))
    except NotImplementedError:  # not on the local disk
        with default_storage.open(name, "wb") as handle:
            handle.write(data)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary:
        temporary.write(data)
    os.chmod(temporary.name, 0o644)
    os.replace(temporary.name, target)


def _read_json(name: str) -> dict | None:
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return json.loads(handle.read())
