"""Writing the dataset: CSV, ZIP and XLSX bytes, safe from formula injection.

Text cells that a spreadsheet would run as a formula (starting with `=`, `+`,
`-`, `@`, tab or carriage return) get a leading apostrophe in CSV and XLSX
output (OWASP's advice against CSV injection); JSON is left as it is.
"""

import io
import json
import re
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xlsxwriter
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from profiles.models import Publication
from profiles.outputs.exports.codebook import codebook_markdown, codebook_tables, licence_text
from profiles.outputs.exports.columns import COLUMNS, DATASET_TITLE, PANDAS_DTYPES
from profiles.outputs.exports.frames import (
    answers_frame,
    context_figures_frame,
    findings_frame,
    publications_frame,
    typed,
)
from profiles.outputs.exports.schema import dataset_datapackage

FORMULA_START = frozenset("=+-@\t\r")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
    """Frames as one XLSX workbook, one sheet each, safe from formula injection.

    Rows go to XlsxWriter in order in its constant-memory mode, so memory stays flat
    whatever the size of the dataset, and without pandas' per-cell formatting,
    which was half of the time (the workbook is assembled from every published
    answer, see `profiles.outputs.opendata`).
    """
    buffer = io.BytesIO()
    # XlsxWriter is several times faster than openpyxl at writing; with these options
    # it also never turns a string into a formula or a link, whatever it starts with.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True}
    with xlsxwriter.Workbook(buffer, options) as workbook:
        bold = workbook.add_format({"bold": True})
        for name, frame in sheets.items():
            sheet = workbook.add_worksheet(name[:31])
            safe = neutralise(frame)
            sheet.write_row(0, 0, [str(column) for column in safe.columns], bold)
            cells = [_xlsx_cells(safe[column]) for column in safe.columns]
            for row, values in enumerate(zip(*cells, strict=True), start=1):
                sheet.write_row(row, 0, values)
    return buffer.getvalue()


def _xlsx_cells(series: pd.Series) -> list:
    """A column as Python values for XlsxWriter: None for missing, no illegal characters."""
    values = series.to_numpy(dtype=object, na_value=None)
    return [_XLSX_ILLEGAL.sub("", v) if isinstance(v, str) else v for v in values]


@dataclass
class Dataset:
    """The frames of one dataset build, and when it was made."""

    tables: dict[str, pd.DataFrame]
    codebook: dict[str, pd.DataFrame]
    generated_at: str


def build_dataset(publications: QuerySet[Publication]) -> Dataset:
    """Every table of the open dataset for the given publications."""
    generated_at = timezone.now().replace(microsecond=0).isoformat()
    return Dataset(
        tables=build_tables(publications), codebook=codebook_tables(), generated_at=generated_at
    )


def build_tables(publications: QuerySet[Publication]) -> dict[str, pd.DataFrame]:
    """The data tables (publications, answers, findings, context figures) as typed frames."""
    pubs = publications_frame(publications)
    return {
        "publications": typed(
            pubs[[c.name for c in COLUMNS["publications"]]], "publications"
        ).reset_index(drop=True),
        "answers": answers_frame(publications, pubs=pubs),
        "findings": findings_frame(publications, pubs=pubs),
        "context_figures": context_figures_frame(publications, pubs=pubs),
    }


PublicationKey = tuple[str, int, int]


@dataclass
class Part:
    """One publication's rows of every data table: safe CSV text without header, and counts."""

    texts: dict[str, str]
    counts: dict[str, int]


def csv_parts(publications: QuerySet[Publication]) -> dict[PublicationKey, Part]:
    """Each publication's rows of every data table as safe CSV text without the header.

    Keyed by (government slug, year, version). Concatenating the parts of several
    publications after `csv_header(table)`, in that key order, gives exactly the
    CSV that `dataset_zip` writes for them: this is what lets the open dataset be
    assembled from stored parts without querying every answer again.
    """
    keys = publications.values_list("government__slug", "year", "version")
    parts = {key: Part(dict.fromkeys(COLUMNS, ""), dict.fromkeys(COLUMNS, 0)) for key in keys}
    for table, frame in build_tables(publications).items():
        safe = neutralise(frame)
        for key, group in safe.groupby(["government_slug", "year", "version"], sort=False):
            slug, year, version = key
            part = parts[(str(slug), int(year), int(version))]
            part.texts[table] = group.to_csv(index=False, header=False, lineterminator="\r\n")
            part.counts[table] = len(group)
    return parts


def csv_header(table: str) -> str:
    """The header line of a data table's CSV, as pandas writes it."""
    return ",".join(c.name for c in COLUMNS[table]) + "\r\n"


def read_tables(texts: dict[str, bytes]) -> dict[str, pd.DataFrame]:
    """Data tables read back from their CSV bytes with the codebook's types."""
    tables = {}
    for table, data in texts.items():
        dtypes = {c.name: PANDAS_DTYPES[c.type] for c in COLUMNS[table]}
        missing = [c for c, dtype in dtypes.items() if dtype in {"Int64", "Float64", "boolean"}]
        tables[table] = pd.read_csv(
            io.BytesIO(data),
            dtype=dtypes,
            keep_default_na=False,
            na_values={column: [""] for column in missing},
        )
    return tables


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
    """The dataset as a ZIP of CSV files with codebook, licence and datapackage.json."""
    texts = {name: to_csv_bytes(frame) for name, frame in dataset.tables.items()}
    return csv_zip(texts, dataset.codebook, generated_at=dataset.generated_at)


def csv_zip(
    texts: dict[str, bytes], codebook: dict[str, pd.DataFrame], *, generated_at: str
) -> bytes:
    """A ZIP of the data tables' CSV bytes, the codebook tables, licence and datapackage.json.

    The archive is a Frictionless Data Package: extracted, `frictionless validate
    datapackage.json` checks every CSV against its Table Schema.
    """
    buffer = io.BytesIO()
    descriptor = dataset_datapackage(generated_at=generated_at)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=1))
        for name, data in texts.items():
            archive.writestr(f"{name}.csv", data)
        for name, frame in codebook.items():
            archive.writestr(f"{name}.csv", to_csv_bytes(frame))
        archive.writestr("codebook.md", codebook_markdown(codebook, generated_at=generated_at))
        archive.writestr("LICENCE", licence_text(generated_at=generated_at))
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
