"""Profile PDFs: rendered once per publication and language, then served as stored files.

`render(publication, language=...)` turns a publication's frozen content into a
tagged A4 PDF with WeasyPrint. `store_pdfs(publication)` is registered in
`profiles.publishing._renderers()`, so it runs once when a publication is made
(and again from `manage.py rebuild_pdfs` when the template changes); it stores
one PublicationFile per UI language. `download()` serves the stored bytes of a
live publication only, with a strong ETag, so a request costs about what
serving a file costs.

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

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from profiles import content as profile_content
from profiles.models import (
    LANGUAGE_CHOICES,
    AnswerValue,
    FigureKind,
    FileKind,
    FindingKind,
    ProgressStatus,
    Publication,
    PublicationFile,
    SourceKind,
)

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO; the root logger is at INFO in this project.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

#: Every UI language gets a PDF (see the module docstring for why).
PDF_LANGUAGES: tuple[str, ...] = tuple(code for code, _label in LANGUAGE_CHOICES)
#: Published versions never change, so caches may keep them for a year.
#: Context figures counted in people share one scale, so they can share a chart; the
#: total population is left out because it would dwarf every migration figure.
CHART_UNIT = "people"
CHART_EXCLUDED = frozenset({"population"})


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


def government_name(publication: Publication) -> str:
    """The government's name in the active language (country names are translated)."""
    government = publication.content["government"]
    if government["level"] == "national":
        return str(publication.government.country.name)
    return government["name"]


def title(publication: Publication) -> str:
    """The document title as IOM names it, in the active language."""
    if publication.content["government"]["level"] == "local":
        prefix = _("Local Migration Governance Indicators Profile")
    else:
        prefix = _("Migration Governance Indicators Profile")
    return f"{prefix} {publication.year} | {government_name(publication)}"


def permalink(publication: Publication) -> str:
    """The absolute address of this exact version, in the active language."""
    return settings.MGI_SITE_URL + publication.get_absolute_url()


def citation(publication: Publication) -> str:
    """How to cite this version."""
    return _(
        "International Organization for Migration (IOM) (%(year)s). %(title)s, "
        "version %(version)s. %(permalink)s"
    ) % {
        "year": publication.release_at.year,
        "title": title(publication),
        "version": publication.version,
        "permalink": permalink(publication),
    }


def filename(publication: Publication, language: str) -> str:
    """`MGI-Profile-<Government>-<year>-v<N>-<lang>.pdf`, ASCII, whatever the language."""
    with translation.override("en"):
        name = government_name(publication)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-") or publication.government.slug
    return f"MGI-Profile-{ascii_name}-{publication.year}-v{publication.version}-{language}.pdf"


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
    value: str
    year: int
    y: int
    x: float
    width: float


def _number(value: str) -> str:
    """A frozen decimal string as a readable number (grouped thousands)."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    number = float(value)
    return intcomma(int(number)) if number.is_integer() else intcomma(round(number, 2))


def _figures(content: dict, *, bidi: bool) -> tuple[list[dict], list[Bar], str]:
    """Context figures as table rows, chart bars for those counted in people, and alt text."""
    labels = dict(FigureKind.choices)
    rows = [
        {
            **figure,
            "name": figure["label"] or str(labels.get(figure["kind"], figure["kind"])),
            "display": _number(figure["value"]),
        }
        for figure in content["context_figures"]
    ]
    charted = [
        row for row in rows if row["unit"] == CHART_UNIT and row["kind"] not in CHART_EXCLUDED
    ]
    top = max((float(row["value"]) for row in charted), default=0) or 1
    bars = []
    for index, row in enumerate(charted):
        width = max(round(BAR_MAX * float(row["value"]) / top, 1), 1.0)
        bars.append(
            Bar(
                label=row["name"],
                value=row["display"],
                year=row["year"],
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
    return rows, bars, alt


def _source_titles(item: dict, sources: dict) -> dict:
    """An answer's source titles as one line, marked as untranslated if any title is."""
    cited = [sources[pk] for pk in item["sources"] if pk in sources]
    return {
        "source_titles": "; ".join(source["title"] for source in cited),
        "sources_lang": next((source["lang"] for source in cited if source["lang"]), ""),
    }


