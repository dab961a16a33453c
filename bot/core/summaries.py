"""Summaries for /plan-status: what coordinators check before the weekly call.

Every summary is about the current period: the plan-year period containing
today, or the nearest one when today is outside the year (the last one once the
year has ended). Each loads what it needs in a fixed number of statements
(`storage.status_queries`), so it answers as quickly after ten years of updates
as after one quarter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from bot.core.command_names import cmd
from bot.core.context import Context
from bot.core.errors import BadInput, NotFound
from bot.core.period_names import current_period
from bot.core.replies import Block, Bullets, Fields, Heading, Paragraph, Reply, Table
from bot.core.suggest import NAMES as NAME_CUTOFF
from bot.core.suggest import nearest
from bot.core.update_access import own_items
from bot.core.wording import clip
from bot.core.wording import date_text as day
from bot.core.wording import short_label as name
from bot.core.text import excerpt
from storage.calendar import load_calendar
from storage import queries, status_queries
from storage.models import (
    Item,
    MilestoneState,
    Period,
    Person,
    Rag,
    Update,
    UpdateMilestone,
)

SHORT_TITLE = 48
SHORT_MILESTONE = 60


@dataclass(frozen=True)
class Periods:
    """The plan year's periods seen from today."""

    all: list[Period]
    current: Period
    today: dt.date

    @cached_property
    def up_to_current(self) -> list[Period]:
        return [p for p in self.all if p.position <= self.current.position]

    @cached_property
    def previous(self) -> Period | None:
        earlier = self.up_to_current[:-1]
        return earlier[-1] if earlier else None

    @property
    def current_ended(self) -> bool:
        return self.today > self.current.end

    @property
    def heading(self) -> str:
        """The current period's label, saying so when today is outside the plan year."""
        if self.today > self.current.end:
            return f"{self.current.label}, the plan year's last period (the year ended {day(self.current.end)})"
        if self.today < self.current.start:
            return f"{self.current.label}, the plan year's first period (the year starts {day(self.current.start)})"
        return self.current.label


@dataclass(frozen=True)
class ItemStatus:
    """One item as the status table shows it."""

    item: Item
    newest: Update | None
    current: Update | None
    previous_missing: bool


def short(period: Period) -> str:
    """'Q3' from 'Q3 2019-20 (Oct–Dec 2019)'."""
    return period.label.split(" ", 1)[0]


def periods_now(ctx: Context) -> Periods:
    periods = queries.plan_periods(ctx.session)
    return Periods(periods, current_period(periods, ctx.today), ctx.today)


def _local_day(ctx: Context, at: dt.datetime) -> str:
    return day(at.astimezone(ctx.zone).date())


def _person(people: dict[str, Person], person_id: str | None) -> str:
    if person_id is None:
        return ""
    person = people.get(person_id)
    return person.name if person is not None else person_id


def _leads(item: Item, people: dict[str, Person]) -> str:
    lead = _person(people, item.lead_id)
    return f"{lead}, deputy {_person(people, item.deputy_id)}" if item.deputy_id else lead


def _rag(update: Update | None) -> str:
    return Rag(update.rag).label if update is not None else "—"


def item_statuses(ctx: Context, now: Periods, items: list[Item]) -> list[ItemStatus]:
    """Each item's newest update, this period's, and whether last period's is missing: two statements."""
    newest = status_queries.newest_updates(ctx.session, period_keys=[p.key for p in now.up_to_current])
    previous = now.previous
    had_previous: set[int] = set()
    if previous is not None:
        had_previous = status_queries.items_with_updates(ctx.session, period_key=previous.key)
    out = []
    for item in items:
        latest = newest.get(item.number)
        current = latest if latest is not None and latest.period_key == now.current.key else None
        missing = previous is not None and item.number not in had_previous
        out.append(ItemStatus(item, latest, current, missing))
    return out


def _status_cell(ctx: Context, now: Periods, status: ItemStatus) -> str:
    gap = f"no {short(now.previous)} update" if now.previous is not None and status.previous_missing else ""
    if status.current is not None:
        text = f"updated {_local_day(ctx, status.current.created_at)}"
        return f"{text}; {gap}" if gap else text
    if now.current_ended:
        return f"overdue (period ended {day(now.current.end)})"
    due = f"due by {day(now.current.end)}"
    return f"{due}; {gap}" if gap else due  # the column is this period's: the last one's gap is named as such


