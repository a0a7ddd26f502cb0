"""Every public URL of the running URLconf, found the way an attacker maps a site.

`public_urls()` reverses every named, non-admin URL pattern with values taken
from the given publications (slug, year, version, language, ids), in English and
Arabic, then `crawl()` follows every same-site link the pages show. So a page,
file or API endpoint added later is tested without editing these tests.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.conf import settings
from django.urls import (
    NoReverseMatch,
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from django.utils import translation

SKIPPED_NAMES = {"set_language", "healthz", "two_factor"}


def _keys(pattern) -> set[str]:
    inner = pattern.pattern
    if hasattr(inner, "converters"):
        return set(inner.converters)
    return set(getattr(inner, "regex", re.compile("")).groupindex)


def named_patterns(patterns=None, namespace="", keys=frozenset()):
    """(qualified name, converter names) of every named URL outside the admin."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    admin_prefix = settings.MGI_ADMIN_PATH
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith(admin_prefix) or entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry.url_patterns, inner, keys | _keys(entry))
        elif isinstance(entry, URLPattern) and entry.name and entry.name not in SKIPPED_NAMES:
            yield f"{namespace}{entry.name}", keys | _keys(entry)


def candidate_values(publication) -> dict[str, object]:
    return {
        "slug": publication.government.slug,
        "year": publication.year,
        "version": publication.version,
        "language": "en",
        "lang": "en",
        "pk": publication.pk,
        "id": publication.pk,
        "format": "json",
        "number": 1,
        "code": 1,
    }


def public_urls(publications) -> list[str]:
    """Reverse every public pattern for each publication, in English and Arabic."""
    urls: list[str] = []
    patterns = list(named_patterns())
    for publication in publications:
        values = candidate_values(publication)
        for name, keys in patterns:
            if not keys <= values.keys():
                continue
            local = dict(values)
            if "framework" in name:
                local["slug"] = publication.framework.slug
            for language in ("en", "ar"):
                with translation.override(language):
                    try:
                        urls.append(reverse(name, kwargs={k: local[k] for k in keys}))
                    except NoReverseMatch:
                        continue
    return list(dict.fromkeys(urls))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src", "action"} and value:
                self.links.append(value)


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _view_name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return "404"
    return match.view_name


def crawl(
    client, start: list[str], *, limit: int = 250, per_view: int = 6, visit=None
) -> dict[str, object]:
    """GET every URL reachable from `start` on this site (admin and static excluded).

    URLs given in `start` are always fetched. Found links are followed for at
    most `per_view` URLs per view (one indicator page stands for ninety) and
    query-string variants for at most 30 URLs, so the crawl stays short.
    `visit(url, response)` is called for each response.
    """
    seen: dict[str, object] = {}
    queue = deque(start)
    required = set(start)
    per_view_count: dict[str, int] = {}
    with_query = 0
    static = "/" + settings.STATIC_URL.lstrip("/")
    admin = "/" + settings.MGI_ADMIN_PATH
    while queue and len(seen) < limit:
        url = urldefrag(queue.popleft())[0]
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith("/") or path in seen or path.startswith((static, admin)):
            continue
        if path not in required:
            if parts.query:
                if with_query >= 30:
                    continue
                with_query += 1
            view = _view_name(path)
            if per_view_count.get(view, 0) >= per_view:
                continue
            per_view_count[view] = per_view_count.get(view, 0) + 1
        response = client.get(path)
        seen[path] = response
        if visit is not None:
            visit(path, response)
        if response.status_code in (301, 302) and response.get("Location"):
            queue.append(response["Location"])
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            queue.extend(links_in(response.content.decode("utf-8", "replace")))
    return seen


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
