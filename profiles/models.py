"""Governments, their assessments, and the publications made from them.

Data flows one way: an Assessment (editable while a draft) is validated by its
government (SignOff, which records the hash of the exact content validated) and
frozen into a Publication. Public pages, PDFs, exports and the API read
publications only, never assessments, so nothing unpublished can leak through a
forgotten filter. Only `profiles.workflow` changes an assessment's status.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from indicators.models import Dimension, Framework, Indicator, Level, TimeStamped
from profiles import regions

LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]


# --- Governments -----------------------------------------------------------------


class LocalKind(models.TextChoices):
    """What sort of government is assessed. National governments are `national`."""

    NATIONAL = "national", _("National government")
    CITY = "city", _("City")
    MUNICIPALITY = "municipality", _("Municipality")
    STATE = "state", _("State")
    PROVINCE = "province", _("Province")
    REGION = "region", _("Region")
    DISTRICT = "district", _("District")
    TERRITORIAL_COMMUNITY = "territorial_community", _("Territorial community")


class GovernmentQuerySet(models.QuerySet):
    """Queries over assessed governments."""

    def in_region(self, code: str) -> "GovernmentQuerySet":
        """Governments whose country is in UN M49 region or sub-region `code`."""
        return self.filter(country__in=regions.countries_in(code))

    def with_live_publication(self) -> "GovernmentQuerySet":
        """Governments with at least one publication the public may see."""
        return self.filter(Exists(Publication.objects.live().filter(government=OuterRef("pk"))))


class Government(TimeStamped):
    """Who is assessed: a national government, or a local one within a country."""

    level = models.CharField(_("level"), max_length=10, choices=Level)
    kind = models.CharField(_("kind"), max_length=30, choices=LocalKind, default=LocalKind.NATIONAL)
    country = CountryField(_("country"))
    name = models.CharField(
        _("name"),
        max_length=150,
        blank=True,
        help_text=_("The local authority's name; empty for a national government."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_("Stable address: ISO3 in lower case (chl), or place-iso3 (santiago-chl)."),
    )

    objects = GovernmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("government")
        verbose_name_plural = _("governments")
        ordering = ["country", "level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country"],
                condition=Q(level="national"),
                name="government_one_national_per_country",
            ),
            models.CheckConstraint(
                condition=(Q(level="national", kind="national", name=""))
                | (Q(level="local") & ~Q(kind="national") & ~Q(name="")),
                name="government_level_kind_name_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("profiles:government", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        """The name people use: the country's (translated) name, or the local one."""
        if self.level == Level.NATIONAL:
            return str(self.country.name)
        return str(self.name)

    @property
    def region(self) -> regions.Region | None:
        """The UN M49 region and sub-region of the government's country."""
        return regions.of_country(self.country.code)

    @staticmethod
    def make_slug(*, country_code: str, name: str = "") -> str:
        """The stable slug for a government: `chl` or `santiago-chl`."""
        from django.utils.text import slugify

        iso3 = regions.alpha3(country_code).lower()
        return f"{slugify(name)}-{iso3}" if name else iso3


class GovernmentRole(models.TextChoices):
    """What a user may do for one government."""

    FOCAL_POINT = "focal_point", _("Government focal point")
    VALIDATOR = "validator", _("Government validator")


class Membership(TimeStamped):
    """A user's role for one government. A user may hold roles for several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    government = models.ForeignKey(
        Government, models.CASCADE, related_name="memberships", verbose_name=_("government")
    )
    role = models.CharField(_("role"), max_length=20, choices=GovernmentRole)
    title = models.CharField(_("job title"), max_length=150, blank=True)
    ministry = models.CharField(_("ministry or agency"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("government membership")
        verbose_name_plural = _("government memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "government", "role"], name="membership_user_government_role_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}, {self.government}"


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
    """Queries over assessments (never used by public pages)."""

    def editable(self) -> "AssessmentQuerySet":
        """Assessments whose content may still change."""
        return self.filter(status__in=EDITABLE_STATUSES)

    def for_user(self, user) -> "AssessmentQuerySet":
        """Assessments a signed-in user may see: staff all, officials their governments'."""
        if user.is_superuser or user.has_perm("profiles.view_all_assessments"):
            return self
        return self.filter(government__memberships__user=user).distinct()


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
        from django.core.exceptions import ValidationError

        errors = {}
        if (
            self.framework_id
            and self.government_id
            and self.framework.level != self.government.level
        ):
            errors["framework"] = _("Use a %(level)s framework for this government.") % {
                "level": self.government.get_level_display().lower()
            }
        if self.previous_id and self.government_id:
            problem = self.previous_round_problem(self.previous)
            if problem:
                errors["previous"] = problem
            elif (
                self.pk
                and self.follow_ups.exclude(finding__assessment_id=self.previous_id).exists()
            ):
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

    def previous_round_problem(self, previous: "Assessment") -> str:
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


