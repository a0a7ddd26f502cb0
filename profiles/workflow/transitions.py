"""The assessment workflow: the only code that changes an assessment's status.

The graph follows the MGI process: staff prepare a draft, share it with the
government for the inter-ministerial consultation, submit it for validation; the
government's validator signs off (or returns it with reasons); staff publish the
validated content, now or at an agreed embargo time. A correction after
publication starts a new draft whose next publication is a new version.

Validated content that no longer matches its sign-off (e.g. the framework's
wording changed, `indicators.signals.framework_changed`) cannot be published; it
goes back to the validator instead (`revalidate`, by staff or by the portal
itself), with the reason in the audit row.

Every transition is permission-checked (Django permissions for IOM staff, a
per-government Membership for government officials), runs in one transaction
with the row locked, leaves a StatusChange audit row, and sends its emails only
after commit. What publishing and withdrawing do to publications (freezing,
rendering, taking them off the site) is `profiles.publishing.lifecycle`.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from profiles import access
from profiles import content as profile_content
from profiles.models import (
    EDITABLE_STATUSES,
    Assessment,
    ConsultationComment,
    GovernmentRole,
    Resolution,
    SignOff,
    StatusChange,
)
from profiles.models import AssessmentStatus as S
from profiles.publishing import lifecycle
from profiles.workflow import signoff

logger = logging.getLogger(__name__)


class InvalidTransition(Exception):
    """The transition does not start from the assessment's present status."""


class NotEditable(PermissionDenied):
    """Content was changed outside draft or returned, or from a stale revision."""


@dataclass(frozen=True)
class Transition:
    """One edge of the workflow graph: when it applies. Who may apply it is `allowed`."""

    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    note_required: bool = False
    #: Offered only while the content's hash equals (True) or differs from (False) the
    #: hash of the sign-off awaiting publication; None: either way.
    sign_off_current: bool | None = None
    #: The portal itself may apply it (`by=None`, recorded as "system").
    by_system: bool = False

    def allowed(self, user: access.AnyUser, assessment: Assessment) -> bool:
        """Whether `user` may apply it to this government's assessment: `profiles.access` says."""
        return access.can_transition(user, self.name, assessment)


SHARE = Transition(
    "share",
    gettext_lazy("Share for consultation"),
    frozenset({S.DRAFT, S.RETURNED}),
    S.CONSULTATION,
)
REOPEN = Transition(
    "reopen",
    gettext_lazy("Reopen as draft"),
    frozenset({S.CONSULTATION, S.SUBMITTED}),
    S.DRAFT,
    note_required=True,
)
SUBMIT = Transition(
    "submit",
    gettext_lazy("Submit for validation"),
    frozenset({S.CONSULTATION, S.RETURNED}),
    S.SUBMITTED,
)
RETURN = Transition(
    "return",
    gettext_lazy("Return with reasons"),
    frozenset({S.SUBMITTED}),
    S.RETURNED,
    note_required=True,
)
VALIDATE = Transition(
    "validate",
    gettext_lazy("Validate (sign off)"),
    frozenset({S.SUBMITTED}),
    S.VALIDATED,
)
PUBLISH = Transition(
    "publish",
    gettext_lazy("Publish"),
    frozenset({S.VALIDATED}),
    S.PUBLISHED,
    sign_off_current=True,
)
REVALIDATE = Transition(
    "revalidate",
    gettext_lazy("Send back for validation"),
    frozenset({S.VALIDATED}),
    S.SUBMITTED,
    sign_off_current=False,
    by_system=True,
)
REVISE = Transition(
    "revise",
    gettext_lazy("Start a correction"),
    frozenset({S.PUBLISHED}),
    S.DRAFT,
    note_required=True,
)
WITHDRAW = Transition(
    "withdraw",
    gettext_lazy("Withdraw publication"),
    frozenset({S.PUBLISHED}),
    S.WITHDRAWN,
    note_required=True,
)

TRANSITIONS = (SHARE, REOPEN, SUBMIT, RETURN, VALIDATE, PUBLISH, REVALIDATE, REVISE, WITHDRAW)
BY_NAME = {t.name: t for t in TRANSITIONS}


