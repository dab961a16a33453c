"""Turn a planned send into the message it carries, reading what it shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from sqlmodel import Session

from bot.core.replies import Reply
from bot.core.wording import short_label
from schedules import messages
from schedules.briefs import (
    build_board_summary,
    build_brief,
    gather_board_summary,
    gather_brief,
)
from storage.calendar import MeetingOccurrence
from bot.core.wording import day_text
from schedules.messages import ItemCard, Missing, StandIn
from plantime.periods import PeriodSpan
from schedules.planner import PlannedSend, route_item
from schedules.world import World
from storage import queries
from storage.ledger import chase_counts
from storage.models import Item, MilestoneState, Rag


class CannotCompose(Exception):
    """The plan changed under a planned send (item or meeting gone)."""


def item_card(session: Session, world: World, item: Item, period: PeriodSpan) -> ItemCard:
    """KPIs with their last reported progress, milestones with their state, and the last update."""
    return item_cards(session, world, [item], period)[item.number]


def item_cards(session: Session, world: World, items: Sequence[Item], period: PeriodSpan) -> dict[int, ItemCard]:
    """The cards of several items for one period, read in five statements however many
    there are (the clock's fan-out reads a run's cards up front, not one by one)."""
    wanted = {i.number: i for i in items}
    if not wanted:
        return {}
    last = queries.latest_before_each(session, item_numbers=list(wanted), period_position=period.position)
    ids = [u.id for u in last.values() if u.id is not None]
    kpi_answers = queries.update_kpis(session, update_ids=ids)
    milestone_answers = queries.update_milestones(session, update_ids=ids)
    kpis = queries.kpis_of(session, item_numbers=list(wanted))
    milestones = queries.milestones_of(session, item_numbers=list(wanted))
    cards: dict[int, ItemCard] = {}
    for number, item in wanted.items():
        update = last.get(number)
        progress: dict[str, str] = {}
        states: dict[str, str] = {}
        if update is not None and update.id is not None:
            progress = {k.kpi_key: k.progress for k in kpi_answers[update.id]}
            for answer in milestone_answers[update.id]:
                state = MilestoneState(answer.state).label
                states[answer.milestone_key] = (
                    f"{state}, new date {day_text(answer.new_date)}" if answer.new_date else state
                )
        lines = []
        for m in milestones.get(number, []):
            due = f" (due {day_text(m.due)})" if m.due else ""
            state = f": {states[m.key]}" if m.key in states else ""
            lines.append(f"{m.text}{due}{state}")
        summary = None
        if update is not None:
            period_name = next((short_label(p) for p in world.cal.periods if p.key == update.period_key), update.period_key)
            written = day_text(world.cal.local_day(update.created_at))
            summary = f"{period_name}, {Rag(update.rag).label}, written {written}: {update.summary}"
        kpi_lines = [(k.text, progress.get(k.key, "")) for k in kpis.get(number, [])]
        cards[number] = ItemCard(item.number, item.title, kpi_lines, lines, summary)
    return cards


Cards = Mapping[tuple[int, str], ItemCard]
"""Item cards read ahead, by (item number, period key)."""


def cards_for(session: Session, world: World, sends: Iterable[PlannedSend]) -> dict[tuple[int, str], ItemCard]:
    """The cards the quarterly prompts and chasers among `sends` show, read in bulk:
    a few statements per period instead of five per send."""
    by_period: dict[str, set[int]] = {}
    for send in sends:
        if send.kind in CARD_KINDS and send.item_number is not None:
            by_period.setdefault(send.occurrence, set()).add(send.item_number)
    cards: dict[tuple[int, str], ItemCard] = {}
    for key, numbers in by_period.items():
        period = next((p for p in world.cal.periods if p.key == key), None)
        items = [i for i in world.items if i.number in numbers]
        if period is not None:
            cards.update({(n, key): card for n, card in item_cards(session, world, items, period).items()})
    return cards


CARD_KINDS = frozenset({"quarterly-prompt", "chaser"})
"""Sends whose item card is for the period they are about (their occurrence)."""


def _stand_in(world: World, send: PlannedSend) -> StandIn | None:
    if send.standing_in_for is None:
        return None
    lead = world.people.get(send.standing_in_for)
    absence = world.absences.get(send.standing_in_for)
    until = world.cal.local_day(absence.until) if absence is not None else None
    return StandIn(lead.name if lead else send.standing_in_for, until)


def _item(world: World, number: int | None) -> Item:
    item = next((i for i in world.items if i.number == number), None)
    if item is None:
        raise CannotCompose(f"item {number} is no longer in the plan")
    return item


def _period(world: World, key: str) -> PeriodSpan:
    period = next((p for p in world.cal.periods if p.key == key), None)
    if period is None:
        raise CannotCompose(f"period {key} is no longer in the plan")
    return period


def _meeting(world: World, key: str) -> MeetingOccurrence:
    meeting = world.cal.meeting(key)
    if meeting is None:
        raise CannotCompose(f"meeting {key} is no longer in the plan")
    return meeting


def _missing(session: Session, world: World, period: PeriodSpan, now: dt.datetime) -> list[Missing]:
    counts = chase_counts(session, period_key=period.key)
    rows = []
    for item in world.items:
        if (item.number, period.key) in world.updates_in:
            continue
        lead = world.people[item.lead_id]
        notes = []
        if not lead.active:
            notes.append("lead marked inactive")
        absence = world.held_until(lead.id, now)
        if absence is not None:
            notes.append(f"{absence.kind} until {day_text(world.cal.local_day(absence.until))}")
        deputy = world.deputy_for(item)
        if deputy and deputy in world.people:
            notes.append(f"deputy {world.people[deputy].name}")
        rows.append(Missing(item.number, item.title, lead.name, counts.get(item.number, 0), "; ".join(notes)))
    return rows


def compose(session: Session, world: World, send: PlannedSend, now: dt.datetime, cards: Cards | None = None) -> Reply:
    """The send's message; `cards` (from `cards_for`) saves reading its item card now."""
    cal = world.cal

    def card_of(period: PeriodSpan) -> ItemCard:
        found = cards.get((send.item_number, period.key)) if cards is not None and send.item_number is not None else None
        return found if found is not None else item_card(session, world, _item(world, send.item_number), period)

    match send.kind:
        case "quarterly-prompt":
            period = _period(world, send.occurrence)
            card = card_of(period)
            return messages.quarterly_prompt(
                card,
                period_key=period.key,
                period_label=short_label(period),
                closes=period.end,
                stand_in=_stand_in(world, send),
            )
        case "chaser":
            period = _period(world, send.occurrence)
            card = card_of(period)
            return messages.chaser(
                card,
                period_key=period.key,
                period_label=short_label(period),
                seq=send.seq,
                of=cal.schedule.chaser_max,
                closes=period.end,
                today=cal.local_day(now),
                stand_in=_stand_in(world, send),
            )
        case "escalation":
            period = _period(world, send.occurrence)
            return messages.escalation(
                period_label=short_label(period),
                chaser_max=cal.schedule.chaser_max,
                missing=_missing(session, world, period, now),
            )
        case "pre-call-prompt":
            call = _meeting(world, send.occurrence)
            mine = [i for i in world.items if route_item(world, i, send.due).person_id == send.person_id]
            return messages.pre_call_prompt(
                call_title=call.title,
                starts=cal.local(call.start),
                occurrence=call.key,
                items=[f"Item {i.number}: {i.title}" for i in mine],
            )
        case "pre-call-brief":
            return build_brief(gather_brief(session, world, _meeting(world, send.occurrence), now))
        case "board-reminder":
            meeting = _meeting(world, send.occurrence)
            reviewed = cal.period_of(meeting.day)
            if reviewed is None:
                raise CannotCompose(f"{meeting.key} is outside the plan's periods")
            return messages.board_reminder(
                item_card(session, world, _item(world, send.item_number), reviewed),
                meeting_title=meeting.title,
                starts=cal.local(meeting.start),
                agenda=meeting.agenda,
                period_key=reviewed.key,
                period_label=short_label(reviewed),
                occurrence=meeting.key,
                stand_in=_stand_in(world, send),
            )
        case "board-summary":
            return build_board_summary(gather_board_summary(session, world, _meeting(world, send.occurrence), now))
        case "milestone-due":
            item = _item(world, send.item_number)
            key, _, due = send.occurrence.partition("@")
            text = next((m.text for m in queries.milestones(session, item_number=item.number) if m.key == key), None)
            if text is None:
                raise CannotCompose(f"milestone {key} of item {item.number} is no longer in the plan")
            return messages.milestone_due(
                number=item.number,
                title=item.title,
                key=key,
                text=text,
                due=dt.date.fromisoformat(due),
                occurrence=send.occurrence,
                stand_in=_stand_in(world, send),
            )
    raise CannotCompose(f"unknown kind {send.kind}")