class AnswerValue(models.TextChoices):
    """Whether the policy or framework an indicator asks about is present."""

    FULLY = "fully_present", _("Fully present")
    PARTIALLY = "partially_present", _("Partially present")
    ABSENT = "absent", _("Absent")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Answer(TimeStamped):
    """An assessment's answer to one indicator of its framework.

    A database trigger (migration 0002) refuses an answer to an indicator of
    another framework, whatever path writes it; another (migration 0004) refuses
    a source of another assessment among its `sources`.
    """

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="answers", verbose_name=_("assessment")
    )
    indicator = models.ForeignKey(
        Indicator, models.PROTECT, related_name="answers", verbose_name=_("indicator")
    )
    value = models.CharField(
        _("answer"), max_length=20, choices=AnswerValue, blank=True, default=""
    )
    justification = models.TextField(_("justification"), blank=True)
    evidence = models.TextField(
        _("evidence references"),
        blank=True,
        help_text=_("Articles, sections and documents that support the answer."),
    )
    sources = models.ManyToManyField(
        "Source", blank=True, related_name="answers", verbose_name=_("sources")
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="answer_assessment_indicator_uniq"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[*AnswerValue.values, ""]), name="answer_value_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.get_value_display() or '—'}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (
            self.assessment_id
            and self.indicator_id
            and self.indicator.framework_id != self.assessment.framework_id
        ):
            raise ValidationError(
                {"indicator": _("This indicator is not part of the assessment's framework.")}
            )


class FindingKind(models.TextChoices):
    """The two halves of a dimension's summary in a Migration Governance Profile."""

    WELL_DEVELOPED = "well_developed", _("Well-developed area")
    POTENTIAL = "potential", _("Area with potential for further development")


class Finding(TimeStamped):
    """A well-developed area or an area with potential for development, per dimension."""

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="findings", verbose_name=_("assessment")
    )
    dimension = models.ForeignKey(
        Dimension, models.PROTECT, related_name="findings", verbose_name=_("dimension")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FindingKind)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_good_practice = models.BooleanField(
        _("good practice example"),
        default=False,
        help_text=_("Staff mark a well-developed area as an example for the compilation."),
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["dimension__code", "kind", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FindingKind.values), name="finding_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(is_good_practice=False) | Q(kind="well_developed"),
                name="finding_good_practice_is_well_developed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (
            self.assessment_id
            and self.dimension_id
            and self.dimension.framework_id != self.assessment.framework_id
        ):
            raise ValidationError(
                {"dimension": _("This dimension is not part of the assessment's framework.")}
            )


class ProgressStatus(models.TextChoices):
    """Progress on an earlier round's area with potential for further development."""

    ADDRESSED = "addressed", _("Addressed")
    PARTLY = "partly_addressed", _("Partly addressed")
    NOT_YET = "not_yet", _("Not yet addressed")


