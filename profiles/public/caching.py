"""Whole-response cache for the public pages that anonymous visitors read.

Published content changes only at a few moments: a publication becomes ready, a
publication is withdrawn, an embargo ends. Public pages are cached per URL and
language under a *generation* number that the first two bump (after commit), so a
repeated request costs two cache reads and no database query. Embargoes end
without an event, so entries also expire after `TIMEOUT` seconds, which bounds how
late a scheduled release appears. Signed-in users (a session cookie) always get a
freshly rendered page.
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response

GENERATION_KEY = "public-pages:generation"
TIMEOUT = 120
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Language")


def generation() -> int:
    """The current generation of published content (0 until something changes)."""
    return cache.get_or_set(GENERATION_KEY, 0, timeout=None)


def public_content_changed() -> None:
    """Invalidate every cached public page once the current transaction commits."""

    def bump() -> None:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # the key was evicted: any new value invalidates old entries
            cache.set(GENERATION_KEY, 1, timeout=None)

    transaction.on_commit(bump)


def _key(request: HttpRequest) -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-page:{generation()}:{language}:{request.method}:{path}"


def cache_public_page(view):
    """Serve repeated anonymous GETs of a public page from the cache (200 responses only)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        key = _key(request)
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
