"""Start the real serving stack on loopback for a bounded benchmark run.

Everything lives in a temporary directory (database, media, nginx config and
logs) or in a dedicated PostgreSQL database that is dropped afterwards, so a
benchmark never touches the developer's db.sqlite3 or media/. Processes are
started by these helpers and stopped by their pid when the `with` block ends.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PG_SERVER = os.environ.get("MGI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django_env(workdir: Path, database_url: str) -> dict[str, str]:
    """Production-like settings (DEBUG off) pointing at the benchmark's own DB and files."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def settle_database() -> None:
    """Bring a freshly seeded database to a running site's steady state before timing.

    Seeding writes gigabytes at 10,000 governments: without this, autovacuum and the
    checkpoint that flushes them run during the timed requests (bench_scale's ratio was
    0.86 in one run and 1.51 in the next on the same code; bench_search's theme-word
    search 45 ms p50 against 35 once settled). Runs in the process that set Django up.
    """
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")
    print(f"  vacuumed and checkpointed: {time.perf_counter() - started:.0f} s", file=sys.stderr)


def manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command; its output is returned, and shown only on failure."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return result.stdout


@contextlib.contextmanager
def database(workdir: Path, *, engine: str) -> Iterator[str]:
    """A fresh, empty database for this run: PostgreSQL `mgi_bench` or SQLite in `workdir`."""
    if engine == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    name = "mgi_bench"
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", sql], check=True)
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        subprocess.run(
            [
                "psql",
                f"{PG_SERVER}/postgres",
                "-qc",
                f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
            ],
            check=False,
        )


def _loopback(url: str) -> str:
    """Benchmarks only ever talk to servers they started on this machine."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"not a loopback URL: {url}")
    return url


def wait_for(url: str, *, timeout: float = 30.0) -> None:
    """Poll `url` until it answers (any HTTP status), or give up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(_loopback(url), timeout=2).close()  # noqa: S310
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    """GET `url`: status, body and headers."""
    try:
        with urllib.request.urlopen(_loopback(url), timeout=30) as response:  # noqa: S310
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


@contextlib.contextmanager
def _process(
    cmd: list[str], *, env: dict[str, str] | None, log: Path
) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], workdir: Path, *, settings: str = "mgi_portal.settings", workers: int = 2
) -> Iterator[str]:
    """gunicorn with `workers` sync workers on a loopback port; yields its base URL."""
    port = free_port()
    cmd = [
        GUNICORN,
        "mgi_portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    with _process(
        cmd, env={**env, "DJANGO_SETTINGS_MODULE": settings}, log=workdir / "gunicorn.log"
    ) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        if proc.poll() is not None:
            raise SystemExit((workdir / "gunicorn.log").read_text())
        yield base


NGINX_CONF = """\
worker_processes 2;
daemon off;
master_process on;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {work}/nginx-tmp;
    proxy_temp_path {work}/nginx-tmp;
    fastcgi_temp_path {work}/nginx-tmp;
    uwsgi_temp_path {work}/nginx-tmp;
    scgi_temp_path {work}/nginx-tmp;
    types {{ text/html html; }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


@contextlib.contextmanager
def nginx(root: Path, workdir: Path) -> Iterator[str]:
    """nginx (2 workers) serving `root` from disk on a loopback port; yields its base URL."""
    if not shutil.which("nginx"):
        raise SystemExit("nginx is not installed: apt-get install -y nginx")
    port = free_port()
    (workdir / "nginx-tmp").mkdir(exist_ok=True)
    conf = workdir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(work=workdir, port=port, root=root))
    # nginx workers drop to `nobody` when started as root: let them read the files.
    for path in (workdir, root, *root.rglob("*")):
        path.chmod(path.stat().st_mode | 0o755 if path.is_dir() else 0o644)
    with _process(
        ["nginx", "-c", str(conf), "-e", str(workdir / "nginx-error.log")],
        env=None,
        log=workdir / "nginx.log",
    ):
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/")
        yield base


WRK_REPORT = """\
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("MGI requests=%d duration_us=%d bytes=%d errors=%d non2xx=%d "
    .. "p50=%d p90=%d p95=%d p99=%d max=%d\\n",
    summary.requests, summary.duration, summary.bytes, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


@dataclass
class WrkResult:
    """One wrk run: throughput and latency percentiles (milliseconds)."""

    command: str
    requests: int
    rate: float
    errors: int
    non2xx: int
    p50: float
    p90: float
    p95: float
    p99: float

    def line(self) -> str:
        return (
            f"{self.rate:10,.0f} req/s   p50 {self.p50:6.1f} ms   p95 {self.p95:6.1f} ms   "
            f"p99 {self.p99:6.1f} ms   ({self.requests:,} requests, "
            f"{self.errors} socket errors, {self.non2xx} non-2xx)"
        )


def wrk(
    url: str, workdir: Path, *, threads: int = 2, connections: int = 32, seconds: int = 5
) -> WrkResult:
    """Run wrk against `url` and parse its report (p95 via a Lua `done` hook)."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    script = workdir / "report.lua"
    script.write_text(WRK_REPORT)
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^MGI (.*)$", out, re.MULTILINE)
    if match is None:
        raise SystemExit(out)
    fields = {key: int(value) for key, value in (p.split("=") for p in match.group(1).split())}
    return WrkResult(
        command=" ".join([*cmd[:-3], url]),
        requests=fields["requests"],
        rate=fields["requests"] / (fields["duration_us"] / 1e6),
        errors=fields["errors"],
        non2xx=fields["non2xx"],
        p50=fields["p50"] / 1000,
        p90=fields["p90"] / 1000,
        p95=fields["p95"] / 1000,
        p99=fields["p99"] / 1000,
    )