def available(assessment: Assessment, user: access.AnyUser) -> list[Transition]:
    """Transitions `user` may apply to `assessment` now."""
    found = [
        t for t in TRANSITIONS if assessment.status in t.sources and t.allowed(user, assessment)
    ]
    if any(t.sign_off_current is not None for t in found):
        current = signed_content_is_current(assessment)
        found = [t for t in found if t.sign_off_current in (None, current)]
    return found


def signed_content_is_current(assessment: Assessment) -> bool:
    """Whether the content now is exactly what the pending sign-off validated."""
    sign_off = lifecycle.pending_sign_off(assessment)
    return sign_off is not None and sign_off.content_hash == signoff.current_hash(assessment)


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
    if by is not None and not access.can_edit(by, current):
        raise NotEditable(_("You may not edit this assessment."))
    if revision is not None and revision != current.revision:
        raise NotEditable(
            _(
                "Someone else saved this assessment since you opened it. "
                "Reload to see their changes."
            )
        )


def bump_revision(assessment: Assessment) -> None:
    """Record that the content changed (optimistic locking for concurrent editors)."""
    Assessment.objects.filter(pk=assessment.pk).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    assessment.refresh_from_db(fields=["revision", "updated_at"])


class ContentChanged(ValidationError):
    """The content changed after the validator's page showed it; they must review it again."""


@dataclass(frozen=True)
class SignOffDetails:
    """What a validator states when signing off, and the hash of the content they were shown."""

    name: str
    title: str
    ministry: str
    statement: str
    reviewed_hash: str
    #: The statement in other languages being validated, by language code (optional).
    statement_translations: dict[str, str] = field(default_factory=dict)


