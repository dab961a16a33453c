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
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.errors import BadInput

SUFFIXES = (".docx", ".xlsx", ".csv")


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


def _docx_grids(path: Path) -> list[Grid]:
    from docx import Document
    from docx.table import _Cell

    document = Document(str(path))
    above = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    grids: list[Grid] = []
    for number, table in enumerate(document.tables, start=1):
        rows: list[GridRow] = []
        merged_text: dict[int, str] = {}
        for row_number, tr in enumerate(table._tbl.tr_lst, start=1):
            row = GridRow(f"table {number}, row {row_number}")
            column = tr.grid_before
            for tc in tr.tc_lst:
                span = tc.grid_span
                if tc.vMerge == "continue":
                    row.cells[column] = GridCell("", span, covered=True, above=merged_text.get(column, ""))
                else:
                    text = "\n".join(p.text for p in _Cell(tc, table).paragraphs)
                    merged_text[column] = text
                    row.cells[column] = GridCell(text, span)
                for extra in range(1, span):
                    row.cells[column + extra] = GridCell("", covered=True)
                column += span
            rows.append(row)
        grids.append(Grid(f"table {number}", rows, above))
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
    for sheet in book.worksheets:
        spans: dict[tuple[int, int], int] = {}
        covered: dict[tuple[int, int], str] = {}
        for merged in sheet.merged_cells.ranges:
            spans[(merged.min_row, merged.min_col)] = merged.max_col - merged.min_col + 1
            origin = _xlsx_text(sheet.cell(row=merged.min_row, column=merged.min_col).value)
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    if (r, c) != (merged.min_row, merged.min_col):
                        covered[(r, c)] = origin if c == merged.min_col else ""
        rows: list[GridRow] = []
        for cells in sheet.iter_rows():
            row = GridRow(f"sheet '{sheet.title}' row {cells[0].row}" if cells else f"sheet '{sheet.title}'")
            for cell in cells:
                key = (cell.row, cell.column)
                if key in covered:
                    row.cells[cell.column - 1] = GridCell("", covered=True, above=covered[key])
                else:
                    row.cells[cell.column - 1] = GridCell(_xlsx_text(cell.value), spans.get(key, 1))
            rows.append(row)
        grids.append(Grid(f"sheet '{sheet.title}'", rows))
    return grids


def _csv_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv_grids(path: Path) -> list[Grid]:
    text = _csv_text(path)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [
        GridRow(f"record {number}", {i: GridCell(value) for i, value in enumerate(record)})
        for number, record in enumerate(csv.reader(io.StringIO(text), dialect), start=1)
    ]
    return [Grid(path.name, rows)]


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
    unreadable: tuple[type[Exception], ...] = (zipfile.BadZipFile, KeyError, ValueError, OSError, *_unreadable())
    try:
        if suffix == ".docx":
            return _docx_grids(path)
        if suffix == ".xlsx":
            return _xlsx_grids(path)
        return _csv_grids(path)
    except unreadable as exc:
        kind = {".docx": "Word", ".xlsx": "Excel"}.get(suffix, "CSV")
        raise BadInput(f"{path.name}: I couldn't read it as a {kind} file ({exc}). Is it damaged, or in another format?") from None
