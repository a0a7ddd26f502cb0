"""Query-string filters of the API. Names are stable snake_case English codes.

Every filter narrows a queryset that already starts from live publications, so
no filter value can reach unpublished content.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from indicators.models import Level
from profiles import regions
from profiles.models import (
    AnswerValue,
    FindingKind,
    Government,
    Publication,
    PublishedAnswer,
    PublishedFinding,
)
from profiles.public import search as public_search


def _region_choices() -> list[tuple[str, str]]:
    return regions.regions() + regions.subregions()


#: M49 codes of every region and sub-region, for the schema's enum (names are translated).
REGION_CODES = sorted(code for code, _name in _region_choices())


@extend_schema_field({"type": "string", "enum": REGION_CODES})
class RegionFilter(django_filters.ChoiceFilter):
    """A UN M49 region or sub-region code (`002` Africa, `019` Americas, `005` South America)."""


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number: `?year=2021`, not `2021.5` (NumberFilter takes any decimal)."""

    field_class = forms.IntegerField


class StrictBooleanField(forms.Field):
    """`true`/`false` (or `1`/`0`); empty is no filter; anything else is an error.

    Django's NullBooleanField (and its widgets) turn any unknown value into "no
    filter", so `?good_practice=maybe` silently returned every finding.
    """

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError("Use true or false.", code="invalid") from None


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter that refuses values other than true and false."""

    field_class = StrictBooleanField


def _countries(code: str) -> list[str]:
    return regions.countries_in(code)


def _iso2(value: str) -> str:
    """Accept a country as ISO2 (CL) or ISO3 (CHL)."""
    value = value.strip().upper()
    if len(value) == 3:
        return countries.alpha2(value) or value
    return value


class GovernmentFilter(django_filters.FilterSet):
    """Filters for /api/v1/governments/."""

    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    region = RegionFilter(
        choices=_region_choices, method="filter_region", label=_("UN M49 region or sub-region code")
    )
    country = django_filters.CharFilter(method="filter_country", label=_("Country (ISO2 or ISO3)"))

    class Meta:
        model = Government
        fields = ["level", "region", "country"]

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(country__in=_countries(value))

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(country=_iso2(value))


class _PublicationFields(django_filters.FilterSet):
    """Filters on the publication a row belongs to; `prefix` is the path to it."""

    prefix = ""

    government = django_filters.CharFilter(method="filter_government", label=_("Government slug"))
    level = django_filters.ChoiceFilter(
        choices=Level.choices, method="filter_level", label=_("Level")
    )
    region = RegionFilter(
        choices=_region_choices, method="filter_region", label=_("UN M49 region or sub-region code")
    )
    country = django_filters.CharFilter(method="filter_country", label=_("Country (ISO2 or ISO3)"))
    year = IntegerFilter(method="filter_year", label=_("Year of the round"))
    round = IntegerFilter(method="filter_round", label=_("Round number"))
    framework = django_filters.CharFilter(method="filter_framework", label=_("Framework slug"))
    latest = BooleanFilter(
        method="filter_latest",
        label=_("Only the latest published version of each government"),
    )

    def _q(self, lookup: str, value) -> Q:
        return Q(**{f"{self.prefix}{lookup}": value})

    def filter_government(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(self._q("government__slug", value))

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(self._q("government__level", value))

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(self._q("government__country__in", _countries(value)))

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(self._q("government__country", _iso2(value)))

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(self._q("year", value))

    def filter_round(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(self._q("round_number", value))

    def filter_framework(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(self._q("framework__slug", value))

    def filter_latest(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        latest = Publication.objects.latest_per_government().values("pk")
        condition = Q(**{"publication__in" if self.prefix else "pk__in": latest})
        return queryset.filter(condition) if value else queryset.exclude(condition)


class PublicationFilter(_PublicationFields):
    """Filters for /api/v1/publications/.

    `dimension`, `indicator` and `answer` together select publications that have
    one answer matching all of them (e.g. indicator X answered fully_present).
    `search` is the profiles list's full-text search (best match first).
    """

    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        label=_(
            "Full-text search of names and profile text, best match first: "
            '"exact phrase", -excluded, either OR other (PostgreSQL; stemmed, accents ignored)'
        ),
    )

    dimension = IntegerFilter(method="filter_answers", label=_("Dimension code"))
    indicator = django_filters.CharFilter(method="filter_answers", label=_("Indicator code"))
    answer = django_filters.ChoiceFilter(
        choices=AnswerValue.choices, method="filter_answers", label=_("Answer value")
    )

    class Meta:
        model = Publication
        fields = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return public_search.search(queryset, value)

    def filter_answers(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # Applied once for all three, so they match the same answer row.
        if getattr(self, "_answers_filtered", False):
            return queryset
        self._answers_filtered = True
        data = self.form.cleaned_data
        lookups = {
            "indicator__area__dimension__code": data.get("dimension"),
            "indicator__code": data.get("indicator"),
            "value": data.get("answer"),
        }
        lookups = {k: v for k, v in lookups.items() if v not in (None, "")}
        answers = PublishedAnswer.objects.filter(publication=OuterRef("pk"), **lookups)
        return queryset.filter(Exists(answers))


class AnswerFilter(_PublicationFields):
    """Filters for /api/v1/answers/ (one row per published answer)."""

    prefix = "publication__"

    dimension = IntegerFilter(
        field_name="indicator__area__dimension__code", label=_("Dimension code")
    )
    indicator = django_filters.CharFilter(field_name="indicator__code", label=_("Indicator code"))
    answer = django_filters.ChoiceFilter(
        field_name="value", choices=AnswerValue.choices, label=_("Answer value")
    )

    class Meta:
        model = PublishedAnswer
        fields = []


class FindingFilter(_PublicationFields):
    """Filters for /api/v1/findings/."""

    prefix = "publication__"

    dimension = IntegerFilter(field_name="dimension_code", label=_("Dimension code"))
    kind = django_filters.ChoiceFilter(choices=FindingKind.choices, label=_("Kind of finding"))
    good_practice = BooleanFilter(
        field_name="is_good_practice", label=_("Only good-practice examples")
    )

    class Meta:
        model = PublishedFinding
        fields = []
