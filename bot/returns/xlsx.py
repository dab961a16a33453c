"""The return as an Excel workbook: the table on the first sheet (the plan's title
above its header row, both frozen and repeated on every printed page), the summary
on a second, the RAG chart on a third. The progress cell is tinted in its RAG colour.

The summary has a sheet of its own so that freezing the header row pins two rows,
not the summary's two dozen."""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from bot.returns import heatmap as chart
from bot.returns.cell_safety import looks_like_formula, xml_text
from bot.returns.compose import COLUMNS, QuarterlyReturn, plain_lines
from bot.returns.stable_zip import stable_zip
from storage.models import Rag

WIDTHS = (60, 48, 36, 60)
TINT = {Rag.ON_TRACK: "E2F0D9", Rag.AT_RISK: "FFF2CC", Rag.OFF_TRACK: "F8CBAD", Rag.COMPLETE: "DDEBF7"}
NO_UPDATE = "EDEDED"
HEADER_FILL = "D9E2F3"
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TOP_LEFT = Alignment(wrap_text=True, vertical="top")
LINE_POINTS = 12.5


def _height(lines_by_cell: list[list[str]]) -> float:
    """Rows are sized from their text: Excel does not grow wrapped rows on open."""
    needed = max(
        sum(max(1, math.ceil(len(line) / (width * 1.1))) for line in lines)
        for lines, width in zip(lines_by_cell, WIDTHS, strict=True)
    )
    return min(409.0, needed * LINE_POINTS + 4)


def _append(sheet: Worksheet, values: list[str]) -> None:
    """A row of text cells: each stored as a string, never a formula, whatever it starts
    with ('=HYPERLINK(...)' in a plan title stays text), and marked with Excel's quote
    prefix where a person editing the cell would otherwise turn it into one. Characters
    XML cannot hold (control characters) are dropped rather than failing the export."""
    sheet.append([xml_text(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if looks_like_formula(cell.value):
                cell.quotePrefix = True


def _summary(sheet: Worksheet, ret: QuarterlyReturn) -> None:
    _append(sheet, [ret.plan_title])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    for section in ret.sections:
        if section.heading:
            sheet.append([])
            _append(sheet, [section.heading])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=11)
        for para in section.paras:
            _append(sheet, plain_lines((para,)))
            if para.rag is not None:
                sheet.cell(row=sheet.max_row, column=1).fill = PatternFill("solid", fgColor=TINT[para.rag])
    sheet.column_dimensions["A"].width = WIDTHS[0] + WIDTHS[1]


def render_xlsx(ret: QuarterlyReturn) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Return"
    _append(sheet, [ret.plan_title])  # as the plan's own table has it (plan import reads it back)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    header = [*COLUMNS[:3], f"{COLUMNS[3]}\n{ret.period_label}"]
    _append(sheet, header)
    header_row = sheet.max_row
    for column, _ in enumerate(header, start=1):
        cell = sheet.cell(row=header_row, column=column)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = TOP_LEFT
        cell.border = BOX
    sheet.row_dimensions[header_row].height = 2 * LINE_POINTS + 4
    for row in ret.rows:
        lines = [plain_lines(paras) for paras in row.cells]
        _append(sheet, ["\n".join(cell) for cell in lines])
        number = sheet.max_row
        sheet.row_dimensions[number].height = _height(lines)
        for column in range(1, len(COLUMNS) + 1):
            cell = sheet.cell(row=number, column=column)
            cell.alignment = TOP_LEFT
            cell.border = BOX
        progress = sheet.cell(row=number, column=len(COLUMNS))
        progress.fill = PatternFill("solid", fgColor=TINT[row.rag] if row.rag else NO_UPDATE)
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions["ABCD"[index]].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"1:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    _summary(book.create_sheet("Summary"), ret)

    charts = book.create_sheet("RAG chart")
    charts.append(["RAG status by item and period"])
    charts.cell(row=1, column=1).font = Font(bold=True, size=12)
    image = Image(io.BytesIO(chart.render_png(ret.heatmap)))
    charts.add_image(image, "A3")

    stamp = dt.datetime.combine(ret.produced, dt.time(0, 0))
    book.properties.title = xml_text(f"{ret.plan_title}: {ret.name} {ret.period_key}")
    book.properties.creator = book.properties.lastModifiedBy = "Planbot"
    book.properties.created = book.properties.modified = stamp
    out = io.BytesIO()
    book.save(out)
    return stable_zip(out.getvalue(), day=ret.produced)


def write_xlsx(ret: QuarterlyReturn, path: Path) -> list[Path]:
    path.write_bytes(render_xlsx(ret))
    return [path]
