"""Template filters that show framework text in the active language."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    """`{{ dimension|localized:"short_name" }}` for models and frozen content dicts alike.

    Falls back to the original (English) text when no translation exists.
    """
    language = (get_language() or "en")[:2]
    if isinstance(obj, dict):
        return obj.get("i18n", {}).get(language, {}).get(field) or obj.get(field, "")
    return obj.localized(field, language)
