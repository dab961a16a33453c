"""Write a composed return in a chosen format: the one place that picks a writer.

Writers are imported here, on demand, so reading the plan or answering a chat
message never loads python-docx, openpyxl or matplotlib; the format names import
nothing, so the command line's parser can list them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.errors import BadInput

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.returns.compose import QuarterlyReturn

FORMATS = ("docx", "xlsx", "csv", "md")
FORMAT_NAMES = {"docx": "Word document", "xlsx": "Excel workbook", "csv": "CSV file", "md": "Markdown file"}
ALIASES = {"word": "docx", "doc": "docx", "excel": "xlsx", "xls": "xlsx", "markdown": "md"}


def format_from(text: str) -> str | None:
    """'docx', 'Word', '.xlsx', 'markdown' -> the format key; None if it names none."""
    word = text.strip().lower().lstrip(".")
    word = ALIASES.get(word, word)
    return word if word in FORMATS else None


def writer_for(fmt: str) -> Callable[[QuarterlyReturn, Path], list[Path]]:
    if fmt == "docx":
        from bot.returns.docx import write_docx

        return write_docx
    if fmt == "xlsx":
        from bot.returns.xlsx import write_xlsx

        return write_xlsx
    if fmt == "csv":
        from bot.returns.csvmd import write_csv

        return write_csv
    if fmt == "md":
        from bot.returns.csvmd import write_markdown

        return write_markdown
    raise BadInput(f"I can't write '{fmt}'. The formats are: {', '.join(FORMATS)}.")


def export_return(
    session: Session,
    *,
    period: str | None,
    fmt: str,
    produced: dt.date,
    path: Path | None,
    folder: Path,
    replace: bool = True,
) -> tuple[QuarterlyReturn, list[Path]]:
    """Compose the return for `period` and write it; the files written, the main one first.

    `path` is written where it is (its folder must exist); without it the return's own
    name goes in `folder`, which is created. With `replace` False an existing file
    of that name is an error, not overwritten."""
    from bot.returns.compose import compose, pick_period  # the database: `planbot --help` reads only FORMATS
    from bot.returns.csvmd import chart_path

    ret = compose(session, period=pick_period(session, period), produced=produced)
    target = path or folder / f"{ret.stem}.{fmt}"
    if path is None:
        folder.mkdir(parents=True, exist_ok=True)
    links = [p for p in (target, chart_path(target)) if p.is_symlink()]
    if links:
        raise BadInput(f"{links[0]} is a symbolic link; I write only to a file itself, so nothing lands somewhere else.")
    if not replace and target.exists():
        raise BadInput(f"{target} already exists; choose another name or add --force to replace it.")
    return ret, writer_for(fmt)(ret, target)