def _last_update_cell(ctx: Context, now: Periods, update: Update | None) -> str:
    if update is None:
        return "none yet"
    when = _local_day(ctx, update.created_at)
    if update.period_key == now.current.key:
        return when
    period = next((p for p in now.all if p.key == update.period_key), None)
    return f"{when} ({short(period)})" if period is not None else when


def _rag_counts(statuses: list[ItemStatus]) -> str:
    counts = {rag: 0 for rag in Rag}
    for status in statuses:
        if status.newest is not None:
            counts[Rag(status.newest.rag)] += 1
    line = "Latest RAG: " + ", ".join(f"{n} {rag.label}" for rag, n in counts.items())
    none = sum(1 for s in statuses if s.newest is None)
    if none:
        line += f"; {none} with no update yet"
    return line + "."


def _numbers(statuses: list[ItemStatus]) -> str:
    numbers = [str(s.item.number) for s in statuses]
    return ("item " if len(numbers) == 1 else "items ") + ", ".join(numbers)


def _due_line(now: Periods, statuses: list[ItemStatus]) -> str:
    done = [s for s in statuses if s.current is not None]
    waiting = [s for s in statuses if s.current is None]
    line = f"{short(now.current)} updates: {len(done)} in"
    if waiting and now.current_ended:
        line += f", {len(waiting)} missing (the period ended {day(now.current.end)}): {_numbers(waiting)}."
    elif waiting:
        line += f", {len(waiting)} due by {day(now.current.end)}."
    else:
        line += ", none still due."
    late = [s for s in statuses if s.previous_missing]
    if late and now.previous is not None:
        line += f" Overdue, no {name(now.previous)} update: {_numbers(late)}."
    return line


def _status_table(ctx: Context, now: Periods, statuses: list[ItemStatus], people: dict[str, Person]) -> Table:
    rows = [
        [
            str(s.item.number),
            clip(s.item.title, SHORT_TITLE),
            _leads(s.item, people),
            _rag(s.newest),
            _last_update_cell(ctx, now, s.newest),
            _status_cell(ctx, now, s),
        ]
        for s in statuses
    ]
    return Table(["#", "Item", "Lead", "RAG", "Last update", f"{short(now.current)} update"], rows)


def _status_reply(ctx: Context, now: Periods, title: str, items: list[Item], people: dict[str, Person]) -> Reply:
    statuses = item_statuses(ctx, now, items)
    return Reply(
        [
            Heading(f"{title} — {now.heading}"),
            Paragraph(_rag_counts(statuses)),
            _status_table(ctx, now, statuses, people),
            Paragraph(_due_line(now, statuses)),
        ]
    )


def whole_plan(ctx: Context) -> list[Reply]:
    """Every item with its lead, latest RAG, last update and this period's state."""
    now = periods_now(ctx)
    items = queries.items(ctx.session)
    people = status_queries.people_by_id(ctx.session)
    return [_status_reply(ctx, now, "Plan status", items, people)]


def _valid_numbers(ctx: Context) -> str:
    return ", ".join(str(i.number) for i in queries.items(ctx.session))


def _milestone_line(text: str, due: dt.date | None, state: UpdateMilestone | None) -> str:
    line = f"{text} (due {day(due)})" if due else text
    if state is None:
        return f"{line}: no state reported"
    label = MilestoneState(state.state).label
    if state.new_date:
        label += f", new date {day(state.new_date)}"
    if state.note:
        label += f" ({state.note})"
    return f"{line}: {label}"


