"""Bulk-create N published local governments for the list-page benchmark (not sample data).

Each gets one assessment, sign-off and live publication, created with
`bulk_create` (the workflow would take hours for 10,000), under the newest Local
MGI framework. Their content is a short stub built from a real sample
publication's top-level fields: the list page defers `content`, so its size does
not change what the list page costs.

Search reads the search documents instead (`profiles.search`), so with
`--search-kb N` (default 36, the size of a real profile's text; 0 for none) each
publication also gets an English search document of about N kB: the sample
publication's own sentences in a shuffled order, plus a few "theme" words per
government drawn from `THEMES` (each in about 1 document in 12), so queries
match many, some or few documents as they would on real data. Vectors are
computed in SQL after the inserts, and the tables are analysed.
Run inside the benchmark's own database only:

    DATABASE_URL=... python -m bench.seed_governments --count 10000 --rounds 3
"""

import argparse
import datetime
import hashlib
import os
import random
import re
import time
from collections.abc import Iterator

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgi_portal.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from indicators.models import Framework, Indicator, Level  # noqa: E402
from profiles import regions  # noqa: E402
from profiles import search as search_documents  # noqa: E402
from profiles.management.statistics import analyze  # noqa: E402
from profiles.models import (  # noqa: E402
    AnswerTally,
    Assessment,
    AssessmentStatus,
    Government,
    LocalKind,
    NewestPublication,
    Publication,
    PublicationSearch,
    PublishedAnswer,
    PublishedFinding,
    SignOff,
)
from profiles.publishing import tallies  # noqa: E402

BATCH = 1000
YEARS = [2018, 2021, 2024]  # one per round; round r of government i is YEARS[r] - i % 3


#: Candidate theme words; those the sample text uses are dropped (`themes`).
_THEME_WORDS = """
asylum diaspora remittances trafficking smuggling reintegration statelessness
naturalisation resettlement readmission visas consulates pensions portability
apprenticeships recruitment accreditation ombudsman interpreters shelters
unaccompanied guardianship detention alternatives returnees skills matching
circular seasonal nurses caregivers fishermen miners students scholarships
entrepreneurs microcredit hometown associations bonds transfers fintech
cyclones droughts floods relocation planned evacuation census registers
biometrics passports borders corridors checkpoints hotlines helplines
xenophobia integration language courses schooling vaccination clinics housing
tenancy inspections wages grievances
"""
THEMES = _THEME_WORDS.split()


def sentences(template: Publication) -> list[str]:
    """The sample publication's searchable text, as sentences (its names left out)."""
    [doc] = search_documents.documents(template.content, ["en"])[:1]
    text = doc.text[doc.sections[1][0] :] if len(doc.sections) > 1 else doc.text
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 20]


def themes(pool: list[str]) -> list[str]:
    """Theme words the sample text never uses, so each one's frequency is ours to set."""
    words = set(re.findall(r"\w+", " ".join(pool).lower()))
    return [theme for theme in THEMES if theme not in words]


def search_document(
    name: str, pool: list[str], words: list[str], size: int, rng: random.Random
) -> tuple[str, list]:
    """About `size` characters of shuffled sample sentences, sections and all, for one round.

    Each round names 6 of the themes, so one theme is in about 6/len(themes) of documents.
    """
    chosen = rng.sample(words, 6)
    doc = search_documents.Document(language="en")
    doc.add(name, "")
    anchors = [f"dimension-{d}" for d in range(1, 7)] + [f"indicator-lmgi-{i}" for i in range(90)]
    while doc.length < size:
        chunk = rng.sample(pool, min(8, len(pool)))
        chunk.append(f"Provisions on {rng.choice(chosen)} and {rng.choice(chosen)} apply.")
        doc.add(" ".join(chunk), rng.choice(anchors))
    return doc.text, [list(section) for section in doc.sections]


def search_rows(
    publications: list[Publication], pool: list[str], size: int, rng: random.Random
) -> Iterator[PublicationSearch]:
    words = themes(pool)
    for publication in publications:
        document, sections = search_document(
            publication.content["government"]["name"], pool, words, size, rng
        )
        yield PublicationSearch(
            publication=publication, language="en", document=document, sections=sections
        )


def build_vectors() -> None:
    """One UPDATE for every English document: faster than one per row."""
    search_documents.build_vectors(PublicationSearch.objects.filter(vector__isnull=True))


