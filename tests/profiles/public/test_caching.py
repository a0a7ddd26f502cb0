"""The page cache forgets only what a publication changes: its country's pages and the lists.

At 10,000 governments, one publication must not leave every visitor of every other
profile meeting a cold page; a withdrawal must still show at once.
"""

import pytest
from django.core.cache import cache
from django.test import TestCase

from profiles import workflow
from profiles.publishing import generation
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory
from tests.profiles.publications import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def chile(government, staff, validator, settings):
    return publish(
        AssessmentFactory(government=government, year=2024),
        staff=staff,
        validator=validator,
        settings=settings,
    )


def publish_kenya(staff, settings):
    kenya = GovernmentFactory(country="KE")
    validator = factories.official(kenya, role="validator", username="kenya-validator")
    return publish(
        AssessmentFactory(government=kenya, year=2024),
        staff=staff,
        validator=validator,
        settings=settings,
    )


def test_publishing_another_country_keeps_this_profile_cached_and_rebuilds_the_list(
    client, chile, staff, settings, django_assert_num_queries
):
    for url in ("/profiles/chl/", "/profiles/chl/2024/v1/", "/profiles/"):
        assert client.get(url).status_code == 200
    publish_kenya(staff, settings)
    with django_assert_num_queries(0):
        for url in ("/profiles/chl/", "/profiles/chl/2024/v1/"):
            assert client.get(url).status_code == 200
    listing = client.get("/profiles/").content.decode()
    assert "Kenya" in listing and "Chile" in listing
    assert "Kenya" in client.get("/").content.decode()


def test_withdrawing_a_profile_makes_its_cached_page_410_at_once_and_keeps_others_cached(
    client, chile, staff, settings, django_assert_num_queries
):
    publish_kenya(staff, settings)
    for url in ("/profiles/chl/", "/profiles/ken/", "/profiles/"):
        assert client.get(url).status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.WITHDRAW, chile.assessment, by=staff, note="Data error found.")
    response = client.get("/profiles/chl/")
    assert response.status_code == 410
    assert "Data error found." in response.content.decode()
    with django_assert_num_queries(0):
        assert client.get("/profiles/ken/").status_code == 200
    assert "Chile" not in client.get("/profiles/").content.decode()


def test_a_local_publication_forgets_its_national_profile_page(client, chile, staff, settings):
    assert "Local profiles in this country" not in client.get("/profiles/chl/").content.decode()
    local = factories.LocalGovernmentFactory()
    validator = factories.official(local, role="validator", username="santiago-validator")
    publish(
        AssessmentFactory(government=local, year=2023),
        staff=staff,
        validator=validator,
        settings=settings,
    )
    assert "Local profiles in this country" in client.get("/profiles/chl/").content.decode()
    national = client.get("/profiles/santiago-chl/compare/national/")
    assert national.status_code == 200


def test_rerendered_pages_forget_every_cached_page(client, chile, django_assert_num_queries):
    client.get("/profiles/chl/")
    client.get("/profiles/")
    with TestCase.captureOnCommitCallbacks(execute=True):
        generation.public_content_changed()
    with django_assert_num_queries(3):  # family; files; publication with content and sign-off
        assert client.get("/profiles/chl/").status_code == 200
    with django_assert_num_queries(3):  # count; page; framework choices
        assert client.get("/profiles/").status_code == 200


def test_an_evicted_generation_never_serves_an_older_page(client, chile, django_assert_num_queries):
    client.get("/profiles/chl/")
    cache.delete(generation.government_key("chl"))
    with django_assert_num_queries(3):  # a new token: the page is rendered again
        assert client.get("/profiles/chl/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/profiles/chl/").status_code == 200
