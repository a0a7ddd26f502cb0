"""Faults under load on the loopback production stack; each is bounded in time.

    make prod-up
    .venv/bin/python bench/faults.py gunicorn     # kill -9 one gunicorn: nginx fails over
    .venv/bin/python bench/faults.py worker       # kill -9 the Celery worker mid-render
    .venv/bin/python bench/faults.py postgres     # restart PostgreSQL (affects every user
                                                  # of the machine's PostgreSQL for ~3 s)
    .venv/bin/python bench/faults.py all

Load: 16 threads GET a mix of public pages, PDFs and API calls with a session
cookie, so nginx's page cache is bypassed and every request reaches Django. Only
https://127.0.0.1:8443 is contacted. Exit status 1 if a fault is not survived.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STACK = str(ROOT / "scripts/prod_stack.sh")
PORT = int(os.environ.get("MGI_PROD_HTTPS_PORT", "8443"))
# Trust exactly the stack's self-signed certificate (scripts/prod_stack.sh made it).
CONTEXT = ssl.create_default_context(cafile=str(ROOT / ".prod/tls/cert.pem"))


class Load:
    """Threads sending GETs until stopped; records (time, status) with 0 for a lost request."""

    def __init__(self, paths: list[str], threads: int = 16):
        self.paths, self.threads = paths, threads
        self.results: list[tuple[float, int]] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _run(self):
        connection = None
        while not self.stop.is_set():
            path = random.choice(self.paths)
            try:
                if connection is None:
                    connection = http.client.HTTPSConnection(
                        "127.0.0.1", PORT, context=CONTEXT, timeout=15
                    )
                connection.request("GET", path, headers={"Cookie": "sessionid=load-test"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                connection = None
            with self.lock:
                self.results.append((time.monotonic(), status))

    def __enter__(self):
        self.workers = [
            threading.Thread(target=self._run, daemon=True) for _ in range(self.threads)
        ]
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for worker in self.workers:
            worker.join(timeout=20)

    def summary(self, since: float = 0.0) -> dict[str, int]:
        rows = [status for at, status in self.results if at >= since]
        return {
            "requests": len(rows),
            "ok": sum(1 for s in rows if 200 <= s < 400),
            "404": sum(1 for s in rows if s == 404),
            "5xx": sum(1 for s in rows if s >= 500),
            "lost": sum(1 for s in rows if s == 0),
        }


def stack(*args: str) -> None:
    subprocess.run([STACK, *args], check=True, capture_output=True)


def healthy() -> bool:
    try:
        connection = http.client.HTTPSConnection("127.0.0.1", PORT, context=CONTEXT, timeout=3)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


def django_setup() -> None:
    env_file = ROOT / ".prod/env"
    if not env_file.exists():
        sys.exit("The stack is not set up: run `make prod-up` first.")
    for line in env_file.read_text().splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            os.environ[key] = value
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgi_portal.settings")
    import django

    django.setup()


def load_paths() -> list[str]:
    from django.urls import reverse

    from profiles.models import Publication

    paths = ["/", "/profiles/", "/api/v1/publications/", "/api/v1/governments/"]
    for publication in Publication.objects.live().select_related("government")[:6]:
        paths.append(publication.get_absolute_url())
        paths.append(f"/api/v1/publications/{publication.pk}/")
        kwargs = {
            "slug": publication.government.slug,
            "year": publication.year,
            "version": publication.version,
            "language": "en",
        }
        paths.append(reverse("profiles:pdf", kwargs=kwargs))
    return paths


def fault_gunicorn(paths: list[str]) -> bool:
    """kill -9 one of the two gunicorn instances under load, then bring it back."""
    with Load(paths) as load:
        time.sleep(3)
        kill_started = time.monotonic()
        stack("kill", "gunicorn-1")
        killed = time.monotonic()
        time.sleep(6)
        stack("start", "gunicorn-1")
        time.sleep(4)
    # A response that gunicorn-1 was streaming when it died cannot be retried: nginx has
    # already sent its headers, so the client sees a cut body. Such cuts can only end
    # while the kill happens (plus a second for the socket to close); any other lost
    # request, or any 5xx, means a request was not failed over.
    cut_until = killed + 1.0
    cut = sum(1 for at, s in load.results if s == 0 and kill_started <= at <= cut_until)
    outside = {
        "lost": sum(1 for at, s in load.results if s == 0 and not kill_started <= at <= cut_until),
        "5xx": load.summary()["5xx"],
    }
    print(
        f"gunicorn: {load.summary()}; after the kill: {load.summary(since=cut_until)}; "
        f"responses cut mid-stream by kill -9: {cut} (at most one per load thread)"
    )
    return outside == {"lost": 0, "5xx": 0} and cut <= load.threads


def fault_postgres(paths: list[str]) -> bool:
    """Restart PostgreSQL under load; once it answers again, no more errors."""
    cluster = sorted(os.listdir("/etc/postgresql"))[0]
    with Load(paths) as load:
        time.sleep(3)
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
            check=True,
            capture_output=True,
        )
        deadline = time.monotonic() + 60
        while not healthy() and time.monotonic() < deadline:
            time.sleep(0.2)
        back = time.monotonic()
        time.sleep(8)
    after = load.summary(since=back + 0.5)
    print(f"postgres: during and after {load.summary()}; once back: {after}")
    return after["5xx"] == 0 and after["lost"] == 0 and after["ok"] > 0


def _new_render():
    """Queue a new publication's rendering: publish a validated assessment (or a correction)."""
    from django.contrib.auth import get_user_model

    from profiles import workflow
    from profiles.models import Assessment, Membership
    from profiles.workflow import signoff

    staff = get_user_model().objects.get(username="sample-staff")
    assessment = Assessment.objects.filter(status="validated").first()
    if assessment is None:
        assessment = Assessment.objects.filter(status="published").order_by("?").first()
        validator = Membership.objects.filter(
            government=assessment.government, role="validator"
        ).first()
        workflow.apply(workflow.REVISE, assessment, by=staff, note="Fault test correction.")
        workflow.bump_revision(assessment)
        workflow.apply(workflow.SHARE, assessment, by=staff)
        workflow.apply(workflow.SUBMIT, assessment, by=staff)
        sign_off = workflow.SignOffDetails(
            name="Fault Test",
            title="Director",
            ministry="Interior",
            statement="Validated.",
            reviewed_hash=signoff.current_hash(assessment),
        )
        workflow.apply(workflow.VALIDATE, assessment, by=validator.user, sign_off=sign_off)
    workflow.apply(workflow.PUBLISH, assessment, by=staff)  # queues the render on commit
    return assessment.publications.latest("version")


