"""The return as a Word document: a summary page with the RAG chart, then the table.

Landscape A4 like the plan it mirrors; the header row repeats on every page;
the RAG status is written out and shaded in its colour.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length, Mm, Pt, RGBColor
from docx.table import _Cell, _Row

from bot.returns import heatmap as chart
from bot.returns.compose import COLUMNS, RAG_SECTION, Para, QuarterlyReturn, Style
from bot.returns.cell_safety import xml_text
from bot.returns.stable_zip import stable_zip
from storage.models import Rag

FONT = "Arial"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(297), Mm(210), Mm(14)
COLUMN_SHARES = (0.30, 0.24, 0.18, 0.28)
HEADER_FILL = "D9E2F3"
SHADE = {Rag.ON_TRACK: "2E9D49", Rag.AT_RISK: "F0A202", Rag.OFF_TRACK: "D33F2F", Rag.COMPLETE: "2F6FB5"}
GREY = "595959"
MISSING_RED = "C00000"
NO_UPDATE = "BFBFBF"
SIDE_TEXT = Mm(110)
SIDE_CHART_HEIGHT = Mm(105)
MIN_SIDE_SCALE = 0.75
SUMMARY_STYLE, SUMMARY_BULLET = "ReturnSummary", "ListBullet"
CELL_STYLE, CELL_BULLET = "ReturnCell", "ReturnBullet"


def _shade(element: BaseOxmlElement, fill: str) -> None:
    """Add a solid w:shd to a cell's properties."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    element.append(shd)


def _run(text: str, *, bold: bool = False, italic: bool = False, colour: str = "", fill: str = "") -> str:
    props = "<w:b/>" if bold else ""
    props += "<w:i/>" if italic else ""
    props += f'<w:color w:val="{colour}"/>' if colour else ""
    props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    lines = xml_text(text).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


def _paragraph_xml(para: Para, styles: tuple[str, str]) -> str:
    """One paragraph as WordprocessingML: `styles` are the (text, bullet) style ids.

    Written as XML and parsed once per cell because building it through
    python-docx's objects, run by run, takes most of an export's time.
    """
    bullet = para.style == Style.BULLET and para.rag is None
    runs = ""
    if para.style in (Style.FIELD, Style.RAG):
        label, _, words = para.text.partition(": ")
        runs = _run(f"{label}: ", bold=True)
        if para.style == Style.RAG and para.rag is not None:
            runs += _run(f" {words} ", bold=True, colour="FFFFFF", fill=SHADE[para.rag])
        else:
            runs += _run(words)
    else:
        if para.rag is not None:
            runs = _run("■ ", colour=SHADE[para.rag])
        bold = para.style in (Style.TITLE, Style.LABEL, Style.MISSING)
        byline = para.style == Style.BYLINE
        colour = GREY if byline else (MISSING_RED if para.style == Style.MISSING else "")
        runs += _run(para.text, bold=bold, italic=byline, colour=colour)
    style = styles[1] if bullet else styles[0]
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{runs}</w:p>'


def _paragraphs(xml: list[str]) -> list[BaseOxmlElement]:
    return list(parse_xml(f"<w:body {nsdecls('w')}>{''.join(xml)}</w:body>"))


def _fill_cell(cell: _Cell, paras: tuple[Para, ...]) -> None:
    tc = cell._tc
    for empty in tc.p_lst:
        tc.remove(empty)
    tc.extend(_paragraphs([_paragraph_xml(para, (CELL_STYLE, CELL_BULLET)) for para in paras]))


def _add_paragraph(container: WordDocument | _Cell, para: Para, styles: tuple[str, str] = (SUMMARY_STYLE, SUMMARY_BULLET)) -> None:
    placeholder = container.add_paragraph()._p
    [element] = _paragraphs([_paragraph_xml(para, styles)])
    placeholder.getparent().replace(placeholder, element)


