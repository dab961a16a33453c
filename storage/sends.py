"""Writing the send ledger: claim first, then send, then record what happened.

A claim is an INSERT of the send's unique key, so when two clock processes race
for the same send exactly one INSERT succeeds. A claim left behind by a process
that died before sending is taken over (a compare-and-set UPDATE) once it is
older than CLAIM_LEASE; a failed send is taken over the same way to retry it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, cast

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import ReconcileMark, Send, SendStatus

CLAIM_LEASE = dt.timedelta(minutes=10)


def send_key(*, kind: str, person_id: str, item_number: int | None, occurrence: str, seq: int = 0) -> str:
    """'chaser|alex|3|2019-Q3|2': unique over (kind, person, item, occurrence), plus a chaser's number."""
    parts = [kind, person_id, "-" if item_number is None else str(item_number), occurrence]
    if seq:
        parts.append(str(seq))
    return "|".join(parts)


def key_seq(key: str) -> int:
    """The chaser number a key carries (0 for every other kind)."""
    parts = key.split("|")
    return int(parts[4]) if len(parts) > 4 else 0


class LedgerEntry(NamedTuple):
    """A ledger row as the planner reads it (plain columns: cheap to load by the thousand)."""

    key: str
    kind: str
    person_id: str
    item_number: int | None
    occurrence: str
    status: str
    due: dt.datetime
    sent_at: dt.datetime | None
    claimed_at: dt.datetime
    last_error: str


def ledger_entries(session: Session, *, kinds: list[str]) -> list[LedgerEntry]:
    columns = [getattr(Send, name) for name in LedgerEntry._fields]
    return [LedgerEntry(*row) for row in session.exec(select(*columns).where(col(Send.kind).in_(kinds)))]


def claim(
    session: Session,
    *,
    key: str,
    kind: str,
    person_id: str,
    item_number: int | None,
    occurrence: str,
    due: dt.datetime,
    by: str,
    at: dt.datetime,
    status: SendStatus = SendStatus.CLAIMED,
    error: str = "",
) -> bool:
    """Insert the ledger row; False when another process (or an earlier run) has it.

    `status` other than CLAIMED records a send that will not go out (missed,
    skipped) under the same key, so it is decided once.
    """
    row = Send(
        key=key,
        kind=kind,
        person_id=person_id,
        item_number=item_number,
        occurrence=occurrence,
        due=due,
        status=status,
        claimed_by=by,
        claimed_at=at,
        last_error=error,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def reclaim(session: Session, *, key: str, by: str, at: dt.datetime) -> bool:
    """Take over a failed send, or a claim whose process died, to try it again."""
    stale = at - CLAIM_LEASE
    result = session.execute(
        update(Send)
        .where(
            col(Send.key) == key,
            or_(
                col(Send.status) == SendStatus.FAILED,
                and_(col(Send.status) == SendStatus.CLAIMED, col(Send.claimed_at) < stale),
            ),
        )
        .values(status=SendStatus.CLAIMED, claimed_by=by, claimed_at=at)
    )
    return cast("CursorResult[Any]", result).rowcount == 1


def retryable(row: LedgerEntry, *, at: dt.datetime) -> bool:
    return row.status == SendStatus.FAILED or (row.status == SendStatus.CLAIMED and row.claimed_at < at - CLAIM_LEASE)


def finish(
    session: Session,
    *,
    key: str,
    by: str,
    status: SendStatus,
    at: dt.datetime,
    error: str = "",
    platform: str | None = None,
    channel: str | None = None,
    message_id: str | None = None,
) -> bool:
    """Record the outcome of our own claim; False if another process took it over meanwhile."""
    values: dict[str, object] = {"status": status, "attempts": col(Send.attempts) + 1, "last_error": error}
    if status == SendStatus.SENT:
        values.update(sent_at=at, platform=platform, channel=channel, message_id=message_id)
    result = session.execute(
        update(Send)
        .where(col(Send.key) == key, col(Send.claimed_by) == by, col(Send.status) == SendStatus.CLAIMED)
        .values(**values)
    )
    return cast("CursorResult[Any]", result).rowcount == 1


def problems_since(session: Session, *, since: dt.datetime, until: dt.datetime) -> list[Send]:
    """Sends that fell due in (since, until] and did not go out: for coordinators."""
    query = (
        select(Send)
        .where(
            col(Send.status).in_([SendStatus.MISSED, SendStatus.FAILED, SendStatus.SKIPPED]),
            col(Send.due) > since,
            col(Send.due) <= until,
        )
        .order_by(col(Send.due), col(Send.key))
    )
    return list(session.exec(query))


def get_mark(session: Session, *, job: str) -> dt.datetime | None:
    row = session.get(ReconcileMark, job)
    return row.last_at if row is not None else None


def advance_mark(session: Session, *, job: str, at: dt.datetime) -> None:
    """Move the job's mark forward to `at` (never back: two clocks may race)."""
    result = session.execute(
        update(ReconcileMark).where(col(ReconcileMark.job) == job, col(ReconcileMark.last_at) < at).values(last_at=at)
    )
    if cast("CursorResult[Any]", result).rowcount == 0 and session.get(ReconcileMark, job) is None:
        try:
            with session.begin_nested():
                session.add(ReconcileMark(job=job, last_at=at))
                session.flush()
        except IntegrityError:
            pass
