"""A snapshot of everything the planner needs, read once per reconcile.

Loading it takes a fixed handful of statements however many items the plan
has, so a reconcile over 2,000 lead-items plans in memory, not row by row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from storage.calendar import PlanCalendar, load_calendar
from storage import away, queries
from storage.milestone_checks import MilestoneDue, load_milestones
from storage.models import Absence, Item, Person, Plan, Update
from storage.sends import LedgerEntry, ledger_entries, send_key

def slot(kind: str, person_id: str, item_number: int | None, occurrence: str, seq: int = 0) -> str:
    """What makes a send 'the same send' for idempotence: its ledger key, which
    leaves the person out of an item's sends (they go to the lead or a deputy)."""
    return send_key(kind=kind, person_id=person_id, item_number=item_number, occurrence=occurrence, seq=seq)


@dataclass
class World:
    cal: PlanCalendar
    people: dict[str, Person]
    items: list[Item]
    deputies: dict[int, str]
    absences: dict[str, Absence]
    updates_in: set[tuple[int, str]]
    milestones: list[MilestoneDue]
    ledger: dict[str, LedgerEntry] = field(default_factory=dict)
    coordinator_places: dict[str, str] = field(default_factory=dict)
    """The plan's `coordinators:` channel per platform (slack, teams), where briefs go instead of DMs."""

    @property
    def coordinators(self) -> list[Person]:
        return [p for p in self.people.values() if p.is_coordinator and p.active]

    def deputy_for(self, item: Item) -> str | None:
        """A deputy named in chat wins over the plan file's."""
        return self.deputies.get(item.number) or item.deputy_id

    def held_until(self, person_id: str, at: dt.datetime) -> Absence | None:
        """The person's absence if it covers `at` (from when it was set until it ends).

        What fell due before someone said they were away is not held: it has
        already gone out, been recorded as missed, or is caught up as usual."""
        absence = self.absences.get(person_id)
        return absence if absence is not None and absence.set_at <= at < absence.until else None

    def sent_at(self, kind: str, item_number: int, occurrence: str, seq: int = 0) -> dt.datetime | None:
        row = self.ledger.get(slot(kind, "", item_number, occurrence, seq))
        return row.sent_at if row is not None else None

    def read_ledger(self, session: Session, *, kinds: list[str]) -> None:
        """Re-read the ledger (between jobs of one run: chasers follow the prompts just sent)."""
        self.ledger = {row.key: row for row in ledger_entries(session, kinds=kinds)}


def coordinator_places(session: Session) -> dict[str, str]:
    """The plan's `plan.coordinators` (kept in the stored plan document), platform by platform."""
    plan = session.get(Plan, 1)
    places = ((plan.document if plan is not None else {}).get("plan") or {}).get("coordinators") or {}
    return {platform: str(place) for platform, place in places.items() if place}


def load_world(session: Session, *, kinds: list[str]) -> World | None:
    """The snapshot, with the ledger rows of `kinds`; None when no plan is loaded."""
    cal = load_calendar(session)
    if cal is None:
        return None
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.in_plan)))}
    items = [i for i in queries.items(session) if i.lead_id in people]
    period_keys = [p.key for p in cal.periods]
    updates_in = {
        (number, period)
        for number, period in session.exec(
            select(Update.item_number, Update.period_key).where(
                col(Update.is_latest), col(Update.period_key).in_(period_keys)
            )
        )
    }
    deputies = {n: d.deputy_id for n, d in away.deputies(session).items() if d.deputy_id in people}
    world = World(
        cal=cal,
        people=people,
        items=items,
        deputies=deputies,
        absences=away.absences(session),
        updates_in=updates_in,
        milestones=load_milestones(session, items),
        coordinator_places=coordinator_places(session),
    )
    world.read_ledger(session, kinds=kinds)
    return world
