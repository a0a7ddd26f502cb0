"""Profile PDFs: rendered once per publication and language, then served as stored files.

`render(publication, language=...)` turns a publication's frozen content into a
tagged A4 PDF with WeasyPrint, from the same profile document
(`profiles.outputs.document`) and section partials as the profile page, inside
print chrome (cover, contents, annex, colophon, running headers).
`store_pdfs(publication)` is listed in `settings.MGI_PUBLICATION_RENDERERS`, so
it runs once when a publication is made (and again from `manage.py rerender
--pdfs` when the template changes); it stores one PublicationFile per UI
language, which `profiles.public.downloads` serves.

Languages: a PDF is made in every UI language (en, fr, es, ar), not only in the
languages the government validated. The framework text (dimension, area and
indicator wording) and the document's own text are translated, so a French
reader gets a French document; the government's own texts (justifications,
findings, introduction) stay in the original language where no validated
translation exists, and the document says so on its cover.

WeasyPrint never fetches over the network: `StaticOnlyFetcher` serves our static
files from disk and `data:` URLs, and refuses everything else.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from profiles.models import (
    LANGUAGE_CHOICES,
    FileKind,
    Publication,
    PublicationFile,
)
from profiles.outputs import document, files

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO; the root logger is at INFO in this project.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

#: Every UI language gets a PDF (see the module docstring for why).
PDF_LANGUAGES: tuple[str, ...] = tuple(code for code, _label in LANGUAGE_CHOICES)


# --- Fetching resources --------------------------------------------------------


def _static_prefix() -> str:
    """The path part of STATIC_URL, e.g. `/static/`."""
    return "/" + urlsplit(settings.STATIC_URL).path.strip("/") + "/"


def static_path(url: str) -> Path | None:
    """The file on disk that a static URL of our own site names, or None.

    Only `<MGI_SITE_URL>/static/...` resolves; other hosts, schemes and paths
    (including `..` tricks, which `finders.find` refuses) do not.
    """
    parts = urlsplit(url)
    site = urlsplit(settings.MGI_SITE_URL)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    prefix = _static_prefix()
    if not parts.path.startswith(prefix):
        return None
    relative = parts.path[len(prefix) :]
    if not relative or ".." in relative.split("/"):
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / relative
    return collected if collected.is_file() else None


def _fetcher():
    """A WeasyPrint URL fetcher that reads our static files and never touches the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serve `/static/` files from disk and `data:` URLs; refuse everything else."""

        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)  # decoded in memory, no I/O
            path = static_path(url)
            if path is None:
                logger.warning("PDF rendering refused to fetch %s", url)
                raise ValueError(f"refused to fetch {url!r}: not one of our static files")
            content_type = "text/css" if path.suffix == ".css" else None
            return URLFetcherResponse(
                url,
                path.read_bytes(),
                headers={"Content-Type": content_type} if content_type else None,
            )

    return StaticOnlyFetcher(allowed_protocols={"http", "https", "data"})


# --- Document context ----------------------------------------------------------


def filename(publication: Publication, language: str) -> str:
    """`MGI-Profile-<Government>-<year>-v<N>-<lang>.pdf`, ASCII, whatever the language."""
    content = publication.content
    with translation.override("en"):
        name = document.government_name(content)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = (
        re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-") or content["government"]["slug"]
    )
    return f"MGI-Profile-{ascii_name}-{content['year']}-v{publication.version}-{language}.pdf"


def _css_string(text: str) -> str:
    """`text` as a CSS string literal (for generated content in @page boxes)."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;!?()|'-" else f"\\{ord(ch):x} " for ch in text
    )
    return f'"{escaped}"'


