"""Links between assessments stay within one government and one assessment.

A follow-up round quotes its previous round's findings, an answer cites sources,
a consultation comment names an indicator. Linking any of them to another
government's or assessment's rows would carry that (perhaps unpublished) text
into this profile. Each rule holds in the model's `clean()` (every form), in the
admin's choices, and in the database (migration 0004), for IOM staff too.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from indicators.models import Framework, Indicator
from profiles.models import (
    Answer,
    Assessment,
    ConsultationComment,
    Finding,
    FindingKind,
    FollowUp,
    Source,
)
from tests import factories
from tests.factories import LOCAL, AssessmentFactory, GovernmentFactory
from tests.profiles.editing.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def rounds(government):
    """Chile's round 1 (2019) and its draft follow-up (2023); Ghana's draft round 1 (2019)."""
    chile_1 = AssessmentFactory(government=government, year=2019)
    factories.answer_all(chile_1)
    chile_2 = AssessmentFactory(government=government, year=2023, round_number=2, previous=chile_1)
    factories.answer_all(chile_2, value="")
    ghana_1 = AssessmentFactory(government=GovernmentFactory(country="GH"), year=2019)
    factories.answer_all(ghana_1, text="Ghana's unpublished justification")
    Finding.objects.filter(assessment=ghana_1).update(text="Ghana's unpublished finding")
    return chile_1, chile_2, ghana_1


def potential(assessment) -> Finding:
    return assessment.findings.get(kind=FindingKind.POTENTIAL)


def errors_of(response) -> dict:
    return response.context["adminform"].form.errors


def add_url(model) -> str:
    return reverse(f"admin:profiles_{model._meta.model_name}_add")


def part_url(obj) -> str:
    return reverse(f"admin:profiles_{obj._meta.model_name}_change", args=[obj.pk])


# --- The previous round ------------------------------------------------------------------


def test_staff_cannot_make_another_governments_round_the_previous_one(client, staff, rounds):
    chile_1, chile_2, ghana_1 = rounds
    client.force_login(staff)
    page = client.get(change_url(chile_2))
    assert list(page.context["adminform"].form.fields["previous"].queryset) == [chile_1]
    assert "Ghana 2019" not in page.content.decode()
    revision = Assessment.objects.get(pk=chile_2.pk).revision
    response = client.post(change_url(chile_2), {**form_data(page), "previous": str(ghana_1.pk)})
    assert response.status_code == 200
    assert "previous" in errors_of(response)
    saved = Assessment.objects.get(pk=chile_2.pk)
    assert (saved.previous_id, saved.revision) == (chile_1.pk, revision)


def test_a_new_round_is_refused_a_previous_round_of_another_government(
    client, staff, government, rounds
):
    _chile_1, _chile_2, ghana_1 = rounds
    client.force_login(staff)
    count = Assessment.objects.count()
    response = client.post(
        add_url(Assessment),
        {
            "government": government.pk,
            "framework": ghana_1.framework_id,
            "year": 2025,
            "round_number": 2,
            "previous": ghana_1.pk,
            "original_language": "en",
        },
    )
    assert response.status_code == 200
    assert errors_of(response)["previous"] == ["The previous round must be the same government's."]
    assert Assessment.objects.count() == count


def test_a_focal_point_is_offered_only_their_governments_earlier_rounds(
    client, focal_point, rounds
):
    chile_1, chile_2, _ghana_1 = rounds
    client.force_login(focal_point)
    page = client.get(change_url(chile_2))
    assert list(page.context["adminform"].form.fields["previous"].queryset) == [chile_1]
    assert "Ghana 2019" not in page.content.decode()
    # The search (on the add page, government not chosen yet) offers their government's
    # rounds that no round follows up yet: not Chile's round 1, never Ghana's.
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "profiles", "model_name": "assessment", "field_name": "previous"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(chile_2.pk)]


def test_the_previous_round_must_be_earlier_in_year_and_round(government):
    first = AssessmentFactory(government=government, year=2019)
    second = AssessmentFactory(government=government, year=2021, round_number=2, previous=first)
    third = Assessment(
        government=government,
        framework=first.framework,
        year=2018,
        round_number=3,
        previous=second,
    )
    with pytest.raises(ValidationError, match="earlier year"):
        third.full_clean()
    third.year = 2025
    third.round_number = 2
    with pytest.raises(ValidationError, match="lower round number"):
        third.full_clean()
    # And nothing writes it behind the model's back.
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=second.pk).update(year=2018)


def test_a_round_cannot_change_government_under_its_follow_up(government, rounds):
    chile_1, _chile_2, _ghana_1 = rounds
    chile_1.government = GovernmentFactory(country="PE")
    with pytest.raises(ValidationError, match="follows this round"):
        chile_1.full_clean()


def test_changing_the_previous_round_needs_its_progress_records_removed(government, rounds):
    chile_1, chile_2, _ghana_1 = rounds
    FollowUp.objects.create(assessment=chile_2, finding=potential(chile_1), progress="addressed")
    chile_0 = AssessmentFactory(government=government, year=2015)
    Assessment.objects.filter(pk=chile_1.pk).update(round_number=2, previous=chile_0)
    chile_2.round_number = 3
    chile_2.previous = chile_0
    with pytest.raises(ValidationError, match="delete those progress records"):
        chile_2.full_clean()


def test_the_database_refuses_another_governments_previous_round(rounds):
    _chile_1, chile_2, ghana_1 = rounds
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=chile_2.pk).update(previous=ghana_1)
    assert Assessment.objects.get(pk=chile_2.pk).previous.government == chile_2.government


# --- Progress on the previous round's findings ---------------------------------------------


def test_the_inline_refuses_progress_on_another_governments_finding(client, staff, rounds):
    chile_1, chile_2, ghana_1 = rounds
    client.force_login(staff)
    page = client.get(change_url(chile_2))
    formset = next(
        f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is FollowUp
    )
    assert [pk for pk, _ in formset.forms[0].fields["finding"].choices if pk] == [
        potential(chile_1).pk
    ]
    data = form_data(page)
    data.update(
        {
            f"{formset.prefix}-0-finding": str(potential(ghana_1).pk),
            f"{formset.prefix}-0-progress": "addressed",
        }
    )
    response = client.post(change_url(chile_2), data)
    assert response.status_code == 200
    assert not FollowUp.objects.exists()
    assert "Ghana's unpublished finding" not in response.content.decode()


def test_the_progress_page_refuses_a_finding_of_another_assessment(client, staff, rounds):
    chile_1, chile_2, ghana_1 = rounds
    client.force_login(staff)
    for finding, message in [
        (potential(ghana_1), "Choose a finding of this assessment's previous round."),
        (
            chile_1.findings.get(kind=FindingKind.WELL_DEVELOPED),
            "Progress is recorded on areas with potential for development.",
        ),
    ]:
        response = client.post(
            add_url(FollowUp),
            {"assessment": chile_2.pk, "finding": finding.pk, "progress": "addressed"},
        )
        assert response.status_code == 200
        assert errors_of(response)["finding"] == [message]
    assert not FollowUp.objects.exists()
    follow_up = FollowUp.objects.create(
        assessment=chile_2, finding=potential(chile_1), progress="not_yet"
    )
    page = client.get(part_url(follow_up))
    assert list(page.context["adminform"].form.fields["finding"].queryset) == [potential(chile_1)]
    response = client.post(
        part_url(follow_up), {"finding": potential(ghana_1).pk, "progress": "addressed"}
    )
    assert response.status_code == 200
    assert FollowUp.objects.get(pk=follow_up.pk).finding == potential(chile_1)


def test_the_progress_autocomplete_offers_only_areas_for_development_of_followed_rounds(
    client, staff, rounds
):
    chile_1, _chile_2, _ghana_1 = rounds
    client.force_login(staff)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "profiles", "model_name": "followup", "field_name": "finding"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(potential(chile_1).pk)]


def test_the_database_refuses_progress_on_a_finding_outside_the_previous_round(rounds):
    chile_1, chile_2, ghana_1 = rounds
    for finding in (potential(ghana_1), chile_1.findings.get(kind=FindingKind.WELL_DEVELOPED)):
        with pytest.raises(IntegrityError), transaction.atomic():
            FollowUp.objects.create(assessment=chile_2, finding=finding, progress="addressed")
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            assessment=chile_1, finding=potential(chile_1), progress="addressed"
        )


# --- Sources of answers, comments' indicators, parts' assessments ------------------------


def test_an_answer_cites_only_its_own_assessments_sources(client, staff, rounds):
    _chile_1, chile_2, ghana_1 = rounds
    own = Source.objects.create(assessment=chile_2, title="Migration Act")
    foreign = Source.objects.create(assessment=ghana_1, title="Ghana's draft decree")
    answer = Answer.objects.filter(assessment=chile_2).first()
    client.force_login(staff)
    page = client.get(part_url(answer))
    assert list(page.context["adminform"].form.fields["sources"].queryset) == [own]
    assert "Ghana's draft decree" not in page.content.decode()
    data = {"indicator": answer.indicator_id, "value": "absent", "sources": [foreign.pk]}
    response = client.post(part_url(answer), data)
    assert response.status_code == 200
    assert not Answer.objects.get(pk=answer.pk).sources.exists()
    assert client.post(part_url(answer), {**data, "sources": [own.pk]}).status_code == 302
    assert list(Answer.objects.get(pk=answer.pk).sources.all()) == [own]
    with pytest.raises(IntegrityError), transaction.atomic():
        answer.sources.add(foreign)


def test_a_new_answer_with_another_assessments_source_is_refused():
    from profiles.editing.forms import AnswerPartForm

    assessment = AssessmentFactory()
    other = AssessmentFactory(government=GovernmentFactory(country="GH"))
    foreign = Source.objects.create(assessment=other, title="Ghana's draft decree")
    indicator = Indicator.objects.filter(framework=assessment.framework).current().first()
    form = AnswerPartForm(
        {"assessment": assessment.pk, "indicator": indicator.pk, "sources": [foreign.pk]}
    )
    assert not form.is_valid()
    assert form.errors["sources"] == ["Choose sources of this answer's own assessment."]


def test_a_comment_names_an_indicator_of_the_assessments_framework(rounds):
    _chile_1, chile_2, _ghana_1 = rounds
    local = Indicator.objects.filter(framework=Framework.objects.get(slug=LOCAL)).first()
    comment = ConsultationComment(assessment=chile_2, indicator=local, text="x", ministry="y")
    with pytest.raises(ValidationError, match="not part of the assessment's framework"):
        comment.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        comment.save()


def test_a_part_cannot_be_moved_to_another_assessment(client, staff, rounds):
    _chile_1, chile_2, ghana_1 = rounds
    source = Source.objects.create(assessment=chile_2, title="Migration Act")
    client.force_login(staff)
    page = client.get(part_url(source))
    assert "assessment" not in page.context["adminform"].form.fields
    response = client.post(
        part_url(source), {"assessment": ghana_1.pk, "title": "Migration Act", "kind": "law"}
    )
    assert response.status_code == 302
    assert Source.objects.get(pk=source.pk).assessment == chile_2
