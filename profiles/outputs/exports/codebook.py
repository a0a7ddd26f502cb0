"""The codebook shipped with the dataset: every column, answer value and framework."""

import pandas as pd
from django.conf import settings
from django.utils import translation

from indicators.models import Framework, FrameworkStatus, Indicator
from profiles.models import (
    AnswerValue,
    FigureKind,
    FindingKind,
)
from profiles.outputs.exports.columns import (
    COLUMNS,
    DATASET_TITLE,
    PANDAS_DTYPES,
    SOURCE_SEPARATOR,
    Column,
)


def codebook_tables() -> dict[str, pd.DataFrame]:
    """The codebook as tables: columns, answer values, figure kinds, frameworks, equivalences."""
    with translation.override("en"):
        columns = pd.DataFrame.from_records(
            [
                (
                    table,
                    c.name,
                    c.type,
                    PANDAS_DTYPES[c.type],
                    c.description,
                    c.required,
                    SOURCE_SEPARATOR.join(c.values),
                )
                for table, cols in COLUMNS.items()
                for c in cols
            ],
            columns=["file", "column", "type", "pandas_dtype", "description", "required", "values"],
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
    return [(value, str(label)) for value, label in AnswerValue.choices]


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
        "datapackage.json describes every CSV as a Frictionless Table Schema (types,",
        "required columns, allowed codes, keys): `frictionless validate datapackage.json`.",
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
        lines += [f"## {table}.csv", "", "| column | type | meaning | rules |", "|---|---|---|---|"]
        lines += [f"| {c.name} | {c.type} | {c.description} | {_rules(c)} |" for c in cols]
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


def _rules(column: Column) -> str:
    """A column's constraints in words, as datapackage.json states them."""
    rules = ["required"] if column.required else []
    if column.values:
        rules.append("one of " + ", ".join(column.values))
    return "; ".join(rules)


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = [
        "| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])
