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
    writer.writerow([ret.plan_title])
    for section in ret.sections:
        if section.heading:
            writer.writerow([section.heading])
        for line in plain_lines(section.paras):
            writer.writerow([line])
    writer.writerow([])
    writer.writerow([*COLUMNS[:3], ret.progress_header])
    for row in ret.rows:
        writer.writerow(["\n".join(plain_lines(paras)) for paras in row.cells])
    return out.getvalue()


def _md_cell(lines: list[str]) -> str:
    escaped = [line.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;") for line in lines]
    return "<br>".join(escaped)


def render_markdown(ret: QuarterlyReturn, chart_name: str) -> str:
    lines = [f"# {ret.plan_title}", ""]
    for section in ret.sections:
        if section.heading:
            lines += [f"## {section.heading}", ""]
        for para in section.paras:
            if para.style == Style.BULLET:
                lines.append(f"- {para.text}")
            else:
                lines += [para.text, ""]
        if lines[-1]:
            lines.append("")
        if section.heading == RAG_SECTION:
            lines += [f"![RAG status of every item in every period so far]({chart_name})", ""]
    lines.append("| " + " | ".join([*COLUMNS[:3], ret.progress_header]) + " |")
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
