"""The limits of what an import reads, and how its problems are reported.

A file is never trusted (see the package docstring): every size here is a cap
checked before or while reading, and every problem is a `RowError` located by row
and column, so the person fixing the file sees them all at once.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

COLUMNS = ["indicator_code", "dimension", "area", "question", "answer", "justification", "evidence"]

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
# An XLSX is a zip: a small file may inflate enormously (a "zip bomb"), so the
# bytes actually inflated are counted and capped before anything parses them.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ZIP_PARTS = 500
# The spreadsheet reader allocates a cell for every position between the first
# and the last value of a sheet, so one value in cell XFD1048576 of a 10 KB file
# would ask for hundreds of gigabytes: no sheet may have values beyond these.
MAX_COLUMNS = 100
# ... and it reserves room for as many shared strings as the workbook declares.
MAX_SHARED_STRINGS = 1_000_000
MAX_FILENAME = 150
MAX_REPORTED_ERRORS = 200

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file cannot be imported; `errors` lists every problem found."""

    def __init__(self, errors: list["RowError"]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class RowError:
    """One problem, located by spreadsheet row (the header is row 1) and column."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("row %(row)d, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row is not None:
            return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


def too_many_rows() -> RowError:
    return RowError(
        _("The file has more than %(limit)d rows; split it or remove empty rows.")
        % {"limit": MAX_ROWS}
    )


def too_large() -> RowError:
    return RowError(_("The workbook is too large once uncompressed; remove unused sheets."))


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
