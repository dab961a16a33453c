"""`planbot plan template | check FILE | load FILE` (and `import FILE`, from bot.cli_returns)."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING

from bot.cli_returns import add_import_parser

if TYPE_CHECKING:
    from storage.plan_loader import LoadReport
    from storage.planfile import PlanDocument


def describe(doc: PlanDocument) -> str:
    from bot.core.wording import counted
    from plantime.periods import plan_periods

    periods = plan_periods(doc.plan.year_start, doc.plan.year_end, doc.plan.period_months)
    return (
        f"'{doc.plan.title}': {counted(len(doc.items), 'item')}, {counted(len(doc.people), 'person', 'people')}, "
        f"{counted(len(doc.meetings), 'meeting')}, {counted(len(periods), 'period')} ({periods[0].key} to {periods[-1].key})"
    )


_KINDS = [
    (re.compile(r"^item \d+ KPI "), "KPI", "KPIs"),
    (re.compile(r"^item \d+ milestone "), "milestone", "milestones"),
    (re.compile(r"^item \d+ monitoring line "), "monitoring line", "monitoring lines"),
    (re.compile(r"^item \d+$"), "item", "items"),
    (re.compile(r"^person "), "person", "people"),
    (re.compile(r"^meeting "), "meeting", "meetings"),
    (re.compile(r"^period "), "period", "periods"),
]
LISTED = 8
"""Up to this many changes are listed one by one; more are counted by kind."""


def summary_lines(report: LoadReport) -> list[str]:
    """What a load changed, short: a first load is one line of counts, not one line a row
    (`planbot -v plan load` lists every one)."""
    out = []
    for verb, labels in (("added", report.added), ("changed", report.changed), ("no longer in the plan (history kept):", report.retired)):
        if len(labels) <= LISTED:
            out += [f"{verb} {label}" for label in labels]
            continue
        counts: dict[tuple[str, str], int] = {}
        for label in labels:
            kind = next(((one, many) for pattern, one, many in _KINDS if pattern.match(label)), ("other change", "other changes"))
            counts[kind] = counts.get(kind, 0) + 1
        out.append(f"{verb} " + ", ".join(f"{n} {one if n == 1 else many}" for (one, many), n in counts.items()))
    return out


def _template(args: argparse.Namespace) -> int:
    from storage.planfile import BUNDLED_PLAN

    sys.stdout.write(BUNDLED_PLAN.read_text(encoding="utf-8"))
    return 0


def _read(path: str, after: str) -> PlanDocument | None:
    from storage.planfile import PlanFileError, read_plan

    try:
        return read_plan(path)
    except PlanFileError as exc:
        print(str(exc), file=sys.stderr)
        print(f"{after} See docs/plan-format.md for the format.", file=sys.stderr)
        return None


def _warn(doc: PlanDocument) -> None:
    """What is valid but probably not meant (dates outside the plan year), on stderr."""
    from storage.planfile import plan_warnings

    warnings = plan_warnings(doc)
    if warnings:
        print(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:", file=sys.stderr)
        for warning in warnings:
            print(f"  {warning}", file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    doc = _read(args.file, "Fix these and run planbot plan check again.")
    if doc is None:
        return 1
    print(f"{args.file} is a valid plan: {describe(doc)}")
    _warn(doc)
    return 0


def _load(args: argparse.Namespace) -> int:
    doc = _read(args.file, "Nothing was loaded.")
    if doc is None:
        return 1
    from bot.bootstrap import open_database
    from bot.config import get_settings
    from storage.db import session_scope, startup_lock
    from storage.plan_loader import PlanConflict, load_plan

    settings = get_settings()
    engine = open_database(settings)
    try:
        with startup_lock(engine), session_scope(engine) as session:
            report = load_plan(session, doc, source=args.file, force=args.force)
    except PlanConflict as exc:
        where = engine.url.render_as_string(hide_password=True)
        print(f"{exc}\nThe database is {where}. Nothing was loaded.", file=sys.stderr)
        print(f"For a database of its own: DATABASE_URL=sqlite:///my-plan.db planbot plan load {args.file}", file=sys.stderr)
        return 1
    print(f"Loaded {describe(doc)}")
    _warn(doc)
    lines = report.lines() if args.verbose else summary_lines(report)
    for line in lines:
        print(f"  {line}")
    if not lines:
        print("  (no changes)")
    if settings.plan_file is not None and str(settings.plan_file) != args.file:
        print(f"Note: PLAN_FILE is set to {settings.plan_file}; processes load that file when they start.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    plan = sub.add_parser("plan", help="print, check, load or import a plan file")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="ACTION")
    plan.set_defaults(handler=lambda args: plan.print_help() or 2)
    template = plan_sub.add_parser("template", help="print the bundled plan (a starting point for your own)")
    template.set_defaults(handler=_template)
    check = plan_sub.add_parser("check", help="validate a plan file without loading it")
    check.add_argument("file")
    check.set_defaults(handler=_check)
    load = plan_sub.add_parser("load", help="load a plan file into the database (stored updates are kept)")
    load.add_argument("file")
    load.add_argument(
        "--force",
        action="store_true",
        help="load even over a different plan already in the database (items are matched by number)",
    )
    load.set_defaults(handler=_load)
    add_import_parser(plan_sub)
