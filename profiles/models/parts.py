"""What an assessment holds: answers, findings, follow-ups, sources, figures, translations."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.models import Dimension, Indicator, TimeStamped
from profiles.models.assessments import LANGUAGE_CHOICES, Assessment


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
    sources: models.ManyToManyField = models.ManyToManyField(
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
    text, and `source_hashes` each key to the hash of the original text it was
    translated from. A field whose original changed since is stale: it is not
    published (readers see the original) until its translation is edited
    (`profiles.content.field_states`).
    """

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="translations", verbose_name=_("assessment")
    )
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    texts = models.JSONField(_("translated texts"), default=dict, blank=True)
    source_hashes = models.JSONField(
        _("made from original texts"),
        default=dict,
        blank=True,
        help_text=_("SHA-256 of the original text each field was translated from."),
    )

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
