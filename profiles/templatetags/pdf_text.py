"""Template filters that mark the language of texts in the profile page and PDF.

`profiles.outputs.document.build` gives each government text the language it is
in when that differs from the document's (an untranslated English justification
in an Arabic document), or "" when it does not. Only those texts are marked: a
block with `lang` and `dir` attributes (`lang_attrs`, used by every public page
for any text in another language than the page), and our own short label inside
such a block with Unicode isolate marks rather than an inline element (which
costs PDF layout time).
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
#: The framework files (indicators/data/) are written in English, with translations beside.
FRAMEWORK_LANGUAGE = "en"


def _is_bidi(language: str) -> bool:
    return language in settings.LANGUAGES_BIDI


@register.filter
def lang_attrs(language: str) -> str:
    """`<p{{ item.lang|lang_attrs }}>`: ` lang=".." dir=".."` for a foreign text, or nothing.

    The one way a page or PDF marks text in another language than its own: the
    language, so it is read aloud and hyphenated as such, and always its
    direction, so an English justification on an Arabic page keeps its brackets,
    full stops and numbers in order (and an Arabic text on an English page too).
    Text in the page's own language (or "") is left unmarked: it inherits both.
    """
    if not language or language == (get_language() or settings.LANGUAGE_CODE):
        return ""
    return format_html(' lang="{}" dir="{}"', language, "rtl" if _is_bidi(language) else "ltr")


@register.filter
def in_lang(text: str, language: str) -> str:
    """`{{ framework.name|in_lang:"en" }}`: a short foreign text inside a sentence of ours.

    The escaped text in a `<span>` marked by `lang_attrs` when `language` is not the
    page's, else the escaped text alone; safe to pass to `{% blocktranslate with %}`.
    """
    attributes = lang_attrs(language)
    if not attributes:
        return conditional_escape(text)
    return format_html("<span{}>{}</span>", attributes, text)


@register.filter
def localized_text(item, field: str) -> str:
    """`{{ dimension|localized_text:"long_name" }}`: framework text in the page's language.

    For models and frozen content dicts alike, like `framework_text.localized`; when
    the framework files have no translation of `field`, the English original is
    shown marked as English (`in_lang`), not passed off as the page's language.
    """
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    i18n = item.get("i18n", {}) if isinstance(item, dict) else item.i18n
    translated = i18n.get(language, {}).get(field)
    if translated:
        return conditional_escape(translated)
    original = item.get(field, "") if isinstance(item, dict) else getattr(item, field)
    return in_lang(original, FRAMEWORK_LANGUAGE) if original else ""


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
