"""What should go out when: every send of the plan year, derived from the plan.

Each job's planner turns a World snapshot into PlannedSends; the reconcile
sends the ones that are due and not yet in the ledger, and `planbot schedule`
lists them. Planning is pure: the same snapshot always gives the same sends.

Who gets an item's send: its lead; while the lead is away (or marked inactive
in the plan) the item's deputy, if one is named and available; otherwise the
send waits until the lead is back (an inactive lead with no deputy: skipped and
flagged). A snooze only ever delays. Sends tied to a meeting are dropped if
they would go out after it starts. Nothing is sent outside the plan year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plantime.periods import PeriodSpan

if TYPE_CHECKING:  # planning reads these; the job names alone (the command line's parser) need none
    from storage.calendar import PlanCalendar
    from schedules.world import World
    from storage.models import Item, Person

KINDS = (
    "quarterly-prompt",
    "chaser",
    "escalation",
    "pre-call-prompt",
    "pre-call-brief",
    "board-reminder",
    "board-summary",
    "milestone-due",
)


@dataclass(frozen=True)
class PlannedSend:
    kind: str
    person_id: str
    item_number: int | None
    occurrence: str
    due: dt.datetime
    seq: int = 0
    deadline: dt.datetime | None = None
    skip: str = ""
    standing_in_for: str | None = None

    @property
    def key(self) -> str:
        from storage.sends import send_key

        return send_key(
            kind=self.kind,
            person_id=self.person_id,
            item_number=self.item_number,
            occurrence=self.occurrence,
            seq=self.seq,
        )

    @property
    def slot(self) -> str:
        return self.key

    def as_json(self, cal: PlanCalendar) -> dict[str, object]:
        """The `--json` contract: kind, person, item, occurrence, due (ISO-8601 with offset)."""
        return {
            "kind": self.kind,
            "person": self.person_id,
            "item": self.item_number,
            "occurrence": self.occurrence,
            "due": cal.local(self.due).isoformat(),
        }


@dataclass(frozen=True)
class Route:
    person_id: str
    due: dt.datetime
    skip: str = ""
    standing_in_for: str | None = None


def route_item(world: World, item: Item, due: dt.datetime) -> Route:
    """The lead, a deputy standing in, or the lead later (see the module docstring)."""
    lead = world.people[item.lead_id]
    absence = world.held_until(lead.id, due)
    if not lead.active or (absence is not None and absence.kind == "away"):
        deputy_id = world.deputy_for(item)
        deputy = world.people.get(deputy_id) if deputy_id else None
        if deputy is not None and deputy.id != lead.id and deputy.active and world.held_until(deputy.id, due) is None:
            return Route(deputy.id, due, standing_in_for=lead.id)
    if not lead.active:
        return Route(
            lead.id, due, skip=f"{lead.name} is marked inactive in the plan and item {item.number} has no deputy"
        )
    if absence is not None:
        return Route(lead.id, absence.until)
    return Route(lead.id, due)


def route_person(world: World, person: Person, due: dt.datetime) -> Route | None:
    if not person.active:
        return None
    absence = world.held_until(person.id, due)
    return Route(person.id, absence.until if absence is not None else due)


def prompt_day(cal: PlanCalendar, period: PeriodSpan) -> dt.date:
    """`quarterly_prompt_working_days` working days before the period ends."""
    return cal.working_day(period.end + dt.timedelta(days=1), -cal.schedule.quarterly_prompt_working_days)


def _item_send(
    kind: str, route: Route, item: Item, occurrence: str, *, seq: int = 0, deadline: dt.datetime | None = None
) -> PlannedSend:
    return PlannedSend(
        kind,
        route.person_id,
        item.number,
        occurrence,
        route.due,
        seq=seq,
        deadline=deadline,
        skip=route.skip,
        standing_in_for=route.standing_in_for,
    )


@dataclass(frozen=True)
class Window:
    """Plan only what can fall due in [since, until] (None: open-ended).

    A held send only ever moves later, and never past its meeting or the end of
    the year, so skipping what is nominally after `until`, or whose meeting
    began before `since`, never loses a send that belongs in the window."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def after(self, nominal: dt.datetime) -> bool:
        return self.until is not None and nominal > self.until

    def over(self, deadline: dt.datetime) -> bool:
        return self.since is not None and deadline < self.since

    def holds(self, due: dt.datetime) -> bool:
        return not self.over(due) and not self.after(due)


EVERYTHING = Window()


def quarterly_prompts(world: World, window: Window) -> list[PlannedSend]:
    cal = world.cal
    out = []
    for period in cal.periods:
        due = cal.at(prompt_day(cal, period), cal.schedule.send_hour)
        if window.after(due):
            continue
        for item in world.items:
            if (item.number, period.key) not in world.updates_in:
                out.append(_item_send("quarterly-prompt", route_item(world, item, due), item, period.key))
    return out


def chasers(world: World, window: Window) -> list[PlannedSend]:
    """Every few working days after the previous reminder actually went out, then
    one escalation to the coordinators (on the plan's dates) if anything is missing."""
    cal, spec = world.cal, world.cal.schedule
    out = []
    for period in cal.periods:
        first = prompt_day(cal, period)
        if window.after(cal.at(first, spec.send_hour)):
            continue
        missing = [i for i in world.items if (i.number, period.key) not in world.updates_in]
        for item in missing:
            previous = world.sent_at("quarterly-prompt", item.number, period.key)
            if previous is None:
                previous = route_item(world, item, cal.at(first, spec.send_hour)).due
            for seq in range(1, spec.chaser_max + 1):
                day = cal.working_day(cal.local_day(previous), spec.chaser_every_working_days)
                route = route_item(world, item, cal.at(day, spec.send_hour))
                out.append(_item_send("chaser", route, item, period.key, seq=seq))
                previous = world.sent_at("chaser", item.number, period.key, seq) or route.due
        if missing:
            day = cal.working_day(first, spec.chaser_every_working_days * (spec.chaser_max + 1))
            for person in world.coordinators:
                escalation = route_person(world, person, cal.at(day, spec.send_hour))
                if escalation is not None:
                    out.append(PlannedSend("escalation", person.id, None, period.key, escalation.due))
    return out


