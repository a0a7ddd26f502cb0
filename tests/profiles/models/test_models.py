"""Database constraints: what must always hold, whatever code path writes."""

import pytest
from django.db import IntegrityError, transaction

from indicators.models import Dimension, Indicator
from profiles.models import Answer, Assessment, Finding, Government
from tests.factories import AssessmentFactory, GovernmentFactory, LocalGovernmentFactory

pytestmark = pytest.mark.django_db


def national_indicator():
    return Indicator.objects.filter(framework__slug="mgi-national-2022").first()


def test_one_answer_per_indicator_per_assessment():
    assessment = AssessmentFactory()
    indicator = national_indicator()
    Answer.objects.create(assessment=assessment, indicator=indicator, value="absent")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(assessment=assessment, indicator=indicator, value="fully_present")


def test_one_assessment_per_government_and_year():
    assessment = AssessmentFactory(year=2020)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentFactory(government=assessment.government, year=2020)


def test_answer_to_an_indicator_of_another_framework_is_refused_by_the_database():
    assessment = AssessmentFactory()  # national 2022
    local_indicator = Indicator.objects.filter(framework__slug="mgi-local-2019").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(assessment=assessment, indicator=local_indicator, value="absent")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.bulk_create(
            [Answer(assessment=assessment, indicator=local_indicator, value="absent")]
        )
    answer = Answer.objects.create(assessment=assessment, indicator=national_indicator())
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(indicator=local_indicator)


def test_answer_value_must_be_on_the_scale():
    assessment = AssessmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(assessment=assessment, indicator=national_indicator(), value="7")


def test_one_national_government_per_country_but_many_local_ones():
    GovernmentFactory(country="GH")
    LocalGovernmentFactory(country="GH", name="Accra")
    LocalGovernmentFactory(country="GH", name="Kumasi")
    with pytest.raises(IntegrityError), transaction.atomic():
        Government.objects.create(level="national", kind="national", country="GH", slug="gha-2")


def test_local_government_needs_a_name_and_a_local_kind():
    with pytest.raises(IntegrityError), transaction.atomic():
        Government.objects.create(level="local", kind="city", country="GH", name="", slug="x-gha")
    with pytest.raises(IntegrityError), transaction.atomic():
        Government.objects.create(level="local", kind="national", country="GH", name="A", slug="a")


def test_slugs_follow_the_iso3_convention():
    assert GovernmentFactory(country="CL").slug == "chl"
    assert LocalGovernmentFactory(country="CL", name="Santiago").slug == "santiago-chl"
    assert Government.make_slug(country_code="CA", name="Montréal") == "montreal-can"


def test_government_region_comes_from_un_m49():
    chile = GovernmentFactory(country="CL")
    assert chile.region.region == "Americas"
    assert chile.region.subregion == "South America"
    GovernmentFactory(country="GH")
    assert list(Government.objects.in_region("002").values_list("slug", flat=True)) == ["gha"]
    assert list(Government.objects.in_region("005").values_list("slug", flat=True)) == ["chl"]


def test_follow_up_round_needs_its_previous_round():
    baseline = AssessmentFactory(year=2018)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentFactory(government=baseline.government, year=2023, round_number=2)
    follow_up = AssessmentFactory(
        government=baseline.government, year=2023, round_number=2, previous=baseline
    )
    assert baseline.follow_up == follow_up


def test_clean_rejects_a_framework_of_the_wrong_level_and_a_later_previous_round():
    from django.core.exceptions import ValidationError

    local = LocalGovernmentFactory()
    assessment = AssessmentFactory.build(
        government=local, framework=national_indicator().framework, year=2024
    )
    with pytest.raises(ValidationError, match="local framework"):
        assessment.clean()
    later = AssessmentFactory(year=2025)
    earlier = Assessment(
        government=later.government,
        framework=later.framework,
        year=2020,
        round_number=2,
        previous=later,
    )
    with pytest.raises(ValidationError, match="earlier year"):
        earlier.clean()


def test_only_well_developed_findings_can_be_good_practices():
    assessment = AssessmentFactory()
    dimension = Dimension.objects.get(framework=assessment.framework, code=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(
            assessment=assessment,
            dimension=dimension,
            kind="potential",
            text="x",
            is_good_practice=True,
        )


def test_assessment_status_must_be_known():
    assessment = AssessmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk).update(status="approved")


def test_title_follows_iom_naming():
    assert (
        AssessmentFactory(year=2024).title == "Migration Governance Indicators Profile 2024 | Chile"
    )
    local = AssessmentFactory(government=LocalGovernmentFactory(), year=2019)
    assert local.title == "Local Migration Governance Indicators Profile 2019 | Santiago"
