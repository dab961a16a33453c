"""The coordinators' briefs: before each weekly call and before each Board meeting.

Gathering reads the database a fixed number of times; building is a pure
function of the gathered data, so the wording is tested alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.core.replies import Block, Bullets, Heading, Paragraph, Reply, Table
from bot.core.wording import clip, short_label
from storage.calendar import MeetingOccurrence
from bot.core.wording import day_text, when_text
from schedules.world import World
from storage.milestone_checks import load_milestones
from storage import status_queries
from storage.call_notes import notes_for
from storage.models import Rag, Send, Update
from storage.sends import place_of, problems_since

SHORT = 120
MILESTONE_DAYS = 14
PROBLEM_WORDS = {
    "missed": "not sent: it fell due while the clock was down, past the grace window",
    "failed": "failed",
    "skipped": "skipped",
    "unknown": "may not have arrived (the platform could not say; not sent again)",
}


@dataclass(frozen=True)
class Brief:
    call_title: str
    starts: dt.datetime
    since: dt.datetime | None
    changes: list[str]
    at_risk: list[str]
    milestones: list[str]
    flags: list[str]
    away: list[str]
    problems: list[str]


@dataclass(frozen=True)
class BoardSummary:
    meeting_title: str
    starts: dt.datetime
    agenda: str | None
    period_label: str
    rows: list[list[str]]
    missing: list[str]
    away: list[str]


def _section(title: str, lines: list[str], empty: str) -> list[Block]:
    return [Paragraph(title), Bullets(lines)] if lines else [Paragraph(f"{title} {empty}")]


def build_brief(brief: Brief) -> Reply:
    since = f"since the last call ({day_text(brief.since.date())})" if brief.since else "so far this year"
    blocks: list[Block] = [Heading(f"Brief for the {brief.call_title}, {when_text(brief.starts)}")]
    blocks += _section(f"Updates {since}:", brief.changes, "none.")
    blocks += _section("At risk or off track:", brief.at_risk, "nothing.")
    blocks += _section(f"Milestones due in the next {MILESTONE_DAYS} days:", brief.milestones, "none.")
    blocks += _section("Flagged by leads for this call:", brief.flags, "nothing.")
    if brief.away:
        blocks += _section("Away:", brief.away, "")
    if brief.problems:
        blocks += _section("Scheduled messages that did not go out:", brief.problems, "")
    return Reply(blocks)


def build_board_summary(summary: BoardSummary) -> Reply:
    blocks: list[Block] = [Heading(f"Summary for the {summary.meeting_title}, {when_text(summary.starts)}")]
    if summary.agenda:
        blocks.append(Paragraph(f"Agenda: {summary.agenda}"))
    blocks.append(
        Table(["Item", "Title", "Lead", "RAG", "Updated"], summary.rows, title=f"{summary.period_label} progress")
    )
    blocks += _section(
        f"{summary.period_label} updates still missing:", summary.missing, "none; every item has reported."
    )
    if summary.away:
        blocks += _section("Away:", summary.away, "")
    return Reply(blocks)


def _name(world: World, person_id: str | None) -> str:
    person = world.people.get(person_id or "")
    return person.name if person is not None else (person_id or "")


def away_lines(world: World, now: dt.datetime) -> list[str]:
    """Who is away or snoozed now, and the deputies named in chat: the coordinators' view of availability."""
    lines = []
    for absence in sorted(world.absences.values(), key=lambda a: a.until):
        if absence.until <= now:
            continue
        back = world.cal.local(absence.until)
        what = "away until" if absence.kind == "away" else "snoozed until"
        lines.append(f"{_name(world, absence.person_id)}: {what} {when_text(back)}")
    for item in world.items:
        deputy = world.deputy_for(item)
        if deputy:
            lines.append(f"Item {item.number}: deputy {_name(world, deputy)} (lead {_name(world, item.lead_id)})")
    return lines


def problem_lines(world: World, rows: list[Send]) -> list[str]:
    out = []
    for row in rows:
        item = f" (item {row.item_number})" if row.item_number is not None else ""
        due = when_text(world.cal.local(row.due))
        reason = f": {row.last_error}" if row.last_error else ""
        place = place_of(row.key)
        to = f"the coordinators' {place[0].capitalize()} channel {place[1]}" if place else _name(world, row.person_id)
        out.append(
            f"{row.kind} to {to}{item}, due {due}, {PROBLEM_WORDS.get(row.status, row.status)}{reason}"
        )
    return out


def gather_brief(session: Session, world: World, call: MeetingOccurrence, now: dt.datetime) -> Brief:
    cal = world.cal
    previous = cal.previous_call(call)
    since = previous.start if previous is not None else cal.at(cal.year_start, 0)
    items = {i.number: i for i in world.items}
    labels = {p.key: short_label(p) for p in cal.periods}
    changes = []
    for update in session.exec(
        select(Update)
        .where(col(Update.created_at) > since, col(Update.created_at) <= now)
        .order_by(col(Update.created_at))
    ):
        item = items.get(update.item_number)
        if item is None:
            continue
        who = _name(world, update.author_id)
        changes.append(
            f"Item {item.number} ({item.title}): {labels.get(update.period_key, update.period_key)} update "
            f"v{update.version} by {who}, {Rag(update.rag).label}: {clip(update.summary, SHORT)}"
        )
    current = cal.period_of(call.day)
    keys = [p.key for p in cal.periods if current is None or p.start <= current.start]
    newest = status_queries.newest_updates(session, period_keys=keys)
    at_risk = []
    for number, update in sorted(newest.items()):
        if number in items and update.rag in (Rag.AT_RISK, Rag.OFF_TRACK):
            at_risk.append(
                f"Item {number} ({items[number].title}): {Rag(update.rag).label} in "
                f"{labels.get(update.period_key, update.period_key)}, {clip(update.blockers or update.summary, SHORT)}"
            )
    horizon = call.day + dt.timedelta(days=MILESTONE_DAYS)
    milestones = [
        f"Item {m.item_number}: {clip(m.text, SHORT)}, due {day_text(m.due)}"
        + (" (slipped)" if m.due != m.planned_due else "")
        for m in load_milestones(session, world.items)
        if not m.done and call.day <= m.due <= horizon
    ]
    flags = [f"{_name(world, n.person_id)}: {n.text}" for n in notes_for(session, occurrence=call.key)]
    problems = problem_lines(world, problems_since(session, since=since, until=now))
    return Brief(
        call.title,
        cal.local(call.start),
        cal.local(previous.start) if previous else None,
        changes,
        at_risk,
        milestones,
        flags,
        away_lines(world, now),
        problems,
    )


def gather_board_summary(session: Session, world: World, meeting: MeetingOccurrence, now: dt.datetime) -> BoardSummary:
    cal = world.cal
    period = cal.period_of(meeting.day)
    label = short_label(period) if period is not None else "This period"
    updates = status_queries.newest_updates(session, period_keys=[period.key]) if period is not None else {}
    rows, missing = [], []
    for item in world.items:
        update = updates.get(item.number)
        lead = _name(world, item.lead_id)
        if update is None:
            rows.append([str(item.number), clip(item.title, 48), lead, "No update", ""])
            missing.append(f"Item {item.number} ({lead})")
        else:
            rag = Rag(update.rag)
            rows.append(
                [
                    str(item.number),
                    clip(item.title, 48),
                    lead,
                    f"{rag.colour} ({rag.label})",
                    day_text(cal.local_day(update.created_at)),
                ]
            )
    return BoardSummary(
        meeting.title, cal.local(meeting.start), meeting.agenda, label, rows, missing, away_lines(world, now)
    )
