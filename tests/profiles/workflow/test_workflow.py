"""Workflow: every allowed and forbidden transition, per role, with its audit row."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from profiles import content, workflow
from profiles.models import (
    Answer,
    AssessmentStatus,
    ConsultationComment,
    Publication,
    PublishedAnswer,
    StatusChange,
)
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory, sign_off_for

pytestmark = pytest.mark.django_db
S = AssessmentStatus


@pytest.fixture
def assessment(government):
    assessment = AssessmentFactory(government=government)
    factories.answer_all(assessment)
    return assessment


def at(assessment, status):
    """Put a test assessment in a status directly (setup only; production uses workflow)."""
    type(assessment).objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    return assessment


def test_full_process_leaves_an_audit_row_per_step(assessment, staff, validator):
    factories.published(assessment, staff=staff, validator=validator)
    rows = list(
        StatusChange.objects.filter(assessment=assessment).values_list(
            "transition", "from_status", "to_status", "by__username"
        )
    )
    assert rows == [
        ("share", "draft", "consultation", "staff"),
        ("submit", "consultation", "submitted", "staff"),
        ("validate", "submitted", "validated", "validator"),
        ("publish", "validated", "published", "staff"),
    ]


@pytest.mark.parametrize(
    ("transition", "start"),
    [(t, s) for t in workflow.TRANSITIONS for s in S.values if s not in t.sources],
)
def test_transition_from_a_wrong_status_is_refused_and_changes_nothing(
    transition, start, assessment, staff, validator
):
    at(assessment, start)
    user = validator if transition in (workflow.VALIDATE, workflow.RETURN) else staff
    with pytest.raises(workflow.InvalidTransition):
        workflow.apply(transition, assessment, by=user, note="n", sign_off=sign_off_for(assessment))
    assessment.refresh_from_db()
    assert assessment.status == start
    assert not StatusChange.objects.filter(assessment=assessment).exists()


@pytest.mark.parametrize("transition", workflow.TRANSITIONS, ids=lambda t: t.name)
def test_focal_point_may_apply_no_transition(transition, assessment, focal_point):
    at(assessment, next(iter(transition.sources)))
    with pytest.raises(PermissionDenied):
        workflow.apply(
            transition, assessment, by=focal_point, note="n", sign_off=sign_off_for(assessment)
        )
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("transition", [workflow.VALIDATE, workflow.RETURN], ids=lambda t: t.name)
def test_validator_of_another_government_and_staff_cannot_sign_off(transition, assessment, staff):
    other = factories.official(GovernmentFactory(country="GH"), role="validator", username="ghv")
    at(assessment, S.SUBMITTED)
    for user in (other, staff):
        with pytest.raises(PermissionDenied):
            workflow.apply(
                transition, assessment, by=user, note="n", sign_off=sign_off_for(assessment)
            )
    assert at(assessment, S.SUBMITTED).status == S.SUBMITTED


@pytest.mark.parametrize(
    "transition",
    [workflow.SHARE, workflow.SUBMIT, workflow.PUBLISH, workflow.WITHDRAW, workflow.REVISE],
    ids=lambda t: t.name,
)
def test_validator_cannot_apply_staff_transitions(transition, assessment, validator):
    at(assessment, next(iter(transition.sources)))
    with pytest.raises(PermissionDenied):
        workflow.apply(transition, assessment, by=validator, note="n")


def test_submit_refuses_unanswered_indicators_and_open_comments(government, staff):
    assessment = at(AssessmentFactory(government=government), S.CONSULTATION)
    with pytest.raises(ValidationError, match="Unanswered indicators"):
        workflow.apply(workflow.SUBMIT, assessment, by=staff)
    factories.answer_all(assessment)
    ConsultationComment.objects.create(assessment=assessment, text="Please check 1.1")
    with pytest.raises(ValidationError, match="not resolved"):
        workflow.apply(workflow.SUBMIT, assessment, by=staff)
    assert at(assessment, S.CONSULTATION).status == S.CONSULTATION


def test_return_needs_a_reason_and_makes_the_assessment_editable(assessment, validator):
    at(assessment, S.SUBMITTED)
    with pytest.raises(ValidationError):
        workflow.apply(workflow.RETURN, assessment, by=validator, note="  ")
    workflow.apply(workflow.RETURN, assessment, by=validator, note="Dimension 2 sources missing")
    assessment.refresh_from_db()
    assert assessment.status == S.RETURNED and assessment.is_editable
    assert StatusChange.objects.get(assessment=assessment).note == "Dimension 2 sources missing"


def test_sign_off_records_the_hash_of_the_validated_content(assessment, staff, validator):
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=sign_off_for(assessment))
    sign_off = assessment.sign_offs.get()
    assert sign_off.content_hash == content.digest(content.build(assessment))
    assert (sign_off.validator_name, sign_off.ministry) == (
        "Ana Validator",
        "Ministry of the Interior",
    )


def test_publication_hash_equals_sign_off_hash_and_content_is_frozen(assessment, staff, validator):
    factories.published(assessment, staff=staff, validator=validator)
    publication = Publication.objects.get(assessment=assessment)
    assert publication.version == 1
    assert publication.content_hash == publication.sign_off.content_hash
    assert content.digest(publication.content) == publication.content_hash
    assert (
        PublishedAnswer.objects.filter(publication=publication).count()
        == assessment.answers.count()
    )


def test_publish_refuses_content_changed_after_sign_off(assessment, staff, validator):
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=sign_off_for(assessment))
    Answer.objects.filter(assessment=assessment).update(justification="Tampered")
    with pytest.raises(ValidationError, match="new sign-off"):
        workflow.apply(workflow.PUBLISH, assessment, by=staff)
    assessment.refresh_from_db()
    assert assessment.status == S.VALIDATED
    assert not Publication.objects.exists()


def test_correction_is_a_new_version_and_the_old_one_stays(assessment, staff, validator):
    factories.published(assessment, staff=staff, validator=validator)
    workflow.apply(workflow.REVISE, assessment, by=staff, note="Fix a typo")
    Answer.objects.filter(assessment=assessment).update(justification="Corrected")
    workflow.bump_revision(assessment)
    factories.published(assessment, staff=staff, validator=validator)
    v1, v2 = Publication.objects.filter(assessment=assessment).order_by("version")
    assert (v1.version, v2.version) == (1, 2)
    assert v1.content_hash != v2.content_hash
    assert "Corrected" not in str(v1.content) and "Corrected" in str(v2.content)
    assert list(Publication.objects.live().order_by("version")) == [v1, v2]


def test_withdraw_takes_every_version_down_with_a_public_reason(assessment, staff, validator):
    factories.published(assessment, staff=staff, validator=validator)
    workflow.apply(workflow.WITHDRAW, assessment, by=staff, note="Published by mistake")
    publication = Publication.objects.get(assessment=assessment)
    assert publication.withdrawn_reason == "Published by mistake"
    assert not Publication.objects.live().exists()


def test_embargoed_publication_is_not_live_until_its_release_time(assessment, staff, validator):
    import datetime

    from django.utils import timezone

    release = timezone.now() + datetime.timedelta(days=2)
    factories.published(assessment, staff=staff, validator=validator, release_at=release)
    assert not Publication.objects.live().exists()
    assert Publication.objects.live(at=release).exists()


def test_content_is_editable_only_in_draft_or_returned(assessment, staff, focal_point):
    for status in S.values:
        at(assessment, status)
        if status in (S.DRAFT, S.RETURNED):
            workflow.assert_editable(assessment, by=focal_point)
        else:
            with pytest.raises(workflow.NotEditable):
                workflow.assert_editable(assessment, by=focal_point)


def test_stale_revision_is_refused(assessment, focal_point):
    opened_at = assessment.revision
    workflow.bump_revision(assessment)  # someone else saved
    with pytest.raises(workflow.NotEditable, match="Someone else saved"):
        workflow.assert_editable(assessment, by=focal_point, revision=opened_at)


def test_focal_point_of_another_government_cannot_edit(assessment):
    other = factories.official(GovernmentFactory(country="GH"), role="focal_point", username="ghf")
    with pytest.raises(workflow.NotEditable):
        workflow.assert_editable(assessment, by=other)


def test_emails_go_out_after_commit_to_the_people_concerned(
    assessment, staff, validator, focal_point, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(workflow.SHARE, assessment, by=staff)
    assert [m.to for m in mail.outbox] == [["focal@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(workflow.SUBMIT, assessment, by=staff)
    assert mail.outbox[-1].to == ["validator@example.org"]
