"""UN M49 regions and sub-regions of countries, from the shipped `data/m49_regions.csv`.

Regions are reference data about countries, not about governments, so they are
looked up here rather than stored on each government: filtering by region becomes
`country__in=countries_in(code)`.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from django_countries import countries

DATA_FILE = Path(__file__).resolve().parent / "data" / "m49_regions.csv"

# Display names of the M49 areas in the UI language. The CSV's English names stay the
# stable values of exports and the API.
NAMES = {
    "002": _("Africa"),
    "009": _("Oceania"),
    "019": _("Americas"),
    "142": _("Asia"),
    "150": _("Europe"),
    "005": _("South America"),
    "011": _("Western Africa"),
    "013": _("Central America"),
    "014": _("Eastern Africa"),
    "015": _("Northern Africa"),
    "017": _("Middle Africa"),
    "018": _("Southern Africa"),
    "021": _("Northern America"),
    "029": _("Caribbean"),
    "030": _("Eastern Asia"),
    "034": _("Southern Asia"),
    "035": _("South-eastern Asia"),
    "039": _("Southern Europe"),
    "053": _("Australia and New Zealand"),
    "054": _("Melanesia"),
    "057": _("Micronesia"),
    "061": _("Polynesia"),
    "143": _("Central Asia"),
    "145": _("Western Asia"),
    "151": _("Eastern Europe"),
    "154": _("Northern Europe"),
    "155": _("Western Europe"),
}


@dataclass(frozen=True)
class Region:
    """A country's M49 region (e.g. 002 Africa) and sub-region (e.g. 011 Western Africa)."""

    region_code: str
    region: str
    subregion_code: str
    subregion: str


@cache
def _table() -> dict[str, Region]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            row["iso2"]: Region(
                row["region_code"], row["region"], row["subregion_code"], row["subregion"]
            )
            for row in csv.DictReader(handle)
        }


def of_country(iso2: str) -> Region | None:
    """The region of a country given by its ISO 3166-1 alpha-2 code."""
    return _table().get(iso2)


def countries_in(code: str) -> list[str]:
    """ISO alpha-2 codes of the countries in a region or sub-region (by M49 code)."""
    return sorted(
        iso2
        for iso2, region in _table().items()
        if code in (region.region_code, region.subregion_code)
    )


def name(code: str) -> str:
    """The M49 region or sub-region's name in the active language."""
    return str(NAMES[code])


def regions() -> list[tuple[str, str]]:
    """(code, name) of every M49 region, by name in the active language."""
    codes = {r.region_code for r in _table().values()}
    return sorted(((code, name(code)) for code in codes), key=lambda item: item[1])


def subregions() -> list[tuple[str, str]]:
    """(code, name) of every M49 sub-region, by name in the active language."""
    codes = {r.subregion_code for r in _table().values()}
    return sorted(((code, name(code)) for code in codes), key=lambda item: item[1])


def alpha3(iso2: str) -> str:
    """ISO alpha-3 code of a country, used in government slugs (`chl`)."""
    return countries.alpha3(iso2)
