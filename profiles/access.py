"""The one access policy: may this user do this to this government, assessment or file?

Every place that asks (admin querysets, actions, autocompletes and raw-id popups,
the "view on site" shortcut, the spreadsheet pages, the consultation, the
workflow's transitions, the two-factor rule, management commands) asks here, so
the answer is the same everywhere and a new surface cannot forget a rule.

Who is who:

- **IOM staff**: the `IOM staff` group; `profiles.view_all_assessments` makes them
  act for every government. Superusers count as IOM staff.
- **Focal point** / **validator**: the `Government officials` group (the kind of
  access) plus a `Membership` with that role for one government (for which one).
- **Administrator**: the `Administrators` group; manages users and memberships of
  every government, reads no assessment content.
- Anyone else (anonymous, inactive, a staff flag without a group) may do nothing.

Role x action ("own": the user's governments only; "-": never):

======================= ========= =========== =========== ============= ==========
action                  IOM staff focal point validator   administrator others
======================= ========= =========== =========== ============= ==========
view assessment         all       own         own         -             -
edit content (*)        all       own         -           -             -
import spreadsheet (*)  all       own         -           -             -
comment (c)             all       own         -           -             -
resolve comment (c)     all       -           -           -             -
share, reopen           all       -           -           -             -
submit                  all       -           -           -             -
return, validate        -         -           own (v)     -             -
publish, revalidate     all       -           -           -             -
revise                  all       -           -           -             -
withdraw                all       -           -           -             -
view sign-off, history  all       own         own         -             -
manage memberships      -         -           -           all           -
======================= ========= =========== =========== ============= ==========

(*) only while the assessment is a draft or returned; (c) only during the
consultation; (v) with `profiles.validate_assessment`, which the officials' group
carries. Each transition also needs the assessment to be in one of its source
statuses: that is the workflow graph's rule (`profiles.workflow.transitions`),
not a question of who; these predicates answer who.

Questions about many rows are answered with subqueries (`government_ids`), so a
list costs no extra query; `for_request` remembers per-object answers for one
request, because the admin asks the same question many times while drawing a page.

May import: models only (import-linter: "access imports only models").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from profiles.models import (
    EDITABLE_STATUSES,
    Assessment,
    AssessmentStatus,
    GovernmentRole,
    Membership,
    Publication,
)

#: Whoever asks: a signed-in user or the anonymous visitor.
AnyUser = User | AnonymousUser
M = TypeVar("M", bound=Model)

VIEW_ALL = "profiles.view_all_assessments"
VALIDATE_PERMISSION = "profiles.validate_assessment"


class Action(StrEnum):
    """Everything one may do to an assessment (or, for memberships, to a government)."""

    VIEW = "view"
    EDIT = "edit"
    IMPORT = "import"
    COMMENT = "comment"
    RESOLVE = "resolve"
    SHARE = "share"
    REOPEN = "reopen"
    SUBMIT = "submit"
    RETURN = "return"
    VALIDATE = "validate"
    PUBLISH = "publish"
    REVALIDATE = "revalidate"
    REVISE = "revise"
    WITHDRAW = "withdraw"
    VIEW_RECORDS = "view_records"
    MANAGE_MEMBERSHIPS = "manage_memberships"


# --- Who the user is -------------------------------------------------------------------


def is_active(user: AnyUser) -> bool:
    """Signed in and not deactivated: nobody else may do anything here."""
    return bool(user.is_authenticated and user.is_active)


def has_perm(user: AnyUser, permission: str) -> bool:
    """A Django permission of an active user (superusers hold every permission)."""
    return is_active(user) and user.has_perm(permission)


def sees_all(user: AnyUser) -> bool:
    """IOM staff and superusers act for every government."""
    return is_active(user) and (user.is_superuser or has_perm(user, VIEW_ALL))


def memberships(user: AnyUser) -> QuerySet[Membership]:
    """The roles `user` holds, per government (none for the anonymous or inactive)."""
    if not is_active(user) or user.pk is None:
        return Membership.objects.none()
    return Membership.objects.filter(user_id=user.pk)


def government_ids(user: AnyUser, roles: Iterable[str] | None = None) -> QuerySet:
    """The governments `user` holds a role for (any, or one of `roles`), as a subquery."""
    held = memberships(user)
    if roles is not None:
        held = held.filter(role__in=list(roles))
    return held.values("government_id")


def has_role(user: AnyUser, government_id: int, role: str) -> bool:
    """Whether `user` holds `role` for the government."""
    return memberships(user).filter(government_id=government_id, role=role).exists()


def is_member(user: AnyUser, government_id: int) -> bool:
    """Whether `user` holds any role for the government."""
    return memberships(user).filter(government_id=government_id).exists()


def requires_two_factor(user: AnyUser) -> bool:
    """Whether `user` can reach non-public data: staff, superusers and government officials."""
    if not is_active(user):
        return False
    return user.is_staff or user.is_superuser or memberships(user).exists()


# --- Which rows ------------------------------------------------------------------------


def scope(queryset: QuerySet[M], user: AnyUser, *, via: str, also_if: str = "") -> QuerySet[M]:
    """The rows of `queryset` whose government `user` may see.

    `via` is the lookup from the model to its Government ("" for Government
    itself). `also_if` names a permission that sees every government here too
    (administrators see every government and membership: assigning roles is their job).
    """
    if sees_all(user) or (also_if and has_perm(user, also_if)):
        return queryset
    lookup = f"{via}__in" if via else "pk__in"
    return queryset.filter(**{lookup: government_ids(user)})


def assessments_for(user: AnyUser) -> QuerySet[Assessment]:
    """Assessments `user` may see: staff every government's, officials their governments'."""
    return scope(Assessment.objects.all(), user, via="government")


def editable_assessments(user: AnyUser) -> QuerySet[Assessment]:
    """Assessments whose content `user` may change now (the admin's choices for a new part)."""
    queryset = Assessment.objects.editable()
    if not has_perm(user, "profiles.change_assessment"):
        return queryset.none()
    if sees_all(user):
        return queryset
    return queryset.filter(government__in=government_ids(user, [GovernmentRole.FOCAL_POINT]))


# --- One assessment --------------------------------------------------------------------


def can_view(user: AnyUser, assessment: Assessment) -> bool:
    """Read an assessment (draft or not): staff, or an official of its government."""
    return has_perm(user, "profiles.view_assessment") and (
        sees_all(user) or is_member(user, assessment.government_id)
    )


def can_view_records(user: AnyUser, assessment: Assessment) -> bool:
    """Read its sign-offs and status history: whoever may read the assessment."""
    return has_perm(user, "profiles.view_signoff") and (
        sees_all(user) or is_member(user, assessment.government_id)
    )


def can_edit(user: AnyUser, assessment: Assessment) -> bool:
    """Change the content now: a draft or returned round, by staff or a focal point."""
    if assessment.status not in EDITABLE_STATUSES:
        return False
    return has_perm(user, "profiles.change_assessment") and (
        sees_all(user) or has_role(user, assessment.government_id, GovernmentRole.FOCAL_POINT)
    )


def can_import(user: AnyUser, assessment: Assessment) -> bool:
    """Upload a spreadsheet of answers: exactly who may edit the content now."""
    return can_edit(user, assessment)


def can_comment(user: AnyUser, assessment: Assessment) -> bool:
    """Comment during the consultation: staff, or a focal point of the government."""
    if assessment.status != AssessmentStatus.CONSULTATION:
        return False
    return sees_all(user) or has_role(user, assessment.government_id, GovernmentRole.FOCAL_POINT)


def can_resolve(user: AnyUser, assessment: Assessment) -> bool:
    """Resolve consultation comments: staff, during the consultation."""
    return (
        assessment.status == AssessmentStatus.CONSULTATION
        and sees_all(user)
        and has_perm(user, "profiles.change_consultationcomment")
    )


def _staff_with(permission: str) -> Callable[[AnyUser, Assessment], bool]:
    def check(user: AnyUser, assessment: Assessment) -> bool:
        return has_perm(user, permission)

    return check


def _validator(user: AnyUser, assessment: Assessment) -> bool:
    return has_perm(user, VALIDATE_PERMISSION) and has_role(
        user, assessment.government_id, GovernmentRole.VALIDATOR
    )


#: Who may apply each workflow transition (by its name); when is the workflow graph's rule.
TRANSITION_RULES: dict[str, Callable[[AnyUser, Assessment], bool]] = {
    Action.SHARE: _staff_with("profiles.share_assessment"),
    Action.REOPEN: _staff_with("profiles.share_assessment"),
    Action.SUBMIT: _staff_with("profiles.submit_assessment"),
    Action.RETURN: _validator,
    Action.VALIDATE: _validator,
    Action.PUBLISH: _staff_with("profiles.publish_assessment"),
    Action.REVALIDATE: _staff_with("profiles.publish_assessment"),
    Action.REVISE: _staff_with("profiles.publish_assessment"),
    Action.WITHDRAW: _staff_with("profiles.withdraw_publication"),
}


def can_transition(user: AnyUser, name: str, assessment: Assessment) -> bool:
    """Apply the transition called `name` to this government's assessment (status aside)."""
    rule = TRANSITION_RULES.get(name)
    return rule is not None and rule(user, assessment)


def can_validate(user: AnyUser, assessment: Assessment) -> bool:
    """Sign off for the government: its validator, holding `profiles.validate_assessment`."""
    return can_transition(user, Action.VALIDATE, assessment)


def can_manage_memberships(user: AnyUser) -> bool:
    """Give and take government roles: administrators, for every government."""
    return has_perm(user, "profiles.change_membership")


def can_view_publication(user: AnyUser, publication: Publication) -> bool:
    """A publication's public address: once live for everyone; before that, staff only."""
    return sees_all(user) or Publication.objects.live().filter(pk=publication.pk).exists()


_ASSESSMENT_RULES: dict[str, Callable[[AnyUser, Assessment], bool]] = {
    Action.VIEW: can_view,
    Action.EDIT: can_edit,
    Action.IMPORT: can_import,
    Action.COMMENT: can_comment,
    Action.RESOLVE: can_resolve,
    Action.VIEW_RECORDS: can_view_records,
    Action.MANAGE_MEMBERSHIPS: lambda user, assessment: can_manage_memberships(user),
    **TRANSITION_RULES,
}


def can(user: AnyUser, action: str, assessment: Assessment) -> bool:
    """The answer for any `Action` on one assessment (the table in this module's docstring)."""
    return _ASSESSMENT_RULES[action](user, assessment)


# --- Remembered for one request ----------------------------------------------------------


class RequestAccess:
    """This module's answers for one request's user, remembered for that request.

    An admin page asks "may they edit this?" once per inline, field and button;
    each answer costs a query, so it is computed once per (assessment, status).
    """

    def __init__(self, user: AnyUser):
        self.user = user
        self._sees_all: bool | None = None
        self._can_edit: dict[tuple[int | None, str], bool] = {}

    def sees_all(self) -> bool:
        if self._sees_all is None:
            self._sees_all = sees_all(self.user)
        return self._sees_all

    def can_edit(self, assessment: Assessment) -> bool:
        key = (assessment.pk, assessment.status)
        if key not in self._can_edit:
            self._can_edit[key] = can_edit(self.user, assessment)
        return self._can_edit[key]


def for_request(request: HttpRequest) -> RequestAccess:
    """The remembered answers for `request.user` (made on first use)."""
    remembered = request.__dict__.get("_mgi_access")
    if remembered is None or remembered.user is not request.user:
        remembered = RequestAccess(request.user)
        request.__dict__["_mgi_access"] = remembered
    return remembered
