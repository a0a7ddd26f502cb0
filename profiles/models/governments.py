"""Who is assessed: national and local governments, and who acts for them."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from indicators.models import Level, TimeStamped
from profiles import regions

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
        # Publication is defined in models.publications, which imports this module.
        publication = self.model._meta.get_field("publications").related_model
        return self.filter(Exists(publication.objects.live().filter(government=OuterRef("pk"))))


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