def _repeat_header(row: _Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _setup(document: WordDocument, ret: QuarterlyReturn) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for name, base, size, after in (
        ("Return Summary", "Normal", 10, 2),
        ("Return Cell", "Normal", 9, 2),
        ("Return Bullet", "List Bullet", 9, 1),
    ):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles[base]
        style.font.size = Pt(size)
        style.paragraph_format.space_after = Pt(after)
    footer = section.footer.paragraphs[0]
    footer.text = xml_text(f"{ret.plan_title}: {ret.name} for {ret.period_label}")
    footer.runs[0].font.size = Pt(8)
    footer.runs[0].font.color.rgb = RGBColor.from_string(GREY)
    props = document.core_properties
    stamp = dt.datetime.combine(ret.produced, dt.time(0, 0))
    props.title = xml_text(f"{ret.plan_title}: {ret.name} {ret.period_key}")
    props.author = props.last_modified_by = "Planbot"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.comments = ""


def _chart_size(ret: QuarterlyReturn, max_width: Length, max_height: Length) -> tuple[Length, Length, float]:
    """The chart at its natural size (its labels then print at 9 pt), shrunk only to fit; and the shrink."""
    width, height = chart.size(len(ret.heatmap.items), len(ret.heatmap.periods))
    natural_width, natural_height = Mm(width / chart.DPI * 25.4), Mm(height / chart.DPI * 25.4)
    scale = min(1.0, max_width / natural_width, max_height / natural_height)
    return Length(int(natural_width * scale)), Length(int(natural_height * scale)), scale


def _summary_section(container: WordDocument | _Cell, heading: str, paras: tuple[Para, ...]) -> None:
    if heading:
        title = container.add_paragraph(xml_text(heading))
        title.style = "Heading 2"
    for para in paras:
        if heading == RAG_SECTION and para.rag is None:
            paragraph = container.add_paragraph()
            square = paragraph.add_run("■ ")
            square.font.color.rgb = RGBColor.from_string(NO_UPDATE)
            paragraph.add_run(xml_text(para.text))
            paragraph._p.style = SUMMARY_STYLE
        else:
            _add_paragraph(container, para)


def _summary(document: WordDocument, ret: QuarterlyReturn) -> None:
    """Page one: the facts and RAG counts beside the chart when it fits there at a
    readable size, then what is missing and what changed. A chart too big for
    that gets a page of its own after the summary."""
    usable_width = PAGE_WIDTH - 2 * MARGIN
    png = chart.render_png(ret.heatmap)
    width, height, scale = _chart_size(ret, Length(usable_width - SIDE_TEXT), SIDE_CHART_HEIGHT)
    beside = scale >= MIN_SIDE_SCALE
    left: WordDocument | _Cell = document
    if beside:
        layout = document.add_table(rows=1, cols=2)
        layout.autofit = False
        text_cell, right = layout.rows[0].cells
        text_cell.width, right.width = SIDE_TEXT, Length(usable_width - SIDE_TEXT)
        left = text_cell
        right.paragraphs[0].add_run().add_picture(io.BytesIO(png), width=width, height=height)
    for section in ret.sections:
        target = left if section.heading in ("", RAG_SECTION) else document
        _summary_section(target, section.heading, section.paras)
    if isinstance(left, _Cell):
        first = left.paragraphs[0]._p
        first.getparent().remove(first)
        return
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("RAG status by item and period", level=2)
    width, height, _ = _chart_size(ret, Length(usable_width), Length(PAGE_HEIGHT - 2 * MARGIN - Mm(20)))
    document.add_picture(io.BytesIO(png), width=width, height=height)


def render_docx(ret: QuarterlyReturn) -> bytes:
    document = Document()
    _setup(document, ret)
    document.add_heading(xml_text(ret.plan_title), level=0)
    _summary(document, ret)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    usable = PAGE_WIDTH - 2 * MARGIN
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    widths = [Length(int(usable * share)) for share in COLUMN_SHARES]
    header = table.rows[0]
    _repeat_header(header)
    for index, (cell, name) in enumerate(zip(header.cells, COLUMNS, strict=True)):
        heading = [Para(name, Style.TITLE)]
        if index == len(COLUMNS) - 1:
            heading.append(Para(ret.period_label, Style.BYLINE))
        _fill_cell(cell, tuple(heading))
        _shade(cell._tc.get_or_add_tcPr(), HEADER_FILL)
    for row in ret.rows:
        cells = table.add_row().cells
        for cell, paras in zip(cells, row.cells, strict=True):
            _fill_cell(cell, paras)
    for table_row in table.rows:
        for cell, width in zip(table_row.cells, widths, strict=True):
            cell.width = width
    out = io.BytesIO()
    document.save(out)
    return stable_zip(out.getvalue(), day=ret.produced)


def write_docx(ret: QuarterlyReturn, path: Path) -> list[Path]:
    path.write_bytes(render_docx(ret))
    return [path]
