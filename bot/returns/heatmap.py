"""The RAG heatmap: items down, periods across, one coloured cell each, as a PNG.

Sizes are fixed in pixels per item and per period (no tight bounding box), and
the PNG carries no timestamp or software tag, so the same data draws the same
bytes. matplotlib's object API with the Agg canvas is used directly: no pyplot,
no global backend switch, safe in a web process.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from bot.returns.compose import Heatmap
from storage.models import Rag

DPI = 100
CELL_WIDTH = 64
CELL_HEIGHT = 28
LEFT = 340
RIGHT = 16
TOP = 36
BOTTOM = 60
LABEL_CHARS = 48

FILL = {
    Rag.ON_TRACK: "#2e9d49",
    Rag.AT_RISK: "#f0a202",
    Rag.OFF_TRACK: "#d33f2f",
    Rag.COMPLETE: "#2f6fb5",
}
NO_UPDATE = "#d9d9d9"
LETTER = {Rag.ON_TRACK: "G", Rag.AT_RISK: "A", Rag.OFF_TRACK: "R", Rag.COMPLETE: "B"}


def size(items: int, periods: int) -> tuple[int, int]:
    """The PNG's width and height in pixels for this many items and periods."""
    return LEFT + RIGHT + periods * CELL_WIDTH, TOP + BOTTOM + items * CELL_HEIGHT


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def render_png(heatmap: Heatmap) -> bytes:
    """Draw the heatmap; cells carry a letter too, so it reads without colour."""
    width, height = size(len(heatmap.items), len(heatmap.periods))
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    grid_width = max(len(heatmap.periods), 1) * CELL_WIDTH
    grid_height = max(len(heatmap.items), 1) * CELL_HEIGHT
    axes = figure.add_axes((LEFT / width, BOTTOM / height, grid_width / width, grid_height / height))
    columns = max(len(heatmap.periods), 1)
    rows = max(len(heatmap.items), 1)
    axes.set_xlim(0, columns)
    axes.set_ylim(rows, 0)
    for y, row in enumerate(heatmap.cells):
        for x, rag in enumerate(row):
            axes.add_patch(Rectangle((x, y), 1, 1, facecolor=FILL[rag] if rag else NO_UPDATE, edgecolor="white", linewidth=2))
            axes.text(
                x + 0.5, y + 0.5, LETTER[rag] if rag else "–", ha="center", va="center", fontsize=9,
                color="white" if rag else "#555555", fontweight="bold",
            )
    axes.set_xticks([x + 0.5 for x in range(len(heatmap.periods))], list(heatmap.periods), fontsize=9)
    axes.xaxis.tick_top()
    axes.set_yticks([y + 0.5 for y in range(len(heatmap.items))], [_label(i) for i in heatmap.items], fontsize=9)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    legend = [Patch(facecolor=FILL[rag], label=f"{LETTER[rag]}: {rag.label}") for rag in FILL]
    legend.append(Patch(facecolor=NO_UPDATE, label="–: No update"))
    figure.legend(
        handles=legend, loc="lower center", ncol=len(legend), fontsize=8, frameon=False,
        bbox_to_anchor=(0.5, 4 / height), handlelength=1.2, columnspacing=1.0,
    )
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
