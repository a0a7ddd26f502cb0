"""Profile pages rendered once, at publication, in every language.

A publication never changes, so its page body (everything drawn from the frozen
content: introduction, figures, dimensions, indicators, sources, sign-off,
timeline, citation) is rendered by `render_profile_pages()` when the
publication's files are made, stored as PublicationFile(kind=html) per
language, and served as stored inside the site chrome. The chrome adds only
what can change after publication (other versions, related profiles,
downloads), and the whole response is cached keyed by the publication, the
language and a stamp of those parts, so a request costs one query and a cache
read (see `profiles.public.views.profile`).
"""

import copy
import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_date
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_countries.fields import Country

from indicators.models import Level
from profiles import content as profile_content
from profiles.models import FileKind, Publication, PublicationFile

MAP_FILE = Path(settings.BASE_DIR) / "static" / "img" / "world-map.svg"


def language_codes() -> list[str]:
    """The site's languages, in settings order."""
    return [code for code, _name in settings.LANGUAGES]


def government_name(content: dict) -> str:
    """The government's name from frozen content: the local name or the country's, translated."""
    government = content["government"]
    if government["level"] == Level.NATIONAL:
        return str(Country(government["country"]).name)
    return government["name"]


def profile_title(content: dict) -> str:
    """ "Migration Governance Indicators Profile <year> | <government>", as IOM names it."""
    if content["government"]["level"] == Level.LOCAL:
        prefix = _("Local Migration Governance Indicators Profile")
    else:
        prefix = _("Migration Governance Indicators Profile")
    return f"{prefix} {content['year']} | {government_name(content)}"


def absolute(path: str) -> str:
    """An absolute URL on the configured public site."""
    return settings.MGI_SITE_URL + path


def citation(publication: Publication, content: dict) -> dict[str, str]:
    """Plain-text and BibTeX citations of exactly this version (its permalink)."""
    url = absolute(publication.get_absolute_url())
    title = profile_title(content)
    released = publication.release_at.date().isoformat()
    plain = _(
        "International Organization for Migration (IOM). %(title)s, version %(version)s. "
        "Published %(date)s. %(url)s"
    ) % {"title": title, "version": publication.version, "date": released, "url": url}
    key = f"mgi-{publication.government.slug}-{publication.year}-v{publication.version}"
    bibtex = (
        f"@misc{{{key},\n"
        f"  author = {{{{International Organization for Migration}}}},\n"
        f"  title = {{{title}}},\n"
        f"  year = {{{publication.year}}},\n"
        f"  version = {{{publication.version}}},\n"
        f"  date = {{{released}}},\n"
        f"  url = {{{url}}},\n"
        f"  note = {{SHA-256 {publication.content_hash}}}\n"
        "}"
    )
    return {"plain": plain, "bibtex": bibtex}


def bar_rows(items: list[tuple[str, float, str]]) -> dict:
    """Geometry of a simple horizontal bar chart, mirrored for right-to-left languages.

    Each row is a label line and a bar with its value; the numbers are also given
    as a table next to the chart, so the SVG is never the only way to read them.
    """
    width, bar_space, row_height = 600, 460, 46
    rtl = translation.get_language_bidi()
    top = max((value for _label, value, _shown in items), default=0) or 1
    rows = []
    for index, (label, value, shown) in enumerate(items):
        y = index * row_height
        bar = round(value / top * bar_space, 1) if value else 0
        label_x, bar_x, value_x = 0, 0, bar + 6
        if rtl:
            label_x, bar_x, value_x = width, width - bar, width - bar - 6
        rows.append(
            {
                "label": label,
                "value": value,
                "shown": shown,
                "label_x": label_x,
                "label_y": y + 15,
                "bar_x": bar_x,
                "bar_y": y + 21,
                "bar_width": bar,
                "value_x": value_x,
                "value_y": y + 34,
            }
        )
    return {
        "rows": rows,
        "width": width,
        "height": max(len(items) * row_height, row_height),
        "direction": "rtl" if rtl else "ltr",
    }


