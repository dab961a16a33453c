"""`planbot person export ID -o FILE` and `planbot person erase ID`: a subject-access
request and an erasure, run by a coordinator from the command line.

The policy is docs/data-protection.md. Erasure asks before it runs: the person's
id typed back at a terminal, or `--yes` from a script; without a terminal and
without `--yes` it refuses, so a pipe can never erase anyone by accident.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


class PersonCommandError(Exception):
    """Refused or impossible: the message says why and what to do."""


def _engine() -> Engine:
    from bot.bootstrap import open_database
    from bot.config import get_settings

    return open_database(get_settings())


def _now() -> dt.datetime:
    from bot.core.clock import SystemClock

    return SystemClock().now()


def _export(args: argparse.Namespace) -> int:
    from storage.db import session_scope
    from storage.subject_access import NoSuchPerson, export_person

    target = Path(args.output)
    if args.output != "-" and not target.parent.is_dir():
        raise PersonCommandError(f"-o {args.output}: the folder {target.parent} does not exist")
    engine = _engine()
    try:
        with session_scope(engine) as session:
            data = export_person(session, person_id=args.id, at=_now())
    except NoSuchPerson as exc:
        raise PersonCommandError(str(exc)) from None
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    target.write_text(text, encoding="utf-8")
    held = [f"{len(s['rows'])} {s['table']}" for s in data["sections"] if s["rows"]]
    print(f"Wrote everything held about {args.id} to {target}: {', '.join(held) or 'nothing'} (rows per table).")
    return 0


def _confirmed(args: argparse.Namespace, summary: list[str]) -> bool:
    """--yes, or the id typed back at a terminal."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise PersonCommandError(
            "erasure cannot be undone, so it asks first, and standard input is not a terminal. "
            f"Run it at a terminal, or add --yes to erase without asking: planbot person erase {args.id} --yes"
        )
    print("\n".join(summary))
    print(f"This cannot be undone. Type {args.id} to erase them, anything else to stop: ", end="", flush=True)
    try:
        answer = input()
    except EOFError:
        answer = ""
    return answer.strip() == args.id


def _erase(args: argparse.Namespace) -> int:
    from storage.db import compact, session_scope
    from storage.erasure import ErasureRefused, check_erasable, erase_person
    from storage.subject_access import export_person

    engine = _engine()
    try:
        with session_scope(engine) as session:
            person = check_erasable(session, person_id=args.id)
            data = export_person(session, person_id=args.id, at=_now())
    except ErasureRefused as exc:
        raise PersonCommandError(str(exc)) from None
    held = ", ".join(f"{len(s['rows'])} {s['table']}" for s in data["sections"] if s["rows"])
    summary = [
        f"Erase {person.id} ({person.name})? Held about them: {held} (rows per table).",
        "Their details, addresses, inbox, absences, flagged notes, drafts and conversations are deleted;",
        "their updates and milestone answers stay, with the author anonymised; mentions of their name,",
        "email and ids in other stored text are redacted; a tombstone refuses any plan that names them again.",
    ]
    if not _confirmed(args, summary):
        print("Nothing was erased.")
        return 1
    try:
        with session_scope(engine) as session:
            report = erase_person(session, person_id=args.id, at=_now(), also=tuple(args.redact))
    except ErasureRefused as exc:
        raise PersonCommandError(str(exc)) from None
    compact(engine)
    print(f"Erased {args.id}: their records that stay now read {report.label} ({report.stand_in}).")
    for line in report.lines():
        print(f"  {line}")
    return 0


def _guard(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except PersonCommandError as exc:
            print(f"planbot person {args.person_command}: {exc}", file=sys.stderr)
            return 2

    return run


def register(sub: argparse._SubParsersAction) -> None:
    person = sub.add_parser("person", help="export or erase everything held about one person (docs/data-protection.md)")
    person_sub = person.add_subparsers(dest="person_command", metavar="ACTION")
    person.set_defaults(handler=lambda args: person.print_help() or 2)
    export = person_sub.add_parser("export", help="everything held about one person, as JSON they can read")
    export.add_argument("id", metavar="ID", help="the person's id in the plan file")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the JSON (- for standard output)")
    export.set_defaults(handler=_guard(_export))
    erase = person_sub.add_parser(
        "erase", help="erase one person no longer in the plan: their details go, their updates stay anonymised"
    )
    erase.add_argument("id", metavar="ID", help="the person's id (remove them from the plan and load it first)")
    erase.add_argument("--yes", action="store_true", help="do not ask first (for scripts)")
    erase.add_argument(
        "--redact",
        action="append",
        default=[],
        metavar="TEXT",
        help="another spelling of their name to redact in stored text, e.g. a nickname (repeatable)",
    )
    erase.set_defaults(handler=_guard(_erase))
