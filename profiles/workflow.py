"""The assessment workflow: the only code that changes an assessment's status.

The graph follows the MGI process: staff prepare a draft, share it with the
government for the inter-ministerial consultation, submit it for validation; the
government's validator signs off (or returns it with reasons); staff publish the
validated content, now or at an agreed embargo time. A correction after
publication starts a new draft whose next publication is a new version.

Every transition is permission-checked (Django permissions for IOM staff, a
per-government Membership for government officials), runs in one transaction
with the row locked, leaves a StatusChange audit row, and sends its emails only
after commit.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from profiles import content as profile_content
from profiles import publishing
from profiles.models import (
    EDITABLE_STATUSES,
    Assessment,
    ConsultationComment,
    GovernmentRole,
    Membership,
    Publication,
    Resolution,
    SignOff,
    StatusChange,
)
from profiles.models import AssessmentStatus as S

User = get_user_model()


class InvalidTransition(Exception):
    """The transition does not start from the assessment's present status."""


class NotEditable(PermissionDenied):
    """Content was changed outside draft or returned, or from a stale revision."""


def is_staff_with(permission: str) -> Callable[[User, Assessment], bool]:
    """IOM staff: a Django permission, valid for every government."""

    def check(user: User, assessment: Assessment) -> bool:
        return user.is_active and user.has_perm(permission)

    return check


def has_role(role: str) -> Callable[[User, Assessment], bool]:
    """A government official: a membership for this assessment's government."""

    def check(user: User, assessment: Assessment) -> bool:
        return user.is_active and has_membership(user, assessment.government_id, role)

    return check


def has_membership(user: User, government_id: int, role: str) -> bool:
    """Whether `user` holds `role` for the government."""
    return Membership.objects.filter(user=user, government_id=government_id, role=role).exists()


@dataclass(frozen=True)
class Transition:
    """One edge of the workflow graph."""

    name: str
    label: str
    sources: frozenset[str]
    target: str
    allowed: Callable[[User, Assessment], bool]
    note_required: bool = False


SHARE = Transition(
    "share", gettext_lazy("Share for consultation"), frozenset({S.DRAFT, S.RETURNED}),
    S.CONSULTATION, is_staff_with("profiles.share_assessment"),
)  # fmt: skip
REOPEN = Transition(
    "reopen", gettext_lazy("Reopen as draft"), frozenset({S.CONSULTATION, S.SUBMITTED}),
    S.DRAFT, is_staff_with("profiles.share_assessment"), note_required=True,
)  # fmt: skip
SUBMIT = Transition(
    "submit", gettext_lazy("Submit for validation"), frozenset({S.CONSULTATION, S.RETURNED}),
    S.SUBMITTED, is_staff_with("profiles.submit_assessment"),
)  # fmt: skip
RETURN = Transition(
    "return", gettext_lazy("Return with reasons"), frozenset({S.SUBMITTED}),
    S.RETURNED, has_role(GovernmentRole.VALIDATOR), note_required=True,
)  # fmt: skip
VALIDATE = Transition(
    "validate", gettext_lazy("Validate (sign off)"), frozenset({S.SUBMITTED}),
    S.VALIDATED, has_role(GovernmentRole.VALIDATOR),
)  # fmt: skip
PUBLISH = Transition(
    "publish", gettext_lazy("Publish"), frozenset({S.VALIDATED}),
    S.PUBLISHED, is_staff_with("profiles.publish_assessment"),
)  # fmt: skip
REVISE = Transition(
    "revise", gettext_lazy("Start a correction"), frozenset({S.PUBLISHED}),
    S.DRAFT, is_staff_with("profiles.publish_assessment"), note_required=True,
)  # fmt: skip
WITHDRAW = Transition(
    "withdraw", gettext_lazy("Withdraw publication"), frozenset({S.PUBLISHED}),
    S.WITHDRAWN, is_staff_with("profiles.withdraw_publication"), note_required=True,
)  # fmt: skip

TRANSITIONS = (SHARE, REOPEN, SUBMIT, RETURN, VALIDATE, PUBLISH, REVISE, WITHDRAW)
BY_NAME = {t.name: t for t in TRANSITIONS}


def available(assessment: Assessment, user: User) -> list[Transition]:
    """Transitions `user` may apply to `assessment` now."""
    return [
        t for t in TRANSITIONS if assessment.status in t.sources and t.allowed(user, assessment)
    ]


def can_edit(user: User, assessment: Assessment) -> bool:
    """Whether `user` may change the content now: editable status, and staff or focal point."""
    if assessment.status not in EDITABLE_STATUSES or not user.is_active:
        return False
    return user.has_perm("profiles.change_assessment") and (
        user.has_perm("profiles.view_all_assessments")
        or has_membership(user, assessment.government_id, GovernmentRole.FOCAL_POINT)
    )


def assert_editable(
    assessment: Assessment, *, by: User | None = None, revision: int | None = None
) -> None:
    """Raise NotEditable unless content may change now (and, if given, by `by` at `revision`).

    `revision` is the revision the editor started from: if someone saved in between,
    the edit is refused instead of silently overwriting theirs.
    """
    current = Assessment.objects.only("status", "revision", "government_id").get(pk=assessment.pk)
    if current.status not in EDITABLE_STATUSES:
        raise NotEditable(
            _("This assessment is %(status)s; its content can only change as a draft.")
            % {"status": current.get_status_display().lower()}
        )
    if by is not None and not can_edit(by, current):
        raise NotEditable(_("You may not edit this assessment."))
    if revision is not None and revision != current.revision:
        raise NotEditable(
            _(
                "Someone else saved this assessment since you opened it. Reload to see their changes."
            )
        )


