"""Message handles: where each keyed reply was posted, so any process can edit
every copy of it later (the clock sends a prompt; the web process marks it done)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import MessageHandle


def remember_handle(
    session: Session,
    *,
    key: str,
    platform: str,
    channel: str,
    message_id: str,
    person_id: str | None,
    at: dt.datetime,
) -> None:
    """Record that the reply keyed `key` was posted at (platform, channel, message_id).

    Idempotent: recording the same posted message twice (a retried job) keeps one row.
    """
    found = session.exec(
        select(MessageHandle).where(
            MessageHandle.platform == platform, MessageHandle.channel == channel, MessageHandle.message_id == message_id
        )
    ).first()
    if found is not None:
        found.key = key
        session.add(found)
        session.flush()
        return
    try:
        with session.begin_nested():
            session.add(
                MessageHandle(
                    key=key, platform=platform, channel=channel, message_id=message_id, person_id=person_id, created_at=at
                )
            )
            session.flush()
    except IntegrityError:
        pass  # another process recorded the same message meanwhile


def handles_for(session: Session, *, key: str) -> list[MessageHandle]:
    """Every place the reply keyed `key` was posted, oldest first."""
    return list(session.exec(select(MessageHandle).where(MessageHandle.key == key).order_by(col(MessageHandle.id))))
