"""`planbot clock`, `planbot run-job NAME [--at]` and `planbot schedule [--from] [--to]`.

With `--json`, stdout carries only a JSON array, one object per send (made, or
planned): kind, person, item, occurrence, due (ISO-8601 with offset). Anything
else (sends that were missed or failed) goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.clock import Clock, FixedClock, SystemClock
from schedules.planner import JOB_NAMES

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from storage.calendar import PlanCalendar
    from schedules.planner import PlannedSend
    from schedules.reconcile import Outcome

DEFAULT_DAYS = 28


class CliError(Exception):
    """A bad argument: the message says what to type instead."""


def _engine_and_calendar() -> tuple[Engine, PlanCalendar]:
    from bot.bootstrap import start
    from bot.config import get_settings
    from storage.calendar import load_calendar
    from storage.db import read_scope

    engine = start(get_settings())
    with read_scope(engine) as session:
        cal = load_calendar(session)
    if cal is None:
        raise CliError("no plan is loaded; load one with `planbot plan load FILE`")
    return engine, cal


def parse_instant(text: str, zone: ZoneInfo, *, option: str) -> dt.datetime:
    """ISO-8601; without an offset it is read in the plan's timezone."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CliError(
            f"{option} '{text}' is not an ISO-8601 time; write it like 2019-11-20T10:00 or 2019-11-20T10:00+00:00"
        ) from None
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def parse_day(text: str, *, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{option} '{text}' is not a date; write it like 2019-11-20") from None


def _names(engine: Engine) -> dict[str, str]:
    from sqlmodel import select

    from storage.db import read_scope
    from storage.models import Person

    with read_scope(engine) as session:
        return {p.id: p.name for p in session.exec(select(Person))}


def _outcome_line(outcome: Outcome, cal: PlanCalendar) -> str:
    send = outcome.send
    item = f"item {send.item_number}" if send.item_number is not None else "-"
    reason = f"  ({outcome.error})" if outcome.error else ""
    return f"{outcome.status:<8} {kind_text(send):<16} {send.person_id:<12} {item:<8} {send.occurrence:<28} due {cal.local(send.due).isoformat()}{reason}"


def kind_text(send: PlannedSend) -> str:
    """'chaser 2' for the second chaser; the kind alone for everything else."""
    return f"{send.kind} {send.seq}" if send.seq else send.kind


def _run_job(args: argparse.Namespace) -> int:
    from bot.config import get_settings
    from bot.app import chat_port
    from schedules.reconcile import Reconciler
    from storage.models import SendStatus

    engine, cal = _engine_and_calendar()
    clock: Clock = FixedClock(parse_instant(args.at, cal.zone, option="--at")) if args.at else SystemClock()
    reconciler = Reconciler(engine, chat_port(get_settings(), engine), clock)
    outcomes = reconciler.run(args.name)
    sent = [o for o in outcomes if o.status == SendStatus.SENT]
    others = [o for o in outcomes if o.status != SendStatus.SENT]
    if args.json:
        json.dump([o.send.as_json(cal) for o in sent], sys.stdout, indent=2)
        sys.stdout.write("\n")
        for outcome in others:
            print(_outcome_line(outcome, cal), file=sys.stderr)
    else:
        when = cal.local(clock.now()).isoformat(timespec="minutes")
        if not outcomes:
            print(f"Nothing was due for {args.name} at {when}.")
        for outcome in outcomes:
            print(_outcome_line(outcome, cal))
        if outcomes:
            print(f"{len(sent)} sent, {len(others)} not sent ({args.name} at {when}).")
    return 1 if any(o.status in (SendStatus.FAILED, SendStatus.UNKNOWN) for o in outcomes) else 0


def _schedule(args: argparse.Namespace) -> int:
    from bot.core.wording import day_text
    from schedules.preview import preview
    from storage.db import read_scope

    engine, cal = _engine_and_calendar()
    first = parse_day(args.start, option="--from") if args.start else cal.local_day(SystemClock().now())
    last = parse_day(args.end, option="--to") if args.end else first + dt.timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise CliError(f"--to ({last}) is before --from ({first})")
    with read_scope(engine) as session:
        _, lines = preview(session, start=cal.at(first, 0), end=cal.at(last + dt.timedelta(days=1), 0))
    if args.json:
        json.dump([line.send.as_json(cal) for line in lines if line.going_out], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    names = _names(engine)
    print(f"Scheduled messages {day_text(first)} to {day_text(last)} (times in {cal.zone.key}):")
    day = None
    for line in lines:
        local = cal.local(line.send.due)
        if local.date() != day:
            day = local.date()
            print(f"\n{day_text(day)}")
        send = line.send
        item = f"item {send.item_number}" if send.item_number is not None else ""
        who = names.get(send.person_id, send.person_id)
        why = f" ({line.error})" if line.error else ""
        print(f"  {local:%H:%M}  {kind_text(send):<16} {who:<22} {item:<8} {send.occurrence:<28} {line.status}{why}")
    if not lines:
        print("\nNothing is due in that window.")
        if last < cal.year_start or first > cal.year_end:
            print(f"The plan year runs from {day_text(cal.year_start)} to {day_text(cal.year_end)}: choose days in it with --from and --to.")
    return 0


def _clock(args: argparse.Namespace) -> int:
    from bot.config import get_settings
    from schedules.clock import ClockProcess, OffsetClock
    from bot.app import chat_port
    from schedules.reconcile import Reconciler
    from schedules.retention import RetentionJob

    logging.getLogger("schedules").setLevel(logging.INFO)
    engine, cal = _engine_and_calendar()
    clock: Clock = OffsetClock(parse_instant(args.at, cal.zone, option="--at")) if args.at else SystemClock()
    offset = clock.offset if isinstance(clock, OffsetClock) else dt.timedelta()
    settings = get_settings()
    port = chat_port(settings, engine)
    print(
        f"planbot clock: timezone {cal.zone.key}, grace {cal.schedule.grace_hours}h, sending via {port.platform}, "
        f"keeping deliveries, inbox, ledger, call notes and exports {settings.planbot_retention_days} days; "
        f"now {cal.local(clock.now()).isoformat(timespec='seconds')}. Stop with Ctrl-C.",
        file=sys.stderr,
        flush=True,
    )
    process = ClockProcess(
        Reconciler(engine, port, clock),
        cal.zone,
        offset=offset,
        sweep=dt.timedelta(minutes=args.sweep_minutes),
        retention=RetentionJob(engine, clock, days=settings.planbot_retention_days, exports=settings.planbot_exports_dir),
    )
    process.start()
    return 0


def _guard(handler):  # type: ignore[no-untyped-def]
    def run(args: argparse.Namespace) -> int:
        from storage.planfile import PlanFileError

        try:
            return int(handler(args))
        except (CliError, PlanFileError) as exc:
            print(f"planbot {args.command}: {exc}", file=sys.stderr)
            return 2

    return run


def register(sub: argparse._SubParsersAction) -> None:
    clock = sub.add_parser("clock", help="the scheduler process: prompts, reminders and briefs as they fall due")
    clock.add_argument(
        "--at",
        metavar="ISO-8601",
        help="start the clock's time at this instant (demos, tests); it then runs on in real time",
    )
    clock.add_argument(
        "--sweep-minutes", type=int, default=15, metavar="N", help="reconcile at least every N minutes (default 15)"
    )
    clock.set_defaults(handler=_guard(_clock))

    run = sub.add_parser("run-job", help="run one scheduled job once and print what it sent")
    run.add_argument("name", choices=[*JOB_NAMES, "all"], metavar="NAME", help=f"one of {', '.join(JOB_NAMES)}, or all")
    run.add_argument(
        "--at",
        metavar="ISO-8601",
        help="run as if at this time (default now); without an offset, in the plan's timezone",
    )
    run.add_argument("--json", action="store_true", help="print only a JSON array of the sends made")
    run.set_defaults(handler=_guard(_run_job))

    schedule = sub.add_parser("schedule", help="list what will be sent, to whom, when")
    schedule.add_argument("--from", dest="start", metavar="DATE", help="first day (default today)")
    schedule.add_argument("--to", dest="end", metavar="DATE", help=f"last day (default {DEFAULT_DAYS} days on)")
    schedule.add_argument("--json", action="store_true", help="print only a JSON array of the sends")
    schedule.set_defaults(handler=_guard(_schedule))
