"""Profile pages rendered once, at publication, in every language.

A publication never changes, so its page body (the profile document of
`profiles.outputs.document`: introduction, figures, dimensions, answers,
sources, sign-off, timeline, citation, drawn through the section partials the
PDF shares) is rendered by `render_profile_pages()` when the publication's
files are made, stored as PublicationFile(kind=html) per language through
`files.store()`, and served as stored inside the site chrome. The chrome adds
only what can change after publication (other versions, related profiles,
downloads; see `profiles.public.views`).
"""

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from profiles.models import FileKind, Publication, PublicationFile
from profiles.outputs import document, files
from profiles.outputs.document import government_name, profile_title

MAP_FILE = Path(settings.BASE_DIR) / "static" / "img" / "world-map.svg"


def language_codes() -> list[str]:
    """The site's languages, in settings order."""
    return [code for code, _name in settings.LANGUAGES]


def absolute(path: str) -> str:
    """An absolute URL on the configured public site."""
    return settings.MGI_SITE_URL + path


def bar_rows(items: list[tuple[str, float, str]], *, label_langs: Sequence[str] = ()) -> dict:
    """Geometry of a simple horizontal bar chart, mirrored for right-to-left languages.

    Each row is a label line and a bar with its value; the numbers are also given
    as a table next to the chart, so the SVG is never the only way to read them.
    `label_langs` names, per row, the language of a label that is not the page's
    ("" otherwise): SVG text takes `lang` and its own `direction`, not `dir`.
    """
    width, bar_space, row_height = 600, 460, 46
    rtl = translation.get_language_bidi()
    top = max((value for _label, value, _shown in items), default=0) or 1
    rows = []
    for index, (label, value, shown) in enumerate(items):
        y = index * row_height
        bar: float = round(value / top * bar_space, 1) if value else 0
        label_x: float = 0
        bar_x: float = 0
        value_x: float = bar + 6
        if rtl:
            label_x, bar_x, value_x = width, width - bar, width - bar - 6
        lang = label_langs[index] if index < len(label_langs) else ""
        rows.append(
            {
                "label": label,
                "lang": lang,
                "lang_direction": "rtl" if lang in settings.LANGUAGES_BIDI else "ltr",
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


def render_body(publication: Publication, language: str) -> str:
    """The profile page body in `language`, from the frozen content only."""
    with translation.override(language):
        doc = document.build(publication, language)
        chart = bar_rows(
            [(f.label, f.value, f.display) for f in doc.charted],
            label_langs=[f.label_lang for f in doc.charted],
        )
        return render_to_string("profiles/_profile_body.html", {"doc": doc, "figure_chart": chart})


def render_profile_pages(publication: Publication) -> None:
    """Renderer for `publishing._renderers()`: store the page body in every language."""
    publication = Publication.objects.select_related("government", "framework", "sign_off").get(
        pk=publication.pk
    )
    for language in language_codes():
        files.store(
            publication,
            kind=FileKind.HTML,
            language=language,
            data=render_body(publication, language).encode("utf-8"),
            filename=f"profile-{language}.html",
        )


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


_COUNTRY_PATH = re.compile(r'<path id="c-([A-Z]{2})"')


@cache
def _map_svg() -> str:
    svg = MAP_FILE.read_text(encoding="utf-8")
    return svg.split("<!--")[0] + svg.split("-->", 1)[1] if "<!--" in svg else svg


def world_map(country_codes: list[str], *, label_id: str) -> SafeString:
    """The shipped world map with assessed countries marked `class="assessed"`, as inline SVG.

    A class rather than an inline <style>: the Content-Security-Policy allows our
    stylesheet only.
    """
    marked = {code for code in country_codes if len(code) == 2 and code.isalpha()}
    # One pass over the map: a replace per country read the 200 kB text ~240 times (5 ms).
    svg = _COUNTRY_PATH.sub(
        lambda path: f'{path[0]} class="assessed"' if path[1] in marked else path[0], _map_svg()
    )
    svg = svg.replace(
        'class="world-map"',
        f'class="world-map" role="img" aria-labelledby="{escape(label_id)}"',
        1,
    )
    return mark_safe(svg)  # noqa: S308 - shipped file; codes are two letters
