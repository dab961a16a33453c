"""Writing the send ledger: claim first, then send, then record what happened.

A claim is an INSERT of the send's unique key, so when two clock processes race
for the same send exactly one INSERT succeeds. A claim left behind by a process
that died before sending is taken over (a compare-and-set UPDATE) once it is
older than CLAIM_LEASE; a failed send is taken over the same way to retry it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, cast

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import ReconcileMark, Send, SendStatus
from storage.upserts import insert_for_person

CLAIM_LEASE = dt.timedelta(minutes=10)
ITEM_KINDS = frozenset({"quarterly-prompt", "chaser", "board-reminder", "milestone-due"})
"""Sends about an item: each goes to one person, its lead or (while the lead is away) a deputy."""
ANYONE = "*"


def send_key(*, kind: str, person_id: str, item_number: int | None, occurrence: str, seq: int = 0) -> str:
    """What makes a send 'the same send': 'pre-call-prompt|alex|-|2019-11-21', and for
    an item's sends 'chaser|*|3|2019-Q3|2' (plus a chaser's number).

    An item's send goes to its lead or its deputy, never both, so its key leaves
    the person out: two clocks that disagree about an absence still race for one
    key, and a prompt that went to the lead is not sent again to a deputy named later.
    """
    who = ANYONE if kind in ITEM_KINDS else person_id
    parts = [kind, who, "-" if item_number is None else str(item_number), occurrence]
    if seq:
        parts.append(str(seq))
    return "|".join(parts)


PLACE = "#"
"""Marks a ledger key whose send went to a coordinators' channel rather than to a person."""


def place_key(*, kind: str, platform: str, place: str, occurrence: str) -> str:
    """One brief or Board summary posted once in a coordinators' channel:
    'pre-call-brief|#slack:C0123ABCD|-|2019-11-21'. (The row's person is the
    coordinator whose send posted it; the key alone makes it one per channel.)"""
    return send_key(kind=kind, person_id=f"{PLACE}{platform}:{place}", item_number=None, occurrence=occurrence)


def place_of(key: str) -> tuple[str, str] | None:
    """(platform, channel) of a coordinators' channel key; None for a person's send."""
    parts = key.split("|")
    if len(parts) < 2 or not parts[1].startswith(PLACE):
        return None
    platform, _, place = parts[1][len(PLACE) :].partition(":")
    return platform, place


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
    retry_at: dt.datetime | None


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
    skipped) under the same key, so it is decided once. One statement (see
    `storage.upserts`): a key already taken, or a person gone, inserts nothing.
    """
    values = {
        "key": key,
        "kind": kind,
        "person_id": person_id,
        "item_number": item_number,
        "occurrence": occurrence,
        "due": due,
        "status": status,
        "attempts": 0,
        "claimed_by": by,
        "claimed_at": at,
        "last_error": error,
    }
    return insert_for_person(session, Send, values, person_id=person_id)


def reclaim(session: Session, *, key: str, by: str, at: dt.datetime) -> bool:
    """Take over a failed send (once its platform's retry-after has passed), or a
    claim whose process died, to try it again."""
    stale = at - CLAIM_LEASE
    result = session.execute(
        update(Send)
        .where(
            col(Send.key) == key,
            or_(
                and_(
                    col(Send.status) == SendStatus.FAILED,
                    or_(col(Send.retry_at).is_(None), col(Send.retry_at) <= at),
                ),
                and_(col(Send.status) == SendStatus.CLAIMED, col(Send.claimed_at) < stale),
            ),
        )
        .values(status=SendStatus.CLAIMED, claimed_by=by, claimed_at=at)
    )
    return cast("CursorResult[Any]", result).rowcount == 1


def retryable(row: LedgerEntry, *, at: dt.datetime) -> bool:
    if row.status == SendStatus.FAILED:
        return row.retry_at is None or row.retry_at <= at
    return row.status == SendStatus.CLAIMED and row.claimed_at < at - CLAIM_LEASE


def expire_stale_claims(session: Session, *, due_before: dt.datetime, at: dt.datetime) -> list[str]:
    """Record as missed the claims whose process stopped before sending and that are
    now past the grace window: they will not be retried, and coordinators see them
    in /plan-schedule. Returns their keys."""
    stale = at - CLAIM_LEASE
    where = (
        col(Send.status) == SendStatus.CLAIMED,
        col(Send.claimed_at) < stale,
        col(Send.due) < due_before,
    )
    keys = list(session.exec(select(Send.key).where(*where)))
    if keys:
        session.execute(
            update(Send)
            .where(col(Send.key).in_(keys), *where)
            .values(
                status=SendStatus.MISSED,
                last_error="the clock that claimed it stopped before sending, and the grace window has passed",
            )
        )
    return keys


def next_retry(session: Session, *, kinds: list[str], after: dt.datetime) -> dt.datetime | None:
    """The earliest instant after `after` that a failed send of `kinds` may be tried
    again, as its platform asked (for the clock's trigger)."""
    query = (
        select(Send.retry_at)
        .where(col(Send.status) == SendStatus.FAILED, col(Send.kind).in_(kinds), col(Send.retry_at) > after)
        .order_by(col(Send.retry_at))
        .limit(1)
    )
    return session.exec(query).first()


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
    retry_at: dt.datetime | None = None,
) -> bool:
    """Record the outcome of our own claim; False if another process took it over meanwhile.

    `retry_at` (a failed send): not before then, as the platform asked (Retry-After)."""
    params: dict[str, object] = {"b_key": key, "b_by": by, "b_status": status, "b_error": error, "b_retry_at": retry_at}
    if status == SendStatus.SENT:
        params.update(b_sent_at=at, b_platform=platform, b_channel=channel, b_message_id=message_id)
    result = session.execute(_FINISH_SENT if status == SendStatus.SENT else _FINISH, params)
    return cast("CursorResult[Any]", result).rowcount == 1


def _finish_statement(*, sent: bool) -> Any:
    """`finish`'s UPDATE, built once per shape: the values are bound when it runs."""
    table = cast(Any, Send).__table__
    values: dict[str, Any] = {
        "status": bindparam("b_status"),
        "attempts": table.c.attempts + 1,
        "last_error": bindparam("b_error"),
        "retry_at": bindparam("b_retry_at", type_=table.c.retry_at.type),
    }
    if sent:
        values.update(
            sent_at=bindparam("b_sent_at", type_=table.c.sent_at.type),
            platform=bindparam("b_platform"),
            channel=bindparam("b_channel"),
            message_id=bindparam("b_message_id"),
        )
    return (
        update(table)
        .where(table.c.key == bindparam("b_key"), table.c.claimed_by == bindparam("b_by"), table.c.status == SendStatus.CLAIMED)
        .values(**values)
    )


_FINISH = _finish_statement(sent=False)
_FINISH_SENT = _finish_statement(sent=True)


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
