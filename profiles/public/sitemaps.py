"""sitemap.xml: public pages and every live profile version, with a link per language."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from profiles.public import selectors


class LanguageSitemap(Sitemap):
    """Each URL once per language, with hreflang alternates and an x-default (English)."""

    i18n = True
    alternates = True
    x_default = True


class StaticPagesSitemap(LanguageSitemap):
    """Home, lists, the framework and the about page."""

    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["home", "list", "indicators", "gcm", "sdg", "good_practices", "about"]

    def location(self, item: str) -> str:
        return reverse(f"profiles:{item}")


class GovernmentSitemap(LanguageSitemap):
    """`/profiles/<slug>/`: each government's latest live profile."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return (
            selectors.latest_publications()
            .defer("content", "timeline")
            .order_by("government__slug")
        )

    def location(self, item) -> str:
        return item.government.get_absolute_url()

    def lastmod(self, item):
        return item.ready_at


class VersionSitemap(LanguageSitemap):
    """Version permalinks of every live publication (they never change)."""

    changefreq = "never"
    priority = 0.5

    def items(self):
        return (
            selectors.live_publications()
            .defer("content", "timeline")
            .order_by("government__slug", "year", "version")
        )

    def location(self, item) -> str:
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.ready_at


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "governments": GovernmentSitemap,
    "versions": VersionSitemap,
}
