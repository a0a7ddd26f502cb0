"""The tables of the open data as pandas frames, from publications only.

Frames are built from `.values()` querysets and the frozen `Publication.content`,
never from model instances in a loop (see bench/bench_export.py), and typed as
the codebook says so a reader gets back exactly what was written.
"""

from collections.abc import Iterable

import pandas as pd
from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django_countries import countries

from indicators.models import Dimension
from profiles import regions
from profiles.models import (
    Publication,
    PublishedAnswer,
    PublishedFinding,
)
from profiles.outputs.exports.columns import COLUMNS, PANDAS_DTYPES, SOURCE_SEPARATOR

#: The publication columns read for the publications table, in their order.
PUBLICATION_FIELDS = (
    "id",
    "government__slug",
    "government__name",
    "government__level",
    "government__kind",
    "government__country",
    "year",
    "round_number",
    "version",
    "framework__slug",
    "framework__version",
    "release_at",
    "content__original_language",
    "languages",
    "content_hash",
    "is_sample",
)


def publications_frame(publications: QuerySet[Publication]) -> pd.DataFrame:
    """One row per publication, with the government and framework it belongs to."""
    rows = list(
        publications.order_by("government__slug", "year", "version").values(*PUBLICATION_FIELDS)
    )
    frame = pd.DataFrame.from_records(rows, columns=list(PUBLICATION_FIELDS))
    country = frame["government__country"].astype(str)
    names, iso3, region, subregion = _country_tables(country.unique())
    frame = frame.rename(
        columns={
            "government__slug": "government_slug",
            "government__level": "level",
            "government__kind": "government_kind",
            "round_number": "round",
            "framework__slug": "framework_slug",
            "framework__version": "framework_version",
            "content__original_language": "original_language",
        }
    )
    local_name = frame["government__name"].astype(str)
    frame["government_name"] = local_name.where(local_name != "", country.map(names))
    frame["country_iso3"] = country.map(iso3)
    frame["region"] = country.map(region)
    frame["subregion"] = country.map(subregion)
    frame["released_on"] = [value.date().isoformat() for value in frame["release_at"]]
    frame["languages"] = [SOURCE_SEPARATOR.join(value) for value in frame["languages"]]
    pattern = _permalink_pattern()
    frame["url"] = [
        pattern.format(slug=slug, year=year, version=version)
        for slug, year, version in zip(
            frame["government_slug"], frame["year"], frame["version"], strict=True
        )
    ]
    frame = frame.set_index("id", drop=False)
    return frame


