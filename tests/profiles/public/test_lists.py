"""Public lists at any size: capped counts, page numbers, the country filter, the home page's
countries, and query counts that stay the same with more governments."""

import re

import pytest
from django.core.cache import cache

from profiles.public import pagination
from profiles.public import search as public_search
from tests import factories
from tests.factories import AssessmentFactory, LocalGovernmentFactory
from tests.profiles.publications import COUNTRIES, clone, publish

pytestmark = pytest.mark.django_db

ROW = r'<li>\s*<a href="(?:/[a-z]{2})?/profiles/[^"]+/\d+/">([^<]+)</a>'


@pytest.fixture
def chile(government, staff, validator, settings):
    """Chile's 2024 national profile, published through the real workflow."""
    return publish(
        AssessmentFactory(government=government, year=2024),
        staff=staff,
        validator=validator,
        settings=settings,
    )


@pytest.fixture
def santiago(chile, staff, settings):
    """Santiago, a local government of Chile, published."""
    local = LocalGovernmentFactory()
    validator = factories.official(local, role="validator", username="santiago-validator")
    assessment = AssessmentFactory(government=local, year=2023)
    return publish(assessment, staff=staff, validator=validator, settings=settings)


def page(client, url: str) -> str:
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def names(html: str) -> list[str]:
    return re.findall(ROW, html)


def test_a_long_list_says_more_than_the_cap_and_still_pages_by_number(client, chile, monkeypatch):
    clone(chile, countries=COUNTRIES[:6])  # 7 profiles
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    monkeypatch.setattr("profiles.public.views.PAGE_SIZE", 3)
    html = page(client, "/profiles/")
    assert "More than 4 profiles" in html
    assert '<span aria-current="page">Page 1</span>' in html  # no "of": the total is unknown
    assert names(html) == ["Argentina 2024", "Brazil 2024", "Chile 2024"]
    assert 'href="?page=2" rel="next"' in html
    html = page(client, "/profiles/?page=3")
    assert names(html) == ["Portugal 2024"]  # the last page: no next link
    assert 'rel="prev"' in html and 'rel="next"' not in html
    # Under the cap, the count is exact and the pages are numbered "of" a total.
    html = page(client, "/profiles/?level=national&region=150")  # France, Germany, Italy, Portugal
    assert "4 profiles" in html and "Page 1 of 2" in html


def test_the_sample_sized_list_shows_its_exact_count(client, santiago):
    html = page(client, "/profiles/")
    assert "2 profiles" in html and names(html) == ["Chile 2024", "Santiago 2023"]
    assert 'class="pagination"' not in html


def test_french_and_english_lists_follow_their_own_alphabet(client, chile):
    clone(chile, countries=["DE", "EG", "ES"])
    assert names(page(client, "/profiles/")) == [
        "Chile 2024",
        "Egypt 2024",
        "Germany 2024",
        "Spain 2024",
    ]
    assert names(page(client, "/fr/profiles/")) == [
        "Allemagne 2024",
        "Chili 2024",
        "Égypte 2024",
        "Espagne 2024",
    ]


def test_home_lists_assessed_countries_with_their_governments_linking_to_the_list(client, santiago):
    clone(_national(santiago), countries=["KE"])
    html = page(client, "/")
    link = r'<li><a href="/profiles/\?country=(\w\w)">([^<]+)</a> \(([^)]+)\)'
    countries = re.findall(link, html)
    assert countries == [("CL", "Chile", "2 governments"), ("KE", "Kenya", "1 government")]
    assert "Santiago" not in html.split('id="map-heading"')[1]  # countries, not governments
    french = page(client, "/fr/")
    assert '<a href="/fr/profiles/?country=CL">Chili</a> (2 gouvernements)' in french


def _national(local_publication):
    from profiles.models import Publication

    return Publication.objects.get(government__slug="chl")


def test_country_filter_shows_that_countrys_profiles_and_only_offers_that_country(client, santiago):
    clone(_national(santiago), countries=["KE"])
    html = page(client, "/profiles/?country=CL")
    assert names(html) == ["Chile 2024", "Santiago 2023"]
    assert '<option value="CL" selected>Chile</option>' in html and "Kenya" not in html
    assert 'name="country"' not in page(client, "/profiles/")
    html = page(client, "/profiles/?country=XX")
    assert names(html) == [] and "No published profile matches these filters." in html


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


LISTS = {
    "/": 4,  # whether the newest publications are recorded; assessed countries; recent; dimensions
    "/profiles/": 3,  # capped count; page; framework choices
    "/fr/profiles/?level=local": 3,
    "/profiles/?country=CL&page=2": 3,
    "/profiles/?q=summary": 3,  # capped count of matches; page; framework choices
    "/good-practices/": 3,  # dimension names; capped count; page
}


def test_list_query_counts_are_exact_and_do_not_grow_with_governments(
    client, santiago, monkeypatch
):
    assert {url: _queries(client, url) for url in LISTS} == LISTS
    clone(_national(santiago), countries=COUNTRIES)
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)  # and past the cap
    monkeypatch.setattr(public_search, "RANKED_AT_MOST", 5)  # a broad search
    assert {url: _queries(client, url) for url in LISTS} == LISTS
