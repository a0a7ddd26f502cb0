"""Reading an XLSX upload without trusting it: inflate, scan, then parse what was checked.

An XLSX is a zip of XML parts, and both can be made to explode. `read_xlsx`
inflates every part itself with a count of the bytes actually produced (never
trusting the sizes the zip declares), scans each as XML for formulas and for
cells beyond `MAX_ROWS` x `MAX_COLUMNS`, and only then hands the spreadsheet
reader an archive repacked from exactly the bytes that were checked.
"""

import io
import math
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

import pandas as pd
from django.utils.translation import gettext as _

from profiles.editing.spreadsheets.limits import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_PARTS,
    RowError,
    SpreadsheetError,
    column_letter,
    too_large,
    too_many_rows,
)

_CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d{1,7})")
_ROW_REF = re.compile(r"\d{1,7}")
_COUNT = re.compile(r"\d{1,10}")
_INFLATE_CHUNK = 1024 * 1024


def read_xlsx(data: bytes, *, filename: str) -> list[list]:
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
                raise SpreadsheetError([too_many_rows()])
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
                            "column": column_letter(MAX_COLUMNS - 1),
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
        [value if isinstance(value, str) else NumberCell(_cell_text(value)) for value in row]
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
                        column=column or column_letter(column_index),
                    )
                )
            else:
                errors.append(
                    RowError(
                        _("Sheet %(sheet)d, cell %(cell)s holds a formula; remove it.")
                        % {
                            "sheet": sheet + 1,
                            "cell": f"{column_letter(column_index)}{row_number}",
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
        raise SpreadsheetError([too_large()])
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError([too_large()])  # it says so itself
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
            raise SpreadsheetError([too_large()])
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
                raise SpreadsheetError([too_large()])
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
        raise SpreadsheetError([too_large() if refused.too_large else not_xlsx]) from None
    except expat.ExpatError:
        return None
    return result


class NumberCell(str):
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
