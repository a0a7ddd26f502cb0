"""Sitemaps that stay within the protocol's limits at any number of governments.

`/sitemap.xml` is an index (Django's `index` view) of section files
`/sitemap-<section>.xml?p=N`. Each file lists at most `ITEMS_PER_FILE` items, each
once per language with hreflang alternates and an x-default, so a file holds
`ITEMS_PER_FILE * len(LANGUAGES)` URLs (1,000): far under the protocol's 50,000 URLs
and 50 MB, and cheap to build (about 0.8 MB, ~15 ms cold; at 1,000 items a file was 3 MB
and took 50 ms, 160 at p95, against the 50 ms budget of every cold public page).

Why not Django's `sitemap` view for the sections: with `i18n = True` its paginator
first expands *every* item into (item, language) pairs, and it renders each URL
through a template and `reverse()` per language. At 10,000 governments one file
took seconds. Here the database paginates the items, one `reverse()` per item gives
the English path, the other languages are the same path under their `i18n_patterns`
prefix, and the XML is written directly (escaped). Both views are cached whole for
anonymous requests under the published-content generation (`caching`), so a file is
rebuilt only after publications change.

`lastmod` is the moment an item became public: the later of its release and the
time its files were ready (for a government: of its newest such publication).

Cold cost at 10,000 governments x 3 rounds (bench/bench_sitemaps.py): a file is one
query, a slice in primary-key order (an index scan; no COUNT, no sort by slug:
crawlers do not care about order, and new publications land on the last page), and
paths come from one `reverse()` per request turned into a template.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import index as django_index
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from profiles.models import Government, Publication
from profiles.public.caching import cache_public_page

ITEMS_PER_FILE = 250


@dataclass(frozen=True)
class LiveStats:
    """What the index needs of every section, from one aggregate query."""

    governments: int
    versions: int
    latest: Any

    @classmethod
    def now(cls) -> LiveStats:
        stats = _public_since(Publication.objects.live()).aggregate(
            governments=Count("government", distinct=True),
            versions=Count("pk"),
            latest=Max("public_since"),
        )
        return cls(**stats)


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

    def paths(self, items: list[Any]) -> list[str]:
        """The items' English (unprefixed) paths."""
        raise NotImplementedError

    def lastmod(self, item: Any) -> Any:
        return getattr(item, "public_since", None)

    def __init__(self, stats: LiveStats | None = None) -> None:
        self.stats = stats

    def item_count(self) -> int:
        raise NotImplementedError

    @property
    def paginator(self) -> Paginator:
        """Pages for Django's index view, counted from `stats` without touching the rows."""
        return Paginator(range(self.item_count()), self.limit)

    def get_latest_lastmod(self) -> Any:
        return self.stats.latest if self.stats else None

    def page_items(self, page: int) -> list[Any]:
        """Items of page `page` (from 1): one query, no COUNT; [] past the end."""
        start = (page - 1) * self.limit
        return list(self.items()[start : start + self.limit])

    def urls_xml(self, items: list[Any], *, origin: str) -> Iterator[str]:
        """`<url>` elements: one per item and language, each with every language's alternate.

        The alternates and dates are escaped once per item and shared by its four
        `<url>` elements, which keeps a 4,000-URL file at a few milliseconds of Python.
        """
        prefixes = _language_prefixes()
        for item, path in zip(items, self.paths(items), strict=True):
            locations = [(code, f"{origin}{prefix}{path}") for code, prefix in prefixes]
            links = "".join(
                f'<xhtml:link rel="alternate" hreflang="{code}" href={quoteattr(location)}/>'
                for code, location in [*locations, ("x-default", f"{origin}{path}")]
            )
            lastmod = self.lastmod(item)
            tail = "".join(
                [
                    f"<lastmod>{lastmod:%Y-%m-%d}</lastmod>" if lastmod else "",
                    f"<changefreq>{self.changefreq}</changefreq>" if self.changefreq else "",
                    f"<priority>{self.priority}</priority>" if self.priority is not None else "",
                    links,
                    "</url>",
                ]
            )
            for _code, location in locations:
                yield f"<url><loc>{escape(location)}</loc>{tail}"


