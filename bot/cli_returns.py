"""`planbot export` (the quarterly return) and `planbot plan import` (a plan from a table)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.clock import SystemClock
from bot.core.errors import BadInput, PlanbotError
from bot.returns.export import FORMAT_NAMES, FORMATS, format_from

if TYPE_CHECKING:
    from bot.returns.compose import QuarterlyReturn


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2019-10-02") from None


def _format(args: argparse.Namespace) -> str:
    output = _file_output(args)
    from_name = format_from(output.suffix) if output is not None and output.suffix else None
    if output is not None and output.suffix and from_name is None:
        fmt = args.format or "docx"
        raise BadInput(
            f"-o {output} ends in {output.suffix}, which is not a format I write (docx, xlsx, csv or md); "
            f"name it like {output.with_suffix('.' + fmt).name}."
        )
    if args.format and from_name and args.format != from_name:
        raise BadInput(f"-o {output} ends in {output.suffix} but --format is {args.format}; make them agree.")
    return args.format or from_name or "docx"


def output_path(text: str) -> Path:
    """-o as given: an empty one is refused (it would quietly mean the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; give a file name, or leave -o out for the default name here")
    return Path(text)


def _file_output(args: argparse.Namespace) -> Path | None:
    """-o as a file to write; None when it is absent or names a folder (the default name goes there)."""
    output: Path | None = args.output
    return None if output is None or output.is_dir() else output


def output_paths(args: argparse.Namespace, fmt: str) -> tuple[Path | None, Path]:
    """(the file -o names, with its extension added if it had none; the folder for the default
    name), after the checks a user would want before anything is written: the folder exists,
    -o is a regular file, and nothing is overwritten without --force."""
    output = _file_output(args)
    folder = args.output if args.output is not None and output is None else Path.cwd()
    if output is None:
        return None, folder
    if output.is_symlink():
        raise BadInput(f"-o {output} is a symbolic link; name the file itself, so nothing is written somewhere else.")
    if output.exists() and not output.is_file():
        raise BadInput(f"-o {output} is not a regular file; give a file name such as return.{fmt}.")
    if not output.suffix:
        output = output.with_name(f"{output.name}.{fmt}")
    if not output.parent.is_dir():
        raise BadInput(f"-o {output}: the folder {output.parent} does not exist; create it first, or check the path for a typo.")
    beside = [chart_beside(output)] if fmt in CHART_BESIDE else []
    if any(p.is_symlink() for p in beside):
        raise BadInput(f"{chart_beside(output)} (where the chart goes) is a symbolic link; choose another name for -o.")
    taken = [p for p in (output, *beside) if p.exists()]
    if taken and not args.force:
        names = " and ".join(str(p) for p in taken)
        raise BadInput(f"{names} already exist{'s' if len(taken) == 1 else ''}; choose another name or add --force to replace it.")
    return output, folder


CHART_BESIDE = {"csv", "md"}
"""Formats whose RAG chart is written as a PNG beside the file."""


def chart_beside(path: Path) -> Path:
    from bot.returns.csvmd import chart_path  # the writers load matplotlib's neighbours only when exporting

    return chart_path(path)


def describe(ret: QuarterlyReturn) -> str:
    return f"{ret.period_label}: {ret.received_text} ({ret.missing_count} without)"


def _export(args: argparse.Namespace) -> int:
    from bot.bootstrap import start
    from bot.config import get_settings
    from bot.returns.export import export_return
    from storage.db import read_scope
    from storage.planfile import PlanFileError
    from storage.queries import get_plan

    try:
        fmt = _format(args)
        output, folder = output_paths(args, fmt)
        engine = start(get_settings())
        with read_scope(engine) as session:
            plan = get_plan(session)
            zone = ZoneInfo(plan.timezone if plan else "Europe/London")
            produced = args.produced or SystemClock().now().astimezone(zone).date()
            ret, paths = export_return(
                session, period=args.period, fmt=fmt, produced=produced, path=output, folder=folder, replace=args.force
            )
    except (PlanbotError, PlanFileError) as exc:
        print(f"planbot export: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"planbot export: could not write {exc.filename or 'the file'}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    print(f"Wrote {paths[0]} ({FORMAT_NAMES[fmt]}), {describe(ret)}.")
    for extra in paths[1:]:
        print(f"RAG chart beside it: {extra}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from bot.returns.importer import import_table

    if args.output and args.output.exists() and not args.force:
        print(f"planbot plan import: {args.output} already exists; choose another name or add --force to replace it.", file=sys.stderr)
        return 1
    try:
        result = import_table(args.file, today=SystemClock().now().date())
    except PlanbotError as exc:
        print(f"planbot plan import: {exc}", file=sys.stderr)
        return 1
    report = sys.stdout
    if args.output:
        args.output.write_text(result.yaml_text, encoding="utf-8")
        target = str(args.output)
    else:
        sys.stdout.write(result.yaml_text)
        report = sys.stderr
        target = "standard output"
    lines = [f"Read {result.counts()} from {args.file.name} into {target}."]
    for heading, entries in (
        ("Could not place (not in the plan file; add them by hand if they belong)", result.unplaced),
        ("Check", result.check),
        ("Fill in before `planbot plan check` accepts the file", result.to_fill),
    ):
        if entries:
            lines += ["", f"{heading}:", *(f"  - {entry}" for entry in entries)]
    name = args.output or "FILE.yaml"
    lines += ["", f"Then: planbot plan check {name} && planbot plan load {name}"]
    print("\n".join(lines), file=report)
    return 0


def add_import_parser(plan_subparsers: argparse._SubParsersAction) -> None:
    """`planbot plan import`: added to the lead's `plan` command group."""
    parser = plan_subparsers.add_parser(
        "import", help="make a plan file from a Word, Excel or CSV plan table (Improvement summary | Milestones | ...)"
    )
    parser.add_argument("file", type=Path, help="a .docx, .xlsx or .csv file holding the plan table")
    parser.add_argument("-o", "--output", type=output_path, help="the plan file to write (default: print it)")
    parser.add_argument("--force", action="store_true", help="replace the output file if it exists")
    parser.set_defaults(handler=_import)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export", help="write the return: the plan table with each lead's progress update, as docx, xlsx, csv or md"
    )
    parser.add_argument(
        "--period", help="a period key such as 2025-H1 or 2019-Q2, or just H1 or Q2 (default: the latest period with updates)"
    )
    parser.add_argument("--format", choices=FORMATS, help="default: from -o's extension, else docx")
    parser.add_argument(
        "-o",
        "--output",
        type=output_path,
        help="the file (its extension picks the format) or a folder; default: the return's name and period here, "
        "e.g. quarterly-return-2019-Q2.docx",
    )
    parser.add_argument("--produced", type=_date, help="the date printed as 'Produced' (default: today), for exports to diff")
    parser.add_argument("--force", action="store_true", help="replace the file (and its chart) if it exists")
    parser.set_defaults(handler=_export)
