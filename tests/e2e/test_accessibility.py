"""Accessibility in a real browser: every public page type, in every language.

Each page must pass axe-core's WCAG 2.2 A and AA rules with no violation, on a
desktop screen and on a phone screen, and the Nu HTML checker with no error;
must not scroll sideways on a 320 px wide screen with text at 200%; must not
make the browser contact any host but ours; and the filters, the skip link and
the language switcher must work from the keyboard alone. The API reference
passes axe too. The site runs on `live_server` with the sample data.
"""

import io
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from indicators import loader
from indicators.models import Framework, FrameworkStatus
from profiles import roles
from profiles.models import Publication
from profiles.public import selectors

pytestmark = pytest.mark.e2e

ROOT = Path(settings.BASE_DIR)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
SAMPLE = ["chl", "santiago-chl"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
#: WCAG 1.4.10 Reflow: 320 CSS px wide; 1.4.4: text enlarged to 200%.
NARROW = {"width": 320, "height": 640}
ZOOM_TEXT = "document.documentElement.style.fontSize = '200%'"
OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return [];
  return [...document.querySelectorAll("main *, header *, footer *")]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1
                 && !e.closest(".table-wrap, pre"))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                     + (e.className && typeof e.className === "string" ? "." + e.className : ""));
}"""
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


@pytest.fixture
def site(live_server):
    """The live server's base URL, with the frameworks and the sample data loaded."""
    missing = [str(p.relative_to(ROOT)) for p in (AXE, VNU) if not p.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run `npm ci` (make node-deps)")
    loader.sync()  # a previous live_server test flushed the database
    roles.ensure_groups()
    # Chile (two rounds, national) and Santiago (local) cover every page type; the
    # other sample governments would only add minutes of PDF rendering.
    call_command("load_sample_data", "--only", *SAMPLE, stdout=io.StringIO())
    return live_server.url


def in_language(path: str, lang: str) -> str:
    """English is unprefixed; the others live under /<lang>/."""
    return path if lang == settings.LANGUAGE_CODE else f"/{lang}{path}"


def public_pages() -> list[tuple[str, str, int]]:
    """(name, English path, expected status) for every public page type in the sample data."""
    latest = {p.government.slug: p for p in selectors.latest_publications()}
    national = latest["chl"]
    local = next(p for slug, p in latest.items() if p.government.level == "local")
    rounds = Publication.objects.live().filter(government=national.government)
    assert rounds.values("year").distinct().count() > 1, "sample data: a government with 2 rounds"
    framework = Framework.objects.filter(status=FrameworkStatus.ACTIVE, level="national").first()
    indicator = framework.indicators.order_by("position").first()
    slug = national.government.slug
    first_round = rounds.order_by("year", "version").first()
    compare_national = reverse("profiles:compare_national", kwargs={"slug": local.government.slug})
    indicator_page = reverse(
        "profiles:indicator", kwargs={"framework": framework.slug, "code": indicator.code}
    )
    return [
        ("home", reverse("profiles:home"), 200),
        ("profiles", reverse("profiles:list"), 200),
        ("profiles-filtered", reverse("profiles:list") + "?level=national&language=en&q=a", 200),
        ("profiles-empty", reverse("profiles:list") + "?q=zzzz-nothing-matches", 200),
        ("national", national.government.get_absolute_url(), 200),
        ("round", reverse("profiles:round", kwargs={"slug": slug, "year": national.year}), 200),
        ("local", local.government.get_absolute_url(), 200),
        ("permalink", first_round.get_absolute_url(), 200),
        ("compare-rounds", reverse("profiles:compare_rounds", kwargs={"slug": slug}), 200),
        ("compare-national", compare_national, 200),
        ("indicators", reverse("profiles:indicators"), 200),
        ("indicator", indicator_page, 200),
        ("gcm", reverse("profiles:gcm"), 200),
        ("sdg", reverse("profiles:sdg"), 200),
        ("good-practices", reverse("profiles:good_practices"), 200),
        ("good-practices-filtered", reverse("profiles:good_practices") + "?level=national", 200),
        ("about", reverse("profiles:about"), 200),
        ("data", reverse("profiles:data"), 200),
        ("accessibility", reverse("profiles:accessibility"), 200),
        ("not-found", "/no-such-page/", 404),
    ]


def nu_errors(folder: Path) -> dict[str, list[str]]:
    """Run the Nu HTML checker once over every page saved in `folder`: file name -> errors."""
    java = shutil.which("java")
    assert java, "Java is needed for the Nu HTML checker: make system-deps"
    result = subprocess.run(  # noqa: S603 (fixed arguments, our own files)
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr or '{"messages": []}')["messages"]:
        name = Path(urlsplit(message.get("url", "")).path).name
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine')}: {message['message']} [{message.get('extract', '')}]"
        )
    return errors


