"""Pruning what is kept only for a while (PLANBOT_RETENTION_DAYS): handled platform
deliveries, terminal inbox messages, send-ledger rows, message handles, file offers,
and the notes leads flag before a weekly call (free text that can be about health: it
is only read for that call's brief).

Idempotent: it deletes what is older than the cut-off, so running it twice, or
from two clocks at once, deletes the same rows once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.models import CallNote, ClockBeat, Delivery, FileOffer, InboxMessage, MessageHandle, Send

PRUNED = {
    "delivery": (Delivery, Delivery.received_at),
    "inboxmessage": (InboxMessage, InboxMessage.created_at),
    "send": (Send, Send.claimed_at),
    "messagehandle": (MessageHandle, MessageHandle.created_at),
    "callnote": (CallNote, CallNote.created_at),
    "fileoffer": (FileOffer, FileOffer.offered_at),
    "clockbeat": (ClockBeat, ClockBeat.beat_at),
}
"""What is pruned, and the timestamp that dates each row (a ledger row: when it was last claimed)."""


def prune(session: Session, *, before: dt.datetime) -> dict[str, int]:
    """Delete rows dated before `before`; how many went, per table."""
    counts = {}
    for name, (model, stamp) in PRUNED.items():
        result = session.execute(delete(model).where(col(stamp) < before))
        counts[name] = result.rowcount  # type: ignore[attr-defined]
    return counts