def figure_chart(content: dict) -> dict | None:
    """A bar chart of the context figures that share the most common unit (people)."""
    figures = content.get("context_figures", [])
    units: dict[str, int] = {}
    for figure in figures:
        units[figure["unit"]] = units.get(figure["unit"], 0) + 1
    if not units:
        return None
    unit = max(units, key=units.get)
    items = [
        (figure_label(f), float(f["value"]), _number(f["value"]))
        for f in figures
        if f["unit"] == unit
    ]
    if len(items) < 2:
        return None
    return {"unit": unit, "chart": bar_rows(items)}


def _number(value: str) -> str:
    """A frozen decimal string in the active language's format, with digit grouping."""
    from decimal import Decimal

    return number_format(Decimal(value), use_l10n=True, force_grouping=True)


def figure_label(figure: dict) -> str:
    """A context figure's translated label."""
    from profiles.models import FigureKind

    if figure.get("label"):
        return figure["label"]
    try:
        return str(FigureKind(figure["kind"]).label)
    except ValueError:
        return figure["kind"]


def timeline(publication: Publication) -> list[dict]:
    """The frozen public timeline with translated milestone names and real dates."""
    names = {
        "launched": _("Assessment launched"),
        "consultation": _("Shared for inter-ministerial consultation"),
        "validated": _("Validated by the government"),
        "published": _("Published"),
    }
    return [
        {"event": names.get(step["event"], step["event"]), "date": parse_date(step["date"])}
        for step in publication.timeline
    ]


def mark_untranslated(original: dict, shown: dict, original_language: str) -> None:
    """Set `lang` on texts still in the original language, so screen readers pronounce them.

    Evidence references are never translated, so they always carry it.
    """
    for key in ("introduction", "summary"):
        if shown[key] and shown[key] == original[key]:
            shown[f"{key}_lang"] = original_language
    for dim_shown, dim_original in zip(shown["dimensions"], original["dimensions"], strict=True):
        for f_shown, f_original in zip(
            dim_shown["findings"], dim_original["findings"], strict=True
        ):
            if f_shown["text"] == f_original["text"]:
                f_shown["lang"] = original_language
        for a_shown, a_original in zip(dim_shown["areas"], dim_original["areas"], strict=True):
            for i_shown, i_original in zip(
                a_shown["indicators"], a_original["indicators"], strict=True
            ):
                if i_shown["justification"] == i_original["justification"]:
                    i_shown["lang"] = original_language
                i_shown["evidence_lang"] = original_language
    for s_shown, s_original in zip(shown["sources"], original["sources"], strict=True):
        if s_shown["title"] == s_original["title"]:
            s_shown["lang"] = original_language
    for item in shown.get("follow_ups", []):
        item["lang"] = original_language


def body_context(publication: Publication, language: str) -> dict:
    """Everything the stored page body shows, in `language` (call inside override)."""
    content, complete = profile_content.localized(publication.content, language)
    content = copy.deepcopy(content)  # never annotate the publication's own content
    original = publication.content["original_language"]
    if language != original:
        mark_untranslated(publication.content, content, original)
    dimensions = []
    for dimension in content["dimensions"]:
        dimensions.append(
            {
                **dimension,
                "well_developed": [
                    f for f in dimension["findings"] if f["kind"] == "well_developed"
                ],
                "potential": [f for f in dimension["findings"] if f["kind"] == "potential"],
            }
        )
    follow_ups: dict[int, list[dict]] = {}
    for item in content.get("follow_ups", []):
        follow_ups.setdefault(item["dimension"], []).append(item)
    sources = {s["id"]: s for s in content["sources"]}
    for figure in content.get("context_figures", []):
        figure["display_label"] = figure_label(figure)
    return {
        "publication": publication,
        "content": content,
        "dimensions": dimensions,
        "follow_ups": follow_ups,
        "sources_by_id": sources,
        "title": profile_title(content),
        "government_name": government_name(content),
        "fully_translated": complete,
        "shows_original": language != original and not complete,
        "original_language": original,
        "original_language_name": translation.get_language_info(original)["name_translated"],
        "figure_chart": figure_chart(content),
        "sign_off": publication.sign_off,
        "timeline": timeline(publication),
        "citation": citation(publication, content),
        "page_language": language,
    }


