"""Reading the send ledger (the scheduler writes it; summaries and exports read it)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import Send, SendStatus


def chase_counts(session: Session, *, period_key: str) -> dict[int, int]:
    """How many chasers went out per item for a period: 'No update received - chased 3 times'."""
    query = (
        select(Send.item_number, func.count())
        .where(Send.kind == "chaser", Send.occurrence == period_key, Send.status == SendStatus.SENT)
        .group_by(Send.item_number)
    )
    return {number: count for number, count in session.exec(query) if number is not None}
