"""Text in another language than the page is marked with both its language and direction.

An English justification on an Arabic page without `dir="ltr"` is laid out
right to left: its brackets, full stops and numbers jump to the wrong end. Sample
profiles (English, Chile's translated into Spanish, Jordan's written in Arabic) are
rendered in all four languages, and every public page type is parsed with the
standard HTML parser.
"""

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db

#: Elements that never hold a text of their own; html.parser sees no end tag for them.
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
#: Four Latin words in a row: English prose, not a code, a year, "PDF", a list of language
#: codes or a product name ("Frictionless Data Package") inside an Arabic sentence.
LATIN_RUN = re.compile(r"[A-Za-z]{3,}(?:[ ,'\u2019]+[A-Za-z]{2,}){3,}")
#: Where Latin text is expected whatever the page language: code samples and data names.
VERBATIM = {"code", "pre", "script", "style", "svg"}


def _our_own_texts() -> str:
    """Every template's text, whitespace collapsed: our UI strings, in English.

    A UI string not yet in locale/ar (new since the last `makemessages`) shows in
    English until the catalogues are updated; tests/profiles/public/test_i18n.py watches
    the catalogues. This test is about content and framework text left unmarked.
    """
    templates = Path(settings.BASE_DIR) / "templates"
    return " ".join(
        " ".join(path.read_text(encoding="utf-8").split()) for path in templates.rglob("*.html")
    )


OUR_OWN_TEXTS = _our_own_texts()


class LanguageChecker(HTMLParser):
    """Collects elements marked with a foreign `lang` but no `dir`, and untagged Latin prose."""

    def __init__(self) -> None:
        super().__init__()
        self.page = ""
        self.stack: list[tuple[str, str, bool]] = []  # (tag, language, verbatim)
        self.undirected: list[str] = []
        self.untagged: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        parent_lang, parent_verbatim = (
            (self.stack[-1][1], self.stack[-1][2]) if self.stack else ("", False)
        )
        lang = attributes.get("lang") or parent_lang
        if tag == "html":
            self.page = lang
        elif attributes.get("lang") and lang != self.page:
            isolated = tag == "bdi" or attributes.get("dir") in {"ltr", "rtl", "auto"}
            if not isolated:
                self.undirected.append(self.get_starttag_text() or tag)
        if tag not in VOID:
            self.stack.append((tag, lang, parent_verbatim or tag in VERBATIM))

    def handle_endtag(self, tag: str) -> None:
        for position in range(len(self.stack) - 1, -1, -1):
            if self.stack[position][0] == tag:
                del self.stack[position:]
                return

    def handle_data(self, data: str) -> None:
        if not self.stack or self.stack[-1][2] or self.page != "ar":
            return
        text = " ".join(data.split())
        if self.stack[-1][1] == "ar" and LATIN_RUN.search(text) and text[:40] not in OUR_OWN_TEXTS:
            self.untagged.append(text[:80])


def check(html: str) -> LanguageChecker:
    checker = LanguageChecker()
    checker.feed(html)
    return checker


def test_the_checker_finds_foreign_text_without_direction():
    checker = check(
        '<html lang="ar" dir="rtl"><p lang="en">Bad (1).</p><p lang="en" dir="ltr">Good.</p>'
        '<p>English words untagged here</p><bdi lang="en">Isolated.</bdi>'
        "<code>python manage.py run</code></html>"
    )
    assert checker.undirected == ['<p lang="en">']
    assert checker.untagged == ["English words untagged here"]


@pytest.fixture
def samples(django_capture_on_commit_callbacks):
    """Chile's two rounds (translated into Spanish), Santiago, and Jordan (written in Arabic)."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_sample_data", only=["chl", "santiago-chl", "jor"], stdout=io.StringIO())


PAGES = [
    "/",
    "/profiles/",
    "/profiles/chl/",
    "/profiles/chl/2018/",
    "/profiles/santiago-chl/",
    "/profiles/jor/",
    "/profiles/chl/compare/?from=2018&to=2023",
    "/profiles/santiago-chl/compare/national/",
    "/indicators/",
    "/indicators/mgi-national-2022/MGI-D1.1-01/",
    "/indicators/gcm/",
    "/indicators/sdg-10-7-2/",
    "/good-practices/",
    "/about/",
    "/data/",
    "/accessibility/",
]


@pytest.mark.parametrize("prefix", ["", "/ar", "/fr", "/es"])
def test_every_foreign_text_carries_its_direction(client, samples, prefix):
    problems = {}
    for path in PAGES:
        response = client.get(prefix + path)
        assert response.status_code == 200, path
        checker = check(response.content.decode())
        assert checker.page == (prefix[1:] or "en")
        if checker.undirected or checker.untagged:
            problems[path] = checker.undirected[:3] + checker.untagged[:3]
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
