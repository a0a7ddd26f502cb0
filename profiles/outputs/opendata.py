"""The whole open dataset at /data/: stored per publication, assembled into downloads.

Two steps, so that publishing one profile costs the same at 100 governments as
at 10,000:

1. `refresh(publication_ids)` runs for the publications an event made public (one
   became ready, or its embargo ended). It reads only those rows, stores a
   *part* under `opendata/parts/` for each that is live (its rows of every data
   table as safe CSV text) and notes the parts in one new *journal* entry under
   `opendata/journal/`. Nothing it reads or writes grows with the dataset: no
   list of every publication, no index of every part to rewrite. Publications
   are immutable, so a part never needs rewriting.
2. `assemble()` writes the downloads (a CSV ZIP and an XLSX of the latest version
   of each government, a CSV ZIP of every version, each ZIP with its
   datapackage.json) by concatenating stored parts: no answer is queried again.
   It takes the live publications from the database, so what was withdrawn or is
   still under embargo is left out whatever the journal says, finds their parts
   in the index plus the journal (building any that is missing, e.g. an embargo
   that ended) and then compacts the journal into `opendata/parts/index.json`.
   It is O(size of the dataset), and the XLSX (which must parse and write every
   cell) is most of it, so publishing runs it at most once per
   `tasks.ASSEMBLY_INTERVAL`, whatever the number of publications in between
   (`profiles.publishing.tasks.rebuild_opendata`). A streamed XLSX was not an
   option: pandas writes cells column by column, which XlsxWriter's constant-memory
   mode cannot take, so a debounced build is the cheaper of the two.

The journal is a folder of small entries rather than one file appended to: an
object store (S3) cannot append, and separate names need no lock between
workers. The assembly lists that folder, which holds only the entries written
since the previous assembly; the parts themselves are never listed (listing is
slow on S3), the index names them.

Visitors never see a half-written file: downloads are stored under new,
content-hashed names, and only then does the small `opendata/manifest.json`
(replaced atomically) point at them. The previous set stays stored until the
next switch, so a download begun from the old manifest completes.

`rebuild()` (`manage.py build_opendata`) rebuilds every part and the downloads.
When to refresh is publishing's business; this module only builds, and never
imports publishing.
"""

import datetime
import hashlib
import json
import logging
import os
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
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
JOURNAL = f"{DIRECTORY}/journal"
LOCK_KEY = "opendata:rebuild-lock"
DIRTY_KEY = "opendata:rebuild-dirty"
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


def refresh(publication_ids: Iterable[int]) -> dict | None:
    """Store the parts of those of `publication_ids` that are live; note them in the journal.

    Called with the publications an event made public (one became ready, or its
    embargo ended), it reads only those rows and writes one part per live
    publication plus one journal entry, whatever the size of the dataset.
    Withdrawn or embargoed ones get nothing: the assembly keeps live publications
    only. Needs no lock: parts and journal entries have names of their own.
    Returns the journal entry, or None when no publication was live.
    """
    now = timezone.now()
    live = Publication.objects.live(at=now).filter(pk__in=list(publication_ids))
    parts = _build_parts(live)
    if not parts:
        return None
    entry = {"written_at": now.isoformat(), "parts": parts}
    name = f"{JOURNAL}/{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}.json"
    _replace(name, json.dumps(entry).encode("utf-8"))
    logger.info("open data parts: %d built", len(parts))
    return entry


