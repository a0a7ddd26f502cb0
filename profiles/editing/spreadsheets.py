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
  repacked from exactly the bytes that were checked (see `_read_xlsx`);
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
"""

import csv
import hashlib
import io
import math
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.parsers import expat

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from indicators.models import Indicator
from profiles import workflow
from profiles.models import Answer, AnswerValue, Assessment

COLUMNS = ["indicator_code", "dimension", "area", "question", "answer", "justification", "evidence"]
# Columns the import writes; the others are there to help the person filling the file in.
EDITABLE = ("answer", "justification", "evidence")
FIELD_OF = {"answer": "value", "justification": "justification", "evidence": "evidence"}

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
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d{1,7})")
_ROW_REF = re.compile(r"\d{1,7}")
_COUNT = re.compile(r"\d{1,10}")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_INFLATE_CHUNK = 1024 * 1024


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


@dataclass(frozen=True)
class CellChange:
    """One cell whose imported value differs from the assessment's present one."""

    row: int
    indicator_code: str
    column: str
    old: str
    new: str


@dataclass
class ImportPlan:
    """What importing a file would do: the changes cell by cell, or why it cannot."""

    assessment_id: int
    revision: int
    rows: int = 0
    changes: list[CellChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # indicator id -> the answer's complete new values, for rows with a change.
    updates: dict[int, dict[str, str]] = field(default_factory=dict)
    existing: dict[int, Answer] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed_rows(self) -> int:
        return len(self.updates)

    @property
    def unchanged_rows(self) -> int:
        return self.rows - len(self.updates)

    @property
    def fingerprint(self) -> str:
        """Identifies exactly these changes: a confirmation must apply what was previewed."""
        digest = hashlib.sha256()
        for c in self.changes:
            digest.update(repr((c.indicator_code, c.column, c.old, c.new)).encode())
        return digest.hexdigest()

    def reported_errors(self) -> list[RowError]:
        """The first errors (a broken file can produce thousands), and a count of the rest."""
        shown = self.errors[:MAX_REPORTED_ERRORS]
        hidden = len(self.errors) - len(shown)
        if hidden:
            shown.append(RowError(_("… and %(count)d more problem(s).") % {"count": hidden}))
        return shown


# --- Export ----------------------------------------------------------------------


def export_frame(assessment: Assessment) -> pd.DataFrame:
    """One row per current indicator of the framework, in framework order, with answers.

    Two queries (indicators with their hierarchy, answers), whatever the size.
    """
    fields = [
        "id",
        "code",
        "area__dimension__code",
        "area__dimension__short_name",
        "area__code",
        "area__name",
        "question",
    ]
    indicators = pd.DataFrame.from_records(
        Indicator.objects.filter(framework_id=assessment.framework_id)
        .current()
        .in_order()
        .values(*fields),
        columns=fields,
    )
    answers = pd.DataFrame.from_records(
        Answer.objects.filter(assessment=assessment).values(
            "indicator_id", "value", "justification", "evidence"
        ),
        columns=["indicator_id", "value", "justification", "evidence"],
    )
    frame = indicators.merge(answers, how="left", left_on="id", right_on="indicator_id")
    frame = frame.fillna({"value": "", "justification": "", "evidence": ""})
    with translation.override("en"):
        labels = {value: str(label) for value, label in AnswerValue.choices}
    return pd.DataFrame(
        {
            "indicator_code": frame["code"],
            "dimension": frame["area__dimension__code"].astype(str)
            + ". "
            + frame["area__dimension__short_name"],
            "area": frame["area__code"] + " " + frame["area__name"],
            "question": frame["question"],
            "answer": frame["value"].map(lambda v: labels.get(v, v)),
            "justification": frame["justification"],
            "evidence": frame["evidence"],
        },
        columns=COLUMNS,
    )


def neutralise(text: str) -> str:
    """Make text safe to open in a spreadsheet program: it must never run as a formula.

    OWASP's advice: prefix text that starts with a formula trigger with an
    apostrophe. `unescape()` removes it again on import.
    """
    text = _ILLEGAL_XML.sub("", text)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _safe_frame(assessment: Assessment) -> pd.DataFrame:
    frame = export_frame(assessment)
    return frame.apply(lambda column: column.map(neutralise))


def export_filename(assessment: Assessment, extension: str) -> str:
    """`mgi-chl-2024-answers.xlsx`: says whose answers, which round."""
    return f"mgi-{assessment.government.slug}-{assessment.year}-answers.{extension}"


def export_csv(assessment: Assessment) -> bytes:
    """The answers as UTF-8 CSV with a byte-order mark, so Excel opens accents correctly."""
    buffer = io.StringIO()
    _safe_frame(assessment).to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx(assessment: Assessment) -> bytes:
    """The answers as an XLSX workbook with a drop-down list for the answer column."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    buffer = io.BytesIO()
    frame = _safe_frame(assessment)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="answers", index=False)
        sheet = writer.sheets["answers"]
        widths = {"A": 16, "B": 28, "C": 32, "D": 60, "E": 20, "F": 60, "G": 40}
        for letter, width in widths.items():
            sheet.column_dimensions[letter].width = width
        wrap = Alignment(wrap_text=True, vertical="top")
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
        with translation.override("en"):
            choices = ",".join(str(label) for _value, label in AnswerValue.choices)
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        validation.add(f"E2:E{max(len(frame) + 1, 2)}")
        sheet.add_data_validation(validation)
    return buffer.getvalue()


# --- Reading a file --------------------------------------------------------------


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
        raw = _read_xlsx(data, filename=filename)
    elif extension == "csv":
        raw = _read_csv(data, filename=filename)
    else:
        raise SpreadsheetError(
            [RowError(_("Upload an .xlsx or .csv file (got “%(name)s”).") % {"name": filename})]
        )
    if not raw or not any(str(cell).strip() for cell in raw[0]):
        raise SpreadsheetError([RowError(_("The file is empty: it has no header row."))])
    if len(raw) - 1 > MAX_ROWS:
        raise SpreadsheetError([_too_many_rows()])
    return [str(c) for c in raw[0]], raw[1:]


def _too_many_rows() -> RowError:
    return RowError(
        _("The file has more than %(limit)d rows; split it or remove empty rows.")
        % {"limit": MAX_ROWS}
    )


def _too_large() -> RowError:
    return RowError(_("The workbook is too large once uncompressed; remove unused sheets."))


def _read_xlsx(data: bytes, *, filename: str) -> list[list]:
    """The first sheet's cells, read by calamine from parts checked here first.

    1. `_unzip` inflates every part itself, counting the bytes it produces, so
       a part whose header understates its size is stopped at the limit;
    2. `_scan_part` reads each part as XML (no DTD, so no entity expansion):
       formula cells, the last row and column holding a value, the number of
       shared strings declared;
    3. calamine reads a copy of the archive rebuilt from exactly those checked
       parts (parts that are not XML are left out), so it can never inflate or
       read anything the checks did not see.
    """
    not_xlsx = RowError(
        _("“%(name)s” is not an Excel workbook (.xlsx); save it as .xlsx or .csv.")
        % {"name": filename}
    )
    parts = _unzip(data, not_xlsx=not_xlsx)
    if "xl/workbook.xml" not in parts:
        raise SpreadsheetError([not_xlsx])
    scans: dict[str, _PartScan] = {}
    for name in list(parts):
        scan = _scan_part(parts[name], not_xlsx=not_xlsx)
        if scan is None:
            del parts[name]  # not XML (an image, a printer setting): the reader never needs it
        else:
            scans[name] = scan
    if "xl/workbook.xml" not in parts:
        raise SpreadsheetError([not_xlsx])
    ordered = _sheet_paths(parts)
    sheets = [n for n in ordered if n in scans and scans[n].is_sheet]
    sheets += sorted(n for n, scan in scans.items() if scan.is_sheet and n not in sheets)
    for index, name in enumerate(sheets):
        scan = scans[name]
        if scan.too_large:
            if index == 0 and scan.last_column <= MAX_COLUMNS:
                raise SpreadsheetError([_too_many_rows()])
            raise SpreadsheetError(
                [
                    RowError(
                        _(
                            "Sheet %(sheet)d is too large: it has values beyond row %(rows)d "
                            "or column %(column)s. Remove them and upload the file again."
                        )
                        % {
                            "sheet": index + 1,
                            "rows": MAX_ROWS + 1,
                            "column": _column_letter(MAX_COLUMNS - 1),
                        }
                    )
                ]
            )
    formula_cells = [
        (index, column, row)
        for index, name in enumerate(sheets)
        for column, row in scans[name].formulas
    ]
    try:
        frame = pd.read_excel(
            io.BytesIO(_repack(parts)),
            engine="calamine",
            sheet_name=0,
            header=None,
            dtype=object,
            nrows=MAX_ROWS + 2,
        )
    except Exception:  # calamine raises its own errors for corrupt workbooks
        raise SpreadsheetError([not_xlsx]) from None
    # Numbers are marked so that "-5" typed as a number is not mistaken for a formula.
    rows = [
        [value if isinstance(value, str) else _Number(_cell_text(value)) for value in row]
        for row in frame.itertuples(index=False)
    ]
    if formula_cells:
        header = [str(c).strip().lower() for c in rows[0]] if rows else []
        errors = []
        for sheet, column_index, row_number in formula_cells:
            if sheet == 0:
                column = header[column_index] if column_index < len(header) else None
                errors.append(
                    RowError(
                        _("the cell holds a formula; type the value itself."),
                        row=row_number,
                        column=column or _column_letter(column_index),
                    )
                )
            else:
                errors.append(
                    RowError(
                        _("Sheet %(sheet)d, cell %(cell)s holds a formula; remove it.")
                        % {
                            "sheet": sheet + 1,
                            "cell": f"{_column_letter(column_index)}{row_number}",
                        }
                    )
                )
        raise SpreadsheetError(errors)
    return rows


def _unzip(data: bytes, *, not_xlsx: RowError) -> dict[str, bytes]:
    """Every part of the archive, inflated here with a running count of the bytes produced.

    The sizes a zip declares are only claims, and a crafted file understates
    them: the bytes really produced while inflating are counted, and inflating
    stops as soon as the whole workbook passes MAX_UNZIPPED_BYTES. A part whose
    real size or checksum differs from what the archive declares, an encrypted
    part, a name given twice, or an unusual compression method is refused.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        ValueError,
        EOFError,
        OSError,
        struct.error,
    ):
        raise SpreadsheetError([not_xlsx]) from None
    if len(infos) > MAX_ZIP_PARTS:
        raise SpreadsheetError([_too_large()])
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError([_too_large()])  # it says so itself
    parts: dict[str, bytes] = {}
    budget = MAX_UNZIPPED_BYTES
    for info in infos:
        if info.is_dir():
            continue
        if info.filename in parts or info.flag_bits & 0x1:
            raise SpreadsheetError([not_xlsx])
        stored = _stored_bytes(data, info)
        if stored is None:
            raise SpreadsheetError([not_xlsx])
        if info.compress_type == zipfile.ZIP_STORED:
            body = stored
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            body = _inflate(stored, budget=budget, not_xlsx=not_xlsx)
        else:
            raise SpreadsheetError([not_xlsx])
        if len(body) > budget:
            raise SpreadsheetError([_too_large()])
        if len(body) != info.file_size or zlib.crc32(body) != info.CRC:
            raise SpreadsheetError([not_xlsx])
        budget -= len(body)
        parts[info.filename] = body
    return parts


