"""Stored updates for tests, written the way a lead's answers are (storage.queries.save_update),
so every suite builds its history through the one real write path."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.db import session_scope
from storage.models import Rag, Update
from storage.queries import MilestoneAnswer, save_update


def save(
    db: Engine | Session,
    item: int,
    period: str,
    rag: Rag,
    when: dt.datetime,
    *,
    summary: str = "",
    blockers: str = "",
    kpis: dict[str, str] | None = None,
    milestones: dict[str, MilestoneAnswer] | None = None,
    author: str = "alex",
    on_behalf_of: str | None = None,
    rag_reason: str = "",
) -> Update:
    """Save one update version; in the given session (the caller commits) or in its own on an engine.
    Without a summary the update says which item, period and RAG it is."""
    if isinstance(db, Engine):
        with session_scope(db) as session:
            return save(session, item, period, rag, when, summary=summary, blockers=blockers, kpis=kpis,
                        milestones=milestones, author=author, on_behalf_of=on_behalf_of, rag_reason=rag_reason)
    return save_update(
        db,
        item_number=item,
        period_key=period,
        rag=rag,
        summary=summary or f"item {item}, {period}, {rag.label}",
        blockers=blockers,
        kpi_progress=kpis or {},
        milestone_states=milestones or {},
        author_id=author,
        on_behalf_of_id=on_behalf_of,
        at=when,
        rag_reason=rag_reason,
    )
