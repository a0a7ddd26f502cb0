"""The consultation: comments per indicator, resolved by staff; submission waits for them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from indicators.models import Indicator
from profiles import workflow
from profiles.models import AssessmentStatus, ConsultationComment, Resolution
from profiles.workflow import consultation
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory, LocalGovernmentFactory
from tests.profiles.editing.test_admin import at, change_url, messages_of, status_of

pytestmark = pytest.mark.django_db
S = AssessmentStatus


@pytest.fixture
def assessment(government, staff):
    assessment = AssessmentFactory(government=government)
    factories.answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def indicator(assessment):
    return Indicator.objects.filter(framework=assessment.framework).current().first()


def comment_on(assessment, indicator, by, text="Article 12 was amended in 2023."):
    return consultation.add_comment(
        assessment, by=by, indicator=indicator, ministry="Ministry of Labour", text=text
    )


def test_focal_point_and_staff_comment_during_consultation(
    assessment, indicator, focal_point, staff
):
    first = comment_on(assessment, indicator, focal_point)
    second = comment_on(assessment, indicator, staff, text="Staff note")
    assert (first.author, first.ministry, first.indicator, first.resolution) == (
        focal_point,
        "Ministry of Labour",
        indicator,
        Resolution.OPEN,
    )
    assert second.author == staff


@pytest.mark.parametrize("status", [s for s in S.values if s != S.CONSULTATION])
def test_comments_are_taken_only_during_consultation(status, assessment, indicator, focal_point):
    at(assessment, status)
    with pytest.raises(ValidationError):
        comment_on(assessment, indicator, focal_point)
    assert not ConsultationComment.objects.exists()


def test_validators_and_other_governments_cannot_comment(assessment, indicator, validator):
    other = factories.official(GovernmentFactory(country="GH"), role="focal_point", username="gh")
    for user in (validator, other):
        with pytest.raises(PermissionDenied):
            comment_on(assessment, indicator, user)
    assert not ConsultationComment.objects.exists()


def test_a_comment_names_an_indicator_of_the_assessments_framework(assessment, focal_point):
    local = AssessmentFactory(government=LocalGovernmentFactory())
    foreign = Indicator.objects.filter(framework=local.framework).first()
    with pytest.raises(ValidationError):
        comment_on(assessment, foreign, focal_point)


def test_staff_accept_or_decline_with_a_reason(assessment, indicator, focal_point, staff):
    accepted = comment_on(assessment, indicator, focal_point)
    declined = comment_on(assessment, indicator, focal_point, text="Second")
    consultation.resolve_comment(accepted, by=staff, resolution=Resolution.ACCEPTED)
    with pytest.raises(ValidationError):
        consultation.resolve_comment(declined, by=staff, resolution=Resolution.DECLINED, note=" ")
    consultation.resolve_comment(
        declined, by=staff, resolution=Resolution.DECLINED, note="The law is not in force yet."
    )
    accepted.refresh_from_db()
    declined.refresh_from_db()
    assert (accepted.resolution, accepted.resolved_by) == (Resolution.ACCEPTED, staff)
    assert accepted.resolved_at is not None
    assert (declined.resolution, declined.resolution_note) == (
        Resolution.DECLINED,
        "The law is not in force yet.",
    )
    with pytest.raises(ValidationError):  # a resolution is final
        consultation.resolve_comment(accepted, by=staff, resolution=Resolution.DECLINED, note="x")


def test_only_staff_resolve_and_only_during_consultation(
    assessment, indicator, focal_point, validator, staff
):
    comment = comment_on(assessment, indicator, focal_point)
    for user in (focal_point, validator):
        with pytest.raises(PermissionDenied):
            consultation.resolve_comment(comment, by=user, resolution=Resolution.ACCEPTED)
    workflow.apply(workflow.REOPEN, assessment, by=staff, note="More work")
    with pytest.raises(ValidationError):
        consultation.resolve_comment(comment, by=staff, resolution=Resolution.ACCEPTED)
    comment.refresh_from_db()
    assert comment.resolution == Resolution.OPEN


def test_submission_waits_until_every_comment_is_resolved(
    assessment, indicator, focal_point, staff
):
    comment = comment_on(assessment, indicator, focal_point)
    with pytest.raises(ValidationError):
        workflow.apply(workflow.SUBMIT, assessment, by=staff)
    consultation.resolve_comment(comment, by=staff, resolution=Resolution.ACCEPTED)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    assert status_of(assessment) == S.SUBMITTED


# --- In admin --------------------------------------------------------------------------


def test_focal_point_comments_and_staff_resolve_on_the_assessment_page(
    client, assessment, indicator, focal_point, staff
):
    client.force_login(focal_point)
    page = client.get(change_url(assessment)).content.decode()
    assert 'id="add-comment"' in page and "Resolve" not in page
    response = client.post(
        reverse("admin:profiles_assessment_add_comment", args=[assessment.pk]),
        {"indicator": indicator.pk, "ministry": "Ministry of Health", "text": "See decree 4."},
        follow=True,
    )
    assert "Your comment is recorded." in messages_of(response)
    comment = ConsultationComment.objects.get(assessment=assessment)
    assert (comment.author, comment.indicator, comment.text) == (
        focal_point,
        indicator,
        "See decree 4.",
    )

    client.force_login(staff)
    page = client.get(change_url(assessment)).content.decode()
    assert "See decree 4." in page and f'id="resolve-{comment.pk}-declined"' in page
    resolve = reverse("admin:profiles_assessment_resolve_comment", args=[assessment.pk, comment.pk])
    response = client.post(resolve, {"resolution": "declined", "note": ""}, follow=True)
    assert any("reason for declining" in m for m in messages_of(response))
    comment.refresh_from_db()
    assert comment.resolution == Resolution.OPEN
    client.post(resolve, {"resolution": "declined", "note": "Decree 4 was repealed."})
    comment.refresh_from_db()
    assert (comment.resolution, comment.resolved_by) == (Resolution.DECLINED, staff)
    assert "Decree 4 was repealed." in client.get(change_url(assessment)).content.decode()


def test_focal_point_cannot_resolve_from_the_page(client, assessment, indicator, focal_point):
    comment = comment_on(assessment, indicator, focal_point)
    client.force_login(focal_point)
    resolve = reverse("admin:profiles_assessment_resolve_comment", args=[assessment.pk, comment.pk])
    response = client.post(resolve, {"resolution": "accepted"}, follow=True)
    assert any("Only IOM staff" in m for m in messages_of(response))
    comment.refresh_from_db()
    assert comment.resolution == Resolution.OPEN


def test_validator_sees_comments_but_no_comment_form(
    client, assessment, indicator, focal_point, validator
):
    comment_on(assessment, indicator, focal_point, text="Visible to the validator")
    client.force_login(validator)
    page = client.get(change_url(assessment)).content.decode()
    assert "Visible to the validator" in page and 'id="add-comment"' not in page
