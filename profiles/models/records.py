"""What the workflow records: audit rows, consultation comments and sign-offs."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, TimeStamped
from profiles.models.assessments import Assessment, AssessmentStatus

# --- Workflow records -------------------------------------------------------------


class StatusChange(models.Model):
    """Audit row for every workflow transition: who, when, from, to, and why."""

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="status_changes", verbose_name=_("assessment")
    )
    transition = models.CharField(_("transition"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=AssessmentStatus)
    to_status = models.CharField(_("to"), max_length=20, choices=AssessmentStatus)
    # Empty means the portal itself (e.g. after a framework change). Users who took a
    # step cannot be deleted (deactivate them), so an empty `by` never hides a person.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty: the portal itself (system)."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.from_status} → {self.to_status}"


class Resolution(models.TextChoices):
    """How a consultation comment was dealt with."""

    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ConsultationComment(TimeStamped):
    """A ministry's comment on an indicator during the inter-ministerial consultation."""

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="comments", verbose_name=_("assessment")
    )
    indicator = models.ForeignKey(
        Indicator,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    ministry = models.CharField(_("ministry or agency"), max_length=200, blank=True)
    text = models.TextField(_("comment"))
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution, default=Resolution.OPEN
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation comment")
        verbose_name_plural = _("consultation comments")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(resolution="declined") | ~Q(resolution_note=""),
                name="consultationcomment_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    def clean(self) -> None:
        indicator = self.indicator if self.indicator_id else None
        if (
            self.assessment_id
            and indicator is not None
            and indicator.framework_id != self.assessment.framework_id
        ):
            raise ValidationError(
                {"indicator": _("This indicator is not part of the assessment's framework.")}
            )


class SignOff(models.Model):
    """The government's validation of the exact content identified by `content_hash`."""

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="sign_offs", verbose_name=_("assessment")
    )
    validator = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("validator")
    )
    validator_name = models.CharField(_("validator's name"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    ministry = models.CharField(_("ministry"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    statement = models.TextField(_("statement"))
    # The statement in the other languages validated, as the validator wrote it when
    # signing: a translation added later would be public text nobody signed.
    statement_translations = models.JSONField(
        _("statement in the other languages validated"), default=dict, blank=True
    )
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    languages = models.JSONField(
        _("languages validated"), default=list, help_text=_("Current translations at sign-off.")
    )

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["signed_at"]

    def __str__(self) -> str:
        return f"{self.validator_name}, {self.signed_at:%Y-%m-%d}"
