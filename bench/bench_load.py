"""Load on the production stack: 64 clients over public pages, PDFs and the API.

    make prod-up
    .venv/bin/python bench/bench_load.py                 # 64 connections, 60 s per run
    .venv/bin/python bench/bench_load.py --duration 10   # short, while others use the machine

Three runs with wrk (Debian's package) against https://127.0.0.1:8443 only:
1. the mix: home, list, profile pages (all versions, en/fr/ar), PDFs, CSV/JSON and API;
2. one profile page alone;
3. nginx serving a static file with the same bytes as that page.
Prints requests/s, errors (socket errors and non-2xx/3xx), p50/p95/p99 latency and the
profile page's throughput as a share of the static file's (target >= 50%).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROD = Path(os.environ.get("MGI_PROD_DIR", ROOT / ".prod"))

LUA = r"""
local paths = {%(paths)s}
local errors = 0
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[math.random(#paths)])
end
response = function(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format(
    "JSON {\"requests\": %%d, \"seconds\": %%f, \"socket_errors\": %%d, \"p50\": %%f, "
    .. "\"p95\": %%f, \"p99\": %%f, \"max\": %%f}\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def base_url() -> str:
    return "https://127.0.0.1:" + os.environ.get("MGI_PROD_HTTPS_PORT", "8443")


def stack_paths() -> dict[str, list[str]]:
    """Public URLs of the stack's live publications, read with the stack's settings."""
    env_file = PROD / "env"
    if not env_file.exists():
        sys.exit("The stack is not set up: run `make prod-up` first.")
    for line in env_file.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            os.environ[key] = value
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgi_portal.settings")
    import django

    django.setup()
    from django.urls import reverse
    from django.utils import translation

    from profiles.models import Publication

    pages, pdfs, data = ["/", "/profiles/", "/indicators/", "/good-practices/"], [], []
    api = ["/api/v1/publications/", "/api/v1/governments/", "/api/v1/frameworks/"]
    for publication in Publication.objects.live().select_related("government"):
        kwargs = {
            "slug": publication.government.slug,
            "year": publication.year,
            "version": publication.version,
        }
        for language in ("en", "fr", "ar"):
            with translation.override(language):
                pages.append(publication.get_absolute_url())
        pages.append(reverse("profiles:government", kwargs={"slug": kwargs["slug"]}))
        for language in ("en", "es"):
            pdfs.append(reverse("profiles:pdf", kwargs={**kwargs, "language": language}))
        for name in ("profiles:version_csv", "profiles:version_json"):
            try:
                data.append(reverse(name, kwargs=kwargs))
            except Exception:  # noqa: S112 - that download does not exist in this build
                continue
        api.append(f"/api/v1/publications/{publication.pk}/")
    return {"pages": pages, "pdfs": pdfs, "data": data, "api": api}


def wrk(paths: list[str], *, duration: int, connections: int) -> dict:
    lua = LUA % {"paths": ", ".join(json.dumps(p) for p in paths)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
        base_url(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    os.unlink(script.name)
    match = re.search(r"^JSON (.*)$", result.stdout, re.MULTILINE)
    if not match:
        sys.exit(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(match.group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    figures["http_errors"] = int(non_2xx.group(1)) if non_2xx else 0
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def fetch(path: str) -> bytes:
    # Trust exactly the stack's self-signed certificate (scripts/prod_stack.sh made it).
    context = ssl.create_default_context(cafile=str(PROD / "tls/cert.pem"))
    with urllib.request.urlopen(base_url() + path, context=context, timeout=10) as response:  # noqa: S310
        return response.read()


def line(name: str, f: dict) -> str:
    return (
        f"{name:<22} {f['rps']:>9.0f} req/s  errors {f['socket_errors'] + f['http_errors']:>4}  "
        f"p50 {f['p50']:>7.1f} ms  p95 {f['p95']:>7.1f} ms  p99 {f['p99']:>7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per run (60)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent clients (64)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: make system-deps")
    groups = stack_paths()
    mix = groups["pages"] * 3 + groups["pdfs"] + groups["data"] + groups["api"] * 2
    profile = next(p for p in groups["pages"] if p.startswith("/profiles/") and p.count("/") > 3)
    page_bytes = fetch(profile)
    static_dir = PROD / "static" / "bench"
    static_dir.mkdir(parents=True, exist_ok=True)
    (static_dir / "profile-copy.html").write_bytes(page_bytes)
    for path in mix:  # warm the caches once, as a site in use has them
        fetch(path)
    print(
        f"{len(mix)} URLs in the mix ({len(set(mix))} distinct); profile page {profile}, "
        f"{len(page_bytes)} bytes"
    )
    results = {
        "mix": wrk(mix, duration=args.duration, connections=args.connections),
        "profile page": wrk([profile], duration=args.duration, connections=args.connections),
        "static, same size": wrk(
            ["/static/bench/profile-copy.html"],
            duration=args.duration,
            connections=args.connections,
        ),
    }
    for name, figures in results.items():
        print(line(name, figures))
    ratio = results["profile page"]["rps"] / results["static, same size"]["rps"]
    print(f"profile page / static file throughput: {ratio:.0%} (target >= 50%)")
    print(
        f"reproduce: .venv/bin/python bench/bench_load.py --duration {args.duration} "
        f"--connections {args.connections}"
    )
    errors = sum(f["socket_errors"] + f["http_errors"] for f in results.values())
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
