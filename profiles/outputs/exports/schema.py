"""The open data as a Frictionless Data Package: `datapackage.json`, from the columns.

The descriptor is generated from `columns.COLUMNS` and `columns.CODEBOOK_COLUMNS`,
the same definitions the codebook files and the /data/ page are built from, so
the three can never disagree. It names no remote profile or `$ref`: validating
it (`frictionless validate datapackage.json`) needs no network.

Every CSV is read with one rule: an empty cell is a missing value (`""` in
`missingValues`), which is what the CSVs write for an unanswered answer or an
absent figure. `answer_values.csv` is the exception: its empty `answer` is the
"Not answered" code itself, so that table has no missing values.
"""

from django.conf import settings

from profiles.outputs.exports.columns import (
    CODEBOOK_COLUMNS,
    COLUMNS,
    DATASET_TITLE,
    Column,
)

# Codebook types as Table Schema field types: a code is a string with rules.
FIELD_TYPES = {
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "string": "string",
    "code": "string",
    "date": "date",
}
PUBLICATION_KEY = ["government_slug", "year", "version"]
PRIMARY_KEYS: dict[str, list[str]] = {
    "publications": PUBLICATION_KEY,
    "answers": [*PUBLICATION_KEY, "indicator_code"],
    "findings": [*PUBLICATION_KEY, "dimension_code", "kind", "position"],
    "codebook": ["file", "column"],
    "answer_values": ["answer"],
    "finding_kinds": ["kind"],
    "figure_kinds": ["kind"],
    "frameworks": ["framework_slug"],
    "equivalences": ["framework_slug", "indicator_code", "equivalent_framework_slug"],
}
_TO_PUBLICATION = (PUBLICATION_KEY, "publications", PUBLICATION_KEY)
_TO_FRAMEWORK = (["framework_slug"], "frameworks", ["framework_slug"])
# (fields, referenced table, referenced fields): every row points at a row that exists.
FOREIGN_KEYS: dict[str, list[tuple[list[str], str, list[str]]]] = {
    "publications": [_TO_FRAMEWORK],
    "answers": [_TO_PUBLICATION, _TO_FRAMEWORK, (["answer"], "answer_values", ["answer"])],
    "findings": [_TO_PUBLICATION, _TO_FRAMEWORK, (["kind"], "finding_kinds", ["kind"])],
    "context_figures": [_TO_PUBLICATION, (["kind"], "figure_kinds", ["kind"])],
    "equivalences": [
        _TO_FRAMEWORK,
        (["equivalent_framework_slug"], "frameworks", ["framework_slug"]),
    ],
}
# A publication's own package has no codebook tables to point at.
CODEBOOK_TABLES = frozenset(CODEBOOK_COLUMNS)
LICENCE_URLS = {"CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/"}


def resource_name(table: str) -> str:
    """Data Package names allow lower-case letters, digits, `-`, `.` and `_`; `-` is usual."""
    return table.replace("_", "-")


def field(column: Column) -> dict:
    """One Table Schema field: name, type, description and constraints."""
    descriptor: dict = {
        "name": column.name,
        "type": FIELD_TYPES[column.type],
        "description": column.description,
    }
    if column.type == "date":
        descriptor["format"] = "%Y-%m-%d"
    constraints: dict = {}
    if column.required:
        constraints["required"] = True
    if column.values:
        constraints["enum"] = list(column.values)
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def table_schema(table: str, *, with_codebook: bool = True) -> dict:
    """The Table Schema of one CSV of the dataset."""
    columns = COLUMNS.get(table) or CODEBOOK_COLUMNS[table]
    schema: dict = {
        "fields": [field(column) for column in columns],
        "missingValues": [] if table == "answer_values" else [""],
    }
    if table in PRIMARY_KEYS:
        schema["primaryKey"] = PRIMARY_KEYS[table]
    keys = [
        {
            "fields": fields,
            "reference": {"resource": resource_name(target), "fields": target_fields},
        }
        for fields, target, target_fields in FOREIGN_KEYS.get(table, [])
        if with_codebook or target not in CODEBOOK_TABLES
    ]
    if keys:
        schema["foreignKeys"] = keys
    return schema


def datapackage(
    tables: list[str], *, name: str, title: str, generated_at: str, with_codebook: bool = True
) -> dict:
    """The `datapackage.json` descriptor of CSV files named `<table>.csv` next to it."""
    licence = settings.MGI_CONTENT_LICENCE
    return {
        "name": name,
        "title": title,
        "description": "Published Migration Governance Profiles: answers, findings and "
        "context figures, exactly as each government validated them. Not a ranking.",
        "created": generated_at,
        "homepage": f"{settings.MGI_SITE_URL}/data/",
        "licenses": [
            {
                "name": licence.replace(" ", "-"),
                "title": licence,
                "path": LICENCE_URLS.get(licence, f"{settings.MGI_SITE_URL}/data/"),
            }
        ],
        "sources": [{"title": "MGI Portal", "path": f"{settings.MGI_SITE_URL}/data/"}],
        "resources": [
            {
                "name": resource_name(table),
                "path": f"{table}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(table, with_codebook=with_codebook),
            }
            for table in tables
        ],
    }


def dataset_datapackage(*, generated_at: str) -> dict:
    """The descriptor of the whole dataset: the data tables and the codebook tables."""
    return datapackage(
        [*COLUMNS, *CODEBOOK_COLUMNS],
        name="mgi-open-data",
        title=DATASET_TITLE,
        generated_at=generated_at,
    )
