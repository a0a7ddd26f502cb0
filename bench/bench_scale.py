"""Scale: the cost of publishing one more profile at two sizes, and cold pages at the larger.

For each size (`--small`, default 100, and `--large`, default 10,000 governments)
a dedicated PostgreSQL database `mgi_bench_scale` is created (and dropped after),
migrated, given the frameworks and Chile's sample profile, and seeded with that
many local governments x 3 live rounds (bench/seed_governments.py: each with 36 kB
of search text, an answer to every indicator and 12 findings, so the API lists, the
indicator pages and the good practices read 1.35 million answers and 360,000
findings at 10,000 governments). The open
dataset of the seeded publications is built first (untimed: every part, the
index and the downloads), as a running site already has it. Then a child process
(this script with `--child`, so each size has its own Django process and
database) measures:

- **publishing one more profile** (`--trials` times, the median counts, after the
  database is vacuumed and checkpointed as a running site's is): a new
  local government answers every indicator and goes through the real workflow
  (share, submit, validate); timed from the PUBLISH transition (the request:
  freeze, search index, commit) through what a worker then runs,
  `render_publication` (data files and page bodies in every language, the
  page-cache generations) and `rebuild_opendata` (that profile's open-data part
  and its journal entry). The whole-dataset assembly is left queued, as a worker
  defers it (`tasks.ASSEMBLY_INTERVAL`); PDFs are left out (about 25 s each on this
  machine, the same at any size). The ratio large/small is the goal (<= 1.5).
- at the large size only, **cold pages**: `--repeat` GETs of each public page
  type with the Django test client, the cache cleared before each, against
  `/healthz` (a trivial view behind the same middleware) in the same process.
  Goal (issue 15): p95 < 50 ms for every page type, search and sitemap files included.
  One untimed GET of each page comes first, as a running server has its code loaded, and
  the process then settles as a deployed worker does (`mgi_portal/startup.py`).

    .venv/bin/python bench/bench_scale.py [--small 100] [--large 10000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _stack  # noqa: E402 (the path first)

# Its own database, so it never meets another script's; MGI_BENCH_DB names another (two
# checkouts benchmarking on one server at once).
DB_NAME = os.environ.get("MGI_BENCH_DB", "mgi_bench_scale")
GOAL_RATIO = 1.5
GOAL_P95_MS = 50.0
STEPS = ("request", "render_publication", "rebuild_opendata")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


@contextlib.contextmanager
def database() -> Iterator[str]:
    """A fresh PostgreSQL database of this benchmark's own, dropped afterwards."""
    admin = f"{_stack.PG_SERVER}/postgres"
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", admin, "-qc", sql], check=True)
    try:
        yield f"{_stack.PG_SERVER}/{DB_NAME}"
    finally:
        subprocess.run(
            ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], check=False
        )


def run_size(size: int, args: argparse.Namespace, *, pages: bool) -> dict:
    """Set up and seed a database of `size` governments, then measure in a child process."""
    with tempfile.TemporaryDirectory(prefix="mgi-bench-scale-") as tmp, database() as url:
        env = _stack.django_env(Path(tmp), url)
        log(f"{size:,} governments: migrate, frameworks, sample data (chl)")
        for command in (
            ["migrate", "--noinput"],
            ["sync_framework"],
            ["load_sample_data", "--only", "chl"],
        ):
            _stack.manage(env, *command)
        log(f"{size:,} governments: seeding x 3 rounds ({args.search_kb} kB of text each)")
        started = time.monotonic()
        seed = [_stack.PYTHON, "-m", "bench.seed_governments", "--count", str(size)]
        seed += ["--rounds", "3", "--search-kb", str(args.search_kb)]
        subprocess.run(seed, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        log(f"  seeded in {time.monotonic() - started:.0f} s")
        child = [_stack.PYTHON, str(Path(__file__)), "--child"]
        child += ["--trials", str(args.trials), "--repeat", str(args.repeat)]
        child += ["--pages"] if pages else []
        result = subprocess.run(
            child, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True
        )
        return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=5, help="publications timed per size")
    parser.add_argument("--repeat", type=int, default=20, help="cold requests per page")
    parser.add_argument("--search-kb", type=int, default=36, help="search text per profile")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args)))
        return
    started = time.monotonic()
    load = os.getloadavg()[0]
    small = run_size(args.small, args, pages=False)
    large = run_size(args.large, args, pages=True)
    report(args, small, large)
    print(
        f"\nload average before {load:.1f} on {os.cpu_count()} cores; "
        f"total run {time.monotonic() - started:.0f} s\n"
        f"command: .venv/bin/python bench/bench_scale.py --small {args.small} "
        f"--large {args.large} --trials {args.trials} --repeat {args.repeat} "
        f"--search-kb {args.search_kb}"
    )


