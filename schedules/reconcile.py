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
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.ports import ChatPort, Recipient, RecipientGone, SendFailed, send_in
from schedules.compose import CannotCompose, compose
from schedules.planner import JOB_NAMES, JOBS, Job, PlannedSend, Window, planned
from schedules.world import World, load_world
from storage.db import session_scope
from storage.handles import remember_handle
from storage.models import SendStatus
from storage.sends import advance_mark, claim, expire_stale_claims, finish, get_mark, reclaim, retryable

logger = logging.getLogger(__name__)


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

    def __init__(self, engine: Engine, port: ChatPort, clock: Clock, *, by: str | None = None) -> None:
        self.engine = engine
        self.port = port
        self.clock = clock
        self.by = by or clock_id()
        self.stopping = threading.Event()

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
        with session_scope(self.engine) as session:
            for key in expire_stale_claims(session, due_before=late, at=now):
                logger.warning("missed %s: the clock that claimed it stopped before sending", key)
            world.read_ledger(session, kinds=list(job.reads))
            mark = get_mark(session, job=job.name)
        floor = min(mark, late) if mark is not None else late
        outcomes: list[Outcome] = []
        for send in planned(world, job, Window(floor, now)):
            if self.stopping.is_set():
                return outcomes
            outcome = self._decide(world, send, now, late)
            if outcome is not None:
                logger.info(
                    "%s %s (due %s)%s",
                    outcome.status,
                    send.key,
                    send.due.isoformat(),
                    f": {outcome.error}" if outcome.error else "",
                )
                outcomes.append(outcome)
        with session_scope(self.engine) as session:
            advance_mark(session, job=job.name, at=now)
        return outcomes

    def _decide(self, world: World, send: PlannedSend, now: dt.datetime, late: dt.datetime) -> Outcome | None:
        too_late = send.due < late or (send.deadline is not None and now > send.deadline)
        row = world.ledger.get(send.slot)
        if row is not None:
            if too_late or not retryable(row, at=now):
                return None
            return self._attempt(world, dataclasses.replace(send, person_id=row.person_id), retry=True)
        if send.skip:
            return self._record(send, SendStatus.SKIPPED, send.skip)
        if too_late:
            return self._record(send, SendStatus.MISSED, _missed_because(send, now, late))
        return self._attempt(world, send, retry=False)

    def _record(self, send: PlannedSend, status: SendStatus, error: str) -> Outcome | None:
        at = self.clock.now()
        with session_scope(self.engine) as session:
            won = _claim(session, send, by=self.by, at=at, status=status, error=error)
        return Outcome(send, status, at, error) if won else None

    def _attempt(self, world: World, send: PlannedSend, *, retry: bool) -> Outcome | None:
        at = self.clock.now()
        with Session(self.engine, expire_on_commit=False) as session:
            won = (
                reclaim(session, key=send.key, by=self.by, at=at) if retry else _claim(session, send, by=self.by, at=at)
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
                reply = compose(session, world, send, at)
                session.rollback()
                recipient = Recipient(person.id, person.name, person.slack, person.teams, send_key=send.key)
                sent = send_in(self.port, session, recipient, reply)
                together = sent is not None
                if sent is None:
                    sent = self.port.send(recipient, reply)
                status = SendStatus.SENT
            except CannotCompose as exc:
                status, error = SendStatus.SKIPPED, str(exc)
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
