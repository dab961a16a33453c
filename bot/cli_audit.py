"""`planbot audit [--since DATE] [--json]`: the audit trail of plan loads, roles,
deputies, absences and on-behalf updates, for coordinators."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys


def _since(text: str) -> dt.date | dt.datetime:
    try:
        return dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it like 2026-12-01 (or 2026-12-01T09:00)") from None


def _audit(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from bot.bootstrap import open_database
    from bot.config import get_settings
    from storage.audit import entries
    from storage.db import session_scope
    from storage.queries import get_plan

    settings = get_settings()
    engine = open_database(settings)
    with session_scope(engine) as session:
        plan = get_plan(session)
        zone = ZoneInfo(plan.timezone if plan is not None else settings.planbot_timezone)
        since = args.since
        if isinstance(since, dt.date) and not isinstance(since, dt.datetime):
            since = dt.datetime.combine(since, dt.time(0), tzinfo=zone)
        elif since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=zone)
        rows = entries(session, since=since)
    if args.json:
        out = [
            {"at": r.at.astimezone(zone).isoformat(), "action": r.action, "by": r.actor_id, "about": r.subject_id, "detail": r.detail}
            for r in rows
        ]
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print("The audit trail is empty" + (f" since {args.since}." if args.since else "."))
        return 0
    print(f"Audit trail (times in {zone.key}):")
    for r in rows:
        by = r.actor_id or ("command line" if r.action == "erasure" else "plan file")
        print(f"{r.at.astimezone(zone):%Y-%m-%d %H:%M}  {r.action:<10} {by:<16} {r.detail}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="who changed what: plan loads, roles, deputies, absences, on-behalf updates")
    audit.add_argument("--since", type=_since, metavar="DATE", help="only from this day (or ISO-8601 time) on")
    audit.add_argument("--json", action="store_true", help="print a JSON array: at, action, by, about, detail")
    audit.set_defaults(handler=_audit)