def report(args: argparse.Namespace, small: dict, large: dict) -> None:
    print("\nPublish one more profile (request + worker's render and open-data part, no PDF):")
    medians = {}
    for size, result in ((args.small, small), (args.large, large)):
        samples = result["publish"]
        medians[size] = statistics.median(samples)
        print(
            f"  {size:>7,} governments x 3 rounds: median {medians[size] * 1000:7.0f} ms "
            f"(min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f}, "
            f"{len(samples)} trials)"
        )
        parts = (
            f"{step} {statistics.median(s[step] for s in result['steps']) * 1000:.0f}"
            for step in STEPS
        )
        print(f"    medians by step (ms): {', '.join(parts)}")
    ratio = medians[args.large] / medians[args.small]
    verdict = "OK" if ratio <= GOAL_RATIO else "OVER"
    print(f"  ratio {ratio:.2f} (goal <= {GOAL_RATIO}): {verdict}")
    print(f"\nCold pages at {args.large:,} governments x 3 rounds (cache cleared before each GET):")
    print(f"  {'page':<52} {'p50 ms':>8} {'p95 ms':>8} {'x base':>7}  goal")
    baseline = statistics.median(large["pages"]["/healthz"])
    for path, times in large["pages"].items():
        p50 = statistics.median(times)
        budget = goal_ms(path)
        goal = "" if budget is None else ("ok" if p95(times) < budget else "MISSED")
        print(f"  {path:<52} {p50:8.1f} {p95(times):8.1f} {p50 / baseline:7.1f}  {goal}")


def goal_ms(path: str) -> float | None:
    """A page's p95 budget: issue 15's, the same for every public page; none for the baseline."""
    return None if path == "/healthz" else GOAL_P95_MS


# --- The child: one Django process on one seeded database --------------------------------


def measure(args: argparse.Namespace) -> dict:
    """Time publications, and cold pages if asked; runs in the seeded database's process."""
    # Django is set up only here, in the child: the parent never opens a database.
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgi_portal.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.urls import reverse

    from mgi_portal.celery import app as celery_app
    from profiles import roles
    from profiles.outputs import opendata

    settings.MGI_PUBLICATION_RENDERERS = [
        path for path in settings.MGI_PUBLICATION_RENDERERS if not path.endswith(".store_pdfs")
    ]
    # Tasks are queued (in memory) as for a worker, and this process then runs them as one.
    celery_app.conf.task_always_eager = False
    reverse("profiles:home")  # load the URL map first, as a running server already has
    started = time.perf_counter()
    opendata.rebuild()
    log(f"  open dataset of the seeded publications: {time.perf_counter() - started:.0f} s")
    _stack.settle_database()
    staff = User.objects.create_user("scale-staff", is_staff=True)
    staff.groups.add(Group.objects.get(name=roles.IOM_STAFF))
    publish_one(0, staff)  # untimed: a running site has its templates and code loaded
    steps = [publish_one(number, staff) for number in range(1, args.trials + 1)]
    log("  publish: " + ", ".join(f"{sum(s.values()) * 1000:.0f} ms" for s in steps))
    result: dict = {"publish": [sum(s.values()) for s in steps], "steps": steps}
    if args.pages:
        result["pages"] = cold_pages(args.repeat)
    return result


