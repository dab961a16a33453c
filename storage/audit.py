"""The audit trail: plan loads, roles, deputies, absences and on-behalf updates.

Each writer of those changes calls `record` in its own session, so the row is
committed (or rolled back) with the change it describes. Nothing here updates
or deletes a row; only erasure rewrites an erased person's id and name in them.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from storage.models import AuditEntry

ACTIONS = ("plan-load", "role", "deputy", "absence", "on-behalf", "erasure")
"""What the trail records (`planbot audit` shows these names)."""


def record(
    session: Session,
    *,
    action: str,
    at: dt.datetime,
    detail: str,
    actor_id: str | None = None,
    subject_id: str | None = None,
) -> AuditEntry:
    """Append one row in the caller's transaction."""
    row = AuditEntry(at=at, action=action, actor_id=actor_id, subject_id=subject_id, detail=detail)
    session.add(row)
    session.flush()
    return row


def entries(session: Session, *, since: dt.datetime | None = None) -> list[AuditEntry]:
    """The trail, oldest first, from `since` on."""
    query = select(AuditEntry).order_by(col(AuditEntry.at), col(AuditEntry.id))
    if since is not None:
        query = query.where(col(AuditEntry.at) >= since)
    return list(session.exec(query))
