"""A framework change that alters signed content sends the assessment back to its validator.

A validated assessment's sign-off covers the framework's text too (questions,
dimension and area names). When `sync_framework` changes that text, the
assessment could never be published as signed: the portal sends it back for
validation with the reason in the audit row, and staff can do the same by hand.
"""

import csv
import io
import shutil

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from indicators import loader
from indicators.models import Framework, Indicator
from profiles import workflow
from profiles.models import AssessmentStatus, Publication, StatusChange
from tests import factories
from tests.factories import NATIONAL, AssessmentFactory, LocalGovernmentFactory, sign_off_for
from tests.profiles.editing.test_admin import change_url, status_of, transition_url

pytestmark = pytest.mark.django_db
S = AssessmentStatus
NEW_QUESTION = "Does the law guarantee migrants access to emergency health care, reworded?"


def validated(assessment, *, staff, validator):
    factories.answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=sign_off_for(assessment))
    assert status_of(assessment) == S.VALIDATED
    return assessment


@pytest.fixture
def assessment(government, staff, validator):
    return validated(AssessmentFactory(government=government), staff=staff, validator=validator)


def framework_copy(tmp_path, *, slug: str = NATIONAL, **changes) -> tuple:
    """The shipped framework files, with `changes` (column=value) on one indicator of `slug`."""
    data = tmp_path / "framework"
    shutil.copytree(loader.DATA_DIR, data)
    with (data / "frameworks.csv").open(encoding="utf-8", newline="") as handle:
        name = next(row["file"] for row in csv.DictReader(handle) if row["slug"] == slug)
    path = data / "frameworks" / name
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    rows[0].update(changes)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return data, rows[0]["code"]


def test_a_reworded_question_sends_the_validated_assessment_back_to_its_validator(
    assessment, staff, validator, tmp_path, django_capture_on_commit_callbacks
):
    data, code = framework_copy(tmp_path, question=NEW_QUESTION)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sync_framework", data_dir=data, stdout=io.StringIO())
    assert status_of(assessment) == S.SUBMITTED
    change = StatusChange.objects.get(assessment=assessment, transition="revalidate")
    assert (change.from_status, change.to_status, change.by) == (S.VALIDATED, S.SUBMITTED, None)
    assert change.note == (
        f"The framework text changed after sign-off (indicator {code}): "
        "please review and validate again."
    )
    assert mail.outbox[-1].to == ["validator@example.org"]
    assert change.note in mail.outbox[-1].body

    # The way forward: the validator reviews the new wording and signs off; staff publish.
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=sign_off_for(assessment))
    workflow.apply(workflow.PUBLISH, assessment, by=staff)
    publication = Publication.objects.get(assessment=assessment)
    assert publication.content_hash == publication.sign_off.content_hash
    assert NEW_QUESTION in str(publication.content)


