"""Who is assessed: national and local governments, and who acts for them."""

import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from indicators.models import Level, TimeStamped
from profiles import regions

# --- Governments -----------------------------------------------------------------

#: The column holding the sort name in each UI language (settings.LANGUAGES).
SORT_NAME_FIELDS = {
    "en": "sort_name_en",
    "fr": "sort_name_fr",
    "es": "sort_name_es",
    "ar": "sort_name_ar",
}


def fold(text: str) -> str:
    """Lower case without accents or other marks, so `Équateur` sorts among the E's."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def sort_names(*, country: str, name: str) -> dict[str, str]:
    """Each sort-name column's value: the local name, else the country's name in that language.

    National governments are named by django-countries in the reader's language,
    which the database cannot know; storing the folded name per language lets
    lists be ordered by an index instead of a CASE over every country.
    """
    values = {}
    for language, field in SORT_NAME_FIELDS.items():
        if name:
            values[field] = fold(name)
        else:
            with translation.override(language):
                values[field] = fold(str(countries.name(country)) or country)
    return values


def sort_name_field(language: str | None = None) -> str:
    """The sort-name column for `language` (default: the active one), English if unknown."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return SORT_NAME_FIELDS.get(code, SORT_NAME_FIELDS["en"])


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

    def bulk_create(self, objs: Iterable["Government"], *args, **kwargs) -> list["Government"]:
        """Create governments with their sort names filled, which `save()` does one by one."""
        objs = list(objs)
        for government in objs:
            government.fill_sort_names()
        return super().bulk_create(objs, *args, **kwargs)

    def refresh_sort_names(self) -> int:
        """Recompute the sort names of these governments; returns how many changed.

        Country names come from django-countries and its translations, which an
        upgrade can change while no row does; `migrate`, run at every deployment,
        calls this (`ProfilesConfig.ready`), so lists never sort by an old name.
        """
        fields = list(SORT_NAME_FIELDS.values())
        changed = []
        for government in self.only("pk", "country", "name", *fields).iterator(chunk_size=2000):
            before = [getattr(government, field) for field in fields]
            government.fill_sort_names()
            if [getattr(government, field) for field in fields] != before:
                changed.append(government)
        self.model.objects.bulk_update(changed, fields, batch_size=1000)
        return len(changed)

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
    # Derived from `name` and `country` by `fill_sort_names()`; lists order by the one
    # of the reader's language (`sort_name_field()`).
    sort_name_en = models.CharField(_("sort name (English)"), max_length=150, editable=False)
    sort_name_fr = models.CharField(_("sort name (French)"), max_length=150, editable=False)
    sort_name_es = models.CharField(_("sort name (Spanish)"), max_length=150, editable=False)
    sort_name_ar = models.CharField(_("sort name (Arabic)"), max_length=150, editable=False)

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
        # One per language: the public lists walk the reader's one for their first page.
        indexes = [
            models.Index(fields=[field, "slug"], name=f"government_{field}_idx")
            for field in SORT_NAME_FIELDS.values()
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        self.fill_sort_names()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "country"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *SORT_NAME_FIELDS.values()}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("profiles:government", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        """The name people use: the country's (translated) name, or the local one."""
        if self.level == Level.NATIONAL:
            return str(self.country.name)
        return str(self.name)

    def fill_sort_names(self) -> None:
        """Set the sort-name columns from the name and country (no query)."""
        for field, value in sort_names(country=str(self.country), name=self.name).items():
            setattr(self, field, value)

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