def fault_worker() -> bool:
    """kill -9 the worker while it renders; nothing is live until a new worker finishes."""
    import hashlib

    from profiles.models import Publication

    log = ROOT / ".prod/log/worker.log"
    size = log.stat().st_size if log.exists() else 0
    publication = _new_render()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.exists() and "render_publication" in log.read_text()[size:]:
            break
        time.sleep(0.1)
    time.sleep(1.5)  # mid-render
    stack("kill", "worker")
    publication.refresh_from_db()
    killed_mid_render = publication.ready_at is None
    url = publication.get_absolute_url()
    connection = http.client.HTTPSConnection("127.0.0.1", PORT, context=CONTEXT, timeout=10)
    connection.request("GET", url, headers={"Cookie": "sessionid=fault"})
    status_while_down = connection.getresponse().status
    os.environ["MGI_FAULT_VISIBILITY_TIMEOUT"] = "15"
    started = time.monotonic()
    subprocess.run(
        [STACK, "start", "worker"],
        check=True,
        capture_output=True,
        env={**os.environ, "MGI_FAULT_VISIBILITY_TIMEOUT": "15"},
    )
    while time.monotonic() - started < 180:
        publication.refresh_from_db()
        if publication.ready_at:
            break
        time.sleep(1)
    # Put the worker back with the stack's own settings.
    stack("stop", "worker")
    stack("start", "worker")
    publication = Publication.objects.get(pk=publication.pk)
    intact = all(
        hashlib.sha256(f.file.open("rb").read()).hexdigest() == f.sha256
        for f in publication.files.all()
    )
    print(
        f"worker: killed mid-render={killed_mid_render}, page while down={status_while_down}, "
        f"rendered after restart={publication.ready_at is not None} in "
        f"{time.monotonic() - started:.0f} s, files intact={intact} "
        f"({publication.files.count()} files)"
    )
    return (
        status_while_down == 404
        and publication.ready_at is not None
        and intact
        and killed_mid_render
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("fault", choices=["gunicorn", "worker", "postgres", "all"])
    args = parser.parse_args()
    django_setup()
    if not healthy():
        sys.exit("The stack is not healthy: make prod-up")
    paths = load_paths()
    chosen = ["gunicorn", "worker", "postgres"] if args.fault == "all" else [args.fault]
    results = {}
    for fault in chosen:
        if fault == "gunicorn":
            results[fault] = fault_gunicorn(paths)
        elif fault == "postgres":
            results[fault] = fault_postgres(paths)
        else:
            results[fault] = fault_worker()
    for fault, survived in results.items():
        print(f"{fault}: {'survived' if survived else 'FAILED'}")
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