def _stored_bytes(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The part's bytes as stored (compressed), located through its local header."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return None
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    stored = data[start : start + info.compress_size]
    return stored if len(stored) == info.compress_size else None


def _inflate(stored: bytes, *, budget: int, not_xlsx: RowError) -> bytes:
    """Inflate a deflated part a megabyte at a time; refuse past `budget` bytes."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pieces, size, pending = [], 0, stored
    try:
        while not inflater.eof:
            piece = inflater.decompress(pending, _INFLATE_CHUNK)
            pending = inflater.unconsumed_tail
            if not piece and not pending:
                break  # the stored bytes ran out before the end of the stream
            size += len(piece)
            if size > budget:
                raise SpreadsheetError([_too_large()])
            pieces.append(piece)
    except zlib.error:
        raise SpreadsheetError([not_xlsx]) from None
    if not inflater.eof:
        raise SpreadsheetError([not_xlsx])
    return b"".join(pieces)


def _repack(parts: dict[str, bytes]) -> bytes:
    """The checked parts as a new, uncompressed archive for the spreadsheet reader."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return buffer.getvalue()


class _Refused(Exception):
    """Stops the XML scan of a part: `too_large`, or not a part of a real workbook."""

    def __init__(self, *, too_large: bool = False):
        super().__init__()
        self.too_large = too_large


@dataclass
class _PartScan:
    """What the scan of one XML part found."""

    is_sheet: bool = False
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (column index, row)
    last_row: int = 0  # of a cell holding a value, counted from 1
    last_column: int = 0
    too_large: bool = False


class _PartScanner:
    """Expat handlers that follow cell positions the way the spreadsheet reader does.

    A cell's position is its `r` reference, or (without one) the next column of
    the current row; a row's number is its `r`, or the next row. Where the two
    could disagree the larger is taken, so a value cannot sit further out than
    the scan says. Only cells holding something (a value, inline text or a
    formula) count: empty, formatted cells are not read.
    """

    def __init__(self, result: _PartScan):
        self.result = result
        self.in_data = False
        self.rows_seen = 0
        self.row = 0
        self.column = 0
        self.cells_in_row = 0
        self.cell: tuple[int, int] | None = None  # (row, column) of the open <c>
        self.depth = 0  # elements open inside the cell
        self.has_value = False
        self.has_formula = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if self.cell is not None:
            self.depth += 1
            self.has_value = True
            self.has_formula = self.has_formula or local == "f"
            return
        if local == "sst":
            for attribute in ("count", "uniqueCount"):
                declared = attrs.get(attribute)
                if declared is not None and not _COUNT.fullmatch(declared):
                    raise _Refused
                if declared is not None and int(declared) > MAX_SHARED_STRINGS:
                    raise _Refused(too_large=True)
        elif local == "sheetData":
            self.result.is_sheet = True
            self.in_data = True
        elif not self.in_data:
            return
        elif local == "row":
            self.rows_seen += 1
            declared = attrs.get("r")
            if declared is not None and not _ROW_REF.fullmatch(declared):
                raise _Refused
            number = int(declared) if declared else self.row + 1
            self.row = max(number, self.rows_seen)
            self.column = self.cells_in_row = 0
        elif local == "c":
            self.cells_in_row += 1
            row, column = max(self.row, 1), max(self.column + 1, self.cells_in_row)
            reference = attrs.get("r")
            if reference is not None:
                match = _CELL_REF.fullmatch(reference)
                if not match:
                    raise _Refused
                column = max(_column_index(match.group(1)) + 1, self.cells_in_row)
                row = max(int(match.group(2)), row)
            self.column = column
            self.cell = (row, column)
            self.depth = 0
            self.has_value = self.has_formula = False

    def end(self, name: str) -> None:
        if self.cell is None:
            if name.rpartition(":")[2] == "sheetData":
                self.in_data = False
            return
        if self.depth:
            self.depth -= 1
            return
        row, column = self.cell
        self.cell = None
        if not self.has_value:
            return
        result = self.result
        result.last_row = max(result.last_row, row)
        result.last_column = max(result.last_column, column)
        if self.has_formula:
            result.formulas.append((column - 1, row))
        if result.last_row > MAX_ROWS + 1 or result.last_column > MAX_COLUMNS:
            result.too_large = True
            raise _Refused(too_large=True)


def _no_dtd(*_args) -> None:
    raise _Refused


def _scan_part(body: bytes, *, not_xlsx: RowError) -> _PartScan | None:
    """Scan one part as XML; None if it is not XML. Raises SpreadsheetError if refused."""
    result = _PartScan()
    scanner = _PartScanner(result)
    parser = expat.ParserCreate()
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    # A workbook part never has a DTD; refusing one rules out entity expansion.
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    try:
        parser.Parse(body, True)
    except _Refused as refused:
        if result.too_large:
            return result  # the caller names the sheet
        raise SpreadsheetError([_too_large() if refused.too_large else not_xlsx]) from None
    except expat.ExpatError:
        return None
    return result


class _Number(str):
    """A workbook cell that held a number or a date, not text: it cannot be formula text."""


def _cell_text(value) -> str:
    """A workbook cell as text: numbers without a spurious `.0`, dates in ISO format."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return str(value)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _sheet_paths(parts: dict[str, bytes]) -> list[str]:
    """Worksheet parts in workbook order (the order calamine and Excel show them)."""
    workbook = parts.get("xl/workbook.xml", b"")
    rels = parts.get("xl/_rels/workbook.xml.rels", b"")
    targets = {
        m.group(1): m.group(2)
        for m in re.finditer(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }
    targets.update(
        {
            m.group(2): m.group(1)
            for m in re.finditer(rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
        }
    )
    paths = []
    for match in re.finditer(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook):
        target = targets.get(match.group(1), b"").decode(errors="replace")
        if target:
            target = target[1:] if target.startswith("/") else f"xl/{target}"
            paths.append(posixpath.normpath(target))
    return paths


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


# --- Validating and planning -------------------------------------------------------


def answer_aliases() -> dict[str, str]:
    """Every spelling accepted for each answer: the code and the label in each language."""
    aliases = {"": "", "n/a": AnswerValue.NOT_APPLICABLE, "na": AnswerValue.NOT_APPLICABLE}
    for value, label in AnswerValue.choices:
        aliases[_normal(value)] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                aliases[_normal(str(label))] = value
    return aliases


def _normal(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").lower().split())


def _text(value: str) -> str:
    """Compare and store text with one kind of line ending and no surrounding blanks."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def unescape(value: str, *, row: int, column: str) -> tuple[str, RowError | None]:
    """Undo export neutralisation, and refuse text a spreadsheet would run as a formula.

    The export puts an apostrophe before text starting with any of
    `FORMULA_TRIGGERS` (a tab or carriage return too; `_text` has already made
    the latter a line feed), so each of those loses its apostrophe again.
    """
    if value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r\n":
        return _text(value[1:]), None
    if value.startswith(FORMULA_TRIGGERS[:4]) and not _NUMBER.match(value):
        return value, RowError(
            _(
                "“%(start)s…” starts with %(char)s, which spreadsheet programs run as a "
                "formula; start the text with another character."
            )
            % {"start": value[:20], "char": value[0]},
            row=row,
            column=column,
        )
    return value, None


def plan(
    assessment: Assessment,
    data: bytes,
    *,
    filename: str,
    by=None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ImportPlan:
    """Work out what importing `data` would change, without writing anything.

    Raises workflow.NotEditable when the assessment is locked or `by` may not edit
    it. Problems with the file are returned in `plan.errors` (row by row), so a
    preview can show them all at once.
    """
    workflow.assert_editable(assessment, by=by)
    assessment.refresh_from_db(fields=["revision", "status"])
    result = ImportPlan(assessment_id=assessment.pk, revision=assessment.revision)
    try:
        header, rows = read_table(data, filename=filename)
    except SpreadsheetError as exc:
        result.errors = exc.errors
        return result

    columns = [_normal(h).replace(" ", "_") for h in header]
    while columns and not columns[-1]:
        columns.pop()  # trailing empty header cells are formatting, not columns
    seen: set[str] = set()
    for index, name in enumerate(columns):
        if name in seen:
            result.errors.append(
                RowError(_("column %(column)s appears twice.") % {"column": name}, row=1)
            )
        elif name not in COLUMNS:
            result.errors.append(
                RowError(
                    _("unexpected column “%(column)s” (column %(letter)s).")
                    % {"column": header[index] or _("(empty)"), "letter": _column_letter(index)},
                    row=1,
                )
            )
        seen.add(name)
    missing = [c for c in COLUMNS if c not in seen]
    if missing:
        result.errors.append(
            RowError(
                _("missing column(s): %(missing)s. The columns are: %(columns)s.")
                % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)},
                row=1,
            )
        )
    if result.errors:
        return result
    position = {name: columns.index(name) for name in COLUMNS}

    indicators = {
        i.code: i
        for i in Indicator.objects.filter(framework_id=assessment.framework_id).only(
            "id", "code", "retired_at", "framework_id"
        )
    }
    existing = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
    result.existing = existing
    aliases = answer_aliases()
    first_row: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []

    numbered = [(number, row) for number, row in enumerate(rows, start=2)]
    for number, row in progress(numbered) if progress else numbered:
        cells = {name: row[i] if i < len(row) else "" for name, i in position.items()}
        extra = [c for c in row[len(columns) :] if str(c).strip()]
        if not any(str(c).strip() for c in row):
            continue  # blank rows (often left below the data) are not an error
        result.rows += 1
        if extra:
            result.errors.append(
                RowError(_("there are values outside the named columns."), row=number)
            )
        values: dict[str, str] = {}
        row_ok = True
        for name in COLUMNS:
            raw = cells[name]
            value = _text(str(raw))
            if not isinstance(raw, _Number):
                value, error = unescape(value, row=number, column=name)
                if error:
                    result.errors.append(error)
                    row_ok = False
            values[name] = value

        code = values["indicator_code"]
        if not code:
            result.errors.append(
                RowError(_("the indicator code is missing."), row=number, column="indicator_code")
            )
            continue
        if code in first_row:
            result.errors.append(
                RowError(
                    _("indicator %(code)s appears again (first in row %(first)d).")
                    % {"code": code, "first": first_row[code]},
                    row=number,
                    column="indicator_code",
                )
            )
            continue
        first_row[code] = number
        indicator = indicators.get(code)
        if indicator is None:
            unknown.append((number, code))
            continue
        if indicator.retired_at is not None:
            result.errors.append(
                RowError(
                    _("indicator %(code)s is retired from this framework.") % {"code": code},
                    row=number,
                    column="indicator_code",
                )
            )
            continue
        answer_value = aliases.get(_normal(values["answer"]))
        if answer_value is None:
            result.errors.append(
                RowError(
                    _("“%(value)s” is not a valid answer; use %(choices)s, or leave it empty.")
                    % {
                        "value": values["answer"][:40],
                        "choices": ", ".join(
                            f"{label} ({value})" for value, label in AnswerValue.choices
                        ),
                    },
                    row=number,
                    column="answer",
                )
            )
            continue
        if not row_ok:
            continue
        new = {
            "answer": answer_value,
            "justification": values["justification"],
            "evidence": values["evidence"],
        }
        current = existing.get(indicator.pk)
        old = {
            column: _text(getattr(current, FIELD_OF[column])) if current else ""
            for column in EDITABLE
        }
        row_changes = [
            CellChange(number, code, column, old[column], new[column])
            for column in EDITABLE
            if old[column] != new[column]
        ]
        if row_changes:
            result.changes.extend(row_changes)
            result.updates[indicator.pk] = new

    if unknown:
        result.errors.extend(_unknown_code_errors(unknown, assessment))
    result.errors.sort(
        key=lambda e: (e.row or 0, COLUMNS.index(e.column) if e.column in COLUMNS else -1)
    )
    return result


