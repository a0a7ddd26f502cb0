"""A profile page and its PDF read the same: one presenter, the same section partials.

For every sample publication and every language, the texts a reader compares (the
citation, the headings, the findings, the answers and the sources) are read from
the profile page a visitor gets and from the HTML that WeasyPrint lays out, which
must give the same sequences; and every one of them is looked for in the text that
poppler extracts from the PDF itself.

Each PDF is rendered once, without storing it (about 1-3 s each, a few minutes in all).
"""

import itertools
import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import transaction
from django.template.loader import render_to_string
from django.test import Client, TestCase, override_settings
from django.utils import translation

from profiles.models import Publication
from profiles.outputs import pdf
from tests.tools import require

LANGUAGES = ("en", "fr", "es", "ar")
#: The sections the page and the PDF share (the PDF adds cover, contents, annex, colophon).
SHARED = re.compile(r"(introduction|context|summary|dimension-\d+|sources|validation|cite)")
PAGE_NUMBER = re.compile(r"^\S+ \d+ \S+ \d+$|^\d+$")
ARABIC = re.compile("[\u0600-\u06ff]")


@dataclass
class Node:
    """An element of a parsed page: enough of a DOM to select by tag, class and id."""

    tag: str
    attrs: dict[str, str]
    children: list = field(default_factory=list)

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def find(self, predicate) -> list["Node"]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if predicate(child):
                    found.append(child)
                found.extend(child.find(predicate))
        return found

    def elements(self) -> list["Node"]:
        return [c for c in self.children if isinstance(c, Node)]