@transaction.atomic
def published_rows(framework: Framework) -> None:
    """Every seeded publication's answers (each current indicator) and 12 findings, in SQL.

    What the API's answer and finding lists, the indicator pages and the good
    practices read: about 45 answers and 12 findings a publication (1.35 million
    and 360,000 rows at 10,000 governments x 3 rounds). One INSERT ... SELECT
    each: bulk_create took minutes for as many rows. Every tenth finding is a
    good-practice example.
    """
    indicators = list(Indicator.objects.filter(framework=framework).current().values_list("pk"))
    seeded = "SELECT id FROM profiles_government WHERE slug LIKE 'bench-town-%%'"
    values = "CASE (p.id + i.id) %% 4 WHEN 0 THEN 'fully_present' WHEN 1 THEN 'partially_present'"
    values += " WHEN 2 THEN 'absent' ELSE 'not_applicable' END"
    halves = " UNION ALL ".join(
        f"SELECT {dimension} AS dimension, '{kind}' AS kind"
        for dimension in range(1, 7)
        for kind in ("well_developed", "potential")
    )
    with connection.cursor() as cursor:
        # Fixed text; the indicator ids are parameters. Parameters (even none) make the
        # driver read `%%` as `%`.
        cursor.execute(
            "INSERT INTO profiles_publishedanswer (publication_id, indicator_id, value)"  # noqa: S608
            f" SELECT p.id, i.id, {values} FROM profiles_publication p"
            " CROSS JOIN indicators_indicator i"
            f" WHERE p.government_id IN ({seeded})"
            f" AND i.id IN ({', '.join(['%s'] * len(indicators))})",
            [pk for (pk,) in indicators],
        )
        cursor.execute(
            "INSERT INTO profiles_publishedfinding"  # noqa: S608
            " (publication_id, dimension_code, kind, text, is_good_practice, position)"
            " SELECT p.id, f.dimension, f.kind, 'A finding of the benchmark data about'"
            " || ' labour migration, consular services and migrant health.',"
            " (p.id + f.dimension) %% 10 = 0, 0"
            f" FROM profiles_publication p CROSS JOIN ({halves}) f"
            f" WHERE p.government_id IN ({seeded})",
            [],
        )


def seed(count: int, *, rounds: int = 1, search_kb: int = 36) -> int:
    """Create `count` local governments with `rounds` live publications each; return how many."""
    if not 1 <= rounds <= len(YEARS):
        raise SystemExit(f"--rounds must be 1 to {len(YEARS)}")
    template = Publication.objects.live().first()
    if template is None:
        raise SystemExit("load the sample data first (a sample publication is the template)")
    framework = Framework.objects.filter(level=Level.LOCAL).order_by("-year").first()
    countries = sorted(c for c in regions._table() if c != "AQ")
    pool = sentences(template)
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
        publications = Publication.objects.bulk_create(
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
        if search_kb:
            rng = random.Random(r)
            PublicationSearch.objects.bulk_create(
                search_rows(publications, pool, search_kb * 1000, rng), batch_size=200
            )
        previous = list(assessments)
    if search_kb:
        build_vectors()
    published_rows(framework)
    tallies.rebuild()  # what publishing keeps up to date one government at a time
    analyze(
        AnswerTally,
        NewestPublication,
        Government,
        Assessment,
        SignOff,
        Publication,
        PublicationSearch,
        PublishedAnswer,
        PublishedFinding,
    )
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a bulk insert: marks the pages
        # all-visible, so index-only scans (home's count per country, an indicator's
        # distribution) skip the rows.
        with connection.cursor() as cursor:
            for model in (Publication, PublishedAnswer, PublishedFinding, PublicationSearch):
                cursor.execute(f"VACUUM {model._meta.db_table}")
    return len(governments)


def main() -> None:
    parser = argparse.ArgumentParser(description="Bulk-create published local governments.")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1, help="live rounds per government (1-3)")
    parser.add_argument(
        "--search-kb", type=int, default=36, help="kB of search text per publication (0: none)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    made = seed(args.count, rounds=args.rounds, search_kb=args.search_kb)
    print(
        f"{made} governments with {args.rounds} live publication(s) each "
        f"in {time.monotonic() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
