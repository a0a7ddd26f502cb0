"""The inter-ministerial consultation: comments per indicator and their resolution.

While an assessment is "in consultation", the government's focal points (on
behalf of their ministries) and IOM staff comment on indicators; staff resolve
every comment as accepted, or declined with a reason. The comment row itself is
the audit record (author, ministry, resolver, time, reason), and submission for
validation is refused while any comment is open (`workflow.ensure_ready_for_validation`).
Who may comment or resolve is `profiles.access.can_comment` / `can_resolve`.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Indicator
from profiles import access
from profiles.models import Assessment, AssessmentStatus, ConsultationComment, Resolution


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def _ensure_consultation(assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.CONSULTATION:
        raise ValidationError(
            _("Comments are taken only during the consultation; this assessment is %(status)s.")
            % {"status": assessment.get_status_display().lower()}
        )


@transaction.atomic
def add_comment(
    assessment: Assessment,
    *,
    by: User,
    indicator: Indicator | None,
    ministry: str,
    text: str,
) -> ConsultationComment:
    """Record a ministry's comment on an indicator of the assessment's framework."""
    assessment = _locked(assessment)
    _ensure_consultation(assessment)
    if not access.can_comment(by, assessment):
        raise PermissionDenied(_("You may not comment on this assessment."))
    if indicator is not None and indicator.framework_id != assessment.framework_id:
        raise ValidationError(_("This indicator is not part of the assessment's framework."))
    if not text.strip() or not ministry.strip():
        raise ValidationError(_("Give the ministry and the comment."))
    return ConsultationComment.objects.create(
        assessment=assessment,
        indicator=indicator,
        author=by,
        ministry=ministry.strip(),
        text=text.strip(),
    )


@transaction.atomic
def resolve_comment(
    comment: ConsultationComment, *, by: User, resolution: str, note: str = ""
) -> ConsultationComment:
    """Accept a comment, or decline it with a reason; a resolution is final."""
    comment = ConsultationComment.objects.select_for_update().get(pk=comment.pk)
    assessment = _locked(comment.assessment)
    _ensure_consultation(assessment)
    if not access.can_resolve(by, assessment):
        raise PermissionDenied(_("Only IOM staff resolve consultation comments."))
    if comment.resolution != Resolution.OPEN:
        raise ValidationError(_("This comment is already resolved."))
    if resolution not in (Resolution.ACCEPTED, Resolution.DECLINED):
        raise ValidationError(_("Choose accepted or declined."))
    if resolution == Resolution.DECLINED and not note.strip():
        raise ValidationError(_("Give the reason for declining: the ministry will read it."))
    comment.resolution = resolution
    comment.resolution_note = note.strip()
    comment.resolved_by = by
    comment.resolved_at = timezone.now()
    comment.save(
        update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at", "updated_at"]
    )
    return comment
