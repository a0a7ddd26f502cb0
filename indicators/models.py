"""The MGI indicator framework as versioned data.

A Framework is one version of the indicator set (national MGI, Local MGI; editions
change over time). Its text is content, not code: it is loaded from the files in
`indicators/data/` by `manage.py sync_framework`, and translations of that text
live in each row's `i18n` field so a new language needs no migration.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    """Creation and modification times, shared by every model that users edit."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Translatable(models.Model):
    """Text fields with stored translations: `i18n = {"fr": {"question": "..."}}`.

    The English text is the field itself; `localized(field)` returns the active
    language's version when one exists, so templates never need to know which
    languages were translated.
    """

    i18n = models.JSONField(_("translations"), default=dict, blank=True)

    #: The language of the fields themselves: the framework files are written in English.
    original_language = "en"

    class Meta:
        abstract = True

    def localized(self, field: str, language: str | None = None) -> str:
        """Return `field` in `language` (default: the active one), else in English."""
        language = (language or get_language() or "en")[:2]
        translated = self.i18n.get(language, {}).get(field)
        return translated or getattr(self, field)

    def language_of(self, field: str, language: str | None = None) -> str:
        """The language `localized(field, language)` is written in, to mark a fallback."""
        language = (language or get_language() or "en")[:2]
        return language if self.i18n.get(language, {}).get(field) else self.original_language


class Level(models.TextChoices):
    """Which kind of government a framework or a government is for."""

    NATIONAL = "national", _("National")
    LOCAL = "local", _("Local")


class FrameworkStatus(models.TextChoices):
    """Lifecycle of a framework version."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class AnswerScale(models.TextChoices):
    """How an indicator is answered. The MGI records presence of a policy input."""

    PRESENCE = "presence", _("Fully present / partially present / absent / not applicable")


class FrameworkQuerySet(models.QuerySet):
    """Queries over framework versions."""

    def usable(self) -> "FrameworkQuerySet":
        """Frameworks a new assessment may use."""
        return self.filter(status=FrameworkStatus.ACTIVE)


class Framework(TimeStamped, Translatable):
    """One version of the MGI indicator set, e.g. the national 2022 edition.

    Its name and wording note are shown to readers (lists, filters, indicator
    pages), so they are translated through the framework files like the rest.
    """

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level)
    version = models.CharField(_("version"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=FrameworkStatus, default=FrameworkStatus.DRAFT
    )
    previous = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("previous version"),
        help_text=_("The edition this one replaces; indicators map to its equivalents."),
    )
    wording_note = models.TextField(
        _("wording note"),
        blank=True,
        help_text=_("Where the indicator wording comes from, shown wherever it is displayed."),
    )

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["level", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "version"], name="framework_level_version_uniq"
            ),
            models.CheckConstraint(
                condition=Q(level__in=Level.values), name="framework_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FrameworkStatus.values), name="framework_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Dimension(Translatable):
    """One of the six MGI dimensions within a framework (codes 1..6)."""

    framework = models.ForeignKey(
        Framework, models.CASCADE, related_name="dimensions", verbose_name=_("framework")
    )
    code = models.PositiveSmallIntegerField(_("code"))
    short_name = models.CharField(_("short name"), max_length=100)
    long_name = models.CharField(_("long name"), max_length=250)
    migof_element = models.CharField(
        _("MiGOF element"),
        max_length=100,
        help_text=_("The Migration Governance Framework principle or objective it stands for."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="dimension_framework_code_uniq"
            ),
            models.CheckConstraint(
                condition=Q(code__gte=1, code__lte=6), name="dimension_code_1_to_6"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.short_name}"


class Area(Translatable):
    """A sub-dimension, e.g. "Family reunification" within Migrants' rights."""

    dimension = models.ForeignKey(
        Dimension, models.CASCADE, related_name="areas", verbose_name=_("dimension")
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["dimension__code", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="area_dimension_code_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GCMObjective(Translatable):
    """One of the 23 objectives of the Global Compact for Safe, Orderly and Regular Migration."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        verbose_name = _("GCM objective")
        verbose_name_plural = _("GCM objectives")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=23), name="gcmobjective_number_1_to_23"
            ),
        ]

    def __str__(self) -> str:
        return f"GCM {self.number}: {self.title}"


class SDGDomain(Translatable):
    """A policy domain of SDG indicator 10.7.2 (a separate UN instrument built on MiGOF)."""

    code = models.PositiveSmallIntegerField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("SDG 10.7.2 domain")
        verbose_name_plural = _("SDG 10.7.2 domains")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"10.7.2 domain {self.code}: {self.name}"


class IndicatorQuerySet(models.QuerySet):
    """Queries over indicators."""

    def current(self) -> "IndicatorQuerySet":
        """Indicators not retired from their framework."""
        return self.filter(retired_at__isnull=True)

    def in_order(self) -> "IndicatorQuerySet":
        """Framework order: dimension, area, position, with the hierarchy loaded."""
        return self.select_related("area__dimension").order_by(
            "area__dimension__code", "area__position", "position"
        )


class Indicator(Translatable):
    """One MGI question within a framework version.

    Retiring an indicator sets `retired_at` instead of deleting it, so answers
    given in earlier assessments keep their question.
    """

    framework = models.ForeignKey(
        Framework, models.PROTECT, related_name="indicators", verbose_name=_("framework")
    )
    area = models.ForeignKey(
        Area, models.PROTECT, related_name="indicators", verbose_name=_("area")
    )
    code = models.CharField(_("code"), max_length=30)
    question = models.TextField(_("question"))
    guidance = models.TextField(_("guidance"), blank=True)
    answer_scale = models.CharField(
        _("answer scale"), max_length=20, choices=AnswerScale, default=AnswerScale.PRESENCE
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    gcm_objectives = models.ManyToManyField(
        GCMObjective, blank=True, related_name="indicators", verbose_name=_("GCM objectives")
    )
    sdg_domains = models.ManyToManyField(
        SDGDomain, blank=True, related_name="indicators", verbose_name=_("SDG 10.7.2 domains")
    )
    equivalent = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("equivalent in the previous version"),
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["framework", "area__dimension__code", "area__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="indicator_framework_code_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.code
