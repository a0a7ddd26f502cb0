"""Template filters that mark the language of texts in the profile page and PDF.

`profiles.outputs.document.build` gives each government text the language it is
in when that differs from the document's (an untranslated English justification
in an Arabic document), or "" when it does not. Only those texts are marked: a
block with a `lang` attribute (and `dir` when its direction differs from the
document's), and our own short label inside such a block with Unicode isolate
marks rather than an inline element (which costs PDF layout time).
"""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

#: Unicode bidirectional isolates: left-to-right or right-to-left isolate ... pop.
LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"
NBSP = "\u00a0"


def _is_bidi(language: str) -> bool:
    return language in settings.LANGUAGES_BIDI


@register.filter
def lang_attrs(language: str) -> str:
    """`<div{{ item.lang|lang_attrs }}>`: ` lang=".."` for a block, or nothing.

    ` dir=".."` is added when the text runs the other way than the document
    (English in Arabic), so it is ordered and shaped in its own direction.
    """
    if not language:
        return ""
    direction = _is_bidi(language)
    if direction == _is_bidi(get_language() or settings.LANGUAGE_CODE):
        return format_html(' lang="{}"', language)
    return format_html(' lang="{}" dir="{}"', language, "rtl" if direction else "ltr")


@register.filter
def label_in(label: str, block_language: str) -> SafeString:
    """`{{ evidence_label|label_in:untranslated }}`: our label inside a block of government text.

    When the block is in another language than the document (an Arabic label
    before an English source title), the label keeps the document's direction
    through Unicode isolate marks instead of a `<span lang dir>`. The printed
    result is the same (WeasyPrint writes no per-element language into the PDF's
    tags either way), but a span in every annex row costs about 0.3 s of layout
    per document (bench/bench_pdf.py) and the marks cost nothing. Isolates only
    hold within a line, as WeasyPrint lays out each line on its own, so the
    label's spaces become no-break spaces: a label never wraps. Longer texts get
    a block with `lang_attrs` instead.
    """
    escaped = conditional_escape(label)
    if not block_language:
        return escaped
    opening = RLI if _is_bidi(get_language() or settings.LANGUAGE_CODE) else LRI
    unbroken = escaped.replace(" ", NBSP)
    return mark_safe(f"{opening}{unbroken}{PDI}")  # noqa: S308 - escaped above
