"""The whole open dataset at /data/: built when publications change, served as stored files.

`rebuild()` writes three files to the default storage (a CSV ZIP and an XLSX of
the latest live publication of each government, and a CSV ZIP of every live
version) and then a small `opendata/manifest.json` naming them. Requests only
read the manifest and stream a stored file; nothing is built per request except
the first time and once an embargo ends (`is_stale`).

When to rebuild is publishing's business (`profiles.publishing.lifecycle` and its
`rebuild_opendata` task); this module only builds, and never imports publishing.
"""

import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from profiles.models import Publication
from profiles.outputs import exports

logger = logging.getLogger(__name__)

DIRECTORY = "opendata"
MANIFEST = f"{DIRECTORY}/manifest.json"
LOCK_KEY = "opendata:rebuild-lock"
DIRTY_KEY = "opendata:rebuild-dirty"


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


def rebuild() -> dict:
    """Build every dataset file from live publications, store them, then the manifest.

    Files are stored under content-hashed names and the manifest is replaced last,
    so a reader sees either the old set or the new one. Returns the new manifest.
    """
    now = timezone.now()
    every = exports.build_dataset(Publication.objects.live(at=now))
    latest = exports.subset(every, Publication.objects.latest_per_government(at=now))
    contents = {
        CSV.key: exports.dataset_zip(latest),
        XLSX.key: exports.dataset_xlsx(latest),
        CSV_ALL_VERSIONS.key: exports.dataset_zip(every),
    }
    previous = read_manifest()
    files = {}
    for spec in FILES:
        data = contents[spec.key]
        sha256 = hashlib.sha256(data).hexdigest()
        stem, _, extension = spec.name.rpartition(".")
        path = f"{DIRECTORY}/{stem}-{sha256[:16]}.{extension}"
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(data))
        files[spec.key] = {
            "name": spec.name,
            "path": path,
            "sha256": sha256,
            "size": len(data),
            "content_type": spec.content_type,
        }
    next_release = (
        Publication.objects.filter(ready_at__isnull=False, withdrawn_at__isnull=True)
        .filter(release_at__gt=now)
        .order_by("release_at")
        .values_list("release_at", flat=True)
        .first()
    )
    counts = {
        "governments": int(latest.tables["publications"]["government_slug"].nunique()),
        "publications": len(latest.tables["publications"]),
        "answers": len(latest.tables["answers"]),
        "findings": len(latest.tables["findings"]),
        "context_figures": len(latest.tables["context_figures"]),
        "all_versions_publications": len(every.tables["publications"]),
        "all_versions_answers": len(every.tables["answers"]),
    }
    manifest = {
        "generated_at": latest.generated_at,
        "licence": settings.MGI_CONTENT_LICENCE,
        # An embargoed publication becomes public at this time without any event,
        # so the dataset is stale from then on (`is_stale`).
        "valid_until": next_release.isoformat() if next_release else None,
        "counts": counts,
        "files": files,
    }
    if default_storage.exists(MANIFEST):
        default_storage.delete(MANIFEST)
    default_storage.save(MANIFEST, ContentFile(json.dumps(manifest, indent=1).encode("utf-8")))
    keep = {entry["path"] for entry in files.values()}
    for entry in (previous or {}).get("files", {}).values():
        if entry["path"] not in keep and default_storage.exists(entry["path"]):
            default_storage.delete(entry["path"])
    logger.info(
        "open data rebuilt: %d publications, %d answers",
        counts["publications"],
        counts["answers"],
    )
    return manifest


def rebuild_serialised() -> dict | None:
    """Rebuild unless another rebuild is running; that one then runs again when it ends.

    The lock lives in the cache (Redis in production), so concurrent workers never
    write the manifest at once and no change made during a rebuild is missed.
    """
    if not cache.add(LOCK_KEY, "1", timeout=30 * 60):
        cache.set(DIRTY_KEY, "1", timeout=30 * 60)
        return None
    try:
        while True:
            cache.delete(DIRTY_KEY)
            manifest = rebuild()
            if not cache.get(DIRTY_KEY):
                return manifest
    finally:
        cache.delete(LOCK_KEY)


def read_manifest() -> dict | None:
    """The stored manifest, or None before the first build."""
    if not default_storage.exists(MANIFEST):
        return None
    with default_storage.open(MANIFEST, "rb") as handle:
        return json.loads(handle.read())


def is_stale(manifest: dict) -> bool:
    """Whether an embargoed publication has become public since `manifest` was built."""
    valid_until = parse_datetime(manifest.get("valid_until") or "")
    return valid_until is not None and valid_until <= timezone.now()
