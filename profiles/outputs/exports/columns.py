"""The exported tables' columns, described once: the codebook is generated from them.

Column names are stable English codes; a renamed column breaks every reader of the
open data, so they change only with a note in the README.
"""

from dataclasses import dataclass

from indicators.models import Level
from profiles.models import AnswerValue, FigureKind, FindingKind, LocalKind

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
    """One column of an exported table: its stable name, codebook type and meaning.

    `required` and `values` (the allowed codes) become the Table Schema's
    constraints in datapackage.json (`schema`), so a validator checks what the
    codebook promises.
    """

    name: str
    type: str
    description: str
    required: bool = False
    values: tuple[str, ...] = ()


_GOVERNMENT = [
    Column(
        "government_slug",
        "code",
        "Stable identifier of the government: ISO3 in lower case (chl) "
        "or place-iso3 (santiago-chl).",
        required=True,
    ),
    Column(
        "government_name",
        "string",
        "Name of the government: the country's English name, or the local authority's name.",
    ),
    Column("level", "code", "national or local.", required=True, values=tuple(Level.values)),
    Column("country_iso3", "code", "ISO 3166-1 alpha-3 code of the country."),
    Column("year", "integer", "Year of the assessment round.", required=True),
    Column("round", "integer", "Round number: 1 is the baseline, later rounds are follow-ups."),
    Column(
        "version",
        "integer",
        "Publication version of that round: a correction is a new version.",
        required=True,
    ),
]

# Columns that several tables share, described once.
_FRAMEWORK_SLUG = Column(
    "framework_slug",
    "code",
    "Identifier of the indicator framework version the round used.",
    required=True,
)
_FRAMEWORK_VERSION = Column("framework_version", "code", "Version number of that framework.")
_DIMENSION_CODE = Column("dimension_code", "integer", "MGI dimension, 1 to 6.", required=True)
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
            values=tuple(LocalKind.values),
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
            required=True,
        ),
        Column(
            "question", "string", "The indicator's question, as worded in the framework version."
        ),
        Column(
            "answer",
            "code",
            "The answer; see the answer values table. Empty when not answered.",
            values=tuple(AnswerValue.values),
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
            required=True,
            values=tuple(FindingKind.values),
        ),
        Column(
            "position",
            "integer",
            "Order of the finding within its dimension and kind, from 0.",
            required=True,
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
        Column(
            "kind",
            "code",
            "Which figure; see the figure kinds in the codebook.",
            required=True,
            values=tuple(FigureKind.values),
        ),
        Column("label", "string", "Label of the figure when kind is other."),
        Column("value", "number", "The figure's value."),
        Column("unit", "string", "Unit of the value, e.g. people, %, USD million."),
        Column("figure_year", "integer", "Year the figure refers to."),
        Column("source", "string", "Where the figure comes from."),
        Column("source_url", "string", "Web address of the source."),
        _IS_SAMPLE,
    ],
}


# The codebook's own tables, shipped next to the data tables and described in
# datapackage.json like them.
CODEBOOK_COLUMNS: dict[str, list[Column]] = {
    "codebook": [
        Column("file", "code", "The table the column belongs to.", required=True),
        Column("column", "code", "The column's name.", required=True),
        Column("type", "code", "Codebook type: integer, number, boolean, string, code or date."),
        Column("pandas_dtype", "code", "The pandas dtype to read the column as."),
        Column("description", "string", "What the column holds."),
        Column("required", "boolean", "True when every row has a value in the column."),
        Column("values", "string", "The allowed codes, separated by ' | '; empty if any."),
    ],
    "answer_values": [
        Column("answer", "code", "An answer value; empty means not answered."),
        Column("meaning", "string", "What the value means."),
    ],
    "finding_kinds": [
        Column("kind", "code", "A finding kind.", required=True),
        Column("meaning", "string", "What the kind means."),
    ],
    "figure_kinds": [
        Column("kind", "code", "A context figure kind.", required=True),
        Column("meaning", "string", "What the figure is."),
    ],
    "frameworks": [
        Column("framework_slug", "code", "Identifier of the framework version.", required=True),
        Column("name", "string", "Name of the framework version."),
        Column("level", "code", "national or local.", values=tuple(Level.values)),
        Column("version", "code", "Version number of the framework."),
        Column("year", "integer", "Year the framework version was adopted."),
        Column("status", "code", "Whether the version is current or superseded."),
        Column(
            "previous_framework_slug", "code", "The version this one replaced; empty for the first."
        ),
    ],
    "equivalences": [
        Column("framework_slug", "code", "Framework version of the indicator.", required=True),
        Column("indicator_code", "code", "Code of the indicator.", required=True),
        Column(
            "equivalent_framework_slug",
            "code",
            "Framework version of the equivalent indicator.",
            required=True,
        ),
        Column("equivalent_code", "code", "Code of the equivalent indicator.", required=True),
    ],
}
