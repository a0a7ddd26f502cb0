"""The access matrix: every role x every action x own and other government.

`profiles.access` is the one answer to "may this user do this"; this file walks
its whole table (the module docstring's) and, for every action, checks that the
surface a person would use agrees: the admin's change page, the spreadsheet
upload, the membership form, the history list, the consultation and
`workflow.apply`. A rule changed in one place and not the other fails here.

There is no ministry-reviewer role in the portal (GovernmentRole has focal points
and validators; ministries comment through their focal point), so it has no row.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from profiles import access, roles, workflow
from profiles.access import Action
from profiles.editing import spreadsheets
from profiles.models import (
    Assessment,
    AssessmentStatus,
    ConsultationComment,
    Membership,
    StatusChange,
)
from profiles.workflow import consultation
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory

pytestmark = pytest.mark.django_db

ALL, OWN, NONE = "all", "own", "-"
S = AssessmentStatus

NOTHING = dict.fromkeys(Action, NONE)
STAFF_ANSWERS = {
    **NOTHING,
    **dict.fromkeys(
        [
            Action.VIEW,
            Action.EDIT,
            Action.IMPORT,
            Action.COMMENT,
            Action.RESOLVE,
            Action.SHARE,
            Action.REOPEN,
            Action.SUBMIT,
            Action.PUBLISH,
            Action.REVALIDATE,
            Action.REVISE,
            Action.WITHDRAW,
            Action.VIEW_RECORDS,
        ],
        ALL,
    ),
}

#: role -> action -> who: the table of profiles/access.py's docstring.
EXPECTED: dict[str, dict[str, str]] = {
    "iom_staff": STAFF_ANSWERS,
    # Superusers hold every Django permission, but sign off only with a validator role.
    "superuser": {**STAFF_ANSWERS, Action.MANAGE_MEMBERSHIPS: ALL},
    "focal_point": {
        **NOTHING,
        **dict.fromkeys(
            [Action.VIEW, Action.EDIT, Action.IMPORT, Action.COMMENT, Action.VIEW_RECORDS], OWN
        ),
    },
    "validator": {
        **NOTHING,
        **dict.fromkeys([Action.VIEW, Action.RETURN, Action.VALIDATE, Action.VIEW_RECORDS], OWN),
    },
    "administrator": {**NOTHING, Action.MANAGE_MEMBERSHIPS: ALL},
    # A validator membership without the officials' group (so without
    # `profiles.validate_assessment`): the declared permission is enforced.
    "validator_without_permission": NOTHING,
    "staff_flag_without_permission": NOTHING,
    "inactive_staff": NOTHING,
    "anonymous": NOTHING,
}

#: The status each action is asked about: the one in which it could apply.
STATUS_FOR = {
    Action.EDIT: S.DRAFT,
    Action.IMPORT: S.DRAFT,
    Action.COMMENT: S.CONSULTATION,
    Action.RESOLVE: S.CONSULTATION,
    **{Action(name): sorted(t.sources)[0] for name, t in workflow.BY_NAME.items()},
}


def make_user(role: str, government):
    """A user holding `role`; officials hold it for `government`."""
    if role == "anonymous":
        return AnonymousUser()
    user = factories.UserFactory(username=role)
    if role in ("iom_staff", "inactive_staff"):
        user.groups.add(Group.objects.get(name=roles.IOM_STAFF))
        user.is_active = role == "iom_staff"
        user.save(update_fields=["is_active"])
    elif role == "superuser":
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    elif role in ("focal_point", "validator"):
        user.groups.add(Group.objects.get(name=roles.GOVERNMENT_OFFICIALS))
        Membership.objects.create(user=user, government=government, role=role)
    elif role == "validator_without_permission":
        Membership.objects.create(user=user, government=government, role="validator")
    elif role == "administrator":
        user.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    return user


def in_status(assessment: Assessment, status: str) -> Assessment:
    """Put the assessment where the action could apply (the workflow is tested elsewhere)."""
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def sides(government):
    """An assessment of the user's own government and one of another government."""
    other = GovernmentFactory(country="GH")
    return {
        "own": AssessmentFactory(government=government),
        "other": AssessmentFactory(government=other),
    }


def expected(role: str, action: str, side: str) -> bool:
    who = EXPECTED[role][action]
    return who == ALL or (who == OWN and side == "own")


