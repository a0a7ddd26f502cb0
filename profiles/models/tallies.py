"""Answer tallies: how each government's newest live profile answered each indicator, counted.

An indicator's page shows how many of the newest live profiles gave each answer,
filtered by place and level. Counting that from the answers joins every
government's newest publication with the indicator's answers (30,000 rows at
10,000 governments, about 15 ms); these rows hold the counts instead, per
indicator, country, level and answer, so the page sums a few rows.

They are derived, and only `profiles.publishing.tallies` writes them, when what
is newest and live changes: a publication became ready, was withdrawn, or its
embargo ended. `NewestPublication` records, per government, which publication
the tallies count and when that stops being true without an event (the release
of an embargoed one, `stale_at`); readers fall back to counting the answers
while a released publication is not counted yet, so a page never shows a count
that disagrees with its list. The home page counts its assessed governments per
country from `NewestPublication` too.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from indicators.models import Indicator, Level
from profiles.models.governments import Government
from profiles.models.parts import AnswerValue
from profiles.models.publications import Publication


class NewestPublication(models.Model):
    """The publication a government's answers are counted from, and until when that holds."""

    government = models.OneToOneField(
        Government, models.CASCADE, primary_key=True, related_name="+", verbose_name=_("government")
    )
    publication = models.ForeignKey(
        Publication,
        models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("newest live publication"),
        help_text=_("Empty when none of the government's publications is live."),
    )
    # Where the answers were counted: subtracted from the same rows when this changes.
    country = CountryField(_("country"))
    level = models.CharField(_("level"), max_length=10, choices=Level)
    stale_at = models.DateTimeField(
        _("stale at"),
        null=True,
        help_text=_("When an embargoed publication of this government is released."),
    )

    class Meta:
        verbose_name = _("newest live publication")
        verbose_name_plural = _("newest live publications")
        indexes = [
            # Readers ask whether any embargo has ended since it was counted.
            models.Index(
                fields=["stale_at"], condition=Q(stale_at__isnull=False), name="newest_stale_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.government_id}: {self.publication_id}"


class AnswerTally(models.Model):
    """How many governments' newest live publications in a country and level gave an answer."""

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="+", verbose_name=_("indicator")
    )
    country = CountryField(_("country"))
    level = models.CharField(_("level"), max_length=10, choices=Level)
    value = models.CharField(_("answer"), max_length=20, choices=AnswerValue, blank=True)
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        verbose_name = _("answer tally")
        verbose_name_plural = _("answer tallies")
        constraints = [
            # The key that publishing adds to and subtracts from (ON CONFLICT), and that an
            # indicator's page finds its rows by. Without INCLUDE: SQLite has no covering
            # indexes and would then drop the constraint.
            models.UniqueConstraint(
                fields=["indicator", "country", "level", "value"], name="answertally_key_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.country} {self.level} {self.value}: {self.count}"
