"""Benchmark: profile PDF render time, and serving a stored PDF (Django view vs nginx).

Not a test. Needs the sample data (`make db`), and for the serving part the Debian
packages nginx and wrk (loopback only, short runs). Prints its figures and the
command that reproduces them.

    .venv/bin/python bench/bench_pdf.py [--repeat 3] [--duration 5] [--no-serve]

1. Render: the largest live sample profile (most indicators), English and
   Arabic, `--repeat` times each; the median is compared with the 2 s target.
2. Serve: the stored English PDF of that profile, fetched with `wrk` for
   `--duration` seconds (a) from gunicorn (2 sync workers, the real URL and view
   streaming the file: what every download would cost without a cache), (b)
   through nginx's page cache in front of that view as deploy/nginx runs it (the
   view's answer is kept for a minute, then revalidated), and (c) from nginx
   serving the same file from MEDIA_ROOT, the ceiling.
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgi_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from profiles.models import FileKind, Publication  # noqa: E402
from profiles.outputs import pdf  # noqa: E402

TARGET_SECONDS = 2.0


def largest_publication() -> Publication:
    """The live publication with the most indicators (ties: newest)."""
    publications = list(Publication.objects.live().select_related("government", "sign_off"))
    if not publications:
        sys.exit("No live publication: run `make db` (sample data) first.")
    return max(
        publications,
        key=lambda p: (
            sum(len(a["indicators"]) for d in p.content["dimensions"] for a in d["areas"]),
            p.pk,
        ),
    )


def bench_render(publication: Publication, *, repeat: int) -> dict[str, float]:
    pdf.render(publication, language="en")  # warm up fonts and templates
    medians = {}
    for language in ("en", "ar"):
        times, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            data = pdf.render(publication, language=language)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        medians[language] = statistics.median(times)
        pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")
        print(
            f"  render {language}: median {medians[language]:.2f} s of {repeat} "
            f"(min {min(times):.2f}, max {max(times):.2f}; CPU {statistics.median(cpu):.2f} s), "
            f"{len(data) / 1024:.0f} KiB" + (f", ~{pages} pages" if pages else "")
        )
    return medians


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def warm_up(url: str, *, size: int, timeout: float = 60) -> None:
    """One real request first: workers boot and the answer is checked (200, whole file)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
                body = response.read()
                if response.status != 200 or len(body) != size:
                    raise RuntimeError(f"{url}: {response.status}, {len(body)} bytes")
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wrk(url: str, *, duration: int) -> tuple[float, str]:
    """Requests per second and transfer rate reported by wrk."""
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"{url} answered errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    transfer = re.search(r"Transfer/sec:\s+(\S+)", out).group(1)
    return rps, transfer


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def gunicorn(port: int, env: dict[str, str]) -> subprocess.Popen:
    """The portal in gunicorn with 2 sync workers on a loopback port."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "mgi_portal.wsgi",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def bench_serve(publication: Publication, *, duration: int) -> None:
    missing = [tool for tool in ("nginx", "wrk") if not shutil.which(tool)]
    if missing:
        print(f"  serve: skipped, not installed: {', '.join(missing)} (apt-get install nginx wrk)")
        return
    stored = publication.files.filter(kind=FileKind.PDF, language="en").first()
    if stored is None:
        print("  (no stored PDF yet: rendering this publication's PDFs once)")
        pdf.store_pdfs(publication)
        stored = publication.files.get(kind=FileKind.PDF, language="en")
    path = (
        f"/profiles/{publication.government.slug}/{publication.year}/v{publication.version}/pdf/en/"
    )
    print(f"  file: {stored.file.name} ({stored.size / 1024:.0f} KiB)")

    gunicorn_port, nginx_port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore::UserWarning",
    }  # PYTHONWARNINGS: WhiteNoise warns there is no staticfiles/
    app = gunicorn(gunicorn_port, env)
    media = Path(settings.MEDIA_ROOT).resolve()
    work = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    (work / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  sendfile on;
  client_body_temp_path {work};
  proxy_temp_path {work};
  fastcgi_temp_path {work};
  uwsgi_temp_path {work};
  scgi_temp_path {work};
  types {{ application/pdf pdf; }}
  proxy_cache_path {work}/cache levels=1:2 keys_zone=pages:1m use_temp_path=off;
  server {{
    listen 127.0.0.1:{nginx_port};
    location /media/ {{ alias {media}/; }}
    location / {{
      proxy_pass http://127.0.0.1:{gunicorn_port};
      proxy_set_header Host $http_host;
      proxy_cache pages;
      proxy_cache_key "$scheme$host$request_uri";
      proxy_cache_valid 200 60s;
      proxy_cache_lock on;
      proxy_cache_revalidate on;
    }}
  }}
}}
"""
    )
    nginx = subprocess.Popen(["nginx", "-p", str(work), "-c", str(work / "nginx.conf")])
    try:
        for port in (gunicorn_port, nginx_port):
            wait_for(port)
        urls = {
            "(a) Django view streaming the file (gunicorn, 2 sync workers)": (
                f"http://127.0.0.1:{gunicorn_port}{path}"
            ),
            "(b) nginx's page cache in front of the view (as deployed)": (
                f"http://127.0.0.1:{nginx_port}{path}"
            ),
            "(c) nginx serving the same file": (
                f"http://127.0.0.1:{nginx_port}/media/{stored.file.name}"
            ),
        }
        for url in urls.values():
            warm_up(url, size=stored.size)
        rates = {label: wrk(url, duration=duration) for label, url in urls.items()}
    finally:
        stop(app)
        stop(nginx)
        shutil.rmtree(work, ignore_errors=True)
    for label, (rps, transfer) in rates.items():
        print(f"  {label:<64} {rps:>8,.0f} req/s, {transfer}/s")
    (a, _), (b, _), (c, _) = rates.values()
    print(f"  (a)/(c) = {a / c:.0%}, (b)/(c) = {b / c:.0%} of nginx's throughput")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--no-serve", action="store_true", help="only measure rendering")
    args = parser.parse_args()

    publication = largest_publication()
    indicators = sum(
        len(a["indicators"]) for d in publication.content["dimensions"] for a in d["areas"]
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"Profile PDFs: {publication} ({indicators} indicators); "
        f"{os.cpu_count()} CPU(s), load average {load} (wall times suffer when it exceeds the CPUs)"
    )
    medians = bench_render(publication, repeat=args.repeat)
    worst = max(medians.values())
    verdict = "within" if worst <= TARGET_SECONDS else "OVER"
    print(f"  slowest median {worst:.2f} s: {verdict} the {TARGET_SECONDS:.0f} s target")
    if not args.no_serve:
        bench_serve(publication, duration=args.duration)
    print(
        "Reproduce: .venv/bin/python bench/bench_pdf.py "
        f"--repeat {args.repeat} --duration {args.duration}"
        + (" --no-serve" if args.no_serve else "")
    )


if __name__ == "__main__":
    main()
