"""Public page speed, in one bounded run on loopback (wrk -t2 -c32 -d5s per measurement).

(a) a published profile page through gunicorn (2 sync workers), sample data loaded;
(b) the same bytes returned by a trivial Django view in the same gunicorn (same
    middleware), the ceiling for (a);
(c) nginx serving the same bytes from disk, the ceiling for any Python server;
(d) the profiles list `/profiles/` with 10,000 more governments loaded (bulk-created
    live publications), for its p95 latency.
Targets: (a) >= 70% of (b); (d) p95 < 100 ms. Uses a dedicated PostgreSQL database
`mgi_bench` (created and dropped here) or, with --sqlite, a temporary SQLite file.

    .venv/bin/python bench/bench_pages.py            # or: make bench-pages
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _stack

PROFILE = "/profiles/chl/"
LIST = "/profiles/"
SAMPLE = ["chl"]  # two rounds; enough for the profile page, and rendering is slow
TARGET_RATIO = 0.70
TARGET_P95_MS = 100.0


def warm(url: str, times: int = 20) -> bytes:
    """Fetch `url` a few times so every worker has its caches and connections ready."""
    body = b""
    for _ in range(times):
        status, body, _headers = _stack.fetch(url)
        if status != 200:
            raise SystemExit(f"{url}: HTTP {status}")
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="temporary SQLite, not PostgreSQL")
    parser.add_argument("--seconds", type=int, default=5, help="per measurement (default 5)")
    parser.add_argument("--governments", type=int, default=10_000)
    args = parser.parse_args()
    engine = "sqlite" if args.sqlite else "postgres"
    started = time.monotonic()
    wrk = {"seconds": args.seconds, "threads": 2, "connections": 32}

    with tempfile.TemporaryDirectory(prefix="mgi-bench-") as tmp:
        work = Path(tmp)
        www = work / "www"
        body_file = www / PROFILE.strip("/") / "index.html"
        body_file.parent.mkdir(parents=True)
        with _stack.database(work, engine=engine) as url:
            env = {**_stack.django_env(work, url), "MGI_BENCH_BODY": str(body_file)}
            print(f"setting up {engine}: migrate, frameworks, sample data ({', '.join(SAMPLE)})")
            for command in (
                ["migrate", "--noinput"],
                ["compile_translations"],
                ["sync_framework"],
                ["load_sample_data", "--only", *SAMPLE],
            ):
                _stack.manage(env, *command)
            with _stack.gunicorn(env, work, settings="bench.settings", workers=2) as base:
                profile = warm(base + PROFILE)
                body_file.write_bytes(profile)
                if warm(base + "/bench/same-bytes") != profile:
                    raise SystemExit("the trivial view does not return the profile's bytes")
                print(f"profile page: {len(profile):,} bytes")
                a = _stack.wrk(base + PROFILE, work, **wrk)
                b = _stack.wrk(base + "/bench/same-bytes", work, **wrk)
                with _stack.nginx(www, work) as static:
                    if warm(static + PROFILE, times=2) != profile:
                        raise SystemExit("nginx does not serve the profile's bytes")
                    c = _stack.wrk(static + PROFILE, work, **wrk)

                print(f"bulk-creating {args.governments:,} governments with live publications")
                seeded = subprocess.run(
                    [
                        _stack.PYTHON,
                        "-m",
                        "bench.seed_governments",
                        "--count",
                        str(args.governments),
                    ],
                    cwd=_stack.ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                if seeded.returncode != 0:
                    raise SystemExit(seeded.stdout + seeded.stderr)
                print(" ", seeded.stdout.strip())
                listing = warm(base + LIST)
                if b"bench-town-00000" not in listing and b"Bench town" not in listing:
                    raise SystemExit("the list page does not show the seeded governments")
                d = _stack.wrk(base + LIST, work, **wrk)
                # One connection: the list's own service time, without queueing behind 31 others.
                d1 = _stack.wrk(base + LIST, work, seconds=args.seconds, threads=1, connections=1)

    ratio = a.rate / b.rate
    ok_ratio = ratio >= TARGET_RATIO
    ok_p95 = d.p95 < TARGET_P95_MS
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"MGI Portal page benchmark, {platform.node()}, {os.cpu_count()} cores (load {load}), "
        f"{engine}, wrk -t2 -c32 -d{args.seconds}s (wrk shares the cores)"
    )
    print(f"(a) profile page, gunicorn 2 sync workers  {a.line()}")
    print(f"(b) same bytes, trivial Django view        {b.line()}")
    print(f"(c) same bytes, nginx from disk            {c.line()}")
    print(f"(d) /profiles/, +{args.governments:,} governments   {d.line()}")
    print(f"    the same, one connection (-t1 -c1)      {d1.line()}")
    print()
    print(
        f"(a)/(b) = {ratio:.0%}  (target >= {TARGET_RATIO:.0%}: {'met' if ok_ratio else 'NOT met'})"
    )
    print(f"(a)/(c) = {a.rate / c.rate:.1%}  (b)/(c) = {b.rate / c.rate:.1%}")
    print(
        f"(d) p95 = {d.p95:.1f} ms  (target < {TARGET_P95_MS:.0f} ms: "
        f"{'met' if ok_p95 else 'NOT met'})"
    )
    print(f"wrk commands: {a.command} (and the same for each URL)")
    print(
        f"total {time.monotonic() - started:.0f} s; "
        "reproduce: .venv/bin/python bench/bench_pages.py" + (" --sqlite" if args.sqlite else "")
    )
    errors = sum(r.errors + r.non2xx for r in (a, b, c, d, d1))
    if errors:
        print(f"WARNING: {errors} socket errors or non-2xx responses during the runs")
    sys.exit(0 if ok_ratio and ok_p95 and not errors else 1)


if __name__ == "__main__":
    main()
