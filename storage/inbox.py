"""The terminal inbox: what the clock sent a person while no chat platform is
configured. Messages are stored as JSON payloads (bot.core.reply_codec makes them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.models import InboxMessage, utcnow


def put_message(session: Session, *, person_id: str, payload: dict[str, Any], at: dt.datetime) -> InboxMessage:
    row = InboxMessage(person_id=person_id, reply=payload, created_at=at)
    session.add(row)
    session.flush()
    return row


def replace_message(session: Session, *, message_id: int, payload: dict[str, Any]) -> bool:
    """Give a stored message a new payload (an in-place edit); False if it is gone."""
    row = session.get(InboxMessage, message_id)
    if row is None:
        return False
    row.reply = payload
    session.add(row)
    session.flush()
    return True


def take_unread_payloads(session: Session, *, person_id: str, at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The person's unread messages, oldest first, marked read in the same transaction."""
    rows = list(
        session.exec(
            select(InboxMessage)
            .where(InboxMessage.person_id == person_id, col(InboxMessage.read_at).is_(None))
            .order_by(col(InboxMessage.id))
        )
    )
    if rows:
        session.execute(
            update(InboxMessage).where(col(InboxMessage.id).in_([r.id for r in rows])).values(read_at=at or utcnow())
        )
    return [r.reply for r in rows]


def unread_count(session: Session, *, person_id: str) -> int:
    query = select(func.count()).where(InboxMessage.person_id == person_id, col(InboxMessage.read_at).is_(None))
    return session.exec(query).one()


def messages(session: Session, *, person_id: str | None = None) -> list[InboxMessage]:
    query = select(InboxMessage).order_by(col(InboxMessage.id))
    if person_id is not None:
        query = query.where(InboxMessage.person_id == person_id)
    return list(session.exec(query))
