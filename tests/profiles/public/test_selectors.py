"""Public selectors read live publications only, in constant queries."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from indicators.models import Indicator
from profiles import workflow
from profiles.models import Publication
from profiles.public import comparisons, search, selectors
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory, LocalGovernmentFactory
from tests.profiles.publications import clone, correct, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def chile(government, staff, validator, settings):
    return publish(
        AssessmentFactory(government=government),
        staff=staff,
        validator=validator,
        settings=settings,
    )


def test_live_rounds_shows_latest_version_of_each_round_and_nothing_unpublished(
    chile, staff, validator, settings
):
    AssessmentFactory(government=GovernmentFactory(country="GH"))  # a draft
    v2 = correct(chile.assessment, staff=staff, validator=validator, settings=settings, text="v2")
    assert [p.pk for p in selectors.live_rounds()] == [v2.pk]


def test_live_rounds_hides_withdrawn_and_embargoed(chile, staff, validator, settings):
    ghana = GovernmentFactory(country="GH")
    gv = factories.official(ghana, role="validator", username="gv")
    publish(
        AssessmentFactory(government=ghana),
        staff=staff,
        validator=gv,
        settings=settings,
        release_at=timezone.now() + datetime.timedelta(days=1),
    )
    workflow.apply(workflow.WITHDRAW, chile.assessment, by=staff, note="Error.")
    assert list(selectors.live_rounds()) == []
    assert selectors.withdrawn_publication(slug="chl").pk == chile.pk
    assert selectors.withdrawn_publication(slug="gha") is None


def test_profile_family_finds_siblings_and_relatives_in_one_query(
    chile, staff, settings, django_assert_num_queries
):
    local = LocalGovernmentFactory()
    lv = factories.official(local, role="validator", username="lv")
    santiago = publish(
        AssessmentFactory(government=local, year=2023), staff=staff, validator=lv, settings=settings
    )
    with django_assert_num_queries(1):
        family = selectors.profile_family(slug="chl")
        assert [p.pk for p in family.related] == [santiago.pk]
    assert [p.pk for p in selectors.profile_family(slug="santiago-chl").related] == [chile.pk]
    with pytest.raises(Http404):
        selectors.profile_family(slug="chl", year=2024, version=9)


def test_search_finds_country_names_in_the_active_language(chile):
    from django.utils import translation

    with translation.override("es"):
        assert list(search.search(selectors.live_rounds(), "chile")) == [chile]
    assert list(search.search(selectors.live_rounds(), "Health services are open")) == [chile]
    assert list(search.search(selectors.live_rounds(), "absent-from-everything")) == []


def test_answer_distribution_counts_latest_publications_by_value(chile):
    clone(chile, countries=["FR", "KE"])
    indicator = Indicator.objects.get(
        framework__slug="mgi-national-2022",
        code=chile.content["dimensions"][0]["areas"][0]["indicators"][0]["code"],
    )
    distribution, rows = selectors.answer_distribution(indicator)
    assert ("fully_present", "Fully present", 3) in distribution
    assert [r.publication.government.display_name for r in rows] == ["Chile", "France", "Kenya"]
    distribution, rows = selectors.answer_distribution(indicator, region="002")
    assert [r.publication.government.slug for r in rows] == ["ken"]


def test_good_practices_come_from_latest_live_publications(chile):
    clone(chile, countries=["FR"])
    rows, count = selectors.good_practices()
    assert len(rows) == count == 2 and all(r.is_good_practice for r in rows)
    rows, count = selectors.good_practices(dimension=2)
    assert list(rows) == [] and count == 0
    assert selectors.home_counts(selectors.assessed_countries()) == {"national": 2, "local": 0}


def test_equivalence_map_links_versions():
    mapping = comparisons.equivalence_map("national")
    mapped = Indicator.objects.filter(framework__slug="mgi-national-2022", equivalent__isnull=False)
    assert len([k for k in mapping if k[0] == "mgi-national-2022"]) == mapped.count()
    assert Publication.objects.count() == 0
