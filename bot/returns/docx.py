"""The return as a Word document: a summary page with the RAG chart, then the table.

Landscape A4 like the plan it mirrors; the header row repeats on every page;
the RAG status is written out and shaded in its colour.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from bot.returns import heatmap as chart
from bot.returns.compose import COLUMNS, RAG_SECTION, Para, QuarterlyReturn, Style
from bot.returns.stable_zip import stable_zip
from storage.models import Rag

FONT = "Arial"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(297), Mm(210), Mm(14)
COLUMN_SHARES = (0.30, 0.24, 0.18, 0.28)
HEADER_FILL = "D9E2F3"
SHADE = {Rag.ON_TRACK: "2E9D49", Rag.AT_RISK: "F0A202", Rag.OFF_TRACK: "D33F2F", Rag.COMPLETE: "2F6FB5"}
GREY = RGBColor(0x59, 0x59, 0x59)
NO_UPDATE = "BFBFBF"
SIDE_TEXT = Mm(110)
SIDE_CHART_HEIGHT = Mm(105)
MIN_SIDE_SCALE = 0.75


def _shade(element: OxmlElement, fill: str) -> None:
    """Add a solid w:shd to a run's or a cell's properties."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    element.append(shd)


def _write_para(paragraph: Paragraph, para: Para) -> None:
    paragraph.paragraph_format.space_after = Pt(2)
    if para.style == Style.BULLET and para.rag is None:
        paragraph.style = "List Bullet"
        paragraph.paragraph_format.space_after = Pt(1)
    if para.style == Style.FIELD:
        label, _, words = para.text.partition(": ")
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(words)
        return
    if para.style == Style.RAG and para.rag is not None:
        label, _, words = para.text.partition(": ")
        paragraph.add_run(f"{label}: ").bold = True
        run = paragraph.add_run(f" {words} ")
        run.bold = True
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _shade(run._r.get_or_add_rPr(), SHADE[para.rag])
        return
    if para.rag is not None:
        square = paragraph.add_run("■ ")
        square.font.color.rgb = RGBColor.from_string(SHADE[para.rag])
    run = paragraph.add_run(para.text)
    if para.style in (Style.TITLE, Style.LABEL, Style.MISSING):
        run.bold = True
    if para.style == Style.BYLINE:
        run.italic = True
        run.font.color.rgb = GREY


def _fill_cell(cell: _Cell, paras: tuple[Para, ...]) -> None:
    for index, para in enumerate(paras):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        _write_para(paragraph, para)


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _setup(document: object, ret: QuarterlyReturn) -> None:
    section = document.sections[0]  # type: ignore[attr-defined]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    normal = document.styles["Normal"]  # type: ignore[attr-defined]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    footer = section.footer.paragraphs[0]
    footer.text = f"{ret.plan_title}: quarterly return for {ret.period_label}"
    footer.runs[0].font.size = Pt(8)
    footer.runs[0].font.color.rgb = GREY
    props = document.core_properties  # type: ignore[attr-defined]
    stamp = dt.datetime.combine(ret.produced, dt.time(0, 0))
    props.title = f"{ret.plan_title}: quarterly return {ret.period_key}"
    props.author = props.last_modified_by = "Planbot"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.comments = ""


def _chart_size(ret: QuarterlyReturn, max_width: int, max_height: int) -> tuple[int, int, float]:
    """The chart at its natural size (its labels then print at 9 pt), shrunk only to fit; and the shrink."""
    width, height = chart.size(len(ret.heatmap.items), len(ret.heatmap.periods))
    natural_width, natural_height = Mm(width / chart.DPI * 25.4), Mm(height / chart.DPI * 25.4)
    scale = min(1.0, max_width / natural_width, max_height / natural_height)
    return int(natural_width * scale), int(natural_height * scale), scale


def _summary_paras(container: object, paras: tuple[Para, ...], counts: bool) -> None:
    for para in paras:
        paragraph = container.add_paragraph()  # type: ignore[attr-defined]
        if counts and para.rag is None:
            square = paragraph.add_run("■ ")
            square.font.color.rgb = RGBColor.from_string(NO_UPDATE)
            paragraph.add_run(para.text)
            paragraph.paragraph_format.space_after = Pt(2)
        else:
            _write_para(paragraph, para)


def _summary(document: object, ret: QuarterlyReturn) -> None:
    """Page one: the facts and RAG counts beside the chart when it is small enough,
    then what is missing and what changed; a big chart gets a page of its own."""
    usable_width = PAGE_WIDTH - 2 * MARGIN
    usable_height = PAGE_HEIGHT - 2 * MARGIN - Mm(20)
    width, height, scale = _chart_size(ret, usable_width - SIDE_TEXT, SIDE_CHART_HEIGHT)
    beside = scale >= MIN_SIDE_SCALE
    left: object = document
    if beside:
        layout = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
        layout.autofit = False
        left, right = layout.rows[0].cells
        left.width, right.width = SIDE_TEXT, usable_width - SIDE_TEXT
        right.paragraphs[0].add_run().add_picture(io.BytesIO(chart.render_png(ret.heatmap)), width=width, height=height)
    for section in ret.sections:
        target = left if section.heading in ("", RAG_SECTION) else document
        if section.heading:
            if target is document:
                document.add_heading(section.heading, level=2)  # type: ignore[attr-defined]
            else:
                heading = target.add_paragraph()  # type: ignore[attr-defined]
                heading.style = "Heading 2"
                heading.add_run(section.heading)
        _summary_paras(target, section.paras, counts=section.heading == RAG_SECTION)
    if beside:
        first = left.paragraphs[0]  # type: ignore[attr-defined]
        first._p.getparent().remove(first._p)
        return
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # type: ignore[attr-defined]
    document.add_heading("RAG status by item and period", level=2)  # type: ignore[attr-defined]
    width, height, _ = _chart_size(ret, usable_width, usable_height)
    document.add_picture(io.BytesIO(chart.render_png(ret.heatmap)), width=width, height=height)  # type: ignore[attr-defined]


def render_docx(ret: QuarterlyReturn) -> bytes:
    document = Document()
    _setup(document, ret)
    document.add_heading(ret.plan_title, level=0)
    _summary(document, ret)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    usable = PAGE_WIDTH - 2 * MARGIN
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    widths = [int(usable * share) for share in COLUMN_SHARES]
    header = table.rows[0]
    _repeat_header(header)
    for index, (cell, name) in enumerate(zip(header.cells, COLUMNS, strict=True)):
        _write_para(cell.paragraphs[0], Para(name, Style.TITLE))
        if index == len(COLUMNS) - 1:
            note = cell.add_paragraph()
            note.add_run(ret.period_label).italic = True
        _shade(cell._tc.get_or_add_tcPr(), HEADER_FILL)
    for row in ret.rows:
        cells = table.add_row().cells
        for cell, paras in zip(cells, row.cells, strict=True):
            _fill_cell(cell, paras)
    for table_row in table.rows:
        for cell, width in zip(table_row.cells, widths, strict=True):
            cell.width = width
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    out = io.BytesIO()
    document.save(out)
    return stable_zip(out.getvalue(), day=ret.produced)


def write_docx(ret: QuarterlyReturn, path: Path) -> list[Path]:
    path.write_bytes(render_docx(ret))
    return [path]
