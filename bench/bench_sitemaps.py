"""Sitemaps at scale: cold latency of the index and of every section file.

Seeds a dedicated PostgreSQL database `mgi_bench` (created and dropped here) with
the sample profile of Chile plus N bulk-created local governments with three live
rounds each (bench/seed_governments.py), then requests, with the Django test
client and the cache cleared before every request (so every answer is built
cold):

- `/healthz` (a trivial view through the same middleware: the baseline),
- `/profiles/` (the list page, for comparison),
- `/sitemap.xml` (the index) and every section file it lists,

and prints p50/p95 per URL, the size of the largest file and its URL count.
Goals (issue 17): index p95 < 50 ms, every section file p95 < 200 ms, every file
under 50,000 URLs and 50 MB.

    .venv/bin/python bench/bench_sitemaps.py [--governments 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _stack  # noqa: E402

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def timed(client, url: str, repeat: int) -> tuple[list[float], bytes]:
    """Milliseconds of `repeat` cold GETs of `url` (cache cleared before each), and the body."""
    from django.core.cache import cache

    times, body = [], b""
    for _ in range(repeat):
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        body = response.content
    return times, body


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--governments", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="cold requests per URL")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mgi-bench-") as tmp:
        work = Path(tmp)
        with _stack.database(work, engine="postgres") as url:
            env = _stack.django_env(work, url)
            print("setting up: migrate, frameworks, sample data (chl)")
            for command in (
                ["migrate", "--noinput"],
                ["sync_framework"],
                ["load_sample_data", "--only", "chl"],
            ):
                _stack.manage(env, *command)
            print(f"seeding {args.governments:,} governments x 3 rounds")
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench/seed_governments.py"),
                    "--count",
                    str(args.governments),
                    "--rounds",
                    "3",
                ],
                env=env,
                check=True,
            )
            os.environ.update(env)
            os.environ["DJANGO_SETTINGS_MODULE"] = "mgi_portal.settings"
            import django

            django.setup()
            from django.test import Client

            client = Client(HTTP_HOST="127.0.0.1")
            rows: list[tuple[str, list[float], int, int]] = []
            for path in ("/healthz", "/profiles/", "/sitemap.xml"):
                times, body = timed(client, path, args.repeat)
                rows.append((path, times, len(body), body.count(b"<url>")))
            index = ET.fromstring(body)  # noqa: S314 (our own server wrote it)
            for loc in index.iterfind("s:sitemap/s:loc", NS):
                path = loc.text.split("127.0.0.1", 1)[1]
                times, body = timed(client, path, args.repeat)
                rows.append((path, times, len(body), body.count(b"<url>")))

    baseline = statistics.median(rows[0][1])
    print(f"\n{'URL':<36} {'p50 ms':>8} {'p95 ms':>8} {'x base':>7} {'bytes':>11} {'URLs':>6}")
    for path, times, size, urls in rows:
        print(
            f"{path:<36} {statistics.median(times):8.1f} {p95(times):8.1f} "
            f"{statistics.median(times) / baseline:7.1f} {size:11,} {urls:6,}"
        )
    files = rows[3:]
    index_p95 = p95(rows[2][1])
    worst = max(files, key=lambda row: p95(row[1]))
    largest = max(files, key=lambda row: row[2])
    print(
        f"\nsitemap files: {len(files)}; index p95 {index_p95:.1f} ms (goal < 50); "
        f"slowest file {worst[0]} p95 {p95(worst[1]):.1f} ms (goal < 200); "
        f"largest {largest[2] / 1e6:.1f} MB with {largest[3]:,} URLs (limits 50 MB, 50,000)"
    )
    print(f"total run {time.monotonic() - started:.0f} s; reproduce: {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