def item_detail(ctx: Context, number: int) -> list[Reply]:
    """One item in full: KPIs with progress, milestones, monitoring, the latest update and its RAG trail."""
    now = periods_now(ctx)
    item = ctx.session.get(Item, number)
    if item is None:
        raise NotFound(
            f"There is no item {number} in the plan. The items are {_valid_numbers(ctx)}: "
            f"type {cmd('plan-status')} with one of those numbers."
        )
    people = status_queries.people_by_id(ctx.session)
    trail = now.up_to_current
    updates = status_queries.item_updates(ctx.session, item_number=number, period_keys=[p.key for p in trail])
    latest_period = next((p for p in reversed(trail) if p.key in updates), None)
    latest = updates[latest_period.key] if latest_period is not None else None
    kpis = queries.kpis(ctx.session, item_number=number)
    milestones = queries.milestones(ctx.session, item_number=number)
    monitoring = queries.monitoring(ctx.session, item_number=number)
    ids = [latest.id] if latest is not None and latest.id is not None else []
    progress = {k.kpi_key: k.progress for rows in queries.update_kpis(ctx.session, update_ids=ids).values() for k in rows}
    states = {m.milestone_key: m for rows in queries.update_milestones(ctx.session, update_ids=ids).values() for m in rows}

    blocks: list[Block] = [Heading(f"Item {number}: {item.title} — {now.heading}")]
    if not item.in_plan:
        blocks.append(Paragraph("This item is no longer in the plan; its history is kept."))
    blocks.append(Fields([("Lead", _leads(item, people))]))
    if item.summary:
        blocks.append(Paragraph(item.summary))
    if kpis:
        source = f"progress from the {name(latest_period)} update" if latest_period else "no progress reported yet"
        blocks.append(Paragraph(f"KPIs ({source}):"))
        blocks.append(Fields([(k.text, progress.get(k.key) or "no progress noted") for k in kpis]))
    if milestones:
        blocks.append(Paragraph("Milestones:"))
        blocks.append(Bullets([_milestone_line(m.text, m.due, states.get(m.key)) for m in milestones]))
    if monitoring:
        blocks.append(Paragraph("Monitoring:"))
        blocks.append(Bullets([m.text for m in monitoring]))

    pairs: list[tuple[str, str]] = []
    if latest is None or latest_period is None:
        pairs.append(("Latest update", "none yet"))
    else:
        if latest.rag_reason:
            pairs.append(("Why this status", latest.rag_reason))
        pairs.append(("Blockers and asks", "; ".join(_blocker_lines(latest.blockers)) or "none"))
        pairs.append(("Update summary", latest.summary))
        author = _person(people, latest.author_id)
        if latest.on_behalf_of_id and latest.on_behalf_of_id != latest.author_id:
            author += f", on behalf of {_person(people, latest.on_behalf_of_id)}"
        pairs.append(("Written by", author))
        pairs.append(("When", f"{_local_day(ctx, latest.created_at)} ({name(latest_period)} update, version {latest.version})"))
    if latest_period is None or latest_period.key != now.current.key:
        if now.current_ended:
            pairs.append((short(now.current), f"no update; the period ended {day(now.current.end)}"))
        else:
            pairs.append((short(now.current), f"no update yet; due by {day(now.current.end)}"))
    pairs.append(("RAG by period", " → ".join(f"{short(p)} {_rag(updates.get(p.key))}" for p in trail)))
    blocks.append(Fields(pairs))
    return [Reply(blocks)]


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def people_list(people: list[Person]) -> str:
    """'Alex Example (alex), Bea Sample (bea)': names with the ids to type."""
    return ", ".join(f"{p.name} ({p.id})" for p in people)


class NobodyCalled(NotFound):
    """No one matches; `close` are the people whose id or name is nearest what was typed."""

    def __init__(self, message: str, close: list[Person]) -> None:
        super().__init__(message)
        self.close = close


def close_people(people: list[Person], who: str) -> list[Person]:
    """People whose id, full name, or any word of their name is near a mistyped `who`."""
    spellings: dict[str, str] = {}
    for p in people:
        for spelling in (p.id, _fold(p.name), *_fold(p.name).split(" ")):
            spellings.setdefault(spelling.casefold(), p.id)
    by_id = {p.id: p for p in people}
    return [by_id[i] for i in nearest(_fold(who.lstrip("@")), spellings, cutoff=NAME_CUTOFF, n=3)]