class StaticPagesSitemap(LanguageSitemap):
    """Home, lists, the framework, open data, about, accessibility, and the API reference."""

    changefreq = "weekly"
    limit = ITEMS_PER_FILE  # a handful of pages: always one file
    #: Pages outside the language prefixes (the API reference is in English only):
    #: one address each, with no hreflang alternates.
    unprefixed = ("api:docs",)

    def items(self) -> list[str]:
        return [
            "home",
            "list",
            "indicators",
            "gcm",
            "sdg",
            "good_practices",
            "data",
            "about",
            "accessibility",
        ]

    def paths(self, items: list[str]) -> list[str]:
        return [reverse(f"profiles:{item}") for item in items]

    def urls_xml(self, items: list[Any], *, origin: str) -> Iterator[str]:
        yield from super().urls_xml(items, origin=origin)
        for name in self.unprefixed:
            location = escape(f"{origin}{reverse(name)}")
            yield f"<url><loc>{location}</loc><changefreq>{self.changefreq}</changefreq></url>"

    def item_count(self) -> int:
        return len(self.items())

    def lastmod(self, item: str) -> None:
        return None

    def get_latest_lastmod(self) -> None:
        return None


class GovernmentSitemap(LanguageSitemap):
    """`/profiles/<slug>/`: every government with a live profile."""

    changefreq = "monthly"
    priority = 0.8

    def items(self) -> QuerySet[Government]:
        live = Publication.objects.live().filter(government=OuterRef("pk"))
        return Government.objects.filter(Exists(live)).only("slug").order_by("pk")

    def item_count(self) -> int:
        return self.stats.governments if self.stats else self.items().count()

    def page_items(self, page: int) -> list[Government]:
        """The page's governments, then their lastmod in one grouped query (not per row)."""
        governments = super().page_items(page)
        latest = dict(
            _public_since(Publication.objects.live().filter(government__in=governments))
            .values("government")
            .annotate(latest=Max("public_since"))
            .values_list("government", "latest")
        )
        for government in governments:
            government.public_since = latest[government.pk]
        return governments

    def paths(self, items: list[Government]) -> list[str]:
        template = _path_template("profiles:government", slug="SLUG")
        return [template.format(slug=item.slug) for item in items]


class VersionSitemap(LanguageSitemap):
    """Version permalinks of every live publication (they never change)."""

    changefreq = "never"
    priority = 0.5

    def items(self) -> QuerySet[Publication]:
        return (
            _public_since(Publication.objects.live())
            .values("pk", "government__slug", "year", "version", "public_since")
            .order_by("pk")
        )

    def item_count(self) -> int:
        return self.stats.versions if self.stats else self.items().count()

    def lastmod(self, item: dict[str, Any]) -> Any:
        return item["public_since"]

    def paths(self, items: list[dict[str, Any]]) -> list[str]:
        template = _path_template("profiles:version", slug="SLUG", year=1111, version=2222)
        return [
            template.format(
                slug=item["government__slug"], year=item["year"], version=item["version"]
            )
            for item in items
        ]


SITEMAPS: dict[str, type[LanguageSitemap]] = {
    "pages": StaticPagesSitemap,
    "governments": GovernmentSitemap,
    "versions": VersionSitemap,
}


def _path_template(name: str, **placeholders: object) -> str:
    """`reverse(name)` with each kwarg left as a `{name}` field, for str.format per item.

    One `reverse()` per file instead of one per item (a 1,000-item file took 30 ms
    of reverse() alone); the placeholders are values no real slug or year takes.
    """
    path = reverse(name, kwargs=placeholders)
    for key, value in placeholders.items():
        path = path.replace(str(value), "{" + key + "}", 1)
    return path


def _language_prefixes() -> list[tuple[str, str]]:
    """Each language's URL prefix ('' for English, '/fr' ...), as `i18n_patterns` makes it."""
    prefixes = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefixes.append((code, reverse("profiles:home").rstrip("/")))
    return prefixes


URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">'
)


@require_safe
@cache_public_page
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """`/sitemap.xml`: every section file, with the latest lastmod; one query."""
    stats = LiveStats.now()
    sitemaps = {name: sitemap(stats) for name, sitemap in SITEMAPS.items()}
    return django_index(request, sitemaps, sitemap_url_name="sitemap_section").render()


@require_safe
@cache_public_page
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One file of one section (`?p=N`, from 1)."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap section.")
    site = SITEMAPS[section]()
    page = request.GET.get("p", "1")
    if not page.isdigit() or int(page) < 1:
        raise Http404("No such sitemap page.")
    items = site.page_items(int(page))
    if not items and page != "1":
        raise Http404("No such sitemap page.")
    origin = f"{request.scheme}://{request.get_host()}"
    # Paths are built in English (unprefixed); the visitor's language must not prefix them.
    with translation.override(settings.LANGUAGE_CODE):
        body = "".join([URLSET_START, *site.urls_xml(items, origin=origin), "</urlset>\n"])
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
