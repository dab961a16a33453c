"""Message handles: where each keyed reply was posted, so any process can edit
every copy of it later (the clock sends a prompt; the web process marks it done)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from storage.models import MessageHandle
from storage.upserts import insert_for_person


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

    Idempotent: recording the same posted message twice (a retried job) keeps one row,
    with the newest key. One statement (see `storage.upserts`).
    """
    insert_for_person(
        session,
        MessageHandle,
        {"key": key, "platform": platform, "channel": channel, "message_id": message_id, "person_id": person_id, "created_at": at},
        person_id=person_id,
        conflict=("platform", "channel", "message_id"),
        update=("key",),
    )


def handles_for(session: Session, *, key: str) -> list[MessageHandle]:
    """Every place the reply keyed `key` was posted, oldest first."""
    return list(session.exec(select(MessageHandle).where(MessageHandle.key == key).order_by(col(MessageHandle.id))))


def handle_key(session: Session, *, platform: str, channel: str, message_id: str) -> str | None:
    """The key of the keyed reply posted at (platform, channel, message_id), if that message is one."""
    query = select(MessageHandle.key).where(
        MessageHandle.platform == platform, MessageHandle.channel == channel, MessageHandle.message_id == message_id
    )
    return session.exec(query).first()