def publish_one(number: int, staff) -> dict[str, float]:
    """Seconds of each step of publishing one more fully answered local profile."""
    # Imported here: models need django.setup(), which only the child process runs.
    from django.contrib.auth.models import Group, User

    from indicators.models import Framework, Indicator, Level
    from profiles import roles, workflow
    from profiles.models import (
        Answer,
        AnswerValue,
        Assessment,
        Government,
        GovernmentRole,
        LocalKind,
        Membership,
        Publication,
    )
    from profiles.publishing import tasks
    from profiles.workflow import signoff

    government = Government.objects.create(
        level="local",
        kind=LocalKind.CITY,
        country="KE",
        name=f"Scale town {number}",
        slug=f"scale-town-{number}-ken",
    )
    validator = User.objects.create_user(f"scale-validator-{number}")
    validator.groups.add(Group.objects.get(name=roles.GOVERNMENT_OFFICIALS))
    Membership.objects.create(user=validator, government=government, role=GovernmentRole.VALIDATOR)
    framework = Framework.objects.filter(level=Level.LOCAL).order_by("-year").first()
    assessment = Assessment.objects.create(
        government=government,
        framework=framework,
        year=2024,
        introduction="Introduction text.",
        summary="Summary text.",
    )
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            indicator=indicator,
            value=AnswerValue.FULLY,
            justification="A policy covers this.",
        )
        for indicator in Indicator.objects.filter(framework=framework).current()
    )
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    details = workflow.SignOffDetails(
        name="Ana Validator",
        title="Director",
        ministry="Ministry of the Interior",
        statement="The government validates this profile.",
        reviewed_hash=signoff.current_hash(assessment),
    )
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=details)
    times = [time.perf_counter()]
    workflow.apply(workflow.PUBLISH, assessment, by=staff)
    times.append(time.perf_counter())
    publication = Publication.objects.get(assessment=assessment)
    tasks.render_publication(publication.pk)  # what the worker runs next, in this process
    times.append(time.perf_counter())
    tasks.rebuild_opendata([publication.pk])  # as render_publication hands it on
    times.append(time.perf_counter())
    return {
        step: after - before for step, before, after in zip(STEPS, times, times[1:], strict=False)
    }


def cold_pages(repeat: int) -> dict[str, list[float]]:
    """Milliseconds of `repeat` cold GETs of each public page type (cache cleared before each)."""
    # Imported here: models need django.setup(), which only the child process runs.
    import xml.etree.ElementTree as ET

    from django.core.cache import cache
    from django.test import Client

    from bench.seed_governments import sentences, themes
    from indicators.models import Framework, Indicator, Level
    from mgi_portal import startup
    from profiles.models import Publication

    client = Client(HTTP_HOST="127.0.0.1")
    framework = Framework.objects.filter(level=Level.LOCAL).order_by("-year").first()
    indicator = Indicator.objects.filter(framework=framework).current().order_by("code").first()
    word = themes(sentences(Publication.objects.live().first()))[0]
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 (our own server's)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sections = [loc.text for loc in index.iterfind("s:sitemap/s:loc", namespace)]
    section = next((s for s in sections if "governments" in s), sections[0])  # the busiest
    paths = [
        "/healthz",
        "/",
        "/profiles/",
        "/fr/profiles/",
        "/profiles/?level=local",
        "/profiles/?country=CL",
        "/profiles/?page=40",
        f"/profiles/?q={word}",
        "/good-practices/",
        f"/indicators/{framework.slug}/{indicator.code}/",
        "/api/v1/publications/",
        "/api/v1/answers/",
        "/api/v1/findings/",
        "/sitemap.xml",
        section.split("127.0.0.1", 1)[1],
    ]
    # Untimed: a running server has each page's code loaded; with 20 GETs, the one first
    # GET that loads it would be the p95. Then settle as each deployed worker does at start
    # (mgi_portal/startup.py: templates compiled, long-lived objects frozen).
    for path in paths:
        client.get(path)
    startup.settle()
    times: dict[str, list[float]] = {}
    for path in paths:
        times[path] = []
        for _ in range(repeat):
            cache.clear()
            started = time.perf_counter()
            response = client.get(path)
            times[path].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
        log(f"  {path}: p95 {p95(times[path]):.1f} ms")
    return times


if __name__ == "__main__":
    main()
