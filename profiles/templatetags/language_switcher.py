"""The language switcher's links: the current page in every language the site ships.

Links rather than a POST form to `/i18n/setlang/`: a link needs no CSRF token and
no session, so pages that are rendered once and cached (published profiles) can
carry the switcher, and it works without JavaScript and from the keyboard.
"""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


def _swap_prefix(path: str, *, current: str, target: str) -> str:
    """Move `path` from one language prefix to another (for URLs that do not resolve, e.g. 404s).

    English is unprefixed (`prefix_default_language=False`); other languages are `/<code>/...`.
    """
    default = settings.LANGUAGE_CODE
    if current != default and (path == f"/{current}" or path.startswith(f"/{current}/")):
        path = path[len(current) + 1 :] or "/"
    if target != default:
        path = f"/{target}{path}"
    return path


@register.simple_tag(takes_context=True)
def language_links(context: template.Context, path: str = "") -> list[dict]:
    """One entry per language: its code, its name in itself, the URL of this page in it.

    `path` defaults to the request's full path (query string included, so the
    profiles list keeps its filters); pass it explicitly when rendering without
    a request.
    """
    request = context.get("request")
    if not path:
        path = request.get_full_path() if request is not None else "/"
    current = get_language() or settings.LANGUAGE_CODE
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(path, code)
        if url == path and code != current:
            url = _swap_prefix(path, current=current, target=code)
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "bidi": info["bidi"],
                "url": url,
                "is_current": code == current,
            }
        )
    return links
