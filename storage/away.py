"""Who is away or snoozed, and who deputises for which item (set in chat)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from storage import audit
from storage.models import Absence, Item, ItemDeputy, utcnow


def set_absence(session: Session, *, person_id: str, kind: str, until: dt.datetime, at: dt.datetime) -> Absence:
    """One absence per person: a new `away` or `snooze` replaces the last."""
    row = session.get(Absence, person_id)
    if row is None:
        row = Absence(person_id=person_id, kind=kind, until=until, set_at=at)
    else:
        row.kind, row.until, row.set_at = kind, until, at
    session.add(row)
    session.flush()
    audit.record(
        session, action="absence", at=at, actor_id=person_id, subject_id=person_id,
        detail=f"{person_id}: {kind} until {until.isoformat(timespec='minutes')}",
    )
    return row


def clear_absence(session: Session, *, person_id: str, at: dt.datetime | None = None) -> Absence | None:
    row = session.get(Absence, person_id)
    if row is not None:
        session.delete(row)
        session.flush()
        audit.record(
            session, action="absence", at=at or utcnow(), actor_id=person_id, subject_id=person_id,
            detail=f"{person_id}: back (the {row.kind} until {row.until.isoformat(timespec='minutes')} ended)",
        )
    return row


def get_absence(session: Session, *, person_id: str) -> Absence | None:
    return session.get(Absence, person_id)


def absences(session: Session) -> dict[str, Absence]:
    return {row.person_id: row for row in session.exec(select(Absence))}


def set_deputy(session: Session, *, item_number: int, deputy_id: str, set_by_id: str, at: dt.datetime) -> ItemDeputy:
    row = session.get(ItemDeputy, item_number)
    if row is None:
        row = ItemDeputy(item_number=item_number, deputy_id=deputy_id, set_by_id=set_by_id, set_at=at)
    else:
        row.deputy_id, row.set_by_id, row.set_at = deputy_id, set_by_id, at
    session.add(row)
    session.flush()
    audit.record(
        session, action="deputy", at=at, actor_id=set_by_id, subject_id=deputy_id,
        detail=f"item {item_number}: deputy {deputy_id} (named in chat by {set_by_id})",
    )
    return row


def clear_deputy(
    session: Session, *, item_number: int, by: str | None = None, at: dt.datetime | None = None
) -> ItemDeputy | None:
    row = session.get(ItemDeputy, item_number)
    if row is not None:
        session.delete(row)
        session.flush()
        audit.record(
            session, action="deputy", at=at or utcnow(), actor_id=by, subject_id=row.deputy_id,
            detail=f"item {item_number}: deputy {row.deputy_id} cleared" + (f" by {by}" if by else ""),
        )
    return row


def deputies(session: Session) -> dict[int, ItemDeputy]:
    return {row.item_number: row for row in session.exec(select(ItemDeputy))}


def deputy_of(session: Session, *, item: Item) -> str | None:
    """Who deputises for the item: the one named in chat, else the plan file's `deputy:`."""
    named = session.get(ItemDeputy, item.number)
    return named.deputy_id if named is not None else item.deputy_id
