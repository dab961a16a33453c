"""The reconcile: 'what should have gone out by now and has not?', then send it.

For each planned send that is due, in due order:
- already in the ledger: nothing, unless it failed (or its claimer died) and is
  still inside the grace window: then it is taken over and tried again;
- due longer ago than the plan's `grace_hours`, or its meeting has begun:
  recorded as missed, never sent late;
- nobody to send it to (inactive lead, no deputy): recorded as skipped;
- otherwise claimed (a unique INSERT, committed before anything is sent), sent
  through the chat port, and marked sent or failed.

Only sends due since the job's last reconcile (or within the grace window, on
the very first run) are considered, so a clock started mid-year does not
record a year of history as missed. Two processes running the same reconcile
split the sends between them: whichever INSERT lands first sends.

Sends go out through a small pool of sender threads (`SENDERS`), each one a
claimant like another clock process: it claims a send before making it and
records how it went, so the ledger's unique key keeps every send to one. The
sends are taken in an order that interleaves people (everyone's first, then
everyone's second, ...), so one person's several prompts are spread out instead
of queuing on their DM channel's one-a-second limit. The outcomes are reported
in the planned order, as before. See docs/schedules.md, "Sending in parallel".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.ports import ChatPort, OutcomeUnknown, Recipient, RecipientGone, SendFailed, SentMessage, send_in
from bot.core.replies import Reply
from schedules.compose import CannotCompose, Cards, cards_for, compose
from schedules.planner import JOB_NAMES, JOBS, Job, PlannedSend, Window, planned
from schedules.world import World, load_world
from storage.db import read_scope, session_scope
from storage.handles import remember_handle
from storage.models import Send, SendStatus
from schedules.claimers import read_claimers
from storage.sends import (
    BEAT_EVERY,
    NOBODY,
    Claimers,
    LedgerEntry,
    advance_mark,
    beat,
    claim,
    expire_stale_claims,
    finish,
    get_mark,
    place_key,
    reclaim,
    retryable,
)

logger = logging.getLogger(__name__)

SENDERS = 8
"""Sender threads on PostgreSQL. A send waits on a platform round trip or two and three
short write transactions (the claim; a DM channel the first time; the mark), and the
reconcile reads routes and item cards for all its sends up front, so a few threads keep
a platform's workspace budget busy (about 116 Slack prompts a second on two cores); 8
leave room for a slower server. Each holds at most one database connection at a time,
within SQLAlchemy's default pool (5, plus 10 overflow)."""
SQLITE_SENDERS = 4
"""On SQLite only one transaction writes at a time (the others queue on the busy
timeout), so more threads only wait; 4 still overlap the platform's round trips."""


def senders_for(engine: Engine) -> int:
    return SQLITE_SENDERS if engine.dialect.name == "sqlite" else SENDERS


def interleaved(sends: Sequence[PlannedSend]) -> list[int]:
    """The order one sender takes them in, as indexes into `sends`: each person's sends keep
    their order, and one person's are spread as far apart as the others allow (round robin)."""
    turns = _Turns(sends)
    order: list[int] = []
    while (turn := turns.take()) is not None:
        order.append(turn[1])
        turns.done(turn[0])
    return order


class _Turns:
    """Hands out the sends round robin by person, one person's at a time: a person's next
    send is handed out only once their last is done, so their messages arrive in order and
    no two threads wait on one DM channel."""

    def __init__(self, sends: Sequence[PlannedSend]) -> None:
        self._queues: dict[str, deque[int]] = {}
        for index, send in enumerate(sends):
            self._queues.setdefault(send.person_id, deque()).append(index)
        self._ready = deque(self._queues)
        self._busy = 0
        self._changed = threading.Condition()
        self.closed = False

    def take(self) -> tuple[str, int] | None:
        """(person, index) of the next send; None when every send is handed out (or closed)."""
        with self._changed:
            while not self._ready and self._busy and not self.closed:
                self._changed.wait()
            if not self._ready or self.closed:
                return None
            person = self._ready.popleft()
            self._busy += 1
            return person, self._queues[person].popleft()

    def done(self, person: str) -> None:
        with self._changed:
            self._busy -= 1
            if self._queues[person]:
                self._ready.append(person)
            self._changed.notify_all()

    def close(self) -> None:
        """No more sends are handed out (a stop, or an error)."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    @property
    def left(self) -> bool:
        return any(self._queues.values())


def clock_id() -> str:
    """Who claimed a send, for the ledger and the logs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Outcome:
    send: PlannedSend
    status: SendStatus
    at: dt.datetime
    error: str = ""


class UnknownJob(ValueError):
    pass


def job_names(name: str) -> tuple[str, ...]:
    if name == "all":
        return JOB_NAMES
    if name not in JOBS:
        raise UnknownJob(f"no job '{name}': the jobs are {', '.join(JOB_NAMES)}, or all")
    return (name,)


