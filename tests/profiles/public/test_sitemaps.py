"""Sitemaps: an index of section files that each stay small, with lastmod and alternates."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.db import connection

from profiles.management.statistics import analyze
from profiles.models import Government, Publication
from profiles.public import sitemaps
from tests import factories
from tests.factories import AssessmentFactory
from tests.profiles.publications import clone, publish

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def published(government, staff, validator, settings):
    """Chile's profile plus four more governments with the same frozen content."""
    publication = publish(
        AssessmentFactory(government=government, year=2024),
        staff=staff,
        validator=validator,
        settings=settings,
    )
    clone(publication, countries=["AR", "BR", "GH", "KE"])
    return publication


def xml(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own server wrote it)


def locations(root) -> list[str]:
    return [loc.text for loc in root.iterfind("s:url/s:loc", NS)]


def test_index_lists_every_section_file_and_robots_points_at_it(client, published, monkeypatch):
    monkeypatch.setattr(sitemaps.LanguageSitemap, "limit", 2)
    index = xml(client, "/sitemap.xml")
    files = [loc.text for loc in index.iterfind("s:sitemap/s:loc", NS)]
    # 5 governments and 5 versions, 2 per file: 3 files each, plus the static pages.
    assert files == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-governments.xml",
        "http://testserver/sitemap-governments.xml?p=2",
        "http://testserver/sitemap-governments.xml?p=3",
        "http://testserver/sitemap-versions.xml",
        "http://testserver/sitemap-versions.xml?p=2",
        "http://testserver/sitemap-versions.xml?p=3",
    ]
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_each_file_holds_at_most_limit_items_and_together_every_version(
    client, published, monkeypatch
):
    monkeypatch.setattr(sitemaps.LanguageSitemap, "limit", 2)
    seen: list[str] = []
    for page in (1, 2, 3):
        urls = locations(xml(client, f"/sitemap-versions.xml?p={page}"))
        assert len(urls) <= 2 * len(settings.LANGUAGES)
        seen += urls
    english = sorted(url for url in seen if not re.match(r"http://testserver/(fr|es|ar)/", url))
    assert len(english) == 5 == len(set(english))
    assert f"http://testserver{published.get_absolute_url()}" in english
    for code in ("fr", "es", "ar"):
        assert f"http://testserver/{code}{published.get_absolute_url()}" in seen
    assert client.get("/sitemap-versions.xml?p=4").status_code == 404
    assert client.get("/sitemap-versions.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_entries_carry_lastmod_and_every_language_alternate(client, published):
    root = xml(client, "/sitemap-governments.xml")
    chile = next(
        url for url in root.iterfind("s:url", NS) if url.find("s:loc", NS).text.endswith("/chl/")
    )
    assert chile.find("s:lastmod", NS).text == published.ready_at.date().isoformat()
    alternates = {link.get("hreflang"): link.get("href") for link in chile.iterfind("x:link", NS)}
    assert alternates == {
        "en": "http://testserver/profiles/chl/",
        "fr": "http://testserver/fr/profiles/chl/",
        "es": "http://testserver/es/profiles/chl/",
        "ar": "http://testserver/ar/profiles/chl/",
        "x-default": "http://testserver/profiles/chl/",
    }


def test_a_visitors_language_does_not_prefix_the_english_locations(client, published):
    root = xml(client, "/sitemap-governments.xml", HTTP_ACCEPT_LANGUAGE="fr")
    assert "http://testserver/profiles/chl/" in locations(root)


def test_static_pages_include_open_data_and_the_api_reference(client, published):
    root = xml(client, "/sitemap-pages.xml")
    urls = locations(root)
    assert "http://testserver/data/" in urls and "http://testserver/ar/about/" in urls
    for language in ("fr", "es", "ar"):
        assert f"http://testserver/{language}/data/" in urls
    # The API reference has one address, outside the language prefixes: listed once.
    assert urls.count("http://testserver/api/v1/docs/") == 1
    assert not any("/api/" in url for url in urls if url != "http://testserver/api/v1/docs/")
    assert client.get("/api/v1/docs/").status_code == 200


def test_a_file_is_built_with_constant_queries_and_served_from_cache_after(
    client, published, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the page's rows; no COUNT
        client.get("/sitemap-versions.xml")
    with django_assert_num_queries(2):  # the page's governments, then their lastmod
        client.get("/sitemap-governments.xml")
    with django_assert_num_queries(1):  # one aggregate for every section
        client.get("/sitemap.xml")
    with django_assert_num_queries(0):
        client.get("/sitemap-versions.xml")


def test_a_new_publication_appears_without_waiting_for_the_cache(
    client, published, staff, settings
):
    assert "/profiles/mex/" not in client.get("/sitemap-governments.xml").content.decode()
    mexico = factories.GovernmentFactory(country="MX")
    validator = factories.official(mexico, role="validator", username="mex-validator")
    publish(
        AssessmentFactory(government=mexico, year=2025),
        staff=staff,
        validator=validator,
        settings=settings,
    )
    assert "/profiles/mex/" in client.get("/sitemap-governments.xml").content.decode()


def test_analyze_refreshes_planner_statistics_after_a_bulk_load(published):
    """The commands that bulk-load rows leave the planner statistics fresh."""
    analyze(Government, Publication)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE relname = %s", [Publication._meta.db_table]
            )
            assert cursor.fetchone()[0] == Publication.objects.count()
        else:
            cursor.execute(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [Government._meta.db_table]
            )
            assert cursor.fetchone() is not None