ROLES = list(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_access_answers_every_action_for_own_and_other_governments(role, government, sides):
    user = make_user(role, government)
    answers, wanted = {}, {}
    for action in Action:
        for side, assessment in sides.items():
            assessment = in_status(assessment, STATUS_FOR.get(action, S.DRAFT))
            answers[action.value, side] = access.can(user, action, assessment)
            wanted[action.value, side] = expected(role, action, side)
    assert answers == wanted


# --- The surfaces agree -------------------------------------------------------------------


class _Undo(Exception):
    """Rolls back what an allowed attempt changed."""


def refused(attempt) -> bool:
    """Run `attempt`, then undo it; True if it was refused as not allowed for this user."""
    try:
        with transaction.atomic():
            attempt()
            raise _Undo
    except _Undo:
        return False
    except PermissionDenied:  # workflow.NotEditable is one too
        return True
    except (ValidationError, workflow.InvalidTransition):
        return False  # allowed; refused for another reason (a note, the content)


def admin_url(name: str, *args, **kwargs) -> str:
    return reverse(f"admin:profiles_{name}", args=args, kwargs=kwargs)


def may_view(client, user, assessment) -> bool:
    return client.get(admin_url("assessment_change", assessment.pk)).status_code == 200


def may_edit(client, user, assessment) -> bool:
    response = client.get(admin_url("assessment_change", assessment.pk))
    return response.status_code == 200 and 'name="answer-' in response.content.decode()


def may_import(client, user, assessment) -> bool:
    upload = SimpleUploadedFile("answers.csv", spreadsheets.export_csv(assessment))
    response = client.post(
        admin_url("assessment_spreadsheet_upload", object_id=assessment.pk), {"file": upload}
    )
    return response.status_code == 200 and "Check the changes" in response.content.decode()


def may_comment(client, user, assessment) -> bool:
    return not refused(
        lambda: consultation.add_comment(
            assessment, by=user, indicator=None, ministry="Interior", text="A comment."
        )
    )


def may_resolve(client, user, assessment) -> bool:
    comment = ConsultationComment.objects.create(
        assessment=assessment, ministry="Interior", text="Please check."
    )
    return not refused(
        lambda: consultation.resolve_comment(comment, by=user, resolution="accepted")
    )


def may_view_records(client, user, assessment) -> bool:
    change = StatusChange.objects.create(
        assessment=assessment, transition="share", from_status="draft", to_status="consultation"
    )
    response = client.get(admin_url("statuschange_changelist"))
    return response.status_code == 200 and change in response.context["cl"].result_list


def may_manage_memberships(client, user, assessment) -> bool:
    newcomer = factories.UserFactory(username=f"newcomer-{assessment.pk}")
    client.post(
        admin_url("membership_add"),
        {"user": newcomer.pk, "government": assessment.government_id, "role": "focal_point"},
    )
    return Membership.objects.filter(user=newcomer).exists()


def may_transition(name: str):
    transition = workflow.BY_NAME[name]

    def attempt(client, user, assessment) -> bool:
        return not refused(
            lambda: workflow.apply(
                transition,
                assessment,
                by=user,
                note="A reason.",
                sign_off=factories.sign_off_for(assessment) if name == "validate" else None,
            )
        )

    return attempt


SURFACES = {
    Action.VIEW: may_view,
    Action.EDIT: may_edit,
    Action.IMPORT: may_import,
    Action.COMMENT: may_comment,
    Action.RESOLVE: may_resolve,
    Action.VIEW_RECORDS: may_view_records,
    Action.MANAGE_MEMBERSHIPS: may_manage_memberships,
    **{name: may_transition(name) for name in access.TRANSITION_RULES},
}


def test_every_action_has_a_surface_and_every_transition_a_rule():
    assert set(SURFACES) == set(Action)
    assert set(access.TRANSITION_RULES) == set(workflow.BY_NAME)


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_consultation_and_workflow_agree_with_access(client, role, government, sides):
    """What a person of each role can really do, on each surface, is what access says."""
    factories.answer_all(sides["own"])
    factories.answer_all(sides["other"])
    user = make_user(role, government)
    if role != "anonymous":
        client.force_login(user)
    done, wanted = {}, {}
    for action, surface in SURFACES.items():
        for side, assessment in sides.items():
            assessment = in_status(assessment, STATUS_FOR.get(action, S.DRAFT))
            done[action.value, side] = surface(client, user, assessment)
            wanted[action.value, side] = expected(role, action, side)
    assert done == wanted


# --- When, beside who ------------------------------------------------------------------


@pytest.mark.parametrize("status", list(S))
def test_content_changes_only_as_a_draft_and_comments_only_in_consultation(
    status, staff, government
):
    """Staff may do everything, but only when the assessment's status allows it."""
    assessment = in_status(AssessmentFactory(government=government), status)
    editable = status in (S.DRAFT, S.RETURNED)
    assert access.can_edit(staff, assessment) is editable
    assert access.can_import(staff, assessment) is editable
    assert access.can_comment(staff, assessment) is (status == S.CONSULTATION)
    assert access.can_resolve(staff, assessment) is (status == S.CONSULTATION)


def test_the_officials_group_carries_the_validate_permission(validator, focal_point):
    """Validating needs the permission and a validator role: the focal point has only one."""
    assert access.has_perm(validator, access.VALIDATE_PERMISSION)
    assert access.has_perm(focal_point, access.VALIDATE_PERMISSION)
    assessment = AssessmentFactory(government=Membership.objects.get(user=validator).government)
    assert access.can_validate(validator, assessment)
    assert not access.can_validate(focal_point, assessment)


def test_lists_are_scoped_with_subqueries(
    government, sides, focal_point, staff, django_assert_num_queries
):
    """`assessments_for` is one query, and shows only what the user may see.

    (Django loads a user's permissions once per request; that is not counted.)
    """
    access.sees_all(focal_point)
    with django_assert_num_queries(1):
        assert list(access.assessments_for(focal_point)) == [sides["own"]]
    assert set(access.assessments_for(staff)) == set(sides.values())
    assert not access.assessments_for(AnonymousUser()).exists()


def test_two_factor_is_required_of_everyone_who_reaches_non_public_data(government):
    for role in ROLES:
        user = make_user(role, government)
        reaches_data = role not in ("anonymous", "inactive_staff")
        assert access.requires_two_factor(user) is reaches_data, role
