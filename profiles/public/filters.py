"""Filters for the public lists. Every value travels in the query string, so URLs are shareable."""

import django_filters
from django import forms
from django.conf import settings
from django.forms.renderers import Jinja2
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from indicators.models import Framework, Level
from profiles import regions
from profiles.public import selectors

DIMENSION_CHOICES = [(code, str(code)) for code in range(1, 7)]


class PublicForm(forms.Form):
    """A public page's form: its widgets rendered by Django's Jinja2 widget templates.

    The same HTML as the default renderer's (whitespace aside) in half the time: the
    default renders each `<option>` through an included template, about 4 ms for the
    profiles list's filters, 2 with these, of a page that must answer in 50 ms
    (bench/bench_scale.py). The admin keeps the default renderer and its templates.
    """

    default_renderer = Jinja2()


class FrameworkSelect(forms.Select):
    """Framework versions named in the page's language, each option marked when it is not.

    A name the framework files do not translate is shown in English with `lang` and
    `dir`, so a screen reader reads it as English and an Arabic page keeps its
    brackets in order.
    """

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        framework = getattr(value, "instance", None)  # None for the empty choice
        if isinstance(framework, Framework):
            page_language = (get_language() or settings.LANGUAGE_CODE)[:2]
            shown = framework.language_of("name", page_language)
            option["label"] = f"{framework.localized('name', page_language)} (v{framework.version})"
            if shown != page_language:
                direction = "rtl" if shown in settings.LANGUAGES_BIDI else "ltr"
                option["attrs"].update(lang=shown, dir=direction)
        return option


def _region_choices():
    return regions.regions()


def _subregion_choices():
    return regions.subregions()


class ProfileFilter(django_filters.FilterSet):
    """The profiles list: level, place (region or country), round, framework, language, text."""

    q = django_filters.CharFilter(
        label=_("Search names and profile text"), method="filter_text", max_length=200
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"),
        field_name="government__level",
        choices=Level.choices,
        empty_label=_("All levels"),
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"),
        choices=_region_choices,
        method="filter_region",
        empty_label=_("All regions"),
    )
    subregion = django_filters.ChoiceFilter(
        label=_("Sub-region"),
        choices=_subregion_choices,
        method="filter_region",
        empty_label=_("All sub-regions"),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        field_name="government__country",
        choices=[],  # see __init__
        empty_label=_("All countries"),
    )
    year = django_filters.NumberFilter(
        label=_("Year"), field_name="year", min_value=1990, max_value=2100
    )
    round = django_filters.NumberFilter(
        label=_("Round"), field_name="round_number", min_value=1, max_value=50
    )
    framework = django_filters.ModelChoiceFilter(
        label=_("Framework version"),
        queryset=Framework.objects.order_by("level", "-year"),
        to_field_name="slug",
        empty_label=_("All framework versions"),
        widget=FrameworkSelect,
    )
    language = django_filters.ChoiceFilter(
        label=_("Available in"),
        choices=settings.LANGUAGES,
        method="filter_language",
        empty_label=_("Any language"),
    )

    class Meta:
        form = PublicForm
        fields = [
            "q",
            "level",
            "region",
            "subregion",
            "country",
            "year",
            "round",
            "framework",
            "language",
        ]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # The home page's list of assessed countries links here with `country`. Only that
        # country is offered (beside "All countries"): listing every country would name
        # countries without any published profile, and cost a query to avoid it.
        chosen = (data or {}).get("country", "")
        if not chosen:
            del self.filters["country"]
        else:
            self.filters["country"].extra["choices"] = [
                (code, name) for code, name in countries if code == chosen
            ]

    def filter_text(self, queryset, name, value):
        # Searched by the view with `search.results`, which counts the matches first to
        # choose how to find and order them.
        return queryset

    def filter_region(self, queryset, name, value):
        return selectors.filter_by_place(queryset, region=value, prefix="government__")

    def filter_language(self, queryset, name, value):
        # `languages` is a JSON list; matching its quoted item works on SQLite and PostgreSQL.
        return queryset.filter(languages__icontains=f'"{value}"')


class PlaceForm(PublicForm):
    """Region and level, for the indicator and good-practice pages."""

    region = forms.ChoiceField(label=_("Region or sub-region"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [
            ("", _("All regions")),
            (_("Regions"), regions.regions()),
            (_("Sub-regions"), regions.subregions()),
        ]

    def place(self) -> dict[str, str]:
        if not self.is_valid():
            return {"region": "", "level": ""}
        return {"region": self.cleaned_data["region"], "level": self.cleaned_data["level"]}


class GoodPracticeForm(PlaceForm):
    """Dimension, region and level for the good-practice compilation."""

    dimension = forms.TypedChoiceField(
        label=_("Dimension"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All dimensions")), *DIMENSION_CHOICES],
    )

    field_order = ["dimension", "region", "level"]

    def set_dimension_names(self, names: dict[int, str]) -> None:
        self.fields["dimension"].choices = [
            ("", _("All dimensions")),
            *((code, f"{code}. {names.get(code, code)}") for code, _label in DIMENSION_CHOICES),
        ]
