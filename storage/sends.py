"""Writing the send ledger: claim first, then send, then record what happened.

A claim is an INSERT of the send's unique key, so when two clock processes race
for the same send exactly one INSERT succeeds. Each claiming process beats
(`beat`, in real time) while it works; a claim whose claimer has stopped beating
for `ORPHAN_AFTER` (or is a dead process on this host) is an orphan, taken over
(a compare-and-set UPDATE) and resolved by the reconcile: looked up where the
platform allows, then sent or reported. A claimer that never beat (an older
version) is presumed dead once its claim is older than CLAIM_LEASE. A failed send
(one the platform certainly did not take) is taken over the same way to retry it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, cast

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import ClockBeat, ReconcileMark, Send, SendStatus
from storage.upserts import insert_for_person

CLAIM_LEASE = dt.timedelta(minutes=10)
ORPHAN_AFTER = dt.timedelta(seconds=60)
"""A claimer silent this long (real time) is dead: its claims are orphans."""
BEAT_EVERY = dt.timedelta(seconds=15)
"""How often a working claimer beats (well inside ORPHAN_AFTER)."""
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
    claimed_by: str
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


class Claimers(NamedTuple):
    """Who holds claims, as the reconcile sees them: `dead` ones' claims are orphans;
    `beating` ones are alive (their claims are never taken over, however old)."""

    dead: frozenset[str]
    beating: frozenset[str]
    orphans_at: dt.datetime | None = None
    """When (real time) the earliest beating claimer would count as dead if it beat no more."""

    def orphaned(self, row: LedgerEntry | Send, *, at: dt.datetime) -> bool:
        """A claim whose claimer died (or, never having beaten, is older than the lease)."""
        if row.status != SendStatus.CLAIMED:
            return False
        if row.claimed_by in self.dead:
            return True
        return row.claimed_by not in self.beating and row.claimed_at < at - CLAIM_LEASE


NOBODY = Claimers(frozenset(), frozenset())


def beat(session: Session, *, by: str, at: dt.datetime) -> None:
    """This claimer is alive at `at` (real time)."""
    insert_for_person(session, ClockBeat, {"by": by, "beat_at": at}, person_id=None, conflict=["by"], update=["beat_at"])


def beats(session: Session) -> dict[str, dt.datetime]:
    """When each claimer last beat (the table holds one row per process that ever claimed)."""
    return {row.by: row.beat_at for row in session.exec(select(ClockBeat))}


def claimants(session: Session) -> list[str]:
    """Who holds a claim now."""
    return list(session.exec(select(Send.claimed_by).where(col(Send.status) == SendStatus.CLAIMED).distinct()))


def reclaim(session: Session, *, key: str, by: str, at: dt.datetime, orphan_of: str | None = None) -> bool:
    """Take over a failed send (once its platform's retry-after has passed), or an
    orphaned claim (`orphan_of`: its dead claimer, or a claim past the lease), to resolve it."""
    stale = at - CLAIM_LEASE
    orphan = and_(col(Send.status) == SendStatus.CLAIMED, col(Send.claimed_at) < stale)
    if orphan_of is not None:
        orphan = or_(orphan, and_(col(Send.status) == SendStatus.CLAIMED, col(Send.claimed_by) == orphan_of))
    result = session.execute(
        update(Send)
        .where(
            col(Send.key) == key,
            or_(
                and_(
                    col(Send.status) == SendStatus.FAILED,
                    or_(col(Send.retry_at).is_(None), col(Send.retry_at) <= at),
                ),
                orphan,
            ),
        )
        .values(status=SendStatus.CLAIMED, claimed_by=by, claimed_at=at)
    )
    return cast("CursorResult[Any]", result).rowcount == 1


def retryable(row: LedgerEntry, *, at: dt.datetime, claimers: Claimers = NOBODY) -> bool:
    if row.status == SendStatus.FAILED:
        return row.retry_at is None or row.retry_at <= at
    return claimers.orphaned(row, at=at)


def expire_stale_claims(session: Session, *, due_before: dt.datetime, at: dt.datetime, claimers: Claimers = NOBODY) -> list[str]:
    """Orphaned claims now past the grace window: their claimer may have posted before it
    died, so they are recorded as unknown ("may not have arrived"), never sent late, and
    coordinators see them in /plan-schedule. Returns their keys."""
    rows = session.exec(
        select(Send).where(col(Send.status) == SendStatus.CLAIMED, col(Send.due) < due_before)
    ).all()
    keys = []
    for row in rows:
        if not claimers.orphaned(row, at=at):
            continue
        taken = session.execute(
            update(Send)
            .where(col(Send.key) == row.key, col(Send.status) == SendStatus.CLAIMED, col(Send.claimed_by) == row.claimed_by)
            .values(
                status=SendStatus.UNKNOWN,
                last_error="the clock that claimed it stopped mid-send and the grace window has passed: it may not have arrived",
            )
        )
        if cast("CursorResult[Any]", taken).rowcount == 1:
            keys.append(row.key)
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
            col(Send.status).in_([SendStatus.MISSED, SendStatus.FAILED, SendStatus.SKIPPED, SendStatus.UNKNOWN]),
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