def test_changes_outside_the_signed_content_leave_validated_assessments_alone(
    assessment, staff, tmp_path, django_capture_on_commit_callbacks
):
    """Guidance is not in the profile; a local framework change is not this assessment's."""
    data, code = framework_copy(tmp_path, guidance="New guidance for assessors.")
    local_data, _local = framework_copy(
        tmp_path / "local", slug="mgi-local-2019", question="A reworded local question?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = loader.sync(data)
        loader.sync(local_data)
    assert report.changed == {Framework.objects.get(slug=NATIONAL).pk: {code}}
    assert status_of(assessment) == S.VALIDATED
    assert not StatusChange.objects.filter(transition="revalidate").exists()
    workflow.apply(workflow.PUBLISH, assessment, by=staff)
    assert status_of(assessment) == S.PUBLISHED


def test_a_dry_run_changes_nothing(assessment, tmp_path, django_capture_on_commit_callbacks):
    data, _code = framework_copy(tmp_path, question=NEW_QUESTION)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        loader.sync(data, dry_run=True)
    assert callbacks == []
    assert status_of(assessment) == S.VALIDATED


def test_the_loader_reports_which_indicators_changed(tmp_path, django_capture_on_commit_callbacks):
    from indicators.signals import framework_changed

    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    framework_changed.connect(receiver)
    try:
        data, code = framework_copy(tmp_path, question=NEW_QUESTION)
        with django_capture_on_commit_callbacks(execute=True):
            loader.sync(loader.DATA_DIR)  # unchanged files: nothing to report
            loader.sync(data)
    finally:
        framework_changed.disconnect(receiver)
    national = Framework.objects.get(slug=NATIONAL).pk
    assert [(r["framework_ids"], r["indicator_codes"]) for r in received] == [
        ([national], {national: [code]})
    ]


def test_staff_send_stale_validated_content_back_from_the_assessment_page(
    client, assessment, staff, validator
):
    """The framework text changed and nothing sent it back (e.g. edited in the database)."""
    client.force_login(staff)
    html = client.get(change_url(assessment)).content.decode()
    assert transition_url(assessment, "publish") in html
    assert transition_url(assessment, "revalidate") not in html

    first = Indicator.objects.filter(framework=assessment.framework).current().first()
    Indicator.objects.filter(pk=first.pk).update(question=NEW_QUESTION)
    html = client.get(change_url(assessment)).content.decode()
    assert transition_url(assessment, "publish") not in html
    assert transition_url(assessment, "revalidate") in html
    assert 'id="revalidate-why"' in html
    response = client.post(transition_url(assessment, "publish"), {"note": ""}, follow=True)
    assert status_of(assessment) == S.VALIDATED
    assert any("send it back for validation" in str(m) for m in response.context["messages"])

    client.post(transition_url(assessment, "revalidate"), {"note": "Question 1 was reworded."})
    assert status_of(assessment) == S.SUBMITTED
    change = StatusChange.objects.get(assessment=assessment, transition="revalidate")
    assert change.by == staff
    assert change.note.startswith("The content changed after the government's sign-off")
    assert change.note.endswith("\n\nQuestion 1 was reworded.")
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=sign_off_for(assessment))
    workflow.apply(workflow.PUBLISH, assessment, by=staff)
    assert status_of(assessment) == S.PUBLISHED


def test_the_history_shows_the_system_as_the_author(client, assessment, staff):
    Indicator.objects.filter(framework=assessment.framework).update(question=NEW_QUESTION)
    workflow.apply(workflow.REVALIDATE, assessment, by=None)
    client.force_login(staff)
    html = client.get(change_url(assessment)).content.decode()
    history = html[html.index('id="status-history"') :]
    assert "<td>system</td>" in history
    assert "please review and validate again." in history
    listing = client.get("/admin/profiles/statuschange/?transition=revalidate")
    assert "system" in listing.content.decode()


def test_revalidate_only_while_the_sign_off_is_stale_and_only_by_staff(
    assessment, staff, validator, focal_point
):
    with pytest.raises(ValidationError, match="still what the government validated"):
        workflow.apply(workflow.REVALIDATE, assessment, by=staff)
    Indicator.objects.filter(framework=assessment.framework).update(question=NEW_QUESTION)
    for user in (validator, focal_point):
        with pytest.raises(PermissionDenied):
            workflow.apply(workflow.REVALIDATE, assessment, by=user)
    # The portal itself may apply only the transitions meant for it.
    with pytest.raises(PermissionDenied):
        workflow.apply(workflow.PUBLISH, assessment, by=None)
    assessment.refresh_from_db()
    assert workflow.available(assessment, staff) == [workflow.REVALIDATE]
    assert status_of(assessment) == S.VALIDATED
    assert not StatusChange.objects.filter(transition="revalidate").exists()


def test_only_validated_assessments_of_the_changed_framework_go_back(
    government, staff, validator, tmp_path, django_capture_on_commit_callbacks
):
    submitted = AssessmentFactory(government=government, year=2021)
    factories.answer_all(submitted)
    workflow.apply(workflow.SHARE, submitted, by=staff)
    workflow.apply(workflow.SUBMIT, submitted, by=staff)
    local = LocalGovernmentFactory()
    local_validator = factories.official(local, role="validator", username="local-v")
    other = validated(AssessmentFactory(government=local), staff=staff, validator=local_validator)
    data, _code = framework_copy(tmp_path, question=NEW_QUESTION)
    with django_capture_on_commit_callbacks(execute=True):
        loader.sync(data)
    assert (status_of(submitted), status_of(other)) == (S.SUBMITTED, S.VALIDATED)
    assert not StatusChange.objects.filter(transition="revalidate").exists()