def pre_call(world: World, window: Window) -> list[PlannedSend]:
    """Each person answering for an item is asked before every weekly call; coordinators get the brief."""
    cal, spec = world.cal, world.cal.schedule
    out = []
    for call in cal.weekly_calls():
        ask = cal.hours_before(call, spec.pre_call_prompt_hours)
        brief = cal.hours_before(call, spec.pre_call_brief_hours)
        if window.over(call.start) or window.after(min(ask, brief)):
            continue
        asked: dict[str, Route] = {}
        for item in world.items:
            route = route_item(world, item, ask)
            if not route.skip:
                asked.setdefault(route.person_id, route)
        for person_id, route in asked.items():
            out.append(PlannedSend("pre-call-prompt", person_id, None, call.key, route.due, deadline=call.start))
        for person in world.coordinators:
            route_ = route_person(world, person, brief)
            if route_ is not None:
                out.append(PlannedSend("pre-call-brief", person.id, None, call.key, route_.due, deadline=call.start))
    return out


def board(world: World, window: Window) -> list[PlannedSend]:
    """Before each Board meeting: leads whose update for the meeting's period is missing, then the summary."""
    cal, spec = world.cal, world.cal.schedule
    out = []
    for meeting in cal.boards():
        remind = cal.at(cal.working_day(meeting.day, -spec.board_reminder_working_days), spec.send_hour)
        summary = cal.at(cal.working_day(meeting.day, -spec.board_summary_working_days), spec.send_hour)
        if window.over(meeting.start) or window.after(min(remind, summary)):
            continue
        period = cal.period_of(meeting.day)
        if period is not None:
            for item in world.items:
                if (item.number, period.key) not in world.updates_in:
                    route = route_item(world, item, remind)
                    out.append(_item_send("board-reminder", route, item, meeting.key, deadline=meeting.start))
        for person in world.coordinators:
            route_ = route_person(world, person, summary)
            if route_ is not None:
                out.append(
                    PlannedSend("board-summary", person.id, None, meeting.key, route_.due, deadline=meeting.start)
                )
    return out


def milestones_due(world: World, window: Window) -> list[PlannedSend]:
    """On the first working day from a milestone's due date (a slipped one's new date)."""
    cal = world.cal
    items = {i.number: i for i in world.items}
    out = []
    for ms in world.milestones:
        item = items.get(ms.item_number)
        due = cal.at(cal.working_day(ms.due, 0), cal.schedule.milestone_due_hour)
        if ms.done or item is None or window.after(due):
            continue
        out.append(_item_send("milestone-due", route_item(world, item, due), item, f"{ms.key}@{ms.due.isoformat()}"))
    return out


@dataclass(frozen=True)
class Job:
    name: str
    sends: tuple[str, ...]
    reads: tuple[str, ...]
    plan: Callable[[World, Window], list[PlannedSend]]


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("quarterly-prompts", ("quarterly-prompt",), ("quarterly-prompt",), quarterly_prompts),
        Job("chasers", ("chaser", "escalation"), ("quarterly-prompt", "chaser", "escalation"), chasers),
        Job("pre-call", ("pre-call-prompt", "pre-call-brief"), ("pre-call-prompt", "pre-call-brief"), pre_call),
        Job("board", ("board-reminder", "board-summary"), ("board-reminder", "board-summary"), board),
        Job("milestones-due", ("milestone-due",), ("milestone-due",), milestones_due),
    )
}
JOB_NAMES = tuple(JOBS)


def planned(world: World, job: Job, window: Window = EVERYTHING) -> list[PlannedSend]:
    """The job's sends due in the window, inside the plan year and before their meeting, in due order.

    Every send's deadline is at most the end of the plan year: a catch-up after
    downtime never goes out once the year is over."""
    year_end = world.cal.at(world.cal.year_end + dt.timedelta(days=1), 0)
    sends = [
        p if p.deadline is not None else dataclasses.replace(p, deadline=year_end)
        for p in job.plan(world, window)
        if world.cal.in_year(p.due) and (p.deadline is None or p.due <= p.deadline) and window.holds(p.due)
    ]
    return sorted(sends, key=lambda p: (p.due, p.kind, p.person_id, p.item_number or 0, p.seq))


LOOK_AHEAD = dt.timedelta(days=8)


def next_due_after(world: World, job: Job, after: dt.datetime) -> dt.datetime | None:
    """The job's next due instant after `after`: the coming week first (cheap), then the rest of the year."""
    for window in (Window(after, after + LOOK_AHEAD), Window(after)):
        due = min((p.due for p in planned(world, job, window) if p.due > after), default=None)
        if due is not None:
            return due
    return None


def next_due(world: World, after: dt.datetime) -> dt.datetime | None:
    """The next instant any job has something to send (the world must read every kind)."""
    return min((d for job in JOBS.values() if (d := next_due_after(world, job, after)) is not None), default=None)


ALL_KINDS = tuple(sorted({kind for job in JOBS.values() for kind in job.reads}))
