"""Answers to 'this milestone fell due: done, slipped or on track?'."""

from __future__ import annotations

import datetime as dt

from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.models import Item, Milestone, MilestoneCheck, MilestoneState, Update, UpdateMilestone


def record_check(
    session: Session,
    *,
    item_number: int,
    milestone_key: str,
    asked_due: dt.date,
    state: MilestoneState,
    new_date: dt.date | None,
    person_id: str,
    at: dt.datetime,
    note: str = "",
) -> MilestoneCheck:
    row = MilestoneCheck(
        item_number=item_number,
        milestone_key=milestone_key,
        asked_due=asked_due,
        state=state,
        new_date=new_date,
        person_id=person_id,
        answered_at=at,
        note=note,
    )
    session.add(row)
    session.flush()
    return row


def latest_checks(session: Session) -> dict[tuple[int, str], MilestoneCheck]:
    """The newest answer per (item, milestone)."""
    out: dict[tuple[int, str], MilestoneCheck] = {}
    for row in session.exec(select(MilestoneCheck).order_by(col(MilestoneCheck.answered_at), col(MilestoneCheck.id))):
        out[(row.item_number, row.milestone_key)] = row
    return out


@dataclass(frozen=True)
class MilestoneDue:
    item_number: int
    key: str
    text: str
    due: dt.date
    planned_due: dt.date
    done: bool


def load_milestones(session: Session, items: list[Item]) -> list[MilestoneDue]:
    """Each dated milestone with its due date now (a slipped one moves) and whether it is done.

    The newest word wins, from either a milestone-due answer or an update.
    """
    numbers = [i.number for i in items]
    events: dict[tuple[int, str], tuple[dt.datetime, MilestoneState, dt.date | None]] = {}
    for check in latest_checks(session).values():
        events[(check.item_number, check.milestone_key)] = (check.answered_at, check.state, check.new_date)
    query = (
        select(Update.item_number, Update.created_at, UpdateMilestone)
        .join(UpdateMilestone, col(UpdateMilestone.update_id) == col(Update.id))
        .where(col(Update.is_latest), col(Update.item_number).in_(numbers))
    )
    for number, created_at, row in session.exec(query):
        key = (number, row.milestone_key)
        if key not in events or events[key][0] < created_at:
            events[key] = (created_at, MilestoneState(row.state), row.new_date)
    out = []
    rows = session.exec(
        select(Milestone).where(
            col(Milestone.in_plan), col(Milestone.item_number).in_(numbers), col(Milestone.due).is_not(None)
        )
    )
    for ms in sorted(rows, key=lambda m: (m.item_number, m.position)):
        assert ms.due is not None
        event = events.get((ms.item_number, ms.key))
        due, done = ms.due, False
        if event is not None:
            _, state, new_date = event
            done = state == MilestoneState.DONE
            if state == MilestoneState.SLIPPED and new_date is not None:
                due = new_date
        out.append(MilestoneDue(ms.item_number, ms.key, ms.text, due, ms.due, done))
    return out
