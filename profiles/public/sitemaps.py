"""Sitemaps that stay within the protocol's limits at any number of governments.

`/sitemap.xml` is an index (Django's `index` view) of section files
`/sitemap-<section>.xml?p=N`. Each file lists at most `ITEMS_PER_FILE` items, each
once per language with hreflang alternates and an x-default, so a file holds
`ITEMS_PER_FILE * len(LANGUAGES)` URLs (4,000): far under the protocol's 50,000 URLs
and 50 MB, and cheap to build (about 3 MB).

Why not Django's `sitemap` view for the sections: with `i18n = True` its paginator
first expands *every* item into (item, language) pairs, and it renders each URL
through a template and `reverse()` per language. At 10,000 governments one file
took seconds. Here the database paginates the items, one `reverse()` per item gives
the English path, the other languages are the same path under their `i18n_patterns`
prefix, and the XML is written directly (escaped). Both views are cached whole for
anonymous requests under the published-content generation (`caching`), so a file is
rebuilt only after publications change.

`lastmod` is the moment an item became public: the later of its release and the
time its files were ready.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import index as django_index
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F, Max, QuerySet
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from profiles.models import Publication
from profiles.public.caching import cache_public_page

ITEMS_PER_FILE = 1000


def _public_since(queryset: QuerySet[Publication]) -> QuerySet[Publication]:
    """Annotate `public_since`: when the publication became visible to the public."""
    return queryset.annotate(public_since=Greatest(F("ready_at"), F("release_at")))


class LanguageSitemap(Sitemap):
    """Items listed once per language; the database paginates items, not item x language."""

    i18n = True
    alternates = True
    x_default = True
    limit = ITEMS_PER_FILE
    changefreq: str | None = None
    priority: float | None = None

    def items(self) -> Any:
        raise NotImplementedError

    def path(self, item: Any) -> str:
        """The item's English (unprefixed) path."""
        raise NotImplementedError

    def lastmod(self, item: Any) -> Any:
        return getattr(item, "public_since", None)

    @property
    def paginator(self) -> Paginator:
        return Paginator(self.items(), self.limit)

    def get_latest_lastmod(self) -> Any:
        items = self.items()
        if isinstance(items, QuerySet):
            return items.aggregate(latest=Max("public_since"))["latest"]
        return None

    def entries(self, items: Iterable[Any], *, origin: str) -> Iterator[dict[str, Any]]:
        """One entry per item and language, each with every language's alternate."""
        prefixes = _language_prefixes()
        for item in items:
            path = self.path(item)
            locations = [(code, f"{origin}{prefix}{path}") for code, prefix in prefixes]
            alternates = [*locations, ("x-default", f"{origin}{path}")]
            for _code, location in locations:
                yield {
                    "location": location,
                    "lastmod": self.lastmod(item),
                    "changefreq": self.changefreq,
                    "priority": self.priority,
                    "alternates": alternates,
                }


class StaticPagesSitemap(LanguageSitemap):
    """Home, lists, the framework, open data, the API and the about page."""

    changefreq = "weekly"
    limit = ITEMS_PER_FILE  # a handful of pages: always one file

    def items(self) -> list[str]:
        return ["home", "list", "indicators", "gcm", "sdg", "good_practices", "data", "about"]

    def path(self, item: str) -> str:
        return reverse(f"profiles:{item}")

    def lastmod(self, item: str) -> None:
        return None

    def get_latest_lastmod(self) -> None:
        return None


class GovernmentSitemap(LanguageSitemap):
    """`/profiles/<slug>/`: each government's latest live profile."""

    changefreq = "monthly"
    priority = 0.8

    def items(self) -> QuerySet[Publication]:
        return _public_since(
            Publication.objects.latest_per_government()
            .select_related("government")
            .only("government__slug", "ready_at", "release_at")
            .order_by("government__slug")
        )

    def path(self, item: Publication) -> str:
        return item.government.get_absolute_url()


class VersionSitemap(LanguageSitemap):
    """Version permalinks of every live publication (they never change)."""

    changefreq = "never"
    priority = 0.5

    def items(self) -> QuerySet[Publication]:
        return _public_since(
            Publication.objects.live()
            .select_related("government")
            .only("government__slug", "year", "version", "ready_at", "release_at")
            .order_by("government__slug", "year", "version")
        )

    def path(self, item: Publication) -> str:
        return item.get_absolute_url()


SITEMAPS: dict[str, type[LanguageSitemap]] = {
    "pages": StaticPagesSitemap,
    "governments": GovernmentSitemap,
    "versions": VersionSitemap,
}


def _language_prefixes() -> list[tuple[str, str]]:
    """Each language's URL prefix ('' for English, '/fr' ...), as `i18n_patterns` makes it."""
    prefixes = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefixes.append((code, reverse("profiles:home").rstrip("/")))
    return prefixes


def _urlset(entries: Iterable[dict[str, Any]]) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">'
    ]
    for entry in entries:
        parts.append(f"<url><loc>{escape(entry['location'])}</loc>")
        if entry["lastmod"]:
            parts.append(f"<lastmod>{entry['lastmod']:%Y-%m-%d}</lastmod>")
        if entry["changefreq"]:
            parts.append(f"<changefreq>{entry['changefreq']}</changefreq>")
        if entry["priority"] is not None:
            parts.append(f"<priority>{entry['priority']}</priority>")
        parts.extend(
            f'<xhtml:link rel="alternate" hreflang="{code}" href={quoteattr(location)}/>'
            for code, location in entry["alternates"]
        )
        parts.append("</url>")
    parts.append("</urlset>\n")
    return "".join(parts)


@require_safe
@cache_public_page
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """`/sitemap.xml`: every section file, with the latest lastmod of its section."""
    return django_index(request, SITEMAPS, sitemap_url_name="sitemap_section").render()


@require_safe
@cache_public_page
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One file of one section (`?p=N`, from 1)."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap section.")
    site = SITEMAPS[section]()
    try:
        page = site.paginator.page(request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such sitemap page.") from error
    origin = f"{request.scheme}://{request.get_host()}"
    # Paths are built in English (unprefixed); the visitor's language must not prefix them.
    with translation.override(settings.LANGUAGE_CODE):
        body = _urlset(site.entries(page.object_list, origin=origin))
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