class _TreeBuilder(HTMLParser):
    VOID = frozenset({"br", "img", "meta", "link", "input", "hr", "rect", "path"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [Node("document", {})]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.stack[0]


@dataclass
class Reading:
    """What a reader compares between a page and its PDF, in document order."""

    citation: list[str]
    headings: list[str]
    subheadings: list[str]
    findings: list[str]
    answers: list[tuple[str, str, str, str]]  # question, answer, justification, evidence
    sources: list[tuple[str, ...]]

    def texts(self) -> list[str]:
        """Every text above, to be looked for in the PDF's extracted text."""
        answers = [text for row in self.answers for text in row if text]
        sources = [text for row in self.sources for text in row if text]
        parts = [self.citation, self.headings, self.subheadings, self.findings, answers, sources]
        return [text for part in parts for text in part]


def reading(html: str, answers: list[tuple[str, str, str, str]]) -> Reading:
    """The texts of the shared sections of a rendered page or PDF document."""
    sections = parse(html).find(
        lambda n: n.tag == "section" and SHARED.fullmatch(n.attrs.get("id", ""))
    )

    def within(predicate) -> list[Node]:
        return [node for section in sections for node in section.find(predicate)]

    finding_lists = within(lambda n: n.tag == "ul" and n.has_class("progress-list")) + [
        ul for group in within(lambda n: n.has_class("finding-group")) for ul in group.elements()
    ]
    return Reading(
        citation=[n.text() for n in within(lambda n: n.has_class("citation"))],
        headings=[n.text() for n in within(lambda n: n.tag == "h2")],
        subheadings=[n.text() for n in within(lambda n: n.tag == "h3")],
        findings=[li.text() for ul in finding_lists for li in ul.elements() if li.tag == "li"],
        answers=answers,
        sources=[
            tuple(span.text() for span in li.elements() if span.tag == "span")
            for li in within(is_source)
        ],
    )


def is_source(node: Node) -> bool:
    return node.tag == "li" and node.attrs.get("id", "").startswith("source-")


def after_label(node: Node) -> str:
    """A node's text after its leading label element ("Answer:", "Evidence:")."""
    rest = node.children[node.children.index(node.elements()[0]) + 1 :]
    return " ".join(" ".join(c if isinstance(c, str) else c.text() for c in rest).split())


def page_answers(html: str) -> list[tuple[str, str, str, str]]:
    """(question, answer, justification, evidence) of each indicator block on the page."""
    rows = []
    for block in parse(html).find(lambda n: n.has_class("indicator")):
        parts = block.elements()
        answer = next(p for p in parts if p.has_class("answer"))
        justification = [p.text() for p in parts if p.tag == "p" and "class" not in p.attrs]
        evidence = [
            p.elements()[1].text()
            for p in parts
            if p.has_class("evidence") and [e.tag for e in p.elements()] == ["span", "span"]
        ]
        rows.append(
            (
                parts[0].text(),
                after_label(answer),
                justification[0] if justification else "",
                evidence[0] if evidence else "",
            )
        )
    return rows


def pdf_answers(html: str, evidence_label: str) -> list[tuple[str, str, str, str]]:
    """The same, from the rows of the PDF's annex."""
    rows = []
    for table in parse(html).find(lambda n: n.tag == "table" and n.has_class("answers")):
        for row in table.find(lambda n: n.tag == "tr"):
            cells = row.elements()
            if len(cells) != 3 or cells[0].tag != "th" or not cells[0].has_class("question"):
                continue
            if cells[1].tag != "td":
                continue  # the header row
            blocks = cells[2].elements()
            evidence = [
                text.split(":", 1)[1].strip()
                for text in (plain(b.text()) for b in blocks if b.has_class("evidence"))
                if text.startswith(evidence_label + ":")
            ]
            rows.append(
                (
                    cells[0].text(),
                    cells[1].text(),
                    blocks[0].text() if blocks else "",
                    evidence[0] if evidence else "",
                )
            )
    return rows


def plain(text: str) -> str:
    """Without the bidi isolates and no-break spaces that keep a label whole in print."""
    return re.sub("[\u2066-\u2069]", "", text).replace("\u00a0", " ")


# --- The PDF's extracted text ----------------------------------------------------------


def extracted(data: bytes, *, chrome: set[str]) -> str:
    """The PDF's text without what the page margins repeat (running title, section name,
    page number, sample mark), which would otherwise split a text that crosses a page."""
    tool = require("pdftotext", "poppler-utils reads the PDFs; install it with `make system-deps`")
    # Fixed poppler command on bytes we rendered: no untrusted input reaches the shell.
    text = subprocess.run(  # noqa: S603
        [tool, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    kept = []
    for page in text.split("\f"):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        while lines and (lines[0] in chrome):
            lines.pop(0)
        while lines and (lines[-1] in chrome or PAGE_NUMBER.match(lines[-1])):
            lines.pop()
        kept.append(" ".join(lines))
    return " ".join(kept)


def squashed(text: str) -> str:
    """Without whitespace or hyphens: lines wrap differently on a page and in a PDF, and
    pdftotext joins a word broken after its hyphen ("migration-|related")."""
    return re.sub(r"[\s\-\u2010\u00ad]+", "", plain(text))


def arabic_letters(word: str) -> tuple[str, ...]:
    """A word's Arabic letters as a sorted multiset: pdftotext may give lam-alef in visual
    order and presentation forms (see test_pdf.py), so letters are compared, not order."""
    letters = unicodedata.normalize("NFKC", word)
    return tuple(sorted(ch for ch in letters if "\u0621" <= ch <= "\u064a"))


def tokens(text: str) -> list[str]:
    """Words, without vowel marks (combining characters) and tatweel: a regular
    expression's word ends at a mark, and poppler places marks as it likes. Hyphens
    go too, as in `squashed`."""
    bare = "".join(
        ch
        for ch in unicodedata.normalize("NFKC", plain(text))
        if unicodedata.category(ch) != "Mn" and ch not in "\u0640-\u2010\u00ad"
    )
    return re.findall(r"\w+", bare)


def words(text: str, *, pairs: bool = False) -> set:
    """Latin words as they are, Arabic words as letter multisets.

    With `pairs`, two neighbouring words also count as one: poppler sometimes puts a
    space before a word's last letter after a vowel mark (partially present, in Arabic).
    """
    found: set = set()
    found_tokens = tokens(text)
    candidates = found_tokens + (
        [a + b for a, b in itertools.pairwise(found_tokens)] if pairs else []
    )
    for word in candidates:
        letters = arabic_letters(word)
        found.add(letters if letters else word)
    return found


def missing_from(pdf_text: str, texts: list[str], *, language: str) -> list[str]:
    """The texts that the PDF's text does not contain.

    Right-to-left: poppler gives words in visual order, and an English text inside
    an Arabic table cell wraps across columns, so each word is looked for instead;
    so too for an Arabic text in another document (a profile written in Arabic).
    """
    haystack = squashed(pdf_text)
    available = words(pdf_text, pairs=True)

    def found(text: str) -> bool:
        if language == "ar" or ARABIC.search(text):
            return words(text) <= available
        return squashed(text) in haystack

    return [text for text in texts if not found(text)]


# --- The test --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every sample publication, live; page bodies stored, PDFs rendered by the tests."""
    isolated = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        REDIS_URL="",
        MGI_PUBLICATION_RENDERERS=["profiles.outputs.pages.render_profile_pages"],
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), isolated, transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("load_sample_data", verbosity=0)
        publications = list(
            Publication.objects.live().select_related("government", "sign_off").order_by("pk")
        )
        yield publications
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_page_and_pdf_read_the_same(samples, language, settings):
    assert len(samples) >= 10
    client = Client()
    problems = []
    for publication in samples:
        with translation.override(language):
            url = publication.get_absolute_url()
            context = pdf.context(publication, language=language)
            pdf_html = render_to_string("profiles/pdf/profile.html", context)
            evidence_label = str(translation.gettext("Evidence"))
            sample_mark = translation.gettext(
                "Sample data: invented for demonstration, not an IOM result"
            )
        response = client.get(url)
        assert response.status_code == 200, url
        page_html = response.content.decode()
        page = reading(page_html, page_answers(page_html))
        printed = reading(pdf_html, pdf_answers(pdf_html, evidence_label))
        name = f"{publication.government.slug} {publication.year} v{publication.version} {language}"

        # The page and the document WeasyPrint lays out say the same, in the same order.
        for part in ("citation", "headings", "findings", "answers", "sources"):
            if getattr(page, part) != getattr(printed, part):
                problems.append(f"{name}: {part} differ between the page and the PDF's HTML")
        assert page.citation and page.headings and page.answers and page.findings, name

        # And the PDF, as poppler reads it, contains every one of those texts.
        chrome = {context["doc"].title, sample_mark, *page.headings}
        text = extracted(pdf.render(publication, language=language), chrome=chrome)
        for missing in missing_from(text, page.texts(), language=language):
            problems.append(f"{name}: not in the PDF: {missing[:120]!r}")
    assert not problems, "\n".join(problems[:40])
