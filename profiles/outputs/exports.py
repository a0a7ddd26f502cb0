"""Open data exports of published profiles: CSV, JSON and XLSX, with a codebook.

Everything here starts from a queryset of publications chosen by the caller
(`Publication.objects.live()`, `latest_per_government()`, or the one publication
being rendered), never from assessments, so nothing unpublished can be exported.
Frames are built with pandas from `.values()` querysets and the frozen
`Publication.content`, never from model instances in a loop, and their column
names are stable English codes documented in `COLUMNS` (the codebook).

Text cells that a spreadsheet would run as a formula (starting with `=`, `+`,
`-`, `@`, tab or carriage return) get a leading apostrophe in CSV and XLSX
output (OWASP's advice against CSV injection); JSON is left as it is.
"""

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django_countries import countries

from indicators.models import Dimension, Framework, FrameworkStatus, Indicator
from profiles import regions
from profiles.models import (
    AnswerValue,
    FigureKind,
    FileKind,
    FindingKind,
    Publication,
    PublicationFile,
    PublishedAnswer,
    PublishedFinding,
)

DATASET_TITLE = "Migration Governance Indicators (MGI): published profiles"
SOURCE_SEPARATOR = " | "

# Codebook types and the pandas dtype each is read back as (see the codebook's
# "Reading the files" section, which says the same to people).
PANDAS_DTYPES = {
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "string": "string",
    "code": "string",
    "date": "string",
}


@dataclass(frozen=True)
class Column:
    """One column of an exported table: its stable name, codebook type and meaning."""

    name: str
    type: str
    description: str


_GOVERNMENT = [
    Column(
        "government_slug",
        "code",
        "Stable identifier of the government: ISO3 in lower case (chl) "
        "or place-iso3 (santiago-chl).",
    ),
    Column(
        "government_name",
        "string",
        "Name of the government: the country's English name, or the local authority's name.",
    ),
    Column("level", "code", "national or local."),
    Column("country_iso3", "code", "ISO 3166-1 alpha-3 code of the country."),
    Column("year", "integer", "Year of the assessment round."),
    Column("round", "integer", "Round number: 1 is the baseline, later rounds are follow-ups."),
    Column(
        "version", "integer", "Publication version of that round: a correction is a new version."
    ),
]

# Columns that several tables share, described once.
_FRAMEWORK_SLUG = Column(
    "framework_slug", "code", "Identifier of the indicator framework version the round used."
)
_FRAMEWORK_VERSION = Column("framework_version", "code", "Version number of that framework.")
_DIMENSION_CODE = Column("dimension_code", "integer", "MGI dimension, 1 to 6.")
_DIMENSION_NAME = Column("dimension_name", "string", "Short name of the dimension.")
_IS_SAMPLE = Column(
    "is_sample", "boolean", "True for invented demonstration data that is not an IOM result."
)

COLUMNS: dict[str, list[Column]] = {
    "publications": [
        *_GOVERNMENT,
        Column(
            "government_kind",
            "code",
            "national, city, municipality, state, province, region, district "
            "or territorial_community.",
        ),
        Column("region", "string", "UN M49 region of the country."),
        Column("subregion", "string", "UN M49 sub-region of the country."),
        _FRAMEWORK_SLUG,
        _FRAMEWORK_VERSION,
        Column("released_on", "date", "Date (YYYY-MM-DD, UTC) the version became public."),
        Column("original_language", "code", "ISO 639-1 code of the language the texts are in."),
        Column("languages", "string", "Languages the profile is published in, separated by ' | '."),
        Column(
            "content_hash",
            "code",
            "SHA-256 of the frozen content; equals the hash the government validated.",
        ),
        _IS_SAMPLE,
        Column("url", "string", "Permanent web address of this version of the profile."),
    ],
    "answers": [
        *_GOVERNMENT,
        _FRAMEWORK_SLUG,
        _FRAMEWORK_VERSION,
        _DIMENSION_CODE,
        _DIMENSION_NAME,
        Column("area_code", "code", "Code of the area (sub-dimension) within the framework."),
        Column("area_name", "string", "Name of the area."),
        Column(
            "indicator_code",
            "code",
            "Code of the indicator within its framework version; "
            "see equivalences for other versions.",
        ),
        Column(
            "question", "string", "The indicator's question, as worded in the framework version."
        ),
        Column(
            "answer", "code", "The answer; see the answer values table. Empty when not answered."
        ),
        Column("justification", "string", "Why the answer was given, in the original language."),
        Column("evidence", "string", "Articles, sections and documents that support the answer."),
        Column(
            "source_titles",
            "string",
            "Titles of the sources cited for the answer, separated by ' | '.",
        ),
        _IS_SAMPLE,
    ],
    "findings": [
        *_GOVERNMENT,
        _FRAMEWORK_SLUG,
        _DIMENSION_CODE,
        _DIMENSION_NAME,
        Column(
            "kind",
            "code",
            "well_developed (a well-developed area) or potential "
            "(an area with potential for further development).",
        ),
        Column(
            "position", "integer", "Order of the finding within its dimension and kind, from 0."
        ),
        Column("text", "string", "The finding, in the original language."),
        Column(
            "is_good_practice",
            "boolean",
            "True when IOM staff marked the finding as a good-practice example.",
        ),
        _IS_SAMPLE,
    ],
    "context_figures": [
        *_GOVERNMENT,
        Column("kind", "code", "Which figure; see the figure kinds in the codebook."),
        Column("label", "string", "Label of the figure when kind is other."),
        Column("value", "number", "The figure's value."),
        Column("unit", "string", "Unit of the value, e.g. people, %, USD million."),
        Column("figure_year", "integer", "Year the figure refers to."),
        Column("source", "string", "Where the figure comes from."),
        Column("source_url", "string", "Web address of the source."),
        _IS_SAMPLE,
    ],
}

