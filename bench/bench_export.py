"""Benchmark: the open dataset for 200 governments x 3 rounds x 100 indicators (60,000 answers).

Builds the data in a temporary database (SQLite by default; `--postgres` makes a
temporary PostgreSQL database on 127.0.0.1 and drops it afterwards), creating
publications directly with bulk_create rather than through the workflow, then
times the exports the way `profiles.outputs.opendata.rebuild()` runs them. Target: the
CSV export of all 60,000 answers in under 3 s.

    .venv/bin/python bench/bench_export.py [--postgres] [--governments 200]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INDICATORS = 100
ROUNDS = (2018, 2021, 2024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--governments", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="use a temporary PostgreSQL db")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="mgi-bench-"))
    pg_name = f"mgi_bench_{os.getpid()}"
    if args.postgres:
        _pg("CREATE DATABASE " + pg_name)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgi_portal.settings")
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        answers = build(args.governments)
        print(
            f"setup: {answers} published answers created in {time.perf_counter() - started:.1f} s"
        )
        measure()
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)
        if args.postgres:
            _pg("DROP DATABASE IF EXISTS " + pg_name)
    flags = " --postgres" if args.postgres else ""
    print(
        f"command: .venv/bin/python bench/bench_export.py --governments {args.governments}{flags}"
    )


def _pg(sql: str) -> None:
    import psycopg

    with (
        psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as c,
        c.cursor() as cursor,
    ):
        cursor.execute(sql)


def build(governments: int) -> int:
    """Create the framework, governments, rounds and live publications in bulk."""
    return add_governments(make_framework(), governments)


def make_framework() -> dict:
    """The bench framework (6 dimensions, 18 areas, 100 indicators) and a publishing user."""
    from django.contrib.auth import get_user_model

    from indicators.models import Area, Dimension, Framework, Indicator

    user = get_user_model().objects.create(username="bench")
    framework = Framework.objects.create(
        slug="bench-100",
        name="Bench framework",
        level="national",
        version="9.0",
        year=2022,
        status="active",
    )
    dimensions = Dimension.objects.bulk_create(
        Dimension(
            framework=framework,
            code=c,
            short_name=f"Dimension {c}",
            long_name=f"Dimension {c}",
            migof_element="x",
        )
        for c in range(1, 7)
    )
    areas = Area.objects.bulk_create(
        Area(dimension=d, code=f"{d.code}.{i}", name=f"Area {d.code}.{i}", position=i)
        for d in dimensions
        for i in range(1, 4)
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(
            framework=framework,
            area=areas[i % len(areas)],
            code=f"B-{i:03d}",
            question=f"Does the government have policy number {i}?",
            position=i,
        )
        for i in range(INDICATORS)
    )
    return {
        "user": user,
        "framework": framework,
        "indicators": indicators,
        "area_of": {a.pk: a for a in areas},
        "dimension_of": {d.pk: d for d in dimensions},
    }


def _government(number: int):
    """The number-th bench government: every country's national one, then towns."""
    from django_countries import countries

    from profiles.models import Government

    codes = [code for code, _ in countries]
    code = codes[number % len(codes)]
    if number < len(codes):
        return Government(
            level="national",
            kind="national",
            country=code,
            slug=Government.make_slug(country_code=code),
        )
    name = f"Town {number}"
    return Government(
        level="local",
        kind="city",
        country=code,
        name=name,
        slug=Government.make_slug(country_code=code, name=name),
    )


def add_governments(setup: dict, count: int, *, start: int = 0, rounds=ROUNDS) -> int:
    """Create `count` more governments, each with a live publication per round."""
    from django.utils import timezone

    from profiles import content as profile_content
    from profiles.models import (
        Assessment,
        Government,
        Publication,
        PublishedAnswer,
        PublishedFinding,
        SignOff,
    )

    now = timezone.now()
    user, framework, indicators = setup["user"], setup["framework"], setup["indicators"]
    area_of, dimension_of = setup["area_of"], setup["dimension_of"]
    govs = Government.objects.bulk_create(_government(n) for n in range(start, start + count))
    values = ["fully_present", "partially_present", "absent", "not_applicable"]
    previous: dict[int, Assessment] = {}
    total = 0
    for round_number, year in enumerate(rounds, start=1):
        assessments = Assessment.objects.bulk_create(
            Assessment(
                government=g,
                framework=framework,
                year=year,
                round_number=round_number,
                previous=previous.get(g.pk),
                status="published",
                is_sample=True,
            )
            for g in govs
        )
        previous = {a.government_id: a for a in assessments}
        contents = [_content(a, indicators, area_of, dimension_of, values) for a in assessments]
        hashes = [profile_content.digest(c) for c in contents]
        sign_offs = SignOff.objects.bulk_create(
            SignOff(
                assessment=a,
                validator=user,
                validator_name="V",
                title="T",
                ministry="M",
                statement="S",
                content_hash=h,
                languages=["en"],
            )
            for a, h in zip(assessments, hashes, strict=True)
        )
        publications = Publication.objects.bulk_create(
            Publication(
                assessment=a,
                version=1,
                sign_off=s,
                government_id=a.government_id,
                framework=framework,
                year=year,
                round_number=round_number,
                is_sample=True,
                content=c,
                content_hash=h,
                languages=["en"],
                published_by=user,
                release_at=now,
                ready_at=now,
            )
            for a, s, c, h in zip(assessments, sign_offs, contents, hashes, strict=True)
        )
        PublishedAnswer.objects.bulk_create(
            (
                PublishedAnswer(publication=p, indicator=ind, value=values[(p.pk + i) % 4])
                for p in publications
                for i, ind in enumerate(indicators)
            ),
            batch_size=5000,
        )
        PublishedFinding.objects.bulk_create(
            PublishedFinding(
                publication=p, dimension_code=d, kind=k, text=f"Finding {d} {k}", position=0
            )
            for p in publications
            for d in range(1, 7)
            for k in ("well_developed", "potential")
        )
        total += len(publications) * len(indicators)
    return total