def check_every_page(site: str, page, folder: Path) -> list[str]:
    """axe-core and the Nu checker on every page type in every language; the problems found."""
    pages = public_pages()
    axe_source = AXE.read_text(encoding="utf-8")
    problems: list[str] = []
    for lang in LANGUAGES:
        for name, path, status in pages:
            url = site + in_language(path, lang)
            response = page.goto(url, wait_until="load")
            if response.status != status:
                problems.append(f"{lang} {name} {url}: HTTP {response.status}, expected {status}")
                continue
            (folder / f"{lang}--{name}.html").write_bytes(response.body())
            html_lang, html_dir = page.evaluate(
                "[document.documentElement.lang, document.documentElement.dir]"
            )
            expected_dir = "rtl" if lang in settings.LANGUAGES_BIDI else "ltr"
            if (html_lang, html_dir) != (lang, expected_dir):
                problems.append(f"{lang} {name}: <html lang={html_lang} dir={html_dir}>")
            problems += axe_problems(page, axe_source, f"{lang} {name} {path} desktop")
            if status == 200:
                problems += small_screen_problems(page, axe_source, f"{lang} {name} {path}")
    for file_name, errors in sorted(nu_errors(folder).items()):
        problems += [f"{file_name.removesuffix('.html')}: Nu: {error}" for error in errors]
    checked = len(list(folder.glob("*.html")))
    if checked != len(pages) * len(LANGUAGES):
        problems.append(f"only {checked} of {len(pages) * len(LANGUAGES)} pages were checked")
    return problems


def axe_problems(page, axe_source: str, where: str) -> list[str]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now displayed."""
    # Evaluated through the DevTools protocol rather than injected as a <script>,
    # so the site's Content-Security-Policy (script-src 'self') stays in force.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source)
    return [
        f"{where}: axe {violation['id']} ({violation['impact']}): {violation['help']}\n      "
        + "\n      ".join(violation["nodes"])
        for violation in page.evaluate(AXE_RUN, WCAG_TAGS)
    ]


def small_screen_problems(page, axe_source: str, where: str) -> list[str]:
    """axe on a phone screen, and no sideways scrolling at 320 px with 200% text.

    Tables scroll inside their own box (`.table-wrap`) and code samples in theirs,
    as WCAG 1.4.10 allows for content that needs two dimensions; the page never does.
    """
    problems = []
    try:
        page.set_viewport_size(PHONE)
        problems += axe_problems(page, axe_source, f"{where} phone")
        page.set_viewport_size(NARROW)
        page.evaluate(ZOOM_TEXT)
        wide = page.evaluate(OVERFLOW)
        if wide:
            problems.append(f"{where}: scrolls sideways at 320 px, 200% text: {wide}")
    finally:
        page.set_viewport_size(DESKTOP)
    return problems


def tab_to(page, selector: str, *, limit: int = 60) -> int:
    """Press Tab until the focused element matches `selector`; return how many presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} is not reachable with Tab within {limit} presses")