def _page_css(*, running_title: str, is_sample: bool, bidi: bool) -> str:
    """@page rules whose generated text is translated, mirrored for right-to-left.

    Margin boxes are physical (left/right), so the reading start side is chosen
    here: the section name sits where a reader starts the line.
    """
    start, end = ("right", "left") if bidi else ("left", "right")
    page_of = _("Page %(page)s of %(pages)s")
    pieces = re.split(r"(%\(page\)s|%\(pages\)s)", page_of)
    footer = " ".join(
        "counter(page)"
        if piece == "%(page)s"
        else "counter(pages)"
        if piece == "%(pages)s"
        else _css_string(piece)
        for piece in pieces
        if piece
    )
    rules = [
        "@page {",
        f"  @top-{start} {{ content: string(section); text-align: {start}; }}",
        f"  @top-{end} {{ content: {_css_string(running_title)}; text-align: {end}; }}",
        f"  @bottom-{end} {{ content: {footer}; text-align: {end}; }}",
    ]
    if is_sample:
        mark = _("Sample data: invented for demonstration, not an IOM result")
        rules.append(f"  @bottom-{start} {{ content: {_css_string(mark)}; text-align: {start}; }}")
    rules.append("}")
    rules.append(
        f"@page :first {{ @top-{start} {{ content: none; }} @top-{end} {{ content: none; }} }}"
    )
    return "\n".join(rules)


#: Chart geometry in CSS px: width, the longest bar, one row's height. The labels are
#: HTML beside the SVG (WeasyPrint's SVG text is not shaped for Arabic), one per row.
CHART_WIDTH, BAR_MAX, ROW_HEIGHT = 250, 250, 34


@dataclass(frozen=True)
class Bar:
    """One bar of the context chart, in chart coordinates (mirrored for right-to-left)."""

    label: str
    label_lang: str  # "" when the label is in the document's language
    value: str
    year: int
    y: int
    x: float
    width: float


def _chart(figures: list[document.Figure], *, bidi: bool) -> tuple[list[Bar], str]:
    """Bars for the figures counted in people (mirrored for right-to-left), and alt text."""
    top = max((figure.value for figure in figures), default=0) or 1
    bars = []
    for index, figure in enumerate(figures):
        width = max(round(BAR_MAX * figure.value / top, 1), 1.0)
        bars.append(
            Bar(
                label=figure.label,
                label_lang=figure.label_lang,
                value=figure.display,
                year=figure.year,
                y=index * ROW_HEIGHT,
                x=CHART_WIDTH - width if bidi else 0,
                width=width,
            )
        )
    alt = _("Bar chart of migration figures counted in people: %(items)s.") % {
        "items": "; ".join(
            _("%(name)s, %(value)s (%(year)s)")
            % {"name": bar.label, "value": bar.value, "year": bar.year}
            for bar in bars
        )
    }
    return bars, alt


def context(publication: Publication, *, language: str) -> dict:
    """The profile document plus the print chrome's own parts (call inside translation.override).

    Everything a reader compares with the page comes from `document.build()`;
    only the page rules, the chart geometry and the cover's facts are the PDF's own.
    """
    doc = document.build(publication, language)
    bars, chart_alt = _chart(doc.charted, bidi=doc.bidi)
    return {
        "doc": doc,
        "language_name": translation.get_language_info(language)["name_local"],
        "bars": bars,
        "chart_width": CHART_WIDTH,
        "chart_height": max(len(bars), 1) * ROW_HEIGHT,
        "chart_alt": chart_alt,
        "licence": settings.MGI_CONTENT_LICENCE,
        "page_css": _page_css(running_title=doc.title, is_sample=doc.is_sample, bidi=doc.bidi),
    }


# --- Rendering -----------------------------------------------------------------


def render(publication: Publication, *, language: str) -> bytes:
    """A tagged PDF/UA-1 document of `publication` in `language`.

    WeasyPrint is imported here so the rest of the app imports on machines
    without Pango.
    """
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            "profiles/pdf/profile.html", context(publication, language=language)
        )
        document = HTML(string=html, base_url=settings.MGI_SITE_URL + "/", url_fetcher=_fetcher())
        return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def store_pdfs(publication: Publication) -> list[PublicationFile]:
    """Render and store the publication's PDF in every UI language (replacing old ones).

    Listed in `settings.MGI_PUBLICATION_RENDERERS`; also run by `manage.py rerender`.
    """
    return [
        files.store(
            publication,
            kind=FileKind.PDF,
            language=language,
            data=render(publication, language=language),
            filename=filename(publication, language),
        )
        for language in PDF_LANGUAGES
    ]
