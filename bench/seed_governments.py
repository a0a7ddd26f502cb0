"""Bulk-create N published local governments for the list-page benchmark (not sample data).

Each gets one assessment, sign-off and live publication, created with
`bulk_create` (the workflow would take hours for 10,000), under the newest Local
MGI framework. Their content is a short stub built from a real sample
publication's top-level fields: the list page defers `content`, so its size does
not change what is measured here (text search, which scans it, is not measured).
Run inside the benchmark's own database only:

    DATABASE_URL=... python -m bench.seed_governments --count 10000
"""

import argparse
import datetime
import hashlib
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgi_portal.settings")
django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from indicators.models import Framework, Level  # noqa: E402
from profiles import regions  # noqa: E402
from profiles.models import (  # noqa: E402
    Assessment,
    AssessmentStatus,
    Government,
    LocalKind,
    Publication,
    SignOff,
)

BATCH = 1000


@transaction.atomic
def seed(count: int) -> int:
    """Create `count` local governments, each with one live publication; return how many."""
    template = Publication.objects.live().first()
    if template is None:
        raise SystemExit("load the sample data first (a sample publication is the template)")
    framework = Framework.objects.filter(level=Level.LOCAL).order_by("-year").first()
    countries = sorted(c for c in regions._table() if c != "AQ")
    now = timezone.now()
    released = now - datetime.timedelta(days=1)
    governments = Government.objects.bulk_create(
        [
            Government(
                level="local",
                kind=LocalKind.CITY,
                country=countries[i % len(countries)],
                name=f"Bench town {i:05d}",
                slug=f"bench-town-{i:05d}",
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                government=g,
                framework_id=framework.pk,
                year=2015 + i % 10,
                round_number=1,
                status=AssessmentStatus.PUBLISHED,
                original_language="en",
                is_sample=True,
            )
            for i, g in enumerate(governments)
        ],
        batch_size=BATCH,
    )
    stub = {key: value for key, value in template.content.items() if key not in {"dimensions"}}
    contents = []
    for g, a in zip(governments, assessments, strict=True):
        content = {
            **stub,
            "government": {
                "slug": g.slug,
                "level": "local",
                "kind": "city",
                "country": str(g.country),
                "name": g.name,
            },
            "year": a.year,
            "dimensions": [],
        }
        contents.append((content, hashlib.sha256(g.slug.encode()).hexdigest()))
    sign_offs = SignOff.objects.bulk_create(
        [
            SignOff(
                assessment=a,
                validator_id=template.sign_off.validator_id,
                validator_name="Bench validator",
                title="Director",
                ministry="Bench ministry",
                statement="Validated (benchmark data).",
                content_hash=digest,
                languages=["en"],
            )
            for a, (_content, digest) in zip(assessments, contents, strict=True)
        ],
        batch_size=BATCH,
    )
    Publication.objects.bulk_create(
        [
            Publication(
                assessment=a,
                version=1,
                sign_off=s,
                government=g,
                framework_id=framework.pk,
                year=a.year,
                round_number=1,
                is_sample=True,
                content=content,
                content_hash=digest,
                languages=["en"],
                timeline=[{"event": "published", "date": released.date().isoformat()}],
                published_by_id=template.published_by_id,
                release_at=released,
                ready_at=released,
            )
            for g, a, s, (content, digest) in zip(
                governments, assessments, sign_offs, contents, strict=True
            )
        ],
        batch_size=BATCH,
    )
    return len(governments)


def main() -> None:
    parser = argparse.ArgumentParser(description="Bulk-create published local governments.")
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    started = time.monotonic()
    made = seed(args.count)
    print(f"{made} governments with a live publication in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