def _unknown_code_errors(unknown: list[tuple[int, str]], assessment: Assessment) -> list[RowError]:
    """Say whether an unknown code belongs to another framework: the usual mix-up."""
    elsewhere = dict(
        Indicator.objects.filter(code__in={code for _row, code in unknown})
        .exclude(framework_id=assessment.framework_id)
        .values_list("code", "framework__name")
    )
    errors = []
    for number, code in unknown:
        if code in elsewhere:
            message = _(
                "indicator %(code)s belongs to %(framework)s, not to this assessment's framework."
            ) % {"code": code, "framework": elsewhere[code]}
        else:
            message = _("unknown indicator code “%(code)s”.") % {"code": code[:40]}
        errors.append(RowError(message, row=number, column="indicator_code"))
    return errors


# --- Applying ------------------------------------------------------------------------


class StalePreview(workflow.NotEditable):
    """The assessment changed between the preview and the confirmation."""


@transaction.atomic
def apply(
    assessment: Assessment,
    data: bytes,
    *,
    filename: str,
    by=None,
    revision: int | None = None,
    fingerprint: str | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ImportPlan:
    """Import `data` into `assessment` all or nothing, and return what was changed.

    `revision` and `fingerprint` come from the preview the user confirmed: if the
    assessment was saved since (revision) or the file now means different changes
    (fingerprint), nothing is written and StalePreview is raised. Raises
    SpreadsheetError when the file has problems, workflow.NotEditable when the
    assessment is locked or `by` may not edit it.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    try:
        workflow.assert_editable(locked, by=by, revision=revision)
    except workflow.NotEditable as exc:
        if revision is not None and locked.revision != revision:
            raise StalePreview(str(exc.args[0] if exc.args else exc)) from None
        raise
    result = plan(locked, data, filename=filename, by=by, progress=progress)
    if result.errors:
        raise SpreadsheetError(result.errors)
    if fingerprint is not None and result.fingerprint != fingerprint:
        raise StalePreview(
            _("The assessment changed since the preview; upload the file again to review it.")
        )
    if not result.updates:
        return result
    now = timezone.now()
    to_update, to_create = [], []
    for indicator_id, new in result.updates.items():
        answer = result.existing.get(indicator_id)
        if answer is None:
            to_create.append(
                Answer(
                    assessment=locked,
                    indicator_id=indicator_id,
                    value=new["answer"],
                    justification=new["justification"],
                    evidence=new["evidence"],
                )
            )
        else:
            answer.value = new["answer"]
            answer.justification = new["justification"]
            answer.evidence = new["evidence"]
            answer.updated_at = now
            to_update.append(answer)
    if to_update:
        Answer.objects.bulk_update(
            to_update, ["value", "justification", "evidence", "updated_at"], batch_size=500
        )
    if to_create:
        Answer.objects.bulk_create(to_create, batch_size=500)
    workflow.bump_revision(locked)
    assessment.revision = locked.revision
    return result
