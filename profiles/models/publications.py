"""Publications: immutable, numbered versions of validated content, and their files."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Framework, Indicator
from profiles.models.assessments import LANGUAGE_CHOICES, Assessment
from profiles.models.governments import Government
from profiles.models.parts import AnswerValue, FindingKind
from profiles.models.records import SignOff


class PublicationQuerySet(models.QuerySet):
    """The only way public code reaches published content."""

    def live(self, *, at=None) -> "PublicationQuerySet":
        """Publications the public may see: released, fully rendered, not withdrawn."""
        at = at or timezone.now()
        return self.filter(release_at__lte=at, ready_at__isnull=False, withdrawn_at__isnull=True)

    def embargoed(self, *, at=None) -> "PublicationQuerySet":
        """Rendered publications, not withdrawn, that become live at a later release time.

        Nothing happens when such a release time comes: what stores state derived from
        the live publications (the open dataset's manifest, the answer tallies) records
        the first of these to know when that state goes stale.
        """
        at = at or timezone.now()
        return self.filter(release_at__gt=at, ready_at__isnull=False, withdrawn_at__isnull=True)

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
    # Lists show it beside each row; read from `content` it unpacked the whole frozen
    # content of every row a list walked (20 ms for a page 40 deep). The database
    # computes it from `content`, so it cannot disagree with what was signed.
    original_language = models.GeneratedField(
        expression=KeyTextTransform("original_language", "content"),
        output_field=models.CharField(max_length=8),
        db_persist=True,
        verbose_name=_("original language"),
    )
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
        indexes = [
            models.Index(fields=["government", "year", "version"]),
            # "Newest publications" (home page, feeds) walks this backwards and stops at
            # the first few live rows instead of sorting every publication.
            models.Index(
                fields=["-release_at", "-id"],
                condition=Q(ready_at__isnull=False, withdrawn_at__isnull=True),
                name="publication_newest_idx",
            ),
            # Each government's newest live publication (good practices, indicator pages):
            # read in this order from the index alone, first row per government.
            models.Index(
                fields=["government", "-year", "-version"],
                include=["id", "release_at"],
                condition=Q(ready_at__isnull=False, withdrawn_at__isnull=True),
                name="publication_latest_idx",
            ),
            # "Which governments have a live publication" (home's count per country) reads
            # this small index alone instead of every publication row.
            models.Index(
                fields=["government", "release_at"],
                condition=Q(ready_at__isnull=False, withdrawn_at__isnull=True),
                name="publication_live_gov_idx",
            ),
        ]

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
    # The publication's tables as CSV with datapackage.json (a Frictionless Data Package).
    ZIP = "zip", _("Data package (ZIP)")


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
            # With the value, an indicator's distribution over the newest publications is
            # read from this index alone (one probe per publication, no row read).
            models.UniqueConstraint(
                fields=["publication", "indicator"],
                include=["value"],
                name="publishedanswer_publication_indicator_uniq",
            ),
        ]
        indexes = [
            # An indicator's answers across profiles (its distribution), read from the index.
            models.Index(
                fields=["indicator", "publication"], include=["value"], name="answer_indicator_idx"
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
        indexes = [
            # The good-practice compilation reads a publication's examples alone.
            models.Index(
                fields=["publication", "dimension_code", "position"],
                condition=Q(is_good_practice=True),
                name="finding_good_practice_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]