def bump_revision(assessment: Assessment) -> None:
    """Record that the content changed (optimistic locking for concurrent editors)."""
    from django.db.models import F

    Assessment.objects.filter(pk=assessment.pk).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    assessment.refresh_from_db(fields=["revision", "updated_at"])


@dataclass(frozen=True)
class SignOffDetails:
    """What a validator states when signing off."""

    name: str
    title: str
    ministry: str
    statement: str


@transaction.atomic
def apply(
    transition: Transition,
    assessment: Assessment,
    *,
    by: User,
    note: str = "",
    sign_off: SignOffDetails | None = None,
    release_at: datetime.datetime | None = None,
) -> Assessment:
    """Move `assessment` along `transition`, or raise and change nothing.

    Raises InvalidTransition (wrong status), PermissionDenied (not allowed for this
    user and government) or ValidationError (missing note, incomplete assessment,
    unresolved comments, content changed since sign-off).
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("government").get(pk=assessment.pk)
    )
    if assessment.status not in transition.sources:
        raise InvalidTransition(
            _("Cannot %(action)s an assessment that is %(status)s.")
            % {"action": transition.name, "status": assessment.get_status_display().lower()}
        )
    if not transition.allowed(by, assessment):
        raise PermissionDenied(
            _("You may not %(action)s this assessment.") % {"action": transition.name}
        )
    if transition.note_required and not note.strip():
        raise ValidationError(_("Give a reason: it is recorded and shown to the people concerned."))

    if transition is SUBMIT:
        ensure_ready_for_validation(assessment)
    elif transition is VALIDATE:
        if sign_off is None:
            raise ValidationError(_("Validation needs the sign-off details."))
        record_sign_off(assessment, by=by, details=sign_off)
    elif transition is PUBLISH:
        publishing.publish(assessment, by=by, release_at=release_at or timezone.now())
    elif transition is WITHDRAW:
        Publication.objects.filter(assessment=assessment, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_reason=note.strip()
        )
        from profiles import caching, opendata

        caching.public_content_changed()  # after commit: cached pages forget it
        opendata.schedule_rebuild()  # after commit: drop it from the dataset at /data/

    old = assessment.status
    assessment.status = transition.target
    assessment.save(update_fields=["status", "updated_at"])
    StatusChange.objects.create(
        assessment=assessment, transition=transition.name, from_status=old,
        to_status=transition.target, by=by, note=note.strip(),
    )  # fmt: skip
    transaction.on_commit(lambda: notify(assessment.pk, transition.name, note))
    return assessment


def ensure_ready_for_validation(assessment: Assessment) -> None:
    """Refuse submission while indicators are unanswered or comments unresolved."""
    problems = []
    from indicators.models import Indicator

    indicators = Indicator.objects.filter(framework_id=assessment.framework_id).current()
    unanswered = indicators.exclude(
        answers__assessment=assessment, answers__value__gt=""
    ).values_list("code", flat=True)
    if unanswered:
        problems.append(
            _("Unanswered indicators: %(codes)s.") % {"codes": ", ".join(unanswered[:20])}
        )
    open_comments = ConsultationComment.objects.filter(
        assessment=assessment, resolution=Resolution.OPEN
    ).count()
    if open_comments:
        problems.append(
            _("%(count)d consultation comment(s) are not resolved.") % {"count": open_comments}
        )
    if problems:
        raise ValidationError(problems)


def record_sign_off(assessment: Assessment, *, by: User, details: SignOffDetails) -> SignOff:
    """Store who validated what: the SHA-256 of the exact content at this moment."""
    missing = [
        f for f in ("name", "title", "ministry", "statement") if not getattr(details, f).strip()
    ]
    if missing:
        raise ValidationError(_("The sign-off needs: %(fields)s.") % {"fields": ", ".join(missing)})
    content = profile_content.build(assessment)
    return SignOff.objects.create(
        assessment=assessment,
        validator=by,
        validator_name=details.name.strip(),
        title=details.title.strip(),
        ministry=details.ministry.strip(),
        statement=details.statement.strip(),
        content_hash=profile_content.digest(content),
        languages=[assessment.original_language, *content["translations"]],
    )


def notify(assessment_id: int, transition_name: str, note: str) -> None:
    """Email the people concerned by a transition (runs after commit)."""
    assessment = Assessment.objects.select_related("government").get(pk=assessment_id)
    roles = {
        "share": [GovernmentRole.FOCAL_POINT],
        "submit": [GovernmentRole.VALIDATOR],
        "publish": [GovernmentRole.FOCAL_POINT, GovernmentRole.VALIDATOR],
        "withdraw": [GovernmentRole.FOCAL_POINT, GovernmentRole.VALIDATOR],
    }.get(transition_name, [])
    officials = User.objects.filter(
        memberships__government=assessment.government, memberships__role__in=roles, is_active=True
    )
    staff = User.objects.filter(
        Q(is_superuser=True) | Q(groups__permissions__codename="publish_assessment"),
        is_active=True,
    )
    recipients = staff if transition_name in {"return", "validate"} else officials
    emails = sorted({u.email for u in recipients.distinct() if u.email})
    if not emails:
        return
    subject = _("%(title)s: %(action)s") % {
        "title": assessment.title,
        "action": BY_NAME[transition_name].label,
    }
    body = _("The assessment is now: %(status)s.") % {"status": assessment.get_status_display()}
    if note:
        body += "\n\n" + _("Note: %(note)s") % {"note": note}
    send_mail(subject, body, None, emails)