def match_person(people: list[Person], who: str, *, typed: str | None = None, also: str = "") -> Person:
    """Choose whose items to show: by id, full name, first name, or a unique prefix.

    `typed` is the command (and words) a person name follows, for the examples
    (default /plan-status); `also` lists what else it takes. Only for choosing
    what to display; never for deciding what someone may do.
    """
    typed = typed or cmd("plan-status")
    wanted = _fold(who.lstrip("@"))
    tiers = [
        lambda p: p.id.casefold() == wanted or _fold(p.name) == wanted,
        lambda p: _fold(p.name).split(" ")[0] == wanted,
        lambda p: p.id.casefold().startswith(wanted)
        or _fold(p.name).startswith(wanted)
        or any(word.startswith(wanted) for word in _fold(p.name).split(" ")),
    ]
    for matches in tiers:
        found = [p for p in people if matches(p)]
        if len(found) == 1:
            return found[0]
        if found:
            raise BadInput(
                f"“{excerpt(who)}” could be {people_list(found)}. "
                f"Type more of the name, or the id, e.g. {typed} {found[0].id}."
            )
    close = close_people(people, who)
    guess = f" Did you mean {people_list(close)}?" if close else ""
    raise NobodyCalled(
        f"I don't know anyone called “{excerpt(who)}” in the plan.{guess} The people are: {people_list(people)}. "
        f"Type {typed} with one of those{also}.",
        close,
    )


def person_items(ctx: Context, who: str) -> list[Reply]:
    """The items a person leads or deputises, as the whole-plan table."""
    now = periods_now(ctx)
    people = status_queries.people_by_id(ctx.session)
    person = match_person(
        [p for p in people.values() if p.in_plan], who, also=", an item number, overdue or changes"
    )
    items = own_items(ctx.session, person)
    if not items:
        return [
            Reply(
                [
                    Heading(f"{person.name}'s items — {now.heading}"),
                    Paragraph(
                        f"{person.name} leads no items in the plan. Type {cmd('plan-status')} to see every item."
                    ),
                ]
            )
        ]
    return [_status_reply(ctx, now, f"{person.name}'s items", items, people)]


def _item_bullets(statuses: list[ItemStatus], people: dict[str, Person]) -> Bullets:
    return Bullets([f"{s.item.number}. {clip(s.item.title, SHORT_TITLE)} — {_leads(s.item, people)}" for s in statuses])


def overdue(ctx: Context) -> list[Reply]:
    """Missing updates for the ended period, and this period's if its deadline is close."""
    now = periods_now(ctx)
    items = queries.items(ctx.session)
    people = status_queries.people_by_id(ctx.session)
    statuses = item_statuses(ctx, now, items)
    cal = load_calendar(ctx.session)
    if cal is None:
        raise NotFound("No plan is loaded yet. A coordinator can load one with `planbot plan load FILE`.")
    window = cal.schedule.quarterly_prompt_working_days
    blocks: list[Block] = [Heading(f"Overdue — {now.heading}")]
    late = [s for s in statuses if s.previous_missing]
    if late and now.previous is not None:
        blocks.append(Paragraph(f"No {name(now.previous)} update (the period ended {day(now.previous.end)}):"))
        blocks.append(_item_bullets(late, people))
    waiting = [s for s in statuses if s.current is None]
    left = cal.working_days(now.today, now.current.end)
    if waiting and now.current_ended:
        blocks.append(Paragraph(f"No {name(now.current)} update (the period ended {day(now.current.end)}):"))
        blocks.append(_item_bullets(waiting, people))
    elif waiting and left < window:
        days = "1 working day" if left == 1 else f"{left} working days"
        blocks.append(Paragraph(f"No {name(now.current)} update yet, due by {day(now.current.end)} ({days} left):"))
        blocks.append(_item_bullets(waiting, people))
    if len(blocks) == 1:
        blocks.append(Paragraph("Nothing is overdue."))
        if waiting:
            blocks.append(
                Paragraph(
                    f"{len(waiting)} {name(now.current)} update{'s are' if len(waiting) > 1 else ' is'} "
                    f"due by {day(now.current.end)} ({left} working days left)."
                )
            )
    return [Reply(blocks)]


