"""One MGI exercise for one government and year, and its status."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from indicators.models import Framework, Level, TimeStamped
from profiles.models.governments import Government

LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]


# --- Assessments ----------------------------------------------------------------


class AssessmentStatus(models.TextChoices):
    """Where an assessment is in the MGI process. Only `profiles.workflow` writes it."""

    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("In inter-ministerial consultation")
    SUBMITTED = "submitted", _("Submitted for government validation")
    RETURNED = "returned", _("Returned for revision")
    VALIDATED = "validated", _("Validated by the government")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


EDITABLE_STATUSES = frozenset({AssessmentStatus.DRAFT, AssessmentStatus.RETURNED})


class AssessmentQuerySet(models.QuerySet):
    """Queries over assessments (never used by public pages).

    Which assessments a user may see is `profiles.access.assessments_for`.
    """

    def editable(self) -> "AssessmentQuerySet":
        """Assessments whose content may still change."""
        return self.filter(status__in=EDITABLE_STATUSES)


class Assessment(TimeStamped):
    """One MGI exercise for one government and year: round 1 is the baseline."""

    government = models.ForeignKey(
        Government, models.PROTECT, related_name="assessments", verbose_name=_("government")
    )
    framework = models.ForeignKey(
        Framework,
        models.PROTECT,
        related_name="assessments",
        verbose_name=_("framework version"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    round_number = models.PositiveSmallIntegerField(_("round"), default=1)
    previous = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up",
        verbose_name=_("previous round"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssessmentStatus,
        default=AssessmentStatus.DRAFT,
        editable=False,
    )
    original_language = models.CharField(
        _("original language"), max_length=5, choices=LANGUAGE_CHOICES, default="en"
    )
    introduction = models.TextField(_("introduction"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    is_sample = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_("Invented data for demonstration; marked as such on every page and PDF."),
    )
    revision = models.PositiveIntegerField(
        _("revision"),
        default=1,
        editable=False,
        help_text=_("Incremented on every content change; stale edits are refused."),
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["government__slug", "-year"]
        permissions = [
            ("view_all_assessments", _("Can see every government's assessments (IOM staff)")),
            ("share_assessment", _("Can share a draft for consultation")),
            ("submit_assessment", _("Can submit for government validation")),
            ("validate_assessment", _("Can validate (sign off) for a government")),
            ("publish_assessment", _("Can publish a validated assessment")),
            ("withdraw_publication", _("Can withdraw a publication")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["government", "year"], name="assessment_government_year_uniq"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssessmentStatus.values), name="assessment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(round_number__gte=1), name="assessment_round_positive"
            ),
            models.CheckConstraint(
                condition=Q(round_number=1, previous__isnull=True)
                | Q(round_number__gt=1, previous__isnull=False),
                name="assessment_follow_up_has_previous",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.government} {self.year} (round {self.round_number})"

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        if (
            self.framework_id
            and self.government_id
            and self.framework.level != self.government.level
        ):
            errors["framework"] = _("Use a %(level)s framework for this government.") % {
                "level": self.government.get_level_display().lower()
            }
        previous = self.previous if self.previous_id else None
        if previous is not None and self.government_id:
            problem = self.previous_round_problem(previous)
            if problem:
                errors["previous"] = problem
            elif self.pk and self.follow_ups.exclude(finding__assessment_id=previous.pk).exists():
                errors["previous"] = _(
                    "Progress is recorded on the findings of another previous round: delete "
                    "those progress records before choosing a different previous round."
                )
        if self.pk and self.government_id:
            later = Assessment.objects.filter(previous_id=self.pk).exclude(pk=self.pk).first()
            if later is not None and later.previous_round_problem(self):
                errors[NON_FIELD_ERRORS] = _(
                    "%(later)s follows this round, so this round must stay the same "
                    "government's, with an earlier year and a lower round number."
                ) % {"later": later}
        if errors:
            raise ValidationError(errors)

    def previous_round_problem(self, previous: "Assessment") -> "str | Promise":
        """Why `previous` cannot be this assessment's previous round ("" if it can).

        A follow-up round builds on an earlier round of the same government: its
        progress records and profile quote that round's findings, so a round of
        another government would carry that government's (perhaps unpublished) text.
        """
        if previous.pk is not None and previous.pk == self.pk:
            return _("An assessment cannot be its own previous round.")
        if previous.government_id != self.government_id:
            return _("The previous round must be the same government's.")
        if self.year and previous.year >= self.year:
            return _("The previous round must be from an earlier year.")
        if self.round_number and previous.round_number >= self.round_number:
            return _("The previous round must have a lower round number.")
        return ""

    @property
    def is_editable(self) -> bool:
        """Whether content may change now (draft or returned)."""
        return self.status in EDITABLE_STATUSES

    @property
    def title(self) -> str:
        """The profile's title as IOM names it."""
        prefix = (
            _("Local Migration Governance Indicators Profile")
            if self.government.level == Level.LOCAL
            else _("Migration Governance Indicators Profile")
        )
        return f"{prefix} {self.year} | {self.government.display_name}"