FORMULA_START = frozenset("=+-@\t\r")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --- Frames --------------------------------------------------------------------------


def publications_frame(publications: QuerySet[Publication]) -> pd.DataFrame:
    """One row per publication, with the government and framework it belongs to."""
    rows = list(
        publications.order_by("government__slug", "year", "version").values(
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
    )
    frame = pd.DataFrame.from_records(
        rows,
        columns=[
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
        ],
    )
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


# --- Codebook ------------------------------------------------------------------------


def codebook_tables() -> dict[str, pd.DataFrame]:
    """The codebook as tables: columns, answer values, figure kinds, frameworks, equivalences."""
    with translation.override("en"):
        columns = pd.DataFrame.from_records(
            [
                (table, c.name, c.type, PANDAS_DTYPES[c.type], c.description)
                for table, cols in COLUMNS.items()
                for c in cols
            ],
            columns=["file", "column", "type", "pandas_dtype", "description"],
        )
        answer_values = pd.DataFrame.from_records(
            [(value, str(label)) for value, label in AnswerValue.choices] + [("", "Not answered")],
            columns=["answer", "meaning"],
        )
        finding_kinds = [(value, str(label)) for value, label in FindingKind.choices]
        figure_kinds = pd.DataFrame.from_records(
            [(value, str(label)) for value, label in FigureKind.choices],
            columns=["kind", "meaning"],
        )
    frameworks = pd.DataFrame.from_records(
        list(
            Framework.objects.exclude(status=FrameworkStatus.DRAFT)
            .order_by("level", "year")
            .values("slug", "name", "level", "version", "year", "status", "previous__slug")
        ),
        columns=["slug", "name", "level", "version", "year", "status", "previous__slug"],
    ).rename(columns={"slug": "framework_slug", "previous__slug": "previous_framework_slug"})
    frameworks["previous_framework_slug"] = frameworks["previous_framework_slug"].fillna("")
    equivalences = pd.DataFrame.from_records(
        list(
            Indicator.objects.filter(equivalent__isnull=False)
            .exclude(framework__status=FrameworkStatus.DRAFT)
            .order_by("framework__slug", "code")
            .values_list(
                "framework__slug", "code", "equivalent__framework__slug", "equivalent__code"
            )
        ),
        columns=[
            "framework_slug",
            "indicator_code",
            "equivalent_framework_slug",
            "equivalent_code",
        ],
    )
    findings = pd.DataFrame.from_records(finding_kinds, columns=["kind", "meaning"])
    return {
        "codebook": columns,
        "answer_values": answer_values,
        "finding_kinds": findings,
        "figure_kinds": figure_kinds,
        "frameworks": frameworks,
        "equivalences": equivalences,
    }


def codebook_answer_values() -> list[tuple[str, str]]:
    """(value, translated label) of every answer value, for the /data/ page."""
    return list(AnswerValue.choices)


def licence_text(*, generated_at: str) -> str:
    """The LICENCE file of the dataset."""
    licence = settings.MGI_CONTENT_LICENCE
    return (
        f"{DATASET_TITLE}\n\n"
        f"Licence: {licence}.\n"
        f"Source: MGI Portal, {settings.MGI_SITE_URL}/data/ (generated {generated_at}).\n\n"
        "You may share and adapt the data, including commercially, provided you credit\n"
        "the source, link to the licence and say whether you changed the data.\n"
        "Rows with is_sample = true are invented demonstration data, not IOM results.\n"
        "The MGI take stock of migration policies; they are not a ranking.\n"
    )


def codebook_markdown(tables: dict[str, pd.DataFrame], *, generated_at: str) -> str:
    """The human-readable codebook: every column, answer value, framework and equivalence."""
    lines = [
        f"# Codebook: {DATASET_TITLE}",
        "",
        f"Generated {generated_at}. Licence: {settings.MGI_CONTENT_LICENCE}.",
        "",
        "Only published, publicly released versions are included; drafts never are.",
        "Each profile's rows come from the exact content its government validated.",
        "",
        "## Reading the files",
        "",
        "CSV files are UTF-8 with a header row, comma-separated, CRLF line ends (RFC 4180), "
        "quoted where needed.",
        "Read them with every column's `pandas_dtype` from codebook.csv and",
        "`keep_default_na=False`, so empty text stays empty (e.g. `pd.read_csv(path,",
        'dtype=dtypes, keep_default_na=False, na_values={"value": [""]})`).',
        "Text cells that begin with =, +, -, @, a tab or a carriage return start with an",
        "apostrophe (') so that spreadsheet programs do not run them as formulas.",
        f"Several sources in one cell are separated by '{SOURCE_SEPARATOR}'.",
        "",
        "Types: integer (whole number), number (decimal), boolean (True/False),",
        "string (free text), code (a value from a fixed list or an identifier),",
        "date (YYYY-MM-DD).",
        "",
    ]
    for table, cols in COLUMNS.items():
        lines += [f"## {table}.csv", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| {c.name} | {c.type} | {c.description} |" for c in cols]
        lines.append("")
    for title, key in (
        ("Answer values", "answer_values"),
        ("Finding kinds", "finding_kinds"),
        ("Context figure kinds", "figure_kinds"),
        ("Framework versions", "frameworks"),
        ("Indicator equivalences between framework versions", "equivalences"),
    ):
        lines += [f"## {title} ({key}.csv)", "", _markdown_table(tables[key]), ""]
    return "\n".join(lines)


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = [
        "| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


# --- Writing -------------------------------------------------------------------------


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells a spreadsheet would treat as a formula with an apostrophe."""
    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        if not (pd.api.types.is_string_dtype(series) or series.dtype == object):
            continue
        # A first-character test per cell: several times faster than a regex over
        # the column, which matters at 60,000 rows x 15 text columns.
        values = series.to_numpy(dtype=object, na_value=None)
        risky = np.fromiter(
            (isinstance(v, str) and v[:1] in FORMULA_START for v in values),
            dtype=bool,
            count=len(values),
        )
        if risky.any():
            values = values.copy()
            values[risky] = ["'" + v for v in values[risky]]
            frame[column] = pd.array(values, dtype=series.dtype)
    return frame


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as safe UTF-8 CSV."""
    return neutralise(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Frames as one XLSX workbook, one sheet each, safe from formula injection."""
    buffer = io.BytesIO()
    # XlsxWriter is several times faster than openpyxl at writing; with these options
    # it also never turns a string into a formula or a link, whatever it starts with.
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        for name, frame in sheets.items():
            safe = neutralise(frame)
            for column in safe.columns:
                if pd.api.types.is_string_dtype(safe[column]):
                    safe[column] = safe[column].str.replace(_XLSX_ILLEGAL, "", regex=True)
            safe.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


@dataclass
class Dataset:
    """The frames of one dataset build, and when it was made."""

    tables: dict[str, pd.DataFrame]
    codebook: dict[str, pd.DataFrame]
    generated_at: str


def build_dataset(publications: QuerySet[Publication]) -> Dataset:
    """Every table of the open dataset for the given publications."""
    pubs = publications_frame(publications)
    tables = {
        "publications": typed(
            pubs[[c.name for c in COLUMNS["publications"]]], "publications"
        ).reset_index(drop=True),
        "answers": answers_frame(publications, pubs=pubs),
        "findings": findings_frame(publications, pubs=pubs),
        "context_figures": context_figures_frame(publications, pubs=pubs),
    }
    generated_at = timezone.now().replace(microsecond=0).isoformat()
    return Dataset(tables=tables, codebook=codebook_tables(), generated_at=generated_at)


def subset(dataset: Dataset, publications: QuerySet[Publication]) -> Dataset:
    """The rows of `dataset` that belong to `publications` (e.g. the latest of each government)."""
    keys = list(publications.values_list("government__slug", "year", "version"))

    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        index = pd.MultiIndex.from_frame(
            frame[["government_slug", "year", "version"]].astype(object)
        )
        return frame[index.isin(keys)].reset_index(drop=True)

    tables = {name: keep(frame) for name, frame in dataset.tables.items()}
    return Dataset(tables=tables, codebook=dataset.codebook, generated_at=dataset.generated_at)


def dataset_zip(dataset: Dataset) -> bytes:
    """The dataset as a ZIP of CSV files with codebook and licence."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, frame in (dataset.tables | dataset.codebook).items():
            archive.writestr(f"{name}.csv", to_csv_bytes(frame))
        archive.writestr(
            "codebook.md", codebook_markdown(dataset.codebook, generated_at=dataset.generated_at)
        )
        archive.writestr("LICENCE", licence_text(generated_at=dataset.generated_at))
    return buffer.getvalue()


def dataset_xlsx(dataset: Dataset) -> bytes:
    """The dataset as one XLSX workbook: a sheet per table, then the codebook sheets."""
    about = pd.DataFrame(
        {
            "field": ["title", "licence", "generated_at", "source", "note"],
            "value": [
                DATASET_TITLE,
                settings.MGI_CONTENT_LICENCE,
                dataset.generated_at,
                f"{settings.MGI_SITE_URL}/data/",
                "Rows with is_sample = True are invented demonstration data. "
                "The MGI are not a ranking.",
            ],
        }
    )
    return to_xlsx_bytes({"about": about} | dataset.tables | dataset.codebook)


# --- Per-publication files (rendered once at publication) ----------------------------


def publication_csv(publication: Publication) -> bytes:
    """Every answer of one publication as CSV (the columns of answers.csv)."""
    return to_csv_bytes(answers_frame(Publication.objects.filter(pk=publication.pk)))


def publication_json(publication: Publication) -> bytes:
    """One publication as JSON: its metadata, answers, findings, context figures, sources."""
    only = Publication.objects.filter(pk=publication.pk)
    pubs = publications_frame(only)

    def records(frame: pd.DataFrame) -> list[dict]:
        return json.loads(frame.to_json(orient="records", force_ascii=False))

    meta = records(typed(pubs[[c.name for c in COLUMNS["publications"]]], "publications"))[0]
    document = {
        "publication": meta,
        "licence": settings.MGI_CONTENT_LICENCE,
        "answers": records(answers_frame(only, pubs=pubs)),
        "findings": records(findings_frame(only, pubs=pubs)),
        "context_figures": records(context_figures_frame(only, pubs=pubs)),
        "sources": [
            {key: source[key] for key in ("id", "title", "kind", "issuer", "year", "url")}
            for source in publication.content["sources"]
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def data_filename(publication: Publication, extension: str) -> str:
    """`mgi-chl-2023-v1.csv`: names the exact version, as downloads are cited."""
    return (
        f"mgi-{publication.government.slug}-{publication.year}-v{publication.version}.{extension}"
    )


def render_publication_data(publication: Publication) -> None:
    """Renderer for `publishing._renderers()`: store the CSV and JSON of a publication."""
    language = publication.content.get("original_language", "en")
    for kind, data in (
        (FileKind.CSV, publication_csv(publication)),
        (FileKind.JSON, publication_json(publication)),
    ):
        store_file(
            publication,
            kind=kind,
            language=language,
            filename=data_filename(publication, kind),
            data=data,
        )


def store_file(
    publication: Publication, *, kind: str, language: str, filename: str, data: bytes
) -> PublicationFile:
    """Replace the publication's file of this kind and language (renders may run twice)."""
    for old in PublicationFile.objects.filter(
        publication=publication, kind=kind, language=language
    ):
        old.file.delete(save=False)
        old.delete()
    stored = PublicationFile(
        publication=publication,
        kind=kind,
        language=language,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    stored.file.save(filename, ContentFile(data), save=False)
    stored.save()
    return stored
