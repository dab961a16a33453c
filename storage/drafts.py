"""Unfinished updates set aside, one per (person, item, period), so a person can
start another item (or leave one idle) and later resume exactly where they stopped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Draft


def put_draft(
    session: Session, *, person_id: str, item_number: int, period_key: str, data: dict[str, Any], at: dt.datetime
) -> Draft:
    """Keep `data` as the person's draft for the item and period (the newest one wins)."""
    row = session.get(Draft, (person_id, item_number, period_key))
    if row is None:
        row = Draft(person_id=person_id, item_number=item_number, period_key=period_key, data=data, updated_at=at)
    else:
        row.data = dict(data)
        row.updated_at = at
    session.add(row)
    session.flush()
    return row


def get_draft(session: Session, *, person_id: str, item_number: int, period_key: str) -> Draft | None:
    return session.get(Draft, (person_id, item_number, period_key))


def person_drafts(session: Session, *, person_id: str) -> list[Draft]:
    """The person's set-aside drafts, most recently touched first."""
    query = select(Draft).where(Draft.person_id == person_id).order_by(col(Draft.updated_at).desc(), col(Draft.item_number))
    return list(session.exec(query))


def drop_draft(session: Session, *, person_id: str, item_number: int, period_key: str) -> None:
    row = session.get(Draft, (person_id, item_number, period_key))
    if row is not None:
        session.delete(row)
        session.flush()