@transaction.atomic
def apply(
    transition: Transition,
    assessment: Assessment,
    *,
    by: User | None,
    note: str = "",
    sign_off: SignOffDetails | None = None,
    release_at: datetime.datetime | None = None,
) -> Assessment:
    """Move `assessment` along `transition`, or raise and change nothing.

    Raises InvalidTransition (wrong status), PermissionDenied (not allowed for this
    user and government) or ValidationError (missing note, incomplete assessment,
    unresolved comments, content changed since sign-off). `by=None` is the portal
    itself, for the transitions it may apply (`by_system`).
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("government").get(pk=assessment.pk)
    )
    if assessment.status not in transition.sources:
        raise InvalidTransition(
            _("Cannot %(action)s an assessment that is %(status)s.")
            % {"action": transition.name, "status": assessment.get_status_display().lower()}
        )
    if not (transition.by_system if by is None else transition.allowed(by, assessment)):
        raise PermissionDenied(
            _("You may not %(action)s this assessment.") % {"action": transition.name}
        )
    if transition.note_required and not note.strip():
        raise ValidationError(_("Give a reason: it is recorded and shown to the people concerned."))
    if transition.sign_off_current is not None and (
        signed_content_is_current(assessment) != transition.sign_off_current
    ):
        raise ValidationError(
            _(
                "The content changed after the government validated it, so it needs a new "
                "sign-off: send it back for validation."
            )
            if transition.sign_off_current
            else _("The content is still what the government validated: publish it.")
        )

    if transition is SUBMIT:
        ensure_ready_for_validation(assessment)
    elif transition is VALIDATE:
        if sign_off is None or by is None:  # `by` is never None here: only people sign
            raise ValidationError(_("Validation needs the sign-off details."))
        record_sign_off(assessment, by=by, details=sign_off)
    elif transition is PUBLISH and by is not None:  # always a person: publish is not by_system
        lifecycle.publish(assessment, by=by, release_at=release_at or timezone.now())
    elif transition is WITHDRAW:
        lifecycle.withdraw(assessment, reason=note.strip())
    elif transition is REVALIDATE and (by is not None or not note.strip()):
        # The reason first, then staff's own words if any (the portal names what changed).
        note = "\n\n".join(filter(None, [stale_sign_off_reason(), note.strip()]))

    old = assessment.status
    assessment.status = transition.target
    assessment.save(update_fields=["status", "updated_at"])
    StatusChange.objects.create(
        assessment=assessment,
        transition=transition.name,
        from_status=old,
        to_status=transition.target,
        by=by,
        note=note.strip(),
    )
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
    """Store who validated what: the SHA-256 of the exact content at this moment.

    Refused (ContentChanged) unless that hash is the one the validator's page
    showed (`details.reviewed_hash`, see `profiles.workflow.signoff`): otherwise they would
    sign text that changed after they read it.
    """
    missing = [
        f for f in ("name", "title", "ministry", "statement") if not getattr(details, f).strip()
    ]
    if missing:
        raise ValidationError(_("The sign-off needs: %(fields)s.") % {"fields": ", ".join(missing)})
    content = profile_content.build(assessment)
    content_hash = profile_content.digest(content)
    if details.reviewed_hash != content_hash:
        raise ContentChanged(
            _(
                "The content changed after this page showed it to you, so it was not validated. "
                "Review the content again, then sign off."
            )
        )
    return SignOff.objects.create(
        assessment=assessment,
        validator=by,
        validator_name=details.name.strip(),
        title=details.title.strip(),
        ministry=details.ministry.strip(),
        statement=details.statement.strip(),
        statement_translations={
            language: text.strip()
            for language, text in sorted(details.statement_translations.items())
            if language in content["translations"] and text.strip()
        },
        content_hash=content_hash,
        languages=[assessment.original_language, *content["translations"]],
    )


def notify(assessment_id: int, transition_name: str, note: str) -> None:
    """Email the people concerned by a transition (runs after commit)."""
    assessment = Assessment.objects.select_related("government").get(pk=assessment_id)
    roles = {
        "share": [GovernmentRole.FOCAL_POINT],
        "submit": [GovernmentRole.VALIDATOR],
        "publish": [GovernmentRole.FOCAL_POINT, GovernmentRole.VALIDATOR],
        "revalidate": [GovernmentRole.VALIDATOR],
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


# --- After a framework change ---------------------------------------------------------


def stale_sign_off_reason(indicator_codes: list[str] | None = None) -> str:
    """The audit note of `revalidate`: why the validator must look at the content again.

    `indicator_codes` is given when the framework changed (see
    `indicators.signals.framework_changed`); None when staff send it back by hand.
    """
    if indicator_codes is None:
        return _(
            "The content changed after the government's sign-off (for example, the "
            "framework's wording was updated), so it is no longer what was validated: "
            "please review and validate again."
        )
    if not indicator_codes:
        return _(
            "The framework text (its name, version, dimensions or areas) changed after "
            "sign-off: please review and validate again."
        )
    shown = ", ".join(indicator_codes[:10])
    if len(indicator_codes) > 10:
        shown += " " + _("and %(count)d more") % {"count": len(indicator_codes) - 10}
    return ngettext(
        "The framework text changed after sign-off (indicator %(codes)s): "
        "please review and validate again.",
        "The framework text changed after sign-off (indicators %(codes)s): "
        "please review and validate again.",
        len(indicator_codes),
    ) % {"codes": shown}


def send_back_after_framework_change(
    sender, *, framework_ids: list[int], indicator_codes: dict[int, list[str]], **kwargs
) -> list[int]:
    """Receiver of `indicators.signals.framework_changed` (connected in ProfilesConfig.ready).

    A validated assessment of a changed framework whose content no longer matches
    its sign-off could never be published as signed: the portal sends it back to
    the validator (`revalidate`, by the system) with the reason. Returns the pks of
    the assessments sent back.
    """
    sent_back = []
    validated = Assessment.objects.filter(framework_id__in=framework_ids, status=S.VALIDATED)
    for assessment in validated.order_by("pk"):
        codes = indicator_codes.get(assessment.framework_id, [])
        try:
            apply(REVALIDATE, assessment, by=None, note=stale_sign_off_reason(codes))
        except (InvalidTransition, ValidationError):
            continue  # its signed content is unaffected, or it moved on meanwhile
        sent_back.append(assessment.pk)
    if sent_back:
        logger.info("Framework change: sent %d assessment(s) back for validation", len(sent_back))
    return sent_back
