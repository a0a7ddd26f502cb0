"""Benchmark: the open data's cost of publishing one more profile, at two sizes.

Seeds a temporary database (SQLite by default, `--postgres` for a temporary
PostgreSQL database on 127.0.0.1) with governments of one round each (100
answers a profile, publications made with bulk_create as in bench_export.py),
builds the open data once, then adds one more live publication at a time and
times what publishing it costs the open data with a worker: `opendata.refresh()`
(the `rebuild_opendata` task: that publication's part and its journal entry). It prints
the median of `--trials` publications at each size and the ratio (goal <= 1.5).

It also prints the time of one assembly of the downloads from the stored parts
(`opendata.assemble()`, the `assemble_opendata` task): that one is O(dataset)
and runs at most once per `tasks.ASSEMBLY_INTERVAL`, not once per publication.

    .venv/bin/python bench/bench_opendata.py [--small 100] [--large 2000] [--postgres]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_export import _pg, add_governments, make_framework  # noqa: E402 (path first)

ROUND = (2024,)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="use a temporary PostgreSQL db")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="mgi-bench-opendata-"))
    pg_name = f"mgi_bench_opendata_{os.getpid()}"
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
        measure(args.small, args.large, args.trials)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)
        if args.postgres:
            _pg("DROP DATABASE IF EXISTS " + pg_name)
    flags = " --postgres" if args.postgres else ""
    print(
        f"command: .venv/bin/python bench/bench_opendata.py --small {args.small} "
        f"--large {args.large} --trials {args.trials}{flags}"
    )


def measure(small: int, large: int, trials: int) -> None:
    """Grow the dataset to each size, then time publishing one more profile there."""
    from django.urls import reverse

    from profiles.models import Publication
    from profiles.outputs import opendata

    reverse("profiles:home")  # load the URL map first, as a running server already has
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    setup = make_framework()
    made = 0
    publish: dict[int, float] = {}
    for size in (small, large):
        started = time.perf_counter()
        add_governments(setup, size - made, start=made, rounds=ROUND)
        made = size
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        opendata.rebuild()  # the parts and downloads of everything seeded so far
        parts = time.perf_counter() - started
        print(f"{size} governments: seeded in {seeded:.1f} s, open data built in {parts:.1f} s")
        samples = []
        for _ in range(trials):
            add_governments(setup, 1, start=made, rounds=ROUND)  # one more live publication
            made += 1
            newest = list(Publication.objects.order_by("-pk").values_list("pk", flat=True)[:1])
            started = time.perf_counter()
            opendata.refresh(newest)
            samples.append(time.perf_counter() - started)
        publish[size] = statistics.median(samples)
        print(
            f"  publish one more profile (refresh: its part + a journal entry): "
            f"median {publish[size] * 1000:.0f} ms of {trials} "
            f"(min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f})"
        )
        started = time.perf_counter()
        manifest = opendata.assemble()
        print(
            f"  assemble the downloads from {manifest['counts']['all_versions_publications']} "
            f"parts ({manifest['counts']['answers']} answers): "
            f"{time.perf_counter() - started:.2f} s (at most once per interval)"
        )
    ratio = publish[large] / publish[small]
    print(
        f"publish one more profile, {large} vs {small} governments: ratio {ratio:.2f} "
        f"(goal <= 1.5): {'OK' if ratio <= 1.5 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
