"""Small template helpers for the public pages (absolute URLs, answer labels, links)."""

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from indicators.models import Level
from profiles.models import AnswerValue, ProgressStatus, Publication, SourceKind
from profiles.templatetags.pdf_text import localized_text

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context: template.Context, path: str = "") -> str:
    """`path` (default: the request's path, without query) on the configured public site."""
    if not path:
        request = context.get("request")
        path = request.path if request is not None else "/"
    return settings.MGI_SITE_URL + path


@register.filter
def answer_label(value: str) -> str:
    """The translated label of an answer value (`fully_present` -> "Fully present")."""
    try:
        return str(AnswerValue(value).label)
    except ValueError:
        return "—"


@register.filter
def progress_label(value: str) -> str:
    """The translated label of a follow-up's progress value."""
    try:
        return str(ProgressStatus(value).label)
    except ValueError:
        return value


@register.filter
def source_kind_label(value: str) -> str:
    """The translated label of a source kind."""
    try:
        return str(SourceKind(value).label)
    except ValueError:
        return value


@register.filter
def get_item(mapping: dict, key):
    """`{{ mapping|get_item:key }}` for dicts built by the views."""
    return mapping.get(key) if mapping else None


@register.filter
def web_url(value) -> str:
    """`value` if a link may point to it (the rule of the model's URLField), else "".

    Forms validate every address entered, so a `javascript:` or `data:` address
    cannot be saved through the portal; this keeps one stored some other way (a
    shell, an old backup) from becoming a link on a page or in a PDF.
    """
    if not value:
        return ""
    try:
        URLValidator()(str(value))
    except ValidationError:
        return ""
    return value


@register.filter
def governments_count(count: int) -> str:
    """ "1 government", "1,200 governments": the count grouped as the language groups it.

    The same message as `{% blocktranslate count %}` would make, for lists that
    show it once per row: home's ~240 countries took 13 ms through the tag, 1 here.
    """
    return ngettext("%(counter)s government", "%(counter)s governments", count) % {
        "counter": intcomma(count)
    }


@register.filter
def list_facts(publication: Publication) -> SafeString:
    """A profiles-list row's facts: level (and country), round, framework, version, sample tag.

    One filter where the row had four `{% blocktranslate %}` tags: for a page of 25 rows
    those cost 2-3 ms of a page that must answer in 50 (bench/bench_scale.py). The
    messages are the ones those tags used, so their translations stand.
    """
    government = publication.government
    if government.level == Level.LOCAL:
        level = gettext("Local government, %(country)s") % {"country": government.country.name}
    else:
        level = gettext("National government")
    facts = [
        level,
        gettext("round %(number)s") % {"number": publication.round_number},
        localized_text(publication.framework, "name"),
        gettext("version %(version)s") % {"version": publication.version},
    ]
    html = format_html_join(" · ", "{}", ((fact,) for fact in facts))
    if publication.is_sample:
        html += format_html(' · <span class="tag-sample">{}</span>', gettext("sample data"))
    return html
