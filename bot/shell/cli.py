"""`planbot shell [--as PERSON] [--today DATE]`: chat with Planbot in the terminal.

Reads stdin line by line, so it can be scripted: each input line gets one reply
block, ended by a blank line. Leave with /quit or end of input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.clock import DayClock
from bot.core.command_names import cmd, expand
from plantime.periods import same_point_in_year

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from storage.models import Person, Plan

QUIT = {"/quit", "/exit", "/q"}
MIN_PREFIX = 3
"""--as takes the start of a name only from this many letters: `--as d` must not quietly pick a coordinator."""


def _folded(text: str) -> str:
    """Lower case without accents, so 'sean' finds Seán and 'siobhan' Siobhán."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.strip().lower()) if not unicodedata.combining(c))


def _pick_person(engine: Engine, wanted: str | None) -> Person | str:
    """The person to be: by id or unique name; default the plan file's first coordinator."""
    from storage.db import read_scope
    from storage.queries import get_plan, people

    with read_scope(engine) as session:
        plan = get_plan(session)
        order = [p.get("id") for p in (plan.document.get("people", []) if plan else [])]
        everyone = sorted(people(session), key=lambda p: order.index(p.id) if p.id in order else len(order))
        listing = ", ".join(f"{p.id} ({p.name})" for p in everyone)
        if wanted is None:
            chosen = next((p for p in everyone if p.is_coordinator), everyone[0])
            return chosen
        key = _folded(wanted)
        if not key:
            return f"--as needs a person id or name. People: {listing}"
        exact = [p for p in everyone if p.id == key or _folded(p.name) == key]
        first = [p for p in everyone if _folded(p.name).split()[:1] == [key]]
        prefix = [p for p in everyone if p.id.startswith(key) or _folded(p.name).startswith(key)]
        matches = exact or first or (prefix if len(key) >= MIN_PREFIX else [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            return f"'{wanted}' matches several people: {', '.join(p.id for p in matches)}. Use the id."
        if prefix:
            return (
                f"'{wanted}' is too short to pick someone (it could be {', '.join(p.id for p in prefix)}): "
                f"give a person id, a name or at least {MIN_PREFIX} letters of one. People: {listing}"
            )
        return f"There is no '{wanted}' in the plan. People: {listing}"


def _today(plan: Plan, zone: ZoneInfo, given: dt.date | None) -> tuple[dt.date, str]:
    if given is not None:
        if plan.year_start <= given <= plan.year_end:
            return given, ""
        edge = "before the plan year starts" if given < plan.year_start else "after the plan year ends"
        which = "first" if given < plan.year_start else "last"
        return given, (
            f"{given:%-d %b %Y} is {edge} ({plan.year_start:%-d %b %Y} to {plan.year_end:%-d %b %Y}), so updates and "
            f"{cmd('plan-status')} use the year's {which} period. Use --today with a day inside the plan year to see it in use."
        )
    real = dt.datetime.now(zone).date()
    day = same_point_in_year(plan.year_start, plan.year_end, real)
    if day == real:
        return day, ""
    return day, (
        f"The plan covers {plan.year_start:%-d %b %Y} to {plan.year_end:%-d %b %Y}; today ({real:%-d %b %Y}) is outside it, "
        f"so this shell runs as of {day:%-d %b %Y}, the same point in the plan year. Use --today YYYY-MM-DD to choose another day."
    )


def _banner(engine: Engine, person: Person, day: dt.date, note: str) -> str:
    from bot.core.wording import role_text
    from bot.shell.session import SYNTAX
    from storage.db import read_scope
    from storage.queries import get_plan, period_at

    with read_scope(engine) as session:
        plan = get_plan(session)
        period = period_at(session, day=day)
    where = f", in {period.label}" if period else ""
    lines = [
        f"Planbot: {plan.title if plan else 'no plan loaded'}",
        f"You are {person.name} ({role_text(person)}); today is {day:%a %-d %b %Y}{where}.",
    ]
    if note:
        lines.append(note)
    lines.append(f"Type {cmd('help')} for what I can do, {cmd('plan-update')} to write an update, /quit to leave.")
    return expand("\n".join(lines), SYNTAX)


def _lines(interactive: bool) -> Iterator[str]:
    if interactive:
        try:
            import readline  # noqa: F401  (arrow keys and history for input(); absent on Windows)
        except ImportError:
            pass
        while True:
            try:
                yield input("> ")
            except EOFError:
                print()
                return
    else:
        # Lines end at \n only: a lone \r inside a pasted line is part of that line's answer.
        sys.stdin.reconfigure(errors="replace", newline="\n")  # type: ignore[union-attr]
        for line in sys.stdin:
            yield line.removesuffix("\n").removesuffix("\r")


def _run(args: argparse.Namespace) -> int:
    from bot.app import chat_port
    from bot.bootstrap import start
    from bot.config import get_settings
    from bot.core.planbot import Planbot
    from bot.shell.session import ShellSession
    from bot.shell.inbox_port import take_unread
    from storage.db import is_write_refused, read_scope, session_scope
    from storage.inbox import unread_count
    from storage.planfile import PlanFileError
    from storage.queries import get_plan

    settings = get_settings()
    try:
        engine = start(settings)
    except PlanFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    person = _pick_person(engine, args.as_)
    if isinstance(person, str):
        print(person, file=sys.stderr)
        return 2
    with read_scope(engine) as session:
        plan = get_plan(session)
    assert plan is not None
    zone = ZoneInfo(plan.timezone)
    day, note = _today(plan, zone, args.today)
    bot = Planbot(
        engine,
        DayClock(day, zone),
        exports_dir=settings.planbot_exports_dir,
        port=chat_port(settings, engine),
        conversation_idle=dt.timedelta(hours=settings.planbot_conversation_idle_hours),
    )
    shell = ShellSession(bot, person.id)
    interactive = sys.stdin.isatty()
    print(_banner(engine, person, day, note), end="\n\n", flush=True)
    try:
        with read_scope(engine) as session:
            any_waiting = unread_count(session, person_id=person.id) > 0
        waiting = []
        if any_waiting:  # marking them read writes: only then is the write lock taken
            with session_scope(engine) as session:
                waiting = take_unread(session, person_id=person.id)
    except Exception as exc:
        if not is_write_refused(exc):
            raise
        waiting = []
        print("(The database is read-only: you can look things up, but nothing you write can be saved.)", end="\n\n")
    if waiting:
        count = f"{len(waiting)} message{'s' if len(waiting) != 1 else ''}"
        print(f"-- Planbot sent you {count} while no chat platform was connected --", flush=True)
        print(shell.show(waiting), end="\n\n", flush=True)
    for line in _lines(interactive):
        if line.strip().lower() in QUIT:
            break
        replies = shell.send(line)
        print(shell.show(replies, answering=True) if replies else "(no reply)", end="\n\n", flush=True)
    return 0


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date; use YYYY-MM-DD, e.g. 2019-11-20") from None


def register(sub: argparse._SubParsersAction) -> None:
    shell = sub.add_parser("shell", help="chat with Planbot in the terminal (the embedded default)")
    shell.add_argument("--as", dest="as_", metavar="PERSON", help="who you are: a person id or name from the plan (default: the plan file's first coordinator)")
    shell.add_argument("--today", type=_date, metavar="DATE", help="run as if today were DATE (YYYY-MM-DD)")
    shell.set_defaults(handler=_run)