def _content(assessment, indicators, area_of, dimension_of, values) -> dict:
    """A frozen content dict in the shape `profiles.content.build()` makes."""
    by_dimension: dict[int, dict] = {}
    for i, indicator in enumerate(indicators):
        area = area_of[indicator.area_id]
        dimension = dimension_of[area.dimension_id]
        dim = by_dimension.setdefault(
            dimension.code,
            {
                "code": dimension.code,
                "short_name": dimension.short_name,
                "long_name": "",
                "migof_element": "",
                "i18n": {},
                "findings": [],
                "areas": {},
            },
        )
        area_entry = dim["areas"].setdefault(
            area.code, {"code": area.code, "name": area.name, "i18n": {}, "indicators": []}
        )
        area_entry["indicators"].append(
            {
                "code": indicator.code,
                "question": indicator.question,
                "i18n": {},
                "gcm_objectives": [],
                "sdg_domains": [],
                "equivalent": None,
                "answer": values[i % 4],
                "justification": f"The migration law of {assessment.government.slug} article {i} "
                "provides for this, as the ministry confirmed in its report.",
                "evidence": f"Law {i}, article {i % 17}",
                "sources": [1, 2] if i % 3 else [1],
            }
        )
    dimensions = []
    for dim in by_dimension.values():
        dim["areas"] = list(dim["areas"].values())
        dimensions.append(dim)
    return {
        "format": 1,
        "original_language": "en",
        "introduction": "",
        "summary": "",
        "dimensions": dimensions,
        "sources": [
            {
                "id": 1,
                "title": "Migration Act",
                "kind": "law",
                "issuer": "",
                "year": 2020,
                "url": "",
                "archived_copy": "",
            },
            {
                "id": 2,
                "title": "=Labour Code",
                "kind": "law",
                "issuer": "",
                "year": 2019,
                "url": "",
                "archived_copy": "",
            },
        ],
        "context_figures": [
            {
                "kind": "migrant_stock",
                "label": "",
                "value": "123456.5",
                "unit": "people",
                "year": 2020,
                "source": "UN DESA",
                "source_url": "",
            }
        ],
        "follow_ups": [],
        "translations": {},
    }


def measure() -> None:
    """Time each step of a dataset rebuild and print the figures."""
    from profiles.models import Publication
    from profiles.outputs import exports, opendata

    def timed(label: str, function):
        started, cpu = time.perf_counter(), time.process_time()
        result = function()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = f", {len(result) / 1e6:.1f} MB" if isinstance(result, bytes) else ""
        print(f"{label}: {elapsed:.2f} s wall, {cpu:.2f} s CPU{size}")
        return result, elapsed

    # Other work on the machine stretches wall time; CPU time shows what this
    # process itself needed (database time in a PostgreSQL server is not in it).
    from django.urls import reverse

    reverse("profiles:home")  # load the URL map first, as a running server already has
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    dataset, build_s = timed(
        "frames for every live version (60,000 answers)",
        lambda: exports.build_dataset(Publication.objects.live()),
    )
    print(
        f"  rows: answers {len(dataset.tables['answers'])}, "
        f"findings {len(dataset.tables['findings'])}, "
        f"publications {len(dataset.tables['publications'])}"
    )
    _, zip_s = timed("CSV ZIP of every version", lambda: exports.dataset_zip(dataset))
    print(
        f"CSV export of 60,000 answers (frames + CSV ZIP): {build_s + zip_s:.2f} s "
        f"(target < 3 s): {'OK' if build_s + zip_s < 3 else 'OVER'}"
    )
    latest, _ = timed(
        "latest version of each government (subset)",
        lambda: exports.subset(dataset, Publication.objects.latest_per_government()),
    )
    timed("CSV ZIP of the latest versions", lambda: exports.dataset_zip(latest))
    timed("XLSX of the latest versions", lambda: exports.dataset_xlsx(latest))
    timed("full rebuild (all three files, stored)", opendata.rebuild)


if __name__ == "__main__":
    main()
