"""Writing the dataset: CSV, ZIP and XLSX bytes, safe from formula injection.

Text cells that a spreadsheet would run as a formula (starting with `=`, `+`,
`-`, `@`, tab or carriage return) get a leading apostrophe in CSV and XLSX
output (OWASP's advice against CSV injection); JSON is left as it is.
"""

import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from profiles.models import Publication
from profiles.outputs.exports.codebook import codebook_markdown, codebook_tables, licence_text
from profiles.outputs.exports.columns import COLUMNS, DATASET_TITLE
from profiles.outputs.exports.frames import (
    answers_frame,
    context_figures_frame,
    findings_frame,
    publications_frame,
    typed,
)

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
