"""The one page cache of the public site, and the layers in front of it.

A public page passes through at most two caches, each with its own job:

1. **Django's whole-response cache** (`cache_public_page`, this module) for the
   anonymous GETs of every public page. Entries are keyed by URL, language and
   the *generations* of the content the page shows
   (`profiles.publishing.generation`), which publishing replaces after commit
   when a publication becomes ready or is withdrawn, so a repeated request costs
   two cache reads and no database query. Each view declares its scope: a
   government's own pages (`cache_public_page(scope=per_government)`) are
   forgotten only when a government of its country changes, every other page
   (the default, `list_scope`) whenever any publication changes; so one
   publication among 10,000 governments leaves the other countries' pages
   cached. Embargoes end without an event, so
   entries also expire after `TIMEOUT` seconds, which bounds how late a scheduled
   release appears. A hit answers `If-None-Match` with 304 from the stored ETag.
   Signed-in users (a session cookie) always get a freshly rendered page.
2. **nginx's proxy cache** (deploy/nginx/mgi-portal.conf.template) **or a CDN**,
   ruled by `Cache-Control` (`profiles.public.serving.public_cache_control`):
   `s-maxage` bounds how long a shared cache keeps a page or file before asking
   again, so a withdrawal reaches everyone within it.

Nothing else caches rendered pages: a profile page's body is rendered once at
publication and stored (`profiles.outputs.pages`), so a miss costs reading it.
"""

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response

from profiles.publishing import generation

TIMEOUT = 120
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Language")


Scope = Callable[[dict[str, Any]], list[str]]


def list_scope(kwargs: dict[str, Any]) -> list[str]:
    """Pages that quote many governments: forgotten whenever any publication changes."""
    return [generation.LIST_KEY]


def per_government(kwargs: dict[str, Any]) -> list[str]:
    """Pages of the government named by the `slug` URL argument (and its country's)."""
    return [generation.government_key(kwargs["slug"])]


def _key(request: HttpRequest, generations: str) -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-page:{generations}:{language}:{request.method}:{path}"


def cache_public_page(view=None, *, scope: Scope = list_scope):
    """Serve repeated anonymous GETs of a public page from the cache (200 responses only).

    Used bare (`@cache_public_page`, list scope) or with a scope
    (`@cache_public_page(scope=per_government)`).
    """
    if view is None:
        return functools.partial(cache_public_page, scope=scope)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        key = _key(request, generation.current(scope(kwargs)))
        stored = cache.get(key)
        if stored is not None:
            body, headers = stored
            conditional = get_conditional_response(
                request, etag=headers.get("ETag"), last_modified=None
            )
            response = conditional or HttpResponse(body)
            for name, value in headers.items():
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            cache.set(key, (response.content, headers), TIMEOUT)
        return response

    return wrapper
