"""Screenshots of the main pages for the README, taken by the browser-test tooling.

Serves the sample data with gunicorn on loopback (a temporary SQLite database and
media folder), opens each page in Debian's Chromium through Playwright at desktop
(1280 px) and phone (375 px) widths, and writes PNGs to docs/img/.

    .venv/bin/python bench/screenshots.py            # or: make screenshots
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SAMPLE = ["chl", "santiago-chl", "accra-gha"]
WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}
# (file stem, path, widths)
SHOTS = [
    ("home", "/", ("desktop", "phone")),
    ("profiles", "/profiles/", ("desktop", "phone")),
    ("profile", "/profiles/chl/", ("desktop", "phone")),
    ("profile-ar", "/ar/profiles/chl/", ("desktop", "phone")),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=_stack.ROOT / "docs" / "img")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mgi-shots-") as tmp:
        work = Path(tmp)
        with _stack.database(work, engine="sqlite") as url:
            env = _stack.django_env(work, url)
            print("loading sample data (", " ".join(SAMPLE), ") ...", flush=True)
            _stack.manage(env, "migrate", "--noinput")
            _stack.manage(env, "collectstatic", "--noinput")
            _stack.manage(env, "compile_translations")
            _stack.manage(env, "sync_framework")
            _stack.manage(env, "load_sample_data", "--only", *SAMPLE)
            with _stack.gunicorn(env, work, workers=2) as base, sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for stem, path, widths in SHOTS:
                    for width_name in widths:
                        width, height = WIDTHS[width_name]
                        page = browser.new_page(viewport={"width": width, "height": height})
                        response = page.goto(base + path, wait_until="networkidle")
                        if response is None or response.status != 200:
                            raise SystemExit(f"{path}: HTTP {response and response.status}")
                        target = args.out / f"{stem}-{width_name}.png"
                        page.screenshot(path=str(target))
                        page.close()
                        print(f"  {target.relative_to(_stack.ROOT)}  ({width}x{height}, {path})")
                browser.close()
    print(
        f"done in {time.monotonic() - started:.0f} s; reproduce: .venv/bin/python bench/screenshots.py"
    )


if __name__ == "__main__":
    main()
