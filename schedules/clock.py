"""The scheduler process (`planbot clock`).

APScheduler 3.x only decides *when* to reconcile; the send ledger decides what
goes out, so a second clock (or a restart) never sends anything twice. Each job
has a DueTrigger that fires when the plan next has something due for it, or
after `sweep` at the latest (to retry failures, release snoozes and notice a
reloaded plan). Jobs live in a MemoryJobStore: APScheduler's FAQ forbids
sharing a job store between processes, and nothing needs one.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from bot.core.clock import Clock, SystemClock
from schedules.planner import JOBS, Job, next_due_after
from schedules.reconcile import Reconciler
from schedules.retention import EVERY, RetentionJob
from schedules.world import load_world
from storage.db import session_scope
from schedules.claimers import read_claimers
from storage.sends import next_retry

logger = logging.getLogger(__name__)

SWEEP = dt.timedelta(minutes=15)


class OffsetClock:
    """Real time shifted to start at a chosen instant: `planbot clock --at` for demos and tests."""

    def __init__(self, start: dt.datetime, real: Clock | None = None) -> None:
        self.real = real or SystemClock()
        self.offset = start - self.real.now()

    def now(self) -> dt.datetime:
        return self.real.now() + self.offset


class DueTrigger(BaseTrigger):
    """Next fire time: the job's next due send, a failed send's retry-after (in the
    clock's time), the moment a silent claimer's claims become orphans (real time), or
    `sweep` from now."""

    def __init__(
        self, engine: Engine, job: Job, *, offset: dt.timedelta = dt.timedelta(), sweep: dt.timedelta = SWEEP, me: str = ""
    ) -> None:
        self.engine = engine
        self.job = job
        self.offset = offset
        self.sweep = sweep
        self.me = me

    def get_next_fire_time(self, previous_fire_time: dt.datetime | None, now: dt.datetime) -> dt.datetime:
        """Counted from the previous fire time, so what fell due while a long
        reconcile ran is not skipped: a time already past fires at once."""
        latest = now + self.sweep
        after = previous_fire_time or now
        try:
            with session_scope(self.engine) as session:
                world = load_world(session, kinds=list(self.job.reads))
                due = next_due_after(world, self.job, after + self.offset) if world is not None else None
                retry = next_retry(session, kinds=list(self.job.sends), after=after + self.offset)
                orphan = read_claimers(session, me=self.me, now=dt.datetime.now(dt.UTC)).orphans_at
        except Exception:
            logger.exception("could not work out when %s is next due; trying again in %s", self.job.name, self.sweep)
            return latest
        times = [t - self.offset for t in (due, retry) if t is not None]
        if orphan is not None:
            times.append(max(orphan, now))
        return min([*times, latest])

    def __str__(self) -> str:
        return f"due[{self.job.name}]"


class ClockProcess:
    def __init__(
        self,
        reconciler: Reconciler,
        zone: ZoneInfo,
        *,
        offset: dt.timedelta = dt.timedelta(),
        sweep: dt.timedelta = SWEEP,
        retention: RetentionJob | None = None,
    ) -> None:
        self.reconciler = reconciler
        self.retention = retention
        self.zone = zone
        self.offset = offset
        self.sweep = sweep
        self.scheduler = BlockingScheduler(
            timezone=zone,
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def reconcile(self, name: str) -> None:
        """One job's reconcile; an unexpected error is logged and the clock carries on."""
        try:
            self.reconciler.run(name)
        except Exception:
            logger.exception("the %s reconcile failed; it runs again at its next time", name)

    def prune(self) -> None:
        """The retention job; an unexpected error is logged and it runs again the next day."""
        if self.retention is None:
            return
        try:
            self.retention.run()
        except Exception:
            logger.exception("the retention prune failed; it runs again in %s", EVERY)

    def add_jobs(self, began: dt.datetime) -> None:
        """Schedule each job's reconciles, and the daily retention prune."""
        for name, job in JOBS.items():
            trigger = DueTrigger(self.reconciler.engine, job, offset=self.offset, sweep=self.sweep, me=self.reconciler.by)
            first = self.first_run(trigger, began, dt.datetime.now(self.zone))
            self.scheduler.add_job(self.reconcile, trigger, args=[name], id=name, name=name, next_run_time=first)
            logger.info("next %s reconcile at %s", name, (first + self.offset).astimezone(self.zone).isoformat())
        if self.retention is not None:
            self.scheduler.add_job(
                self.prune, IntervalTrigger(seconds=EVERY.total_seconds(), timezone=self.zone), id="retention", name="retention"
            )

    def start(self) -> None:
        """Reconcile everything (and prune) once now, then at each job's times until stopped."""
        began = dt.datetime.now(self.zone)
        for name in JOBS:
            self.reconcile(name)
        self.prune()
        self.add_jobs(began)
        signal.signal(signal.SIGTERM, self._stop)
        self.scheduler.start()

    @staticmethod
    def first_run(trigger: DueTrigger, began: dt.datetime, now: dt.datetime) -> dt.datetime:
        """The first scheduled reconcile, counted from when the start-up reconcile began (so
        nothing that fell due while it ran is skipped), but never before now: a send that
        fell due meanwhile makes it run at once, and the log never shows a time gone by."""
        return max(trigger.get_next_fire_time(began, now), now)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM. The handler runs on the main thread, which may be inside the scheduler's
        own job processing (holding its job-store lock): shutting down from here would empty
        the job store under it (APScheduler then raises `JobLookupError` and the clock exits
        1). A thread of its own waits for that lock, so the shutdown comes between passes."""
        logger.info("stopping the clock")
        self.reconciler.stopping.set()
        threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": False}, name="planbot-clock-stop", daemon=True).start()