def focus_is_visible(page) -> bool:
    """The focused element shows a focus indicator (an outline or a box shadow)."""
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)
                          || s.boxShadow !== "none"; }"""
    )


def check_skip_link(site: str, page) -> None:
    """The first Tab reaches a visible skip link that moves to the main content."""
    page.goto(site + "/fr/profiles/")
    assert tab_to(page, "a.skip-link") == 1
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def check_filters_keyboard(site: str, page) -> None:
    """Choose a level and search by name on the profiles list without a mouse."""
    page.goto(site + reverse("profiles:list"))
    all_count = page.locator("#results-heading").inner_text()
    tab_to(page, "form.filters #id_level")
    assert focus_is_visible(page)
    page.keyboard.type("Nat")  # typeahead picks "National" in the closed select
    assert page.evaluate("document.activeElement.value") == "national"
    tab_to(page, "form.filters button[type=submit]")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/profiles/?*level=national*")
    national = selectors.live_rounds().filter(government__level="national").count()
    heading = page.locator("#results-heading").inner_text()
    assert heading != all_count
    assert heading.startswith(f"{national} ")
    assert page.locator(".result-list li").count() == national

    tab_to(page, "form.filters #id_q")
    page.keyboard.type("Chile")
    page.keyboard.press("Enter")  # Enter in a text field submits the form
    page.wait_for_url("**q=Chile*")
    names = page.locator(".result-list li a").all_inner_texts()
    assert any(name.startswith("Chile") for name in names), names
    assert page.locator("#id_q").input_value() == "Chile"


def check_language_switcher_keyboard(site: str, page) -> None:
    """Switch French -> Arabic from the keyboard; the page and its filters stay the same."""
    path = reverse("profiles:list") + "?level=local"
    page.goto(site + in_language(path, "fr"))
    presses = tab_to(page, ".language-switcher a[hreflang=ar]")
    assert presses < 15, "the switcher should come early in the tab order"
    assert focus_is_visible(page)
    assert page.evaluate("document.activeElement.lang") == "ar"
    page.keyboard.press("Enter")
    page.wait_for_url(site + in_language(path, "ar"))
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]
    assert page.locator("#id_level").input_value() == "local"
    current = page.locator(".language-switcher [aria-current]")
    assert current.get_attribute("hreflang") == "ar"


def test_public_pages_are_accessible_in_every_language(site, page, tmp_path):
    """One test, because loading and rendering the sample profiles dominates its run time."""
    page.set_viewport_size(DESKTOP)
    own_host = urlsplit(site).netloc
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    folder = tmp_path / "pages"  # not tmp_path itself: the test's MEDIA_ROOT is in there
    folder.mkdir()
    problems = check_every_page(site, page, folder)
    for check in (check_skip_link, check_filters_keyboard, check_language_switcher_keyboard):
        try:
            check(site, page)
        except AssertionError as error:  # report every failing check, not just the first
            problems.append(f"{check.__name__}: {error}")
        except Exception as error:  # a Playwright timeout: the control was not operable
            problems.append(f"{check.__name__}: {type(error).__name__}: {error}")

    foreign = sorted(
        {
            u
            for u in requested
            if urlsplit(u).scheme in {"http", "https", "ws", "wss"}
            and urlsplit(u).netloc != own_host
        }
    )
    assert foreign == [], "the pages made requests to other hosts"
    assert problems == [], f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_api_reference_is_accessible(live_server, page):
    """The API reference (Redoc) passes axe on desktop and phone and contacts no other host."""
    own_host = urlsplit(live_server.url).netloc
    requested: list[str] = []
    blocked: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "requestfailed",
        lambda request: blocked.append(request.url) if request.failure == "csp" else None,
    )
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + reverse("api:docs"), wait_until="load")
    page.wait_for_selector("redoc h1", timeout=30_000)  # the schema is loaded and drawn
    assert page.evaluate("document.documentElement.lang") == "en"
    axe_source = AXE.read_text(encoding="utf-8")
    problems = axe_problems(page, axe_source, "API reference desktop")
    page.set_viewport_size(PHONE)
    problems += axe_problems(page, axe_source, "API reference phone")
    # Redoc's footer always asks for its maker's logo from a CDN; the Content-Security-Policy
    # (img-src 'self') stops that request in the browser, and Redoc then leaves the logo out.
    foreign = [u for u in requested if urlsplit(u).netloc not in {own_host, ""}]
    assert [u for u in foreign if u not in blocked] == []
    assert problems == [], "\n".join(problems)
