"""The return as CSV and as Markdown, with the RAG chart written beside them as a PNG.

CSV: the summary as rows of one cell above the table, then a blank row, the
header and one row per item (lines inside a cell kept as line breaks). Markdown:
the summary as text, the chart as an image link, and the table with `<br>`
between a cell's lines (Markdown table cells cannot hold line breaks).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.returns import heatmap as chart
from bot.returns.cell_safety import csv_cell, markdown_text
from bot.returns.compose import (
    COLUMNS,
    RAG_SECTION,
    QuarterlyReturn,
    Style,
    plain_lines,
)


def chart_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-heatmap.png")


def render_csv(ret: QuarterlyReturn) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def row(cells: list[str]) -> None:
        writer.writerow([csv_cell(cell) for cell in cells])

    row([ret.plan_title])
    for section in ret.sections:
        if section.heading:
            row([section.heading])
        for line in plain_lines(section.paras):
            row([line])
    writer.writerow([])
    row([*COLUMNS[:3], ret.progress_header])
    for item in ret.rows:
        row(["\n".join(plain_lines(paras)) for paras in item.cells])
    return out.getvalue()


def _md_cell(lines: list[str]) -> str:
    return "<br>".join(markdown_text(line) for line in lines)


def render_markdown(ret: QuarterlyReturn, chart_name: str) -> str:
    """Every text from the plan or an update goes through markdown_text: no raw HTML,
    and links only to http(s) and mailto targets."""
    lines = [f"# {markdown_text(ret.plan_title)}", ""]
    for section in ret.sections:
        if section.heading:
            lines += [f"## {markdown_text(section.heading)}", ""]
        for para in section.paras:
            if para.style == Style.BULLET:
                lines.append(f"- {markdown_text(para.text)}")
            else:
                lines += [markdown_text(para.text), ""]
        if lines[-1]:
            lines.append("")
        if section.heading == RAG_SECTION:
            lines += [f"![RAG status of every item in every period so far]({chart_name})", ""]
    lines.append("| " + " | ".join(markdown_text(h) for h in [*COLUMNS[:3], ret.progress_header]) + " |")
    lines.append("|" + "---|" * len(COLUMNS))
    for row in ret.rows:
        lines.append("| " + " | ".join(_md_cell(plain_lines(paras)) for paras in row.cells) + " |")
    return "\n".join(lines) + "\n"


def write_csv(ret: QuarterlyReturn, path: Path) -> list[Path]:
    png = chart_path(path)
    path.write_text(render_csv(ret), encoding="utf-8", newline="")
    png.write_bytes(chart.render_png(ret.heatmap))
    return [path, png]


def write_markdown(ret: QuarterlyReturn, path: Path) -> list[Path]:
    png = chart_path(path)
    path.write_text(render_markdown(ret, png.name), encoding="utf-8")
    png.write_bytes(chart.render_png(ret.heatmap))
    return [path, png]
