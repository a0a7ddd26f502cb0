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
from profiles.management.statistics import analyze  # noqa: E402
from profiles.models import (  # noqa: E402
    Assessment,
    AssessmentStatus,
    Government,
    LocalKind,
    Publication,
    SignOff,
)

BATCH = 1000
YEARS = [2018, 2021, 2024]  # one per round; round r of government i is YEARS[r] - i % 3


@transaction.atomic
def seed(count: int, *, rounds: int = 1) -> int:
    """Create `count` local governments with `rounds` live publications each; return how many."""
    if not 1 <= rounds <= len(YEARS):
        raise SystemExit(f"--rounds must be 1 to {len(YEARS)}")
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
    previous: list[Assessment | None] = [None] * count
    for r in range(rounds):
        assessments = Assessment.objects.bulk_create(
            [
                Assessment(
                    government=g,
                    framework_id=framework.pk,
                    year=YEARS[r] - i % 3,
                    round_number=r + 1,
                    previous=previous[i],
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
            contents.append((content, hashlib.sha256(f"{g.slug}-{r}".encode()).hexdigest()))
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
                    round_number=r + 1,
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
        previous = list(assessments)
    analyze(Government, Assessment, SignOff, Publication)
    return len(governments)


def main() -> None:
    parser = argparse.ArgumentParser(description="Bulk-create published local governments.")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1, help="live rounds per government (1-3)")
    args = parser.parse_args()
    started = time.monotonic()
    made = seed(args.count, rounds=args.rounds)
    print(
        f"{made} governments with {args.rounds} live publication(s) each "
        f"in {time.monotonic() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
