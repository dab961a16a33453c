"""Every format, read back with the library a reader's tool would use: the table,
the summary, the RAG colours and the chart are in the file, not only the file."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.engine import Engine

from bot.returns import heatmap
from bot.returns.compose import COLUMNS, Heatmap
from bot.returns.export import export_return
from storage.db import session_scope
from storage.models import Rag
from tests.processes import ROOT
from tests.returns.conftest import PRODUCED

ITEM_1_PROGRESS = [
    "RAG status:  At risk (Amber) ",
    "Consultant procurement delayed by a re-tender.",
    "Progress against KPIs:",
    "Appointment of new staff members: Three of four posts filled",
    "Procure consultants on evidence base work: Re-tender issued 2 Sep",
    "Identify Board level sponsor: no progress reported",
    "Milestones:",
    "Appoint a team to take forward LIS development (already in progress): Done",
    "Procure consultants for the production of the evidence base (ASAP): Slipped, new date 31 Oct 2019",
    "Blockers and asks: Need the Board to agree the sponsor in September.",
    "Update by Alex Example, 25 Sep 2019 (version 2)",
]


def export(engine: Engine, fmt: str, folder: Path, period: str = "2019-Q2") -> list[Path]:
    with session_scope(engine) as session:
        _, paths = export_return(session, period=period, fmt=fmt, produced=PRODUCED, path=None, folder=folder)
    return paths


def return_table(path: Path):  # type: ignore[no-untyped-def]
    document = Document(str(path))
    return document, next(t for t in document.tables if t.rows[0].cells[0].text == COLUMNS[0])


def test_docx_holds_the_plan_table_with_progress_filled_in(year_engine: Engine, tmp_path: Path) -> None:
    [path] = export(year_engine, "docx", tmp_path)
    assert path == tmp_path / "quarterly-return-2019-Q2.docx"
    _, table = return_table(path)
    assert [c.text for c in table.rows[0].cells] == [*COLUMNS[:3], f"{COLUMNS[3]}\nQ2 2019-20 (Jul–Sep 2019)"]
    assert len(table.rows) == 1 + 7
    first = table.rows[1].cells
    assert [p.text for p in first[0].paragraphs][:3] == [
        "1. Increase strategy capacity to deliver the LIS",
        "Increase capacity on strategy to ensure focus on delivering LIS and broader strategic impact.",
        "KPIs:",
    ]
    assert [p.text for p in first[3].paragraphs] == ITEM_1_PROGRESS
    bullets = [p.style for p in first[1].paragraphs]
    assert [(s.name, s.base_style.name) for s in bullets] == [("Return Bullet", "List Bullet")] * 4
    assert table.rows[4].cells[3].text == "No update received - chased 3 times\nArea lead: Bea Sample"


def test_docx_rag_status_is_shaded_in_its_colour(year_engine: Engine, tmp_path: Path) -> None:
    [path] = export(year_engine, "docx", tmp_path)
    _, table = return_table(path)
    fills = {}
    for row in table.rows[1:]:
        run = row.cells[3].paragraphs[0].runs
        if len(run) == 2:
            fills[run[1].text.strip()] = run[1]._r.rPr.find(qn("w:shd")).get(qn("w:fill"))
    assert fills == {
        "At risk (Amber)": "F0A202",
        "On track (Green)": "2E9D49",
        "Off track (Red)": "D33F2F",
        "Complete (Blue)": "2F6FB5",
    }


def test_docx_summary_and_chart_come_before_the_table(year_engine: Engine, tmp_path: Path) -> None:
    [path] = export(year_engine, "docx", tmp_path)
    document, _ = return_table(path)
    layout = document.tables[0].rows[0].cells[0]
    body = [p.text for p in document.paragraphs if p.text]
    summary = [p.text for p in layout.paragraphs] + body
    assert body[0] == "South East LEP Strategy Improvement Plan 2019-20"
    for line in (
        "Quarterly return for Q2 2019-20 (Jul–Sep 2019)",
        "Produced 2 October 2019",
        "■ Off track (Red): 1",
        "■ No update: 3",
        "7. Leadership opportunities for the LEP (Dee Demo)",
        ("1. Increase strategy capacity to deliver the LIS: On track → At risk (Amber); milestone slipped to 31 Oct 2019: "
        "Procure consultants for the production of the evidence base (ASAP)"),
    ):
        assert line in summary
    [picture] = document.inline_shapes
    blob = document.part.related_parts[picture._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    assert Image.open(io.BytesIO(blob)).size == heatmap.size(7, 2)
    assert document.core_properties.created.date() == PRODUCED


def test_xlsx_has_the_table_first_the_summary_and_the_chart_on_sheets_of_their_own(
    year_engine: Engine, tmp_path: Path
) -> None:
    [path] = export(year_engine, "xlsx", tmp_path)
    book = load_workbook(path)
    assert book.sheetnames == ["Return", "Summary", "RAG chart"]
    summary = [row[0] for row in book["Summary"].iter_rows(values_only=True)]
    assert summary[0] == "South East LEP Strategy Improvement Plan 2019-20"
    assert "Produced 2 October 2019" in summary and "• No update: 3" in summary
    sheet = book["Return"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "South East LEP Strategy Improvement Plan 2019-20"
    header = 1
    assert values[header][:3] == list(COLUMNS[:3])
    styled = [sheet.cell(row=header + 1, column=c) for c in range(1, 5)]
    assert all(c.font.bold and c.fill.fgColor.rgb.endswith("D9E2F3") for c in styled)  # the header row itself
    assert sheet.freeze_panes == "A3"  # the title and the header stay in view; nothing else is pinned
    assert sheet.print_title_rows == "$1:$2"
    assert values[header][3] == f"{COLUMNS[3]}\nQ2 2019-20 (Jul–Sep 2019)"
    items = values[header + 1:]
    assert [row[0].splitlines()[0] for row in items] == [
        "1. Increase strategy capacity to deliver the LIS",
        "2. Develop the Local Industrial Strategy (LIS)",
        "3. Engage stakeholders locally and sub-regionally",
        "4. External communications plan for the LIS",
        "5. Partnership health and shared ownership",
        "6. Translate strategies into Board focus and impact",
        "7. Leadership opportunities for the LEP",
    ]
    assert items[0][3].splitlines()[0] == "RAG status: At risk (Amber)"
    assert "• Procure consultants for the production of the evidence base (ASAP): Slipped, new date 31 Oct 2019" in items[0][3]
    fills = [sheet.cell(row=header + 2 + i, column=4).fill.fgColor.rgb[-6:] for i in range(7)]
    assert fills == ["FFF2CC", "E2F0D9", "F8CBAD", "EDEDED", "DDEBF7", "EDEDED", "EDEDED"]
    [image] = book["RAG chart"]._images
    assert Image.open(io.BytesIO(image._data())).size == heatmap.size(7, 2)


def test_csv_is_the_summary_then_the_table_with_the_chart_beside_it(year_engine: Engine, tmp_path: Path) -> None:
    path, png = export(year_engine, "csv", tmp_path)
    assert png == tmp_path / "quarterly-return-2019-Q2-heatmap.png"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[0] == ["South East LEP Strategy Improvement Plan 2019-20"]
    header = rows.index([*COLUMNS[:3], f"{COLUMNS[3]}: Q2 2019-20 (Jul–Sep 2019)"])
    assert rows[header - 1] == []
    items = rows[header + 1:]
    assert len(items) == 7 and all(len(r) == 4 for r in items)
    bullets = {3, 4, 5, 7, 8}
    expected = [f"• {line}" if i in bullets else line for i, line in enumerate(ITEM_1_PROGRESS)]
    expected[0] = "RAG status: At risk (Amber)"
    assert items[0][3].splitlines() == expected
    assert items[3][3] == "No update received - chased 3 times\nArea lead: Bea Sample"
    assert Image.open(png).size == heatmap.size(7, 2)


def test_markdown_links_the_chart_and_keeps_each_item_on_one_table_row(year_engine: Engine, tmp_path: Path) -> None:
    path, png = export(year_engine, "md", tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# South East LEP Strategy Improvement Plan 2019-20\n")
    assert f"]({png.name})" in text and png.is_file()
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[0] == "| Improvement summary | Milestones | Monitoring process | Area Lead progress update: Q2 2019-20 (Jul–Sep 2019) |"
    assert len(table) == 1 + 7
    assert table[4].endswith("| No update received - chased 3 times<br>Area lead: Bea Sample |")


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv", "md"])
def test_the_same_data_exports_the_same_bytes(year_engine: Engine, tmp_path: Path, fmt: str) -> None:
    first = export(year_engine, fmt, tmp_path / "a")
    second = export(year_engine, fmt, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_heatmap_size_is_fixed_per_item_and_period_and_cells_show_rag_colours() -> None:
    chart = Heatmap(
        items=("1. One", "2. Two", "3. Three"),
        periods=("Q1", "Q2", "Q3", "Q4"),
        cells=((Rag.ON_TRACK, Rag.AT_RISK, None, None), (Rag.OFF_TRACK, None, None, None), (None, None, None, Rag.COMPLETE)),
    )
    image = Image.open(io.BytesIO(heatmap.render_png(chart))).convert("RGB")
    assert image.size == (heatmap.LEFT + heatmap.RIGHT + 4 * 64, heatmap.TOP + heatmap.BOTTOM + 3 * 28)
    bigger = Heatmap(items=chart.items * 2, periods=chart.periods + ("Q5",), cells=tuple(r + (None,) for r in chart.cells * 2))
    assert Image.open(io.BytesIO(heatmap.render_png(bigger))).size == (image.size[0] + 64, image.size[1] + 3 * 28)

    def colour(column: int, row: int) -> str:
        x = heatmap.LEFT + column * heatmap.CELL_WIDTH + 8
        y = heatmap.TOP + row * heatmap.CELL_HEIGHT + 6
        red, green, blue = image.getpixel((x, y))
        return f"#{red:02x}{green:02x}{blue:02x}"

    assert [colour(0, 0), colour(1, 0), colour(0, 1), colour(3, 2), colour(2, 0)] == [
        heatmap.FILL[Rag.ON_TRACK], heatmap.FILL[Rag.AT_RISK], heatmap.FILL[Rag.OFF_TRACK], heatmap.FILL[Rag.COMPLETE], heatmap.NO_UPDATE,
    ]


def test_the_core_loads_no_office_or_chart_library() -> None:
    code = (
        "import sys, bot.core.planbot, bot.returns.chat, bot.returns.compose;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'docx', 'openpyxl', 'matplotlib'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
