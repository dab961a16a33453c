"""Persisted conversation state, one per (platform, person): a DM message, a
thread reply, a button and a form all land in the same one. `channel` records
where it was last spoken to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Conversation, Delivery


def get_conversation(session: Session, *, platform: str, person_id: str) -> Conversation | None:
    query = select(Conversation).where(Conversation.platform == platform, Conversation.person_id == person_id)
    return session.exec(query).first()


def save_conversation(
    session: Session,
    *,
    platform: str,
    person_id: str,
    channel: str,
    state: str,
    data: dict[str, Any],
    at: dt.datetime,
) -> Conversation:
    """Write the new state; `step` counts answers so a stale button can be told apart."""
    conv = get_conversation(session, platform=platform, person_id=person_id)
    if conv is None:
        conv = Conversation(platform=platform, person_id=person_id, channel=channel, state=state, step=1, data=data, updated_at=at)
    else:
        conv.state = state
        conv.channel = channel
        conv.step += 1
        conv.data = dict(data)
        conv.updated_at = at
    session.add(conv)
    session.flush()
    return conv


def clear_conversation(session: Session, *, platform: str, person_id: str) -> None:
    conv = get_conversation(session, platform=platform, person_id=person_id)
    if conv is not None:
        session.delete(conv)
        session.flush()


def claim_delivery(session: Session, *, key: str, at: dt.datetime, stored_as: str | None = None) -> bool:
    """True the first time a delivery id is seen; False for a retry or replay.
    `stored_as`: the form an earlier version recorded the same delivery under."""
    if session.get(Delivery, key) is not None or (stored_as and session.get(Delivery, stored_as) is not None):
        return False
    try:
        with session.begin_nested():
            session.add(Delivery(key=key, received_at=at))
            session.flush()
    except IntegrityError:
        return False
    return True
