"""Read the tables out of a Word, Excel or CSV file as plain grids of text.

Merged cells are kept visible rather than flattened: a cell covered by a merge
(from the left or from above) is marked `covered`, so the importer can tell "this
item's cell runs on" from "this cell is empty". Each row carries a label a
person can find in their file ("table 1, row 4", "Sheet1 row 7", "line 3").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.errors import BadInput
from bot.returns.import_limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_TABLES,
    check_package,
    check_size,
    damaged,
)

SUFFIXES = (".docx", ".xlsx", ".csv")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GridCell:
    """`covered`: hidden under a merged cell; `above` is that cell's text when the
    merge comes down from the row above (so it can apply to this row's item too)."""

    text: str
    span: int = 1
    covered: bool = False
    above: str = ""

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


@dataclass
class GridRow:
    label: str
    cells: dict[int, GridCell] = field(default_factory=dict)

    def text(self, column: int) -> str:
        cell = self.cells.get(column)
        return "" if cell is None or cell.covered else cell.text.strip()


@dataclass
class Grid:
    """One table, plus the text that stood above it (where a title would be)."""

    name: str
    rows: list[GridRow]
    above: list[str] = field(default_factory=list)
    cut: str = ""
    """What of the table was not read (rows or columns past the limits), to tell the reader."""


def _cell(text: str) -> str:
    return text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS]


def _cut(name: str, rows: int, columns: int) -> str:
    parts = []
    if rows > MAX_ROWS:
        parts.append(f"only its first {MAX_ROWS:,} of {rows:,} rows")
    if columns > MAX_COLUMNS:
        parts.append(f"only its first {MAX_COLUMNS} of {columns:,} columns")
    return f"{name}: {' and '.join(parts)} were read" if parts else ""


def _docx_grids(path: Path) -> list[Grid]:
    from docx import Document
    from docx.table import _Cell

    document = Document(str(path))
    above = [_cell(p.text.strip()) for p in document.paragraphs[:200] if p.text.strip()]
    grids: list[Grid] = []
    for number, table in enumerate(document.tables[:MAX_TABLES], start=1):
        rows: list[GridRow] = []
        merged_text: dict[int, str] = {}
        widest = 0
        all_rows = table._tbl.tr_lst
        for row_number, tr in enumerate(all_rows[:MAX_ROWS], start=1):
            row = GridRow(f"table {number}, row {row_number}")
            column = tr.grid_before
            for tc in tr.tc_lst:
                span = max(1, tc.grid_span)
                widest = max(widest, column + span)
                if column >= MAX_COLUMNS:
                    break
                span = min(span, MAX_COLUMNS - column)
                if tc.vMerge == "continue":
                    row.cells[column] = GridCell("", span, covered=True, above=merged_text.get(column, ""))
                else:
                    text = _cell("\n".join(p.text for p in _Cell(tc, table).paragraphs))
                    merged_text[column] = text
                    row.cells[column] = GridCell(text, span)
                for extra in range(1, span):
                    row.cells[column + extra] = GridCell("", covered=True)
                column += span
            rows.append(row)
        grids.append(Grid(f"table {number}", rows, above, _cut(f"table {number}", len(all_rows), widest)))
    return grids


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_grids(path: Path) -> list[Grid]:
    from openpyxl import load_workbook

    book = load_workbook(str(path), data_only=True)
    grids: list[Grid] = []
    for sheet in book.worksheets[:MAX_TABLES]:
        last_row, last_column = min(sheet.max_row, MAX_ROWS), min(sheet.max_column, MAX_COLUMNS)
        spans: dict[tuple[int, int], int] = {}
        covered: dict[tuple[int, int], str] = {}
        for merged in sheet.merged_cells.ranges:
            if merged.min_row > last_row or merged.min_col > last_column:
                continue
            spans[(merged.min_row, merged.min_col)] = min(merged.max_col, last_column) - merged.min_col + 1
            origin = _cell(_xlsx_text(sheet.cell(row=merged.min_row, column=merged.min_col).value))
            for r in range(merged.min_row, min(merged.max_row, last_row) + 1):
                for c in range(merged.min_col, min(merged.max_col, last_column) + 1):
                    if (r, c) != (merged.min_row, merged.min_col):
                        covered[(r, c)] = origin if c == merged.min_col else ""
        rows: list[GridRow] = []
        for cells in sheet.iter_rows(max_row=last_row, max_col=last_column):
            row = GridRow(f"sheet '{sheet.title}' row {cells[0].row}" if cells else f"sheet '{sheet.title}'")
            for cell in cells:
                key = (cell.row, cell.column)
                if key in covered:
                    row.cells[cell.column - 1] = GridCell("", covered=True, above=covered[key])
                else:
                    row.cells[cell.column - 1] = GridCell(_cell(_xlsx_text(cell.value)), spans.get(key, 1))
            rows.append(row)
        name = f"sheet '{sheet.title}'"
        grids.append(Grid(name, rows, cut=_cut(name, sheet.max_row, sheet.max_column)))
    return grids


def _csv_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise damaged(path, "it holds binary data, not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise damaged(path, "it starts as UTF-16 text but is not") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv_grids(path: Path) -> list[Grid]:
    text = _csv_text(path)
    try:
        delimiter = csv.Sniffer().sniff(text[:20000], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    rows: list[GridRow] = []
    widest = count = 0
    # Only the delimiter is sniffed (Excel writes ';' in some countries); quoting is always
    # Excel's double quotes: a sniffed "'" quote split cells at apostrophes in the text.
    records = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)
    try:
        for number, record in enumerate(records, start=1):
            count, widest = number, max(widest, len(record))
            if number <= MAX_ROWS:
                cells = {i: GridCell(_cell(value)) for i, value in enumerate(record[:MAX_COLUMNS])}
                rows.append(GridRow(f"record {number}", cells))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise damaged(
                path, f"record {records.line_num} has a field longer than {csv.field_size_limit():,} characters"
            ) from None
        raise damaged(path, f"record {records.line_num}: {exc}") from None
    return [Grid(path.name, rows, cut=_cut(path.name, count, widest))]


def _unreadable() -> tuple[type[Exception], ...]:
    """The libraries' own 'this is not a Word / Excel file' errors."""
    from docx.opc.exceptions import PackageNotFoundError
    from openpyxl.utils.exceptions import InvalidFileException

    return PackageNotFoundError, InvalidFileException


def read_grids(path: Path) -> list[Grid]:
    """Every table in the file, in order, or BadInput saying what the file should be."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise BadInput(
            f"{path.name}: I can import a Word (.docx), Excel (.xlsx) or CSV (.csv) file. "
            "Save an older .doc or .xls file in the newer format first."
        )
    if not path.is_file():
        raise BadInput(f"{path}: no such file.")
    check_size(path)
    try:
        if suffix == ".docx":
            check_package(path)
            return _docx_grids(path)
        if suffix == ".xlsx":
            check_package(path)
            return _xlsx_grids(path)
        return _csv_grids(path)
    except BadInput:
        raise
    except MemoryError:
        raise damaged(path, "it needs more memory than a plan table would") from None
    except Exception as exc:  # noqa: BLE001: a reading library's error on a broken file, of any type
        logger.debug("reading %s failed", path, exc_info=True)
        raise damaged(path, _library_detail(exc)) from None


def _library_detail(exc: Exception) -> str:
    """The library's own words when they are short and plain; else its error type."""
    if isinstance(exc, (zipfile.BadZipFile, *_unreadable())):
        return str(exc)[:120] or type(exc).__name__
    return type(exc).__name__
