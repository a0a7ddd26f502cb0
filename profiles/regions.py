"""UN M49 regions and sub-regions of countries, from the shipped `data/m49_regions.csv`.

Regions are reference data about countries, not about governments, so they are
looked up here rather than stored on each government: filtering by region becomes
`country__in=countries_in(code)`.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django_countries import countries

DATA_FILE = Path(__file__).resolve().parent / "data" / "m49_regions.csv"


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


def regions() -> list[tuple[str, str]]:
    """(code, name) of every M49 region, by name."""
    return sorted({(r.region_code, r.region) for r in _table().values()}, key=lambda x: x[1])


def subregions() -> list[tuple[str, str]]:
    """(code, name) of every M49 sub-region, by name."""
    return sorted({(r.subregion_code, r.subregion) for r in _table().values()}, key=lambda x: x[1])


def alpha3(iso2: str) -> str:
    """ISO alpha-3 code of a country, used in government slugs (`chl`)."""
    return countries.alpha3(iso2)