def assemble(*, rebuild_parts: bool = False) -> dict:
    """Write the downloads of the live publications and switch the manifest; return it.

    The parts come from the compacted index and the journal entries written since;
    a live publication without one (an embargo that ended, a journal entry written
    while this ran) gets its part built here, and a publication no longer live
    (withdrawn) is left out, so the downloads hold exactly the live set at the
    time of the assembly. Then the journal is compacted into the index: the
    entries read are deleted, and the parts nobody needs any more. With
    `rebuild_parts`, every part is built again from the database.
    """
    now = timezone.now()
    # Listed before the live publications are read: an entry written later is either
    # built again below (its publication is live) or applied by the next assembly.
    journal = _journal_names()
    previous = read_index() or {"parts": {}}
    known = dict(previous["parts"])
    for name in journal:
        known |= (_read_json(name) or {}).get("parts", {})
    live = {str(pk) for pk in Publication.objects.live(at=now).values_list("pk", flat=True)}
    parts = {} if rebuild_parts else {pk: e for pk, e in known.items() if pk in live}
    missing = [int(pk) for pk in live if pk not in parts]
    for start in range(0, len(missing), BATCH):
        parts |= _build_parts(Publication.objects.filter(pk__in=missing[start : start + BATCH]))
    ordered = dict(sorted(parts.items(), key=lambda item: _order(item[1])))
    manifest = _write_downloads(list(ordered.values()), valid_until=_next_release(now))
    _replace(INDEX, json.dumps({"assembled_at": now.isoformat(), "parts": ordered}).encode())
    for name in journal:
        default_storage.delete(name)
    keep = {entry["path"] for entry in ordered.values()}
    for path in {entry["path"] for entry in known.values()} - keep:
        default_storage.delete(path)
    logger.info(
        "open data assembled: %d publications, %d answers, %d parts built",
        manifest["counts"]["publications"],
        manifest["counts"]["answers"],
        len(missing),
    )
    return manifest


def rebuild() -> dict:
    """Rebuild every part and the downloads from live publications; return the manifest."""
    return assemble(rebuild_parts=True)


def _write_downloads(parts: list[dict], *, valid_until: str | None) -> dict:
    """Store the downloads made of `parts` (in key order) and switch the manifest to them."""
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
    manifest: dict = {
        "generated_at": generated_at,
        "licence": settings.MGI_CONTENT_LICENCE,
        # An embargoed publication becomes public at this time without any event,
        # so the downloads are stale from then on (`is_stale`).
        "valid_until": valid_until,
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
    return manifest


def _next_release(now: datetime.datetime) -> str | None:
    """When the next embargoed, rendered publication becomes public, if any."""
    release = (
        Publication.objects.embargoed(at=now)
        .order_by("release_at")
        .values_list("release_at", flat=True)
        .first()
    )
    return release.isoformat() if release else None


def assemble_serialised() -> dict | None:
    """`assemble()` unless another assembly runs; then that one runs once more.

    The lock lives in the cache (Redis in production), so concurrent workers never
    write the index or the manifest at once. Returns the new manifest, or None
    when the assembly was left to the one running.
    """
    return _serialised(assemble)


def rebuild_serialised() -> dict | None:
    """`rebuild()` under the same lock as `assemble_serialised`."""
    return _serialised(rebuild)


def _serialised(build: Callable[[], dict]) -> dict | None:
    if not cache.add(LOCK_KEY, "1", timeout=30 * 60):
        cache.set(DIRTY_KEY, "1", timeout=30 * 60)
        return None
    try:
        while True:
            cache.delete(DIRTY_KEY)
            manifest = build()
            if not cache.get(DIRTY_KEY):
                return manifest
            build = assemble
    finally:
        cache.delete(LOCK_KEY)


def read_manifest() -> dict | None:
    """The stored manifest, or None before the first build."""
    return _read_json(MANIFEST)


def read_index() -> dict | None:
    """The compacted index of parts (as of the last assembly), or None before the first."""
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


def _build_parts(publications: QuerySet[Publication]) -> dict[str, dict]:
    """Build and store the parts of `publications`; return their index entries by pk."""
    pks = {
        (slug, year, version): str(pk)
        for pk, slug, year, version in publications.values_list(
            "pk", "government__slug", "year", "version"
        )
    }
    if not pks:
        return {}
    return {pks[key]: _store_part(key, part) for key, part in csv_parts(publications).items()}


def _journal_names() -> list[str]:
    """The journal entries written since the last assembly, oldest first."""
    try:
        _folders, names = default_storage.listdir(JOURNAL)
    except FileNotFoundError:  # on the local disk, before the first entry
        return []
    return sorted(f"{JOURNAL}/{name}" for name in names if name.endswith(".json"))


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