class Reconciler:
    """Runs reconciles for one process; `by` names it in the ledger. Setting
    `stopping` ends a reconcile between two sends (the clock's SIGTERM)."""

    def __init__(
        self, engine: Engine, port: ChatPort, clock: Clock, *, by: str | None = None, senders: int | None = None
    ) -> None:
        self.engine = engine
        self.port = port
        self.clock = clock
        self.by = by or clock_id()
        self.senders = max(1, senders if senders is not None else senders_for(engine))
        self.stopping = threading.Event()
        self._claimers = NOBODY
        """Who holds claims and which are dead, as read at the start of the running job."""
        self._posting: dict[str, threading.Lock] = {}
        self._posting_guard = threading.Lock()
        self._beaten = dt.datetime.min.replace(tzinfo=dt.UTC)

    def _beat(self, session: Session, *, now: dt.datetime | None = None) -> None:
        """Show this claimer is alive (real time), at most every BEAT_EVERY: its claims
        are then never taken over as orphans."""
        now = now or dt.datetime.now(dt.UTC)
        if now - self._beaten >= BEAT_EVERY:
            self._beaten = now
            beat(session, by=self.by, at=now)

    def _posting_lock(self, key: str) -> threading.Lock:
        """One sender at a time per channel post: the others wait for its outcome (a failed
        post means a DM each) instead of reading its claim as a post made."""
        with self._posting_guard:
            return self._posting.setdefault(key, threading.Lock())

    def run(self, name: str) -> list[Outcome]:
        """Reconcile one job, or every job ('all'): the plan is read once, the ledger before each job."""
        names = job_names(name)
        with session_scope(self.engine) as session:
            world = load_world(session, kinds=[])
        if world is None:
            return []
        outcomes: list[Outcome] = []
        for job in names:
            outcomes += self.run_job(world, JOBS[job])
        return outcomes

    def run_job(self, world: World, job: Job) -> list[Outcome]:
        now = self.clock.now()
        late = now - dt.timedelta(hours=world.cal.schedule.grace_hours)
        real = dt.datetime.now(dt.UTC)
        sweep = getattr(self.port, "new_sweep", None)
        if sweep is not None:
            sweep()  # look-ups read history afresh for the claims judged orphaned below
        with session_scope(self.engine) as session:
            self._beaten = dt.datetime.min.replace(tzinfo=dt.UTC)
            self._beat(session, now=real)
            claimers = self._claimers = read_claimers(session, me=self.by, now=real)
            for key in expire_stale_claims(session, due_before=late, at=now, claimers=claimers):
                logger.warning("%s may not have arrived: the clock that claimed it stopped mid-send, past the grace window", key)
            world.read_ledger(session, kinds=list(job.reads))
            mark = get_mark(session, job=job.name)
        floor = min(mark, late) if mark is not None else late
        sends = list(planned(world, job, Window(floor, now)))
        results: dict[int, Outcome] = {}
        due = [s for s in sends if (row := world.ledger.get(s.slot)) is None or retryable(row, at=now, claimers=claimers)]
        with read_scope(self.engine) as session:
            cards = cards_for(session, world, due)
        hold = getattr(self.port, "held_routes", None)
        people = {s.person_id: world.people[s.person_id] for s in due if s.person_id in world.people}
        with hold(people.values()) if hold is not None and people else nullcontext():
            finished = self._send_all(sends, lambda send: self._decide(world, send, now, late, cards, claimers), results)
        outcomes = [results[index] for index in sorted(results)]
        if not finished:
            return outcomes
        with session_scope(self.engine) as session:
            advance_mark(session, job=job.name, at=now)
        return outcomes

    def _send_all(self, sends: Sequence[PlannedSend], decide: Callable[[PlannedSend], Outcome | None], results: dict[int, Outcome]) -> bool:
        """Decide every send, interleaved by person, on up to `senders` threads; each
        outcome goes into `results` under its planned index. False when `stopping` cut it
        short. The first error stops the others taking new sends, and is raised."""
        turns = _Turns(sends)
        failed: list[BaseException] = []

        def sender() -> None:
            while not self.stopping.is_set() and (turn := turns.take()) is not None:
                person, index = turn
                try:
                    outcome = decide(sends[index])
                except BaseException as exc:
                    failed.append(exc)
                    turns.close()
                    return
                finally:
                    turns.done(person)
                if outcome is not None:
                    logger.info(
                        "%s %s (due %s)%s",
                        outcome.status,
                        outcome.send.key,
                        outcome.send.due.isoformat(),
                        f": {outcome.error}" if outcome.error else "",
                    )
                    results[index] = outcome
            turns.close()

        threads = min(self.senders, len(sends))
        if threads <= 1:
            sender()
        else:
            with ThreadPoolExecutor(threads, thread_name_prefix="planbot-sender") as pool:
                for running in [pool.submit(sender) for _ in range(threads)]:
                    running.result()
        if failed:
            raise failed[0]
        return not turns.left

    def _decide(
        self, world: World, send: PlannedSend, now: dt.datetime, late: dt.datetime, cards: Cards, claimers: Claimers = NOBODY
    ) -> Outcome | None:
        too_late = send.due < late or (send.deadline is not None and now > send.deadline)
        row = world.ledger.get(send.slot)
        if row is not None:
            if too_late or not retryable(row, at=now, claimers=claimers):
                return None
            orphan = row if row.status == SendStatus.CLAIMED else None
            return self._attempt(world, dataclasses.replace(send, person_id=row.person_id), retry=True, cards=cards, orphan=orphan)
        if send.skip:
            return self._record(send, SendStatus.SKIPPED, send.skip)
        if too_late:
            return self._record(send, SendStatus.MISSED, _missed_because(send, now, late))
        return self._attempt(world, send, retry=False, cards=cards)

    def _record(self, send: PlannedSend, status: SendStatus, error: str) -> Outcome | None:
        at = self.clock.now()
        with session_scope(self.engine) as session:
            won = _claim(session, send, by=self.by, at=at, status=status, error=error)
        return Outcome(send, status, at, error) if won else None

    def _attempt(
        self, world: World, send: PlannedSend, *, retry: bool, cards: Cards | None = None, orphan: LedgerEntry | None = None
    ) -> Outcome | None:
        """Claim the send (or take over a failed or orphaned one), send it, record how it went.
        An orphan's claimer may have posted before it died: the port looks first."""
        at = self.clock.now()
        with Session(self.engine, expire_on_commit=False) as session:
            self._beat(session)
            won = (
                reclaim(session, key=send.key, by=self.by, at=at, orphan_of=orphan.claimed_by if orphan else None)
                if retry
                else _claim(session, send, by=self.by, at=at)
            )
            session.commit()
            if not won:
                return None
            status, error, sent, reply, retry_at = SendStatus.FAILED, "", None, None, None
            person = world.people.get(send.person_id)
            together = False
            try:
                if person is None:
                    raise CannotCompose(f"{send.person_id} is no longer in the plan")
                reply = compose(session, world, send, at, cards)
                session.rollback()
                recipient = Recipient(
                    person.id,
                    person.name,
                    person.slack,
                    person.teams,
                    send_key=send.key,
                    unsure_since=orphan.claimed_at if orphan is not None else None,
                )
                sent = self._in_place(world, send, recipient, reply) if send.kind in PLACE_KINDS else None
                if sent is None:
                    sent = send_in(self.port, session, recipient, reply)
                    together = sent is not None
                if sent is None:
                    sent = self.port.send(recipient, reply)
                status = SendStatus.SENT
            except CannotCompose as exc:
                status, error = SendStatus.SKIPPED, str(exc)
            except OutcomeUnknown as exc:
                status, error = SendStatus.UNKNOWN, f"may not have arrived, so it was not sent again: {exc}"
            except RecipientGone as exc:
                status, error = (
                    SendStatus.SKIPPED,
                    f"{person.name if person else send.person_id} cannot be reached: {exc}",
                )
            except SendFailed as exc:
                status, error = (SendStatus.FAILED if exc.retryable else SendStatus.SKIPPED), str(exc)
                if exc.retryable and exc.retry_after:
                    retry_at = self.clock.now() + dt.timedelta(seconds=exc.retry_after)
                    error = f"{error} (the platform asked to wait {exc.retry_after:g} s)"
            except Exception as exc:
                logger.exception("sending %s failed", send.key)
                status, error = SendStatus.FAILED, f"{type(exc).__name__}: {exc}"
            if not together:
                session.rollback()
            done = self.clock.now()
            recorded = finish(
                session,
                key=send.key,
                by=self.by,
                status=status,
                at=done,
                error=error,
                platform=sent.platform if sent else None,
                channel=sent.channel if sent else None,
                message_id=sent.message_id if sent else None,
                retry_at=retry_at,
            )
            if not recorded and together:
                session.rollback()  # the message goes with the mark: the clock that took it over sends it
                sent = None
            if not recorded:
                logger.warning(
                    "%s: another clock took this send over while it was being sent; its outcome here (%s) is not recorded",
                    send.key,
                    status,
                )
                error = f"{error}; not recorded: another clock had taken it over".lstrip("; ")
            if sent is not None and reply is not None and reply.key:
                remember_handle(
                    session,
                    key=reply.key,
                    platform=sent.platform,
                    channel=sent.channel,
                    message_id=sent.message_id,
                    person_id=send.person_id,
                    at=done,
                )
            session.commit()
        return Outcome(send, status, done, error)


    def _in_place(self, world: World, send: PlannedSend, recipient: Recipient, reply: Reply) -> SentMessage | None:
        """Post a brief once in each coordinators' channel the plan names (each post claimed
        under its own key, so a restart or a second clock never posts it again); the handle
        of a post that reaches this coordinator, or None to send them a DM as before."""
        post = getattr(self.port, "send_to_place", None)
        if post is None or not world.coordinator_places:
            return None
        posted = {
            platform: sent
            for platform, place in sorted(world.coordinator_places.items())
            if (sent := self._post_once(post, send, platform, place, reply)) is not None
        }
        if not posted:
            return None
        platforms_of = getattr(self.port, "platforms_of", None)
        reachable = platforms_of(recipient) if platforms_of is not None else set(posted)
        return next((sent for platform, sent in posted.items() if platform in reachable), None)

    def _post_once(
        self, post: Callable[..., SentMessage], send: PlannedSend, platform: str, place: str, reply: Reply
    ) -> SentMessage | None:
        """The channel's post for this occurrence: made now if nobody has claimed it, else what
        the ledger says; a dead clock's claim is taken over and looked up before posting."""
        key = place_key(kind=send.kind, platform=platform, place=place, occurrence=send.occurrence)
        with self._posting_lock(key), Session(self.engine, expire_on_commit=False) as session:
            unsure_since = None
            row = session.get(Send, key)
            if row is not None and self._claimers.orphaned(row, at=self.clock.now()):
                unsure_since = row.claimed_at
                won = reclaim(session, key=key, by=self.by, at=self.clock.now(), orphan_of=row.claimed_by)
            else:
                won = row is None and claim(
                    session,
                    key=key,
                    kind=send.kind,
                    person_id=send.person_id,
                    item_number=None,
                    occurrence=send.occurrence,
                    due=send.due,
                    by=self.by,
                    at=self.clock.now(),
                )
            session.commit()
            if not won:
                row = session.get(Send, key)
                if row is None or row.status not in (SendStatus.SENT, SendStatus.CLAIMED, SendStatus.UNKNOWN):
                    return None  # it failed: everyone gets a DM instead
                # CLAIMED: another clock is posting it right now; posting again would send it twice
                return SentMessage(row.platform or platform, row.channel or place, row.message_id or "")
            sent, status, error = None, SendStatus.SKIPPED, ""
            try:
                sent = post(platform, place, reply, key, unsure_since)
                status = SendStatus.SENT
            except OutcomeUnknown as exc:  # it may be there: DMs on top would say it twice
                status, error = SendStatus.UNKNOWN, f"may not have arrived, so it was not posted again: {exc}"
            except SendFailed as exc:
                error = f"{exc}; sent to each coordinator by DM instead"
                if isinstance(exc, RecipientGone) and platform == "slack":
                    error = f"the bot is not a member of it ({exc}): invite it with /invite @Planbot. {error}"
                elif isinstance(exc, RecipientGone):
                    error = f"the bot cannot post there ({exc}): add the Planbot app to that chat or team, or @mention it there once. {error}"
            except Exception as exc:
                logger.exception("posting %s failed", key)
                error = f"{type(exc).__name__}: {exc}; sent to each coordinator by DM instead"
            if status is not SendStatus.SENT:
                logger.warning("%s: %s", key, error)
            finish(
                session,
                key=key,
                by=self.by,
                status=status,
                at=self.clock.now(),
                error=error,
                platform=sent.platform if sent else None,
                channel=sent.channel if sent else None,
                message_id=sent.message_id if sent else None,
            )
            session.commit()
        return SentMessage(platform, place, "") if status is SendStatus.UNKNOWN else sent


PLACE_KINDS = frozenset({"pre-call-brief", "board-summary"})
"""What goes to the plan's coordinators' channel, when it names one, instead of a DM each."""

MEETING_KINDS = {"pre-call-prompt", "pre-call-brief", "board-reminder", "board-summary"}


def _missed_because(send: PlannedSend, now: dt.datetime, late: dt.datetime) -> str:
    if send.due < late:
        hours = int((now - send.due).total_seconds() // 3600)
        return f"{hours} hours late, past the grace window: the clock was not running when it fell due"
    return "its meeting had begun" if send.kind in MEETING_KINDS else "the plan year had ended"


def _claim(
    session: Session,
    send: PlannedSend,
    *,
    by: str,
    at: dt.datetime,
    status: SendStatus = SendStatus.CLAIMED,
    error: str = "",
) -> bool:
    return claim(
        session,
        key=send.key,
        kind=send.kind,
        person_id=send.person_id,
        item_number=send.item_number,
        occurrence=send.occurrence,
        due=send.due,
        by=by,
        at=at,
        status=status,
        error=error,
    )
