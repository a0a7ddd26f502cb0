"""Full-text search at scale: `/profiles/?q=` against the plain list page, in one run.

Seeds a dedicated PostgreSQL database `mgi_bench_search` (created and dropped here,
so it never meets another benchmark's `mgi_bench`) with the sample profile of
Chile plus N bulk-created local governments with three live rounds each, every
publication with about 36 kB of English search text (bench/seed_governments.py
`--search-kb`), vacuums and checkpoints it as a running site's database is, then
requests with the Django test client, the cache cleared before every request (so
every answer is computed cold):

- `/profiles/`, the plain list page (the baseline),
- `/profiles/?q=...` for each query in `QUERIES` (a name, rare and common theme
  words, a phrase, an exclusion, an OR), each `--repeat` times,

and prints p50/p95 per URL and over all search requests. Goal (issue 15): search
p95 < 50 ms at 10,000 governments x 3 rounds (issue 17 asked for 100).

    .venv/bin/python bench/bench_search.py [--governments 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _stack  # noqa: E402

# MGI_BENCH_DB names another database (two checkouts benchmarking on one server at once).
DATABASE = os.environ.get("MGI_BENCH_DB", "mgi_bench_search")

#: (what it shows, query): from a handful of matching documents to most of them.
QUERIES = [
    ("a country name", "chile"),
    ("a town's name", "bench town 04242"),
    ("a theme word (~1 in 12)", "ombudsman"),
    ("two theme words", "diaspora remittances"),
    ("a phrase", '"family reunification"'),
    ("an exclusion", "asylum -detention"),
    ("OR", "cyclones OR droughts"),
    ("a common word", "migrants"),
]


@contextlib.contextmanager
def database(*, keep: bool) -> Iterator[str]:
    """A fresh PostgreSQL database of our own, dropped at the end unless `keep`."""
    server = _stack.PG_SERVER
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
        subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True)
    try:
        yield f"{server}/{DATABASE}"
    finally:
        if keep:
            print(f"kept: psql {server}/{DATABASE} (drop it when done)")
        else:
            drop = f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"
            subprocess.run(["psql", f"{server}/postgres", "-qc", drop], check=False)


def timed(client, url: str, repeat: int) -> tuple[list[float], str]:
    """Milliseconds of `repeat` cold GETs of `url` (cache cleared before each), and the body."""
    from django.core.cache import cache  # Django is set up only once the database exists

    times, body = [], ""
    for _ in range(repeat):
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        body = response.content.decode()
    return times, body


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--governments", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="cold requests per URL")
    parser.add_argument("--search-kb", type=int, default=36, help="kB of text per publication")
    parser.add_argument("--keep", action="store_true", help="keep the database to explain plans")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mgi-bench-") as tmp, database(keep=args.keep) as url:
        env = _stack.django_env(Path(tmp), url)
        print("setting up: migrate, frameworks, sample data (chl)")
        for command in (
            ["migrate", "--noinput"],
            ["sync_framework"],
            ["load_sample_data", "--only", "chl"],
        ):
            _stack.manage(env, *command)
        print(f"seeding {args.governments:,} governments x 3 rounds, {args.search_kb} kB each")
        seeding = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench/seed_governments.py"),
                *("--count", str(args.governments), "--rounds", "3"),
                *("--search-kb", str(args.search_kb)),
            ],
            env=env,
            check=True,
        )
        seeded = time.monotonic() - seeding
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "mgi_portal.settings"
        import django

        django.setup()
        from django.db import connection
        from django.test import Client

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), pg_size_pretty(sum(length(document))), "
                "pg_size_pretty(pg_total_relation_size('profiles_publicationsearch')) "
                "FROM profiles_publicationsearch"
            )
            documents, text_size, table_size = cursor.fetchone()
        from mgi_portal import startup

        _stack.settle_database()

        client = Client(HTTP_HOST="127.0.0.1")
        # Untimed: a running server has the pages' code loaded; then settle as each
        # deployed worker does at start (mgi_portal/startup.py).
        for path in ["/profiles/", *(f"/profiles/?q={quote_plus(q)}" for _label, q in QUERIES)]:
            client.get(path)
        startup.settle()
        rows: list[tuple[str, str, list[float], int]] = []
        times, _body = timed(client, "/profiles/", args.repeat)
        rows.append(("the plain list page", "/profiles/", times, -1))
        for label, query in QUERIES:
            path = f"/profiles/?q={quote_plus(query)}"
            times, body = timed(client, path, args.repeat)
            rows.append((label, path, times, body.count('<p class="snippet">')))

    print(
        f"\n{documents:,} search documents, {text_size} of text, table and indexes "
        f"{table_size}; seeded in {seeded:.0f} s"
    )
    print(f"\n{'what':<24} {'URL':<44} {'p50 ms':>8} {'p95 ms':>8} {'snippets':>8}")
    for label, path, times, snippets in rows:
        shown = "" if snippets < 0 else str(snippets)
        print(
            f"{label:<24} {path:<44} {statistics.median(times):8.1f} {p95(times):8.1f} {shown:>8}"
        )
    searches = [t for _label, _path, times, _n in rows[1:] for t in times]
    print(
        f"\nall searches: p50 {statistics.median(searches):.1f} ms, p95 {p95(searches):.1f} ms "
        f"(goal < 50); plain list p95 {p95(rows[0][2]):.1f} ms"
    )
    print(f"total run {time.monotonic() - started:.0f} s; reproduce: {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
