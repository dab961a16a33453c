"""Group conversations the bot can post to (a Teams channel or group chat), by
conversation id: written when the app is installed there or mentioned there,
read when a coordinators' brief goes to that chat."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from storage.models import ChatReference

KEPT = ("channelId", "serviceUrl", "conversation", "bot", "locale")
"""What a proactive send needs from a conversation reference; the person who installed or wrote is left out."""


def thread_root(conversation_id: str) -> str:
    """A Teams channel message's conversation id carries `;messageid=...` (the thread):
    the channel itself is the part before it."""
    return conversation_id.split(";", 1)[0]


def note_chat(session: Session, *, platform: str, conversation_id: str, reference: dict[str, Any], at: dt.datetime) -> None:
    """Remember (or refresh) where a group conversation lives."""
    key = thread_root(conversation_id)
    kept = {k: reference[k] for k in KEPT if k in reference}
    conversation = dict(kept.get("conversation") or {})
    conversation["id"] = key
    kept["conversation"] = conversation
    row = session.get(ChatReference, (platform, key))
    if row is None:
        session.add(ChatReference(platform=platform, conversation_id=key, reference=kept, noted_at=at))
    else:
        row.reference = kept
        row.noted_at = at
        session.add(row)


def chat_reference(session: Session, *, platform: str, conversation_id: str) -> dict[str, Any] | None:
    row = session.get(ChatReference, (platform, thread_root(conversation_id)))
    return dict(row.reference) if row is not None else None