def context(publication: Publication, *, language: str) -> dict:
    """Everything the PDF template shows, in `language` (call inside translation.override).

    Each government text comes with the language it is in when that is not the
    document's (an untranslated English justification inside an Arabic
    document), or "" when it is. The template marks only those, with the
    `pdf_text` filters, so the text is shaped and ordered in its own direction.
    """
    original = publication.content
    content, fully_translated = profile_content.localized(original, language)
    original_language = original["original_language"]
    untranslated = "" if language == original_language else original_language

    def text_language(text: str, original_text: str) -> str:
        """ "" for a text in the document's language (translated, or written in it)."""
        return "" if text != original_text else untranslated

    answer_labels = dict(AnswerValue.choices)
    source_kinds = dict(SourceKind.choices)
    progress_labels = dict(ProgressStatus.choices)
    original_texts = profile_content.translatable_texts(original)
    source_list = [
        {
            **source,
            "kind_label": source_kinds.get(source["kind"], source["kind"]),
            "lang": text_language(
                source["title"],
                original_texts.get(f"source:{source['id']}:title", source["title"]),
            ),
        }
        for source in content["sources"]
    ]
    sources = {source["id"]: source for source in source_list}
    dimensions = []
    for dimension in content["dimensions"]:
        findings = [
            {
                **f,
                "lang": text_language(
                    f["text"], original_texts.get(f"finding:{f['id']}", f["text"])
                ),
            }
            for f in dimension["findings"]
        ]
        dimensions.append(
            {
                **dimension,
                "well_developed": [f for f in findings if f["kind"] == FindingKind.WELL_DEVELOPED],
                "potential": [f for f in findings if f["kind"] == FindingKind.POTENTIAL],
                "follow_ups": [
                    {
                        **f,
                        "progress_label": progress_labels.get(f["progress"], f["progress"]),
                        "text": f"{f['finding']} — {f['note']}" if f["note"] else f["finding"],
                    }
                    for f in content["follow_ups"]
                    if f["dimension"] == dimension["code"]
                ],
                "areas": [
                    {
                        **area,
                        "indicators": [
                            {
                                **item,
                                "answer_label": answer_labels.get(item["answer"], "—"),
                                "lang": text_language(
                                    item["justification"],
                                    original_texts.get(
                                        f"answer:{item['code']}:justification",
                                        item["justification"],
                                    ),
                                ),
                                **_source_titles(item, sources),
                            }
                            for item in area["indicators"]
                        ],
                    }
                    for area in dimension["areas"]
                ],
            }
        )
    bidi = language in settings.LANGUAGES_BIDI
    figures, bars, chart_alt = _figures(content, bidi=bidi)
    doc_title = title(publication)
    return {
        "publication": publication,
        "content": content,
        "language": language,
        "language_name": translation.get_language_info(language)["name_local"],
        "original_language_name": translation.get_language_info(original["original_language"])[
            "name_local"
        ],
        "fully_translated": fully_translated,
        "bidi": bidi,
        "untranslated": untranslated,
        # The framework's name and wording note exist in English only.
        "framework_lang": "" if language == "en" else "en",
        "introduction_lang": text_language(content["introduction"], original["introduction"]),
        "summary_lang": text_language(content["summary"], original["summary"]),
        "title": doc_title,
        "government_name": government_name(publication),
        "level_label": _("Local government")
        if content["government"]["level"] == "local"
        else _("National government"),
        "dimensions": dimensions,
        "figures": figures,
        "bars": bars,
        "chart_width": CHART_WIDTH,
        "chart_height": max(len(bars), 1) * ROW_HEIGHT,
        "chart_alt": chart_alt,
        "sources": source_list,
        "sign_off": publication.sign_off,
        "permalink": permalink(publication),
        "citation": citation(publication),
        "licence": settings.MGI_CONTENT_LICENCE,
        "page_css": _page_css(running_title=doc_title, is_sample=content["is_sample"], bidi=bidi),
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

    Registered in `publishing._renderers()`; also run by `manage.py rebuild_pdfs`.
    """
    stored = []
    existing = {
        f.language: f for f in PublicationFile.objects.filter(publication=publication, kind="pdf")
    }
    for language in PDF_LANGUAGES:
        data = render(publication, language=language)
        row = existing.get(language) or PublicationFile(
            publication=publication, kind=FileKind.PDF, language=language
        )
        if row.file:
            row.file.delete(save=False)  # the same name again, not a suffixed copy
        row.file.save(filename(publication, language), ContentFile(data), save=False)
        row.sha256 = hashlib.sha256(data).hexdigest()
        row.size = len(data)
        row.created_at = timezone.now()
        row.save()
        stored.append(row)
    return stored


# --- Serving -------------------------------------------------------------------
