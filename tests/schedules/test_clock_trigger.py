"""The clock's trigger: when APScheduler next runs a job's reconcile."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from schedules.clock import DueTrigger, OffsetClock
from schedules.planner import JOBS
from tests.schedules.conftest import london

SWEEP = dt.timedelta(minutes=15)


def test_it_fires_at_the_next_due_time(plan_engine: Engine) -> None:
    trigger = DueTrigger(plan_engine, JOBS["quarterly-prompts"], sweep=dt.timedelta(days=400))
    assert trigger.get_next_fire_time(None, london(2019, 12, 1, 12)) == london(2019, 12, 16, 9)


def test_a_due_time_that_passed_during_a_long_reconcile_fires_at_once(plan_engine: Engine) -> None:
    trigger = DueTrigger(plan_engine, JOBS["quarterly-prompts"], sweep=SWEEP)
    previous, now = london(2019, 12, 16, 8, 59, 50), london(2019, 12, 16, 9, 0, 30)
    assert trigger.get_next_fire_time(previous, now) == london(2019, 12, 16, 9)


def test_it_sweeps_at_least_every_interval(plan_engine: Engine) -> None:
    trigger = DueTrigger(plan_engine, JOBS["board"], sweep=SWEEP)
    now = london(2019, 12, 10, 12)
    assert trigger.get_next_fire_time(now, now) == now + SWEEP


def test_a_clock_started_at_a_chosen_time_fires_in_real_time(plan_engine: Engine) -> None:
    real = FixedClock(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))
    clock = OffsetClock(london(2019, 12, 16, 8, 59), real)
    trigger = DueTrigger(plan_engine, JOBS["quarterly-prompts"], offset=clock.offset, sweep=SWEEP)
    assert trigger.get_next_fire_time(None, real.now()) == real.now() + dt.timedelta(minutes=1)
    real.advance(seconds=30)
    assert clock.now() == london(2019, 12, 16, 8, 59, 30)


def test_it_wakes_when_a_silent_clocks_claims_become_orphans(plan_engine: Engine) -> None:
    """Another clock holds a claim and beat 10 s ago: if it says nothing more, its claim is an
    orphan 60 s after that beat, and this clock reconciles then, not at the next sweep."""
    from storage.db import session_scope
    from storage.sends import ORPHAN_AFTER, beat, claim

    beaten = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10)
    with session_scope(plan_engine) as session:
        claim(session, key="pre-call-prompt|alex|-|2019-11-21", kind="pre-call-prompt", person_id="alex", item_number=None,
              occurrence="2019-11-21", due=london(2019, 11, 20, 9), by="elsewhere:9:x", at=london(2019, 11, 20, 9))
        beat(session, by="elsewhere:9:x", at=beaten)
    trigger = DueTrigger(plan_engine, JOBS["board"], sweep=SWEEP, me="here:1:y")
    now = dt.datetime.now(dt.UTC)

    assert trigger.get_next_fire_time(now, now) == beaten + ORPHAN_AFTER
