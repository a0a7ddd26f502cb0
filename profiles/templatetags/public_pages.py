"""Small template helpers for the public pages (absolute URLs, answer labels, links)."""

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import ngettext

from profiles.models import AnswerValue, ProgressStatus, SourceKind

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
