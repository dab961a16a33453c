"""`planbot plan template | check FILE | load FILE` (and `import FILE`, from bot.returns.cli)."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import func
from sqlmodel import Session, select

from bot.bootstrap import open_database
from bot.config import get_settings
from bot.returns.cli import add_import_parser
from storage.db import session_scope, startup_lock
from storage.models import Update
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, PlanDocument, PlanFileError, read_plan
from storage.queries import get_plan


def describe(doc: PlanDocument) -> str:
    from schedules.periods import plan_periods

    periods = plan_periods(doc.plan.year_start, doc.plan.year_end, doc.plan.period_months)
    return (
        f"'{doc.plan.title}': {len(doc.items)} items, {len(doc.people)} people, "
        f"{len(doc.meetings)} meetings, {len(periods)} periods ({periods[0].key} to {periods[-1].key})"
    )


def _template(args: argparse.Namespace) -> int:
    sys.stdout.write(BUNDLED_PLAN.read_text(encoding="utf-8"))
    return 0


def _read(path: str, after: str) -> PlanDocument | None:
    try:
        return read_plan(path)
    except PlanFileError as exc:
        print(str(exc), file=sys.stderr)
        print(f"{after} See docs/plan-format.md for the format.", file=sys.stderr)
        return None


def _another_plan(session: Session, doc: PlanDocument, path: str, where: str) -> str | None:
    """Why loading `doc` here would graft it onto a different plan, or None.

    Items are matched by number, so another plan's item 1 would hand its updates
    to this plan's item 1. A new title and a new plan year together mean another plan.
    """
    stored = get_plan(session)
    if stored is None or stored.title == doc.plan.title or stored.year_start == doc.plan.year_start:
        return None
    updates = session.exec(select(func.count()).select_from(Update)).one()
    origin = "the bundled example, loaded when Planbot first started" if stored.source == "bundled" else stored.source
    held = f"{updates} stored update{'s' if updates != 1 else ''}"
    return (
        f"The database {where} already holds another plan: '{stored.title}' ({stored.year_start:%-d %b %Y} to "
        f"{stored.year_end:%-d %b %Y}; from {origin}; {held}).\n"
        f"Loading '{doc.plan.title}' into it would match items by number, so your item 1 would show "
        "the other plan's item 1 history.\n"
        f"Give your plan a database of its own, e.g. DATABASE_URL=sqlite:///my-plan.db planbot plan load {path}\n"
        "(or add --force to load it into this database anyway). Nothing was loaded."
    )


def _check(args: argparse.Namespace) -> int:
    doc = _read(args.file, "Fix these and run planbot plan check again.")
    if doc is None:
        return 1
    print(f"{args.file} is a valid plan: {describe(doc)}")
    return 0


def _load(args: argparse.Namespace) -> int:
    doc = _read(args.file, "Nothing was loaded.")
    if doc is None:
        return 1
    settings = get_settings()
    engine = open_database(settings)
    with session_scope(engine) as session:
        refusal = None if args.force else _another_plan(session, doc, args.file, engine.url.render_as_string(hide_password=True))
        if refusal is None:
            report = load_plan(session, doc, source=args.file)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 1
    print(f"Loaded {describe(doc)}")
    for line in report.lines():
        print(f"  {line}")
    if not report.lines():
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