def _natural(key: str) -> list[int | str]:
    """Sort 'm2' before 'm10'."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key)]


def _blocker_lines(text: str) -> list[str]:
    return [line.strip(" -*•\t") for line in text.splitlines() if line.strip(" -*•\t")]


def _item_changes(
    earlier: Period,
    later: Period,
    before: Update | None,
    after: Update | None,
    milestones: dict[int, list[UpdateMilestone]],
    later_open: bool,
) -> list[str]:
    """What a coordinator would mention about one item; empty when nothing changed."""
    if before is None and after is None:
        return [f"no update in {short(earlier)} or {short(later)}"]
    if after is None:
        return [f"no {short(later)} update{' yet' if later_open else ''} (was {_rag(before)} in {short(earlier)})"]
    if before is None:
        return [f"no {short(earlier)} update; now {_rag(after)}"]
    out: list[str] = []
    if before.rag != after.rag:
        out.append(f"RAG {_rag(before)} → {_rag(after)}")
    old = {m.milestone_key: m for m in milestones.get(before.id or 0, [])}
    for new in sorted(milestones.get(after.id or 0, []), key=lambda m: _natural(m.milestone_key)):
        was = old.get(new.milestone_key)
        state = MilestoneState(new.state).label + (f" (new date {day(new.new_date)})" if new.new_date else "")
        text = clip(new.milestone_text, SHORT_MILESTONE)
        if was is None:
            out.append(f"milestone “{text}” {state} (not reported before)")
        elif was.state != new.state or was.new_date != new.new_date:
            old_state = MilestoneState(was.state).label + (f" (new date {day(was.new_date)})" if was.new_date else "")
            out.append(f"milestone “{text}” {old_state} → {state}")
    known = {_fold(line) for line in _blocker_lines(before.blockers)}
    out += [f"new blocker: “{line}”" for line in _blocker_lines(after.blockers) if _fold(line) not in known]
    return out


def _compared_periods(ctx: Context, now: Periods) -> tuple[Period, Period, str] | str:
    """The two periods to compare and a note, or why there is nothing to compare."""
    keys = [p.key for p in now.up_to_current]
    have = status_queries.periods_with_updates(ctx.session, period_keys=keys)
    if now.current.key in have:
        if now.previous is None:
            return f"{now.current.label} is the plan's first period, so there is nothing earlier to compare it with."
        return now.previous, now.current, ""
    written = [p for p in now.up_to_current if p.key in have]
    if not written:
        return "No updates have been written yet, so nothing has changed."
    if len(written) == 1:
        return f"Only {name(written[0])} has updates so far, so there is nothing earlier to compare them with."
    return (
        written[-2],
        written[-1],
        f"Nothing has been written for {name(now.current)} yet, so this compares the two most recent periods with updates.",
    )


def changes(ctx: Context) -> list[Reply]:
    """Per item, what changed from the previous period's update to this period's."""
    now = periods_now(ctx)
    compared = _compared_periods(ctx, now)
    if isinstance(compared, str):
        return [Reply([Heading(f"Changes — {now.heading}"), Paragraph(compared)])]
    earlier, later, note = compared
    items = queries.items(ctx.session)
    updates = queries.latest_updates_for_periods(ctx.session, period_keys=[earlier.key, later.key])
    by_item = {(u.item_number, u.period_key): u for u in updates}
    milestones = queries.update_milestones(ctx.session, update_ids=[u.id for u in updates if u.id is not None])
    later_open = later.key == now.current.key and not now.current_ended
    lines: list[str] = []
    unchanged: list[str] = []
    for item in items:
        found = _item_changes(
            earlier,
            later,
            by_item.get((item.number, earlier.key)),
            by_item.get((item.number, later.key)),
            milestones,
            later_open,
        )
        if found:
            lines.append(f"{item.number}. {clip(item.title, SHORT_TITLE)}: " + "; ".join(found))
        else:
            unchanged.append(str(item.number))
    blocks: list[Block] = [Heading(f"Changes from {name(earlier)} to {later.label}")]
    if note:
        blocks.append(Paragraph(note))
    if lines:
        blocks.append(Bullets(lines))
    if unchanged:
        label = "item" if len(unchanged) == 1 else "items"
        blocks.append(Paragraph(f"No change: {label} {', '.join(unchanged)}."))
    return [Reply(blocks)]