class FollowUp(TimeStamped):
    """A follow-up round's record of progress on one of the previous round's findings."""

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="follow_ups", verbose_name=_("assessment")
    )
    finding = models.ForeignKey(
        Finding,
        models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("earlier finding"),
    )
    progress = models.CharField(_("progress"), max_length=20, choices=ProgressStatus)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("progress on an earlier finding")
        verbose_name_plural = _("progress on earlier findings")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "finding"], name="followup_assessment_finding_uniq"
            ),
            models.CheckConstraint(
                condition=Q(progress__in=ProgressStatus.values), name="followup_progress_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding} → {self.get_progress_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not (self.assessment_id and self.finding_id):
            return
        previous_id = self.assessment.previous_id
        if previous_id is None:
            raise ValidationError(
                {"finding": _("This assessment has no previous round to record progress on.")}
            )
        if self.finding.assessment_id != previous_id:
            raise ValidationError(
                {"finding": _("Choose a finding of this assessment's previous round.")}
            )
        if self.finding.kind != FindingKind.POTENTIAL:
            raise ValidationError(
                {"finding": _("Progress is recorded on areas with potential for development.")}
            )


class SourceKind(models.TextChoices):
    """What kind of document a source is."""

    LAW = "law", _("Law")
    REGULATION = "regulation", _("Regulation or decree")
    POLICY = "policy", _("Policy or strategy")
    AGREEMENT = "agreement", _("Agreement")
    INSTITUTION = "institution", _("Institutional document")
    REPORT = "report", _("Report or data")
    OTHER = "other", _("Other")


def archived_copy_path(instance: "Source", filename: str) -> str:
    """Store archived evidence per assessment, so a ministry's moved page loses nothing."""
    return f"sources/{instance.assessment_id}/{filename}"


class Source(TimeStamped):
    """A law, policy or agreement cited as evidence, with an optional archived copy."""

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="sources", verbose_name=_("assessment")
    )
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind, default=SourceKind.LAW)
    issuer = models.CharField(_("issuer"), max_length=250, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    url = models.URLField(_("web address"), max_length=1000, blank=True)
    archived_copy = models.FileField(
        _("archived copy"), upload_to=archived_copy_path, blank=True, max_length=300
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["kind", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


class FigureKind(models.TextChoices):
    """Context figures shown in a profile's context section."""

    POPULATION = "population", _("Total population")
    MIGRANT_STOCK = "migrant_stock", _("International migrants (stock)")
    MIGRANT_SHARE = "migrant_share", _("International migrants as a share of the population")
    EMIGRANTS = "emigrants", _("Emigrants")
    REFUGEES_HOSTED = "refugees_hosted", _("Refugees hosted")
    ASYLUM_SEEKERS = "asylum_seekers", _("Asylum seekers")
    IDPS = "idps", _("Internally displaced persons")
    REMITTANCES_IN = "remittances_in", _("Remittance inflows")
    REMITTANCES_OUT = "remittances_out", _("Remittance outflows")
    OTHER = "other", _("Other")


class ContextFigure(TimeStamped):
    """A migration statistic for the profile's context section, with year and source."""

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="context_figures", verbose_name=_("assessment")
    )
    kind = models.CharField(_("figure"), max_length=20, choices=FigureKind)
    label = models.CharField(
        _("label"), max_length=200, blank=True, help_text=_("Required when the figure is 'Other'.")
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("e.g. people, %, USD million"))
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source web address"), max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("context figure")
        verbose_name_plural = _("context figures")
        ordering = ["position", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FigureKind.values), name="contextfigure_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(label=""), name="contextfigure_other_has_label"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.get_kind_display()}: {self.value} {self.unit} ({self.year})"


class ContentTranslation(TimeStamped):
    """An assessment's public text in another language.

    `texts` maps the keys of `profiles.content.translatable_texts()` to translated
    text. `source_hash` is the hash of the original text it was made from: when
    the original changes the translation is stale, and a stale translation is not
    published.
    """

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="translations", verbose_name=_("assessment")
    )
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    texts = models.JSONField(_("translated texts"), default=dict, blank=True)
    source_hash = models.CharField(_("made from original version"), max_length=64)

    class Meta:
        verbose_name = _("content translation")
        verbose_name_plural = _("content translations")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "language"],
                name="contenttranslation_assessment_language_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} [{self.language}]"


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
        from django.core.exceptions import ValidationError

        if (
            self.assessment_id
            and self.indicator_id
            and self.indicator.framework_id != self.assessment.framework_id
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


class PublicationQuerySet(models.QuerySet):
    """The only way public code reaches published content."""

    def live(self, *, at=None) -> "PublicationQuerySet":
        """Publications the public may see: released, fully rendered, not withdrawn."""
        at = at or timezone.now()
        return self.filter(release_at__lte=at, ready_at__isnull=False, withdrawn_at__isnull=True)

    def withdrawn_after_release(self) -> "PublicationQuerySet":
        """Withdrawn publications that the public could read before the withdrawal.

        Only these answer 410 with their reason. One withdrawn while still under
        embargo, or before its files were ready, was never public, so its URLs
        answer 404 like anything that never existed.
        """
        return self.filter(
            withdrawn_at__isnull=False,
            ready_at__isnull=False,
            release_at__lt=F("withdrawn_at"),
            ready_at__lt=F("withdrawn_at"),
        )

    def latest_per_government(self, *, at=None) -> "PublicationQuerySet":
        """The newest live publication of each government."""
        live = self.live(at=at)
        newer = (
            Publication.objects.live(at=at)
            .filter(government=OuterRef("government"))
            .filter(
                Q(year__gt=OuterRef("year"))
                | Q(year=OuterRef("year"), version__gt=OuterRef("version"))
            )
        )
        return live.filter(~Exists(newer))


class Publication(models.Model):
    """An immutable, numbered version of a validated assessment, as the public reads it.

    `content` is the canonical content frozen at publication (see
    `profiles.content`); its SHA-256 equals the sign-off's hash. Government, year,
    round and framework are copied from the assessment so public filters need no
    access to drafts.
    """

    assessment = models.ForeignKey(
        Assessment, models.PROTECT, related_name="publications", verbose_name=_("assessment")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    sign_off = models.OneToOneField(
        SignOff, models.PROTECT, related_name="publication", verbose_name=_("sign-off")
    )
    government = models.ForeignKey(
        Government, models.PROTECT, related_name="publications", verbose_name=_("government")
    )
    framework = models.ForeignKey(
        Framework, models.PROTECT, related_name="publications", verbose_name=_("framework")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    round_number = models.PositiveSmallIntegerField(_("round"))
    is_sample = models.BooleanField(_("sample data"), default=False)
    content = models.JSONField(_("frozen content"))
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    languages = models.JSONField(_("languages"), default=list)
    timeline = models.JSONField(
        _("public timeline"),
        default=list,
        help_text=_("Dated milestones (launched, consultation, validated, published), frozen."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    release_at = models.DateTimeField(
        _("release at"), help_text=_("Embargo: nothing is public before this time.")
    )
    ready_at = models.DateTimeField(
        _("files ready at"),
        null=True,
        blank=True,
        help_text=_("Set once the page, PDF and data of every language are stored."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("public reason for withdrawal"), blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["government__slug", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "version"], name="publication_assessment_version_uniq"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""),
                name="publication_withdrawal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["government", "year", "version"])]

    def __str__(self) -> str:
        return f"{self.government} {self.year} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse(
            "profiles:version",
            kwargs={"slug": self.government.slug, "year": self.year, "version": self.version},
        )


class FileKind(models.TextChoices):
    """Files rendered once at publication and served as stored."""

    HTML = "html", _("Web page")
    PDF = "pdf", _("PDF")
    CSV = "csv", _("CSV")
    JSON = "json", _("JSON")


def publication_file_path(instance: "PublicationFile", filename: str) -> str:
    """Published files never change, so the path names the version."""
    return f"publications/{instance.publication_id}/{filename}"


class PublicationFile(models.Model):
    """A file rendered from a publication (page, PDF, data), with its SHA-256."""

    publication = models.ForeignKey(
        Publication, models.CASCADE, related_name="files", verbose_name=_("publication")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FileKind)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    file = models.FileField(_("file"), upload_to=publication_file_path, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("publication file")
        verbose_name_plural = _("publication files")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "kind", "language"],
                name="publicationfile_kind_language_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication} {self.kind} [{self.language}]"


class PublishedAnswer(models.Model):
    """One frozen answer of a publication, as rows so public pages can filter and count."""

    publication = models.ForeignKey(
        Publication, models.CASCADE, related_name="answers", verbose_name=_("publication")
    )
    indicator = models.ForeignKey(
        Indicator, models.PROTECT, related_name="published_answers", verbose_name=_("indicator")
    )
    value = models.CharField(_("answer"), max_length=20, choices=AnswerValue, blank=True)

    class Meta:
        verbose_name = _("published answer")
        verbose_name_plural = _("published answers")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "indicator"],
                name="publishedanswer_publication_indicator_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication}: {self.indicator_id} = {self.value}"


class PublishedFinding(models.Model):
    """One frozen finding of a publication; the good-practice compilation reads these."""

    publication = models.ForeignKey(
        Publication, models.CASCADE, related_name="findings", verbose_name=_("publication")
    )
    dimension_code = models.PositiveSmallIntegerField(_("dimension"))
    kind = models.CharField(_("kind"), max_length=20, choices=FindingKind)
    text = models.TextField(_("text"))
    is_good_practice = models.BooleanField(_("good practice example"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("published finding")
        verbose_name_plural = _("published findings")
        ordering = ["dimension_code", "kind", "position"]

    def __str__(self) -> str:
        return self.text[:60]
