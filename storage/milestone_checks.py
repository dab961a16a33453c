"""Answers to 'this milestone fell due: done, slipped or on track?'."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from storage.models import MilestoneCheck, MilestoneState


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
) -> MilestoneCheck:
    row = MilestoneCheck(
        item_number=item_number,
        milestone_key=milestone_key,
        asked_due=asked_due,
        state=state,
        new_date=new_date,
        person_id=person_id,
        answered_at=at,
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
