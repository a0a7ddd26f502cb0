"""Governments' sort names: one per UI language, kept by the model whatever writes the row."""

import pytest
from django.conf import settings
from django.utils import translation

from profiles.models import Government
from profiles.models.governments import SORT_NAME_FIELDS, fold, sort_name_field
from tests.factories import GovernmentFactory, LocalGovernmentFactory

pytestmark = pytest.mark.django_db


def ordered(language: str) -> list[str]:
    return list(
        Government.objects.order_by(SORT_NAME_FIELDS[language], "slug").values_list(
            "slug", flat=True
        )
    )


def test_every_ui_language_has_a_sort_name_column():
    assert sorted(SORT_NAME_FIELDS) == sorted(code for code, _name in settings.LANGUAGES)
    with translation.override("fr"):
        assert sort_name_field() == "sort_name_fr"
    assert sort_name_field("pt") == "sort_name_en"  # a language without a column


def test_national_governments_sort_by_the_country_name_of_each_language():
    for code in ("DE", "CL", "EG", "ES"):
        GovernmentFactory(country=code, slug=code.lower())
    # Germany / Allemagne / Alemania / ألمانيا; Chile / Chili; Egypt / Égypte; Spain / Espagne.
    assert ordered("en") == ["cl", "eg", "de", "es"]
    assert ordered("fr") == ["de", "cl", "eg", "es"]  # Égypte sorts as "egypte", before Espagne
    assert ordered("es") == ["de", "cl", "eg", "es"]  # Alemania, Chile, Egipto, España
    assert Government.objects.get(slug="eg").sort_name_fr == "egypte"
    assert Government.objects.get(slug="de").sort_name_ar == fold("ألمانيا")


def test_sort_names_follow_a_renamed_local_government():
    local = LocalGovernmentFactory(name="Valparaíso")
    assert local.sort_name_en == local.sort_name_ar == "valparaiso"
    local.name = "Árica"
    local.save(update_fields=["name"])
    local.refresh_from_db()
    assert {local.sort_name_en, local.sort_name_fr, local.sort_name_es} == {"arica"}


def test_bulk_created_governments_have_their_sort_names():
    Government.objects.bulk_create(
        [
            Government(level="national", kind="national", country="FR", slug="fra"),
            Government(level="local", kind="city", country="FR", name="Lyon", slug="lyon-fra"),
        ]
    )
    assert Government.objects.get(slug="fra").sort_name_es == "francia"
    assert Government.objects.get(slug="lyon-fra").sort_name_fr == "lyon"


def test_migrate_refreshes_sort_names_when_a_country_is_renamed(settings):
    """A django-countries upgrade renames a country without touching any row; the next
    `migrate` (every deployment) sorts the government under its new name."""
    from django.core.management import call_command

    chile = GovernmentFactory(country="CL")
    assert chile.sort_name_en == "chile"
    from django_countries import countries

    settings.COUNTRIES_OVERRIDE = {"CL": "Republic of Chile"}
    del countries.countries  # django-countries caches its names; an upgrade restarts
    try:
        call_command("migrate", verbosity=0)
        chile.refresh_from_db()
        assert chile.sort_name_en == "republic of chile"
        assert Government.objects.refresh_sort_names() == 0  # nothing left to change
    finally:
        del settings.COUNTRIES_OVERRIDE
        del countries.countries