def render_body(publication: Publication, language: str) -> str:
    """The profile page body in `language`, from the frozen content only."""
    with translation.override(language):
        return render_to_string("profiles/_profile_body.html", body_context(publication, language))


def render_profile_pages(publication: Publication) -> None:
    """Renderer for `publishing._renderers()`: store the page body in every language."""
    publication = Publication.objects.select_related("government", "framework", "sign_off").get(
        pk=publication.pk
    )
    for language in language_codes():
        data = render_body(publication, language).encode("utf-8")
        row = PublicationFile.objects.filter(
            publication=publication, kind=FileKind.HTML, language=language
        ).first() or PublicationFile(publication=publication, kind=FileKind.HTML, language=language)
        if row.file:
            row.file.delete(save=False)
        row.sha256 = hashlib.sha256(data).hexdigest()
        row.size = len(data)
        row.file.save(f"profile-{language}.html", ContentFile(data), save=False)
        row.save()


def stored_body(publication: Publication, files: list[PublicationFile], language: str) -> str:
    """The stored body for `language`, or (if the file is missing) one rendered now."""
    for row in files:
        if row.kind == FileKind.HTML and row.language == language:
            try:
                with row.file.open("rb") as handle:
                    return handle.read().decode("utf-8")
            except OSError:
                break
    return render_body(Publication.objects.get(pk=publication.pk), language)


def dataset_json_ld(publication: Publication, content: dict, files: list[dict]) -> SafeString:
    """schema.org Dataset metadata for a profile page, safe to put in a <script>."""
    title = profile_title(content)
    content_summary = content.get("summary", "")
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": title,
        "description": content_summary[:5000] or title,
        "url": absolute(publication.get_absolute_url()),
        "version": str(publication.version),
        "datePublished": publication.release_at.date().isoformat(),
        "license": settings.MGI_CONTENT_LICENCE,
        "isAccessibleForFree": True,
        "inLanguage": publication.languages,
        "temporalCoverage": str(publication.year),
        "spatialCoverage": {"@type": "Place", "name": government_name(content)},
        "creator": {"@type": "Organization", "name": "International Organization for Migration"},
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": {"pdf": "application/pdf", "csv": "text/csv"}.get(
                    f["kind"], "application/json"
                ),
                "contentUrl": f["url"],
                "inLanguage": f["language"],
            }
            for f in files
        ],
    }
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - JSON with markup characters escaped above


@cache
def _map_svg() -> str:
    svg = MAP_FILE.read_text(encoding="utf-8")
    return svg.split("<!--")[0] + svg.split("-->", 1)[1] if "<!--" in svg else svg


def world_map(country_codes: list[str], *, label_id: str) -> SafeString:
    """The shipped world map with assessed countries marked `class="assessed"`, as inline SVG.

    A class rather than an inline <style>: the Content-Security-Policy allows our
    stylesheet only.
    """
    svg = _map_svg()
    for code in sorted({c for c in country_codes if len(c) == 2 and c.isalpha()}):
        svg = svg.replace(f'<path id="c-{code}"', f'<path id="c-{code}" class="assessed"', 1)
    svg = svg.replace(
        'class="world-map"',
        f'class="world-map" role="img" aria-labelledby="{escape(label_id)}"',
        1,
    )
    return mark_safe(svg)  # noqa: S308 - shipped file; codes are two letters


def etag_for(*parts: object) -> str:
    """A strong ETag from the parts that identify a response's bytes."""
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


def public_url(name: str, **kwargs) -> str:
    """Reverse a public URL name in the active language."""
    return reverse(f"profiles:{name}", kwargs=kwargs or None)