def answers_frame(
    publications: QuerySet[Publication], *, pubs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per published answer, in framework order within each publication.

    Codes and framework text come from `PublishedAnswer` rows joined to the
    indicator tables; justification, evidence and sources from the frozen content.
    """
    pubs = publications_frame(publications) if pubs is None else pubs
    rows = list(
        PublishedAnswer.objects.filter(publication__in=publications.values("pk"))
        .order_by(
            "publication_id",
            "indicator__area__dimension__code",
            "indicator__area__position",
            "indicator__position",
        )
        .values_list(
            "publication_id",
            "indicator__area__dimension__code",
            "indicator__area__dimension__short_name",
            "indicator__area__code",
            "indicator__area__name",
            "indicator__code",
            "indicator__question",
            "value",
        )
    )
    frame = pd.DataFrame.from_records(
        rows,
        columns=[
            "publication_id",
            "dimension_code",
            "dimension_name",
            "area_code",
            "area_name",
            "indicator_code",
            "question",
            "answer",
        ],
    )
    texts = pd.DataFrame.from_records(
        list(_answer_texts(publications)),
        columns=["publication_id", "indicator_code", "justification", "evidence", "source_titles"],
    )
    frame = frame.merge(texts, on=["publication_id", "indicator_code"], how="left")
    return _finish(frame, pubs, "answers")


def findings_frame(
    publications: QuerySet[Publication], *, pubs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per published finding (well-developed areas, areas with potential)."""
    pubs = publications_frame(publications) if pubs is None else pubs
    rows = list(
        PublishedFinding.objects.filter(publication__in=publications.values("pk"))
        .order_by("publication_id", "dimension_code", "kind", "position")
        .values_list(
            "publication_id",
            "publication__framework_id",
            "dimension_code",
            "kind",
            "position",
            "text",
            "is_good_practice",
        )
    )
    frame = pd.DataFrame.from_records(
        rows,
        columns=[
            "publication_id",
            "framework_id",
            "dimension_code",
            "kind",
            "position",
            "text",
            "is_good_practice",
        ],
    )
    names = pd.DataFrame.from_records(
        list(Dimension.objects.values_list("framework_id", "code", "short_name")),
        columns=["framework_id", "dimension_code", "dimension_name"],
    )
    frame = frame.merge(names, on=["framework_id", "dimension_code"], how="left")
    return _finish(frame, pubs, "findings")


def context_figures_frame(
    publications: QuerySet[Publication], *, pubs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per context figure (migrant stock, remittances, ...) of each publication."""
    pubs = publications_frame(publications) if pubs is None else pubs
    records = [
        (
            pk,
            figure["kind"],
            figure["label"],
            figure["value"],
            figure["unit"],
            figure["year"],
            figure["source"],
            figure["source_url"],
        )
        for pk, figures in publications.order_by().values_list("pk", "content__context_figures")
        for figure in figures or []
    ]
    frame = pd.DataFrame.from_records(
        records,
        columns=[
            "publication_id",
            "kind",
            "label",
            "value",
            "unit",
            "figure_year",
            "source",
            "source_url",
        ],
    )
    frame["value"] = pd.to_numeric(frame["value"])
    return _finish(frame, pubs, "context_figures")


def _answer_texts(publications: QuerySet[Publication]) -> Iterable[tuple]:
    """(publication, indicator code, justification, evidence, source titles) from content."""
    # Only the two parts needed are read, so translations and narrative text are
    # never decoded: JSON decoding is most of an export's time at 60,000 answers.
    rows = publications.order_by().values_list("pk", "content__dimensions", "content__sources")
    for pk, dimensions, sources in rows:
        titles = {source["id"]: source["title"] for source in sources}
        for dimension in dimensions:
            for area in dimension["areas"]:
                for item in area["indicators"]:
                    yield (
                        pk,
                        item["code"],
                        item["justification"],
                        item["evidence"],
                        SOURCE_SEPARATOR.join(titles[s] for s in item["sources"] if s in titles),
                    )


def _finish(frame: pd.DataFrame, pubs: pd.DataFrame, table: str) -> pd.DataFrame:
    """Join the publication columns, order the columns as the codebook does, set types."""
    wanted = [c.name for c in COLUMNS[table]]
    from_pubs = [c for c in wanted if c not in frame.columns]
    order = pd.Series(range(len(pubs)), index=pubs.index, name="_order")
    joined = frame.join(pubs[from_pubs], on="publication_id").join(order, on="publication_id")
    joined = joined.sort_values("_order", kind="stable")
    return typed(joined[wanted].reset_index(drop=True), table)


def typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Give every column the pandas dtype its codebook type reads back as."""
    dtypes = {c.name: PANDAS_DTYPES[c.type] for c in COLUMNS[table]}
    frame = frame.astype(dtypes)
    for column, dtype in dtypes.items():
        if dtype == "string":
            frame[column] = frame[column].fillna("")
    return frame


def _country_tables(codes: Iterable[str]) -> tuple[dict, dict, dict, dict]:
    """English names, ISO3 codes and M49 regions of the given ISO2 country codes."""
    names, iso3, region, subregion = {}, {}, {}, {}
    with translation.override("en"):
        for code in codes:
            names[code] = str(countries.name(code))
            iso3[code] = countries.alpha3(code) or ""
            found = regions.of_country(code)
            region[code] = found.region if found else ""
            subregion[code] = found.subregion if found else ""
    return names, iso3, region, subregion


def _permalink_pattern() -> str:
    """`https://site/profiles/{slug}/{year}/v{version}/`: one reverse() for every row."""
    with translation.override("en"):
        path = reverse("profiles:version", kwargs={"slug": "slug", "year": 1111, "version": 2222})
    path = path.replace("/slug/", "/{slug}/").replace("/1111/", "/{year}/")
    path = path.replace("/v2222/", "/v{version}/")
    return settings.MGI_SITE_URL.replace("{", "{{").replace("}", "}}") + path
