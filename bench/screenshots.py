"""Screenshots of the main pages for the README, taken by the browser-test tooling.

Serves the sample data with gunicorn on loopback (a temporary SQLite database and
media folder), opens each page in Debian's Chromium through Playwright at desktop
(1280 px) and phone (375 px) widths, and writes PNGs to docs/img/. The first two
pages of Chile's English profile PDF are drawn with poppler's `pdftoppm`.

    .venv/bin/python bench/screenshots.py            # or: make screenshots
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SAMPLE = ["chl", "santiago-chl", "accra-gha"]
WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}
# (file stem, path, widths)
SHOTS = [
    ("home", "/", ("desktop", "phone")),
    ("profiles", "/profiles/", ("desktop", "phone")),
    ("profile", "/profiles/chl/", ("desktop", "phone")),
    ("profile-ar", "/ar/profiles/chl/", ("desktop", "phone")),
]
#: The newest English PDF of Chile's profile (a redirect to the stored file); its cover
#: and contents pages become docs/img/sample-profile-page-01.png and -02.png.
PDF_PATH, PDF_STEM, PDF_PAGES, PDF_DPI = "/profiles/chl/pdf/", "sample-profile-page", 2, 70


def _shown(path: Path) -> Path:
    """`path` relative to the project when it is inside it (the default docs/img/)."""
    return path.relative_to(_stack.ROOT) if path.is_relative_to(_stack.ROOT) else path


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
                        print(f"  {_shown(target)}  ({width}x{height}, {path})")
                browser.close()
                with urllib.request.urlopen(base + PDF_PATH) as response:  # noqa: S310 - loopback
                    data = response.read()
                # Fixed poppler command on a PDF our own server just rendered.
                subprocess.run(
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        str(PDF_DPI),
                        "-f",
                        "1",
                        "-l",
                        str(PDF_PAGES),
                        "-",
                        str(args.out / PDF_STEM),
                    ],
                    input=data,
                    check=True,
                )
                print(
                    f"  {_shown(args.out / PDF_STEM)}-01.png .. -{PDF_PAGES:02d}.png  ({PDF_PATH})"
                )
    print(
        f"done in {time.monotonic() - started:.0f} s; "
        "reproduce: .venv/bin/python bench/screenshots.py"
    )


if __name__ == "__main__":
    main()
