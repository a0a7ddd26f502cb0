"""Spreadsheet round-trip for an assessment's answers: export, then import with a preview.

Focal points often collect answers offline from several ministries, so an
assessment can be downloaded as a pre-filled XLSX or CSV (one row per indicator)
and uploaded back. The import never trusts the file:

* it reads only what it expects (the first sheet; fixed, named columns; at most
  `MAX_BYTES` bytes and `MAX_ROWS` rows; an XLSX must be a real workbook, a CSV
  real UTF-8 text);
* an XLSX is a zip of XML parts, and both can be made to explode: the parts are
  inflated here with a count of the bytes actually produced (never trusting the
  sizes the zip declares), checked as XML for formulas and for cells beyond
  `MAX_ROWS` x `MAX_COLUMNS`, and only then handed to the spreadsheet reader,
  repacked from exactly the bytes that were checked (see `xlsx.read_xlsx`);
* the file's name is reduced to its last part (`clean_filename`), so a name
  carrying a folder or drive is never shown, stored or logged as one;
* every problem is reported per row and column, and any problem means nothing is
  written;
* formulas are refused: a formula cell in the workbook, or text that a
  spreadsheet program would run as one (starting with ``= + - @``). Exports
  neutralise such text with a leading apostrophe, and imports remove that
  apostrophe again, so an unchanged export imports as "no changes";
* `plan()` computes the changes cell by cell (the preview); `apply()` recomputes
  them under a row lock, refuses if the assessment changed since the preview, and
  writes them in one transaction with bulk queries, bumping the revision.

Column names are stable English codes; the answer column accepts the codes
(``fully_present``) and the labels in every portal language (``Fully present``).

Rooms: `limits` (caps and row errors), `xlsx` and `reading` (reading a file),
`export` (the pre-filled file), `planning` (the preview), `importing` (applying
it). This package re-exports their public names.
"""

from profiles.editing.spreadsheets.export import (
    export_csv,
    export_filename,
    export_frame,
    export_xlsx,
    neutralise,
)
from profiles.editing.spreadsheets.importing import StalePreview, apply
from profiles.editing.spreadsheets.limits import (
    COLUMNS,
    FORMULA_TRIGGERS,
    MAX_BYTES,
    MAX_REPORTED_ERRORS,
    MAX_ROWS,
    RowError,
    SpreadsheetError,
)
from profiles.editing.spreadsheets.planning import (
    CellChange,
    ImportPlan,
    answer_aliases,
    plan,
    unescape,
)
from profiles.editing.spreadsheets.reading import clean_filename, read_table

__all__ = [
    "COLUMNS",
    "FORMULA_TRIGGERS",
    "MAX_BYTES",
    "MAX_REPORTED_ERRORS",
    "MAX_ROWS",
    "CellChange",
    "ImportPlan",
    "RowError",
    "SpreadsheetError",
    "StalePreview",
    "answer_aliases",
    "apply",
    "clean_filename",
    "export_csv",
    "export_filename",
    "export_frame",
    "export_xlsx",
    "neutralise",
    "plan",
    "read_table",
    "unescape",
]
