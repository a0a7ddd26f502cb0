"""Turning an uploaded file into a header and rows of text, or refusing it.

`read_table` checks size and type first, then reads an XLSX through `xlsx.read_xlsx`
or a CSV as real UTF-8 text; `clean_filename` keeps only the name's last part, so a
name carrying a folder or drive is never shown, stored or logged as one.
"""

import csv
import io
import re
import unicodedata
from urllib.parse import unquote

import pandas as pd
from django.utils.translation import gettext as _

from profiles.editing.spreadsheets.limits import (
    MAX_BYTES,
    MAX_FILENAME,
    MAX_ROWS,
    RowError,
    SpreadsheetError,
    too_many_rows,
)
from profiles.editing.spreadsheets.xlsx import read_xlsx


def clean_filename(name: str) -> str:
    """The uploaded file's own name: no folder, drive, control character or bare dots.

    Browsers send only a name, but any client can send "../../x.xlsx",
    "a/b.csv" or "C:\\x.csv" (also percent-encoded, or with look-alike slashes);
    only the last part is kept, so the preview, the session and the admin log
    never hold a path. "" when nothing usable is left (the upload is then refused
    as having no .xlsx or .csv name).
    """
    name = unicodedata.normalize("NFKC", unquote(str(name)))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    if not name.strip("."):
        return ""
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) < 10:
            name = stem[: MAX_FILENAME - len(extension) - 1] + dot + extension
        else:
            name = name[:MAX_FILENAME]
    return name


def read_table(data: bytes, *, filename: str) -> tuple[list[str], list[list[str]]]:
    """Parse an uploaded XLSX or CSV into (header, rows) of text, or raise SpreadsheetError.

    Checks size, type and formulas before and while parsing; a PNG renamed
    `.xlsx`, a zip bomb or a 100,000-row file never reaches pandas' full parse.
    """
    filename = clean_filename(filename)
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(
            [
                RowError(
                    _("The file is %(size)s MB; the limit is %(limit)s MB.")
                    % {
                        "size": f"{len(data) / 1024 / 1024:.1f}",
                        "limit": f"{MAX_BYTES / 1024 / 1024:.0f}",
                    }
                )
            ]
        )
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx":
        raw = read_xlsx(data, filename=filename)
    elif extension == "csv":
        raw = _read_csv(data, filename=filename)
    else:
        raise SpreadsheetError(
            [RowError(_("Upload an .xlsx or .csv file (got “%(name)s”).") % {"name": filename})]
        )
    if not raw or not any(str(cell).strip() for cell in raw[0]):
        raise SpreadsheetError([RowError(_("The file is empty: it has no header row."))])
    if len(raw) - 1 > MAX_ROWS:
        raise SpreadsheetError([too_many_rows()])
    return [str(c) for c in raw[0]], raw[1:]


def _read_csv(data: bytes, *, filename: str) -> list[list[str]]:
    not_csv = RowError(
        _("“%(name)s” is not a CSV text file; export the sheet as CSV (UTF-8).")
        % {"name": filename}
    )
    if b"\x00" in data[:8192] or data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError([not_csv])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError([not_csv]) from None
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            nrows=MAX_ROWS + 2,
        )
    except pd.errors.EmptyDataError:
        return []
    except pd.errors.ParserError as exc:
        raise SpreadsheetError(
            [RowError(_("The CSV file is malformed: %(detail)s") % {"detail": str(exc).strip()})]
        ) from None
    return frame.fillna("").astype(str).values.tolist()
