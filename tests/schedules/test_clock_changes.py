"""The weeks of both clock changes (27 Oct 2019: BST to GMT; 29 Mar 2020: GMT to
BST), with the clock reconciling every hour on the hour in UTC: each send goes
out once, at the plan's local time, not an hour early or late."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from schedules.preview import preview
from schedules.reconcile import Reconciler
from storage.db import session_scope
from tests.schedules.conftest import LONDON, RecordingPort, ledger, load_variant, london

UTC = dt.UTC


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    """SQLite only: the clock-change arithmetic does not depend on the engine (the ledger
    runs on both in test_two_clocks and test_kill_mid_fanout)."""
    return sqlite_db_url


def run_hourly(
    reconciler: Reconciler, clock: FixedClock, jobs: list[str], start: dt.datetime, end: dt.datetime
) -> None:
    clock.at = start
    while clock.at < end:
        for job in jobs:
            reconciler.run(job)
        clock.advance(hours=1)


def local_times(engine: Engine, **where: Any) -> Counter[tuple[str, str]]:
    return Counter(
        (r.kind, r.sent_at.astimezone(LONDON).strftime("%a %d %b %H:%M %Z")) for r in ledger(engine, **where)
    )


@pytest.mark.slow
def test_october_change_week(reconciler: Reconciler, clock: FixedClock, plan_engine: Engine) -> None:
    run_hourly(
        reconciler, clock, ["pre-call"], dt.datetime(2019, 10, 22, tzinfo=UTC), dt.datetime(2019, 11, 1, tzinfo=UTC)
    )

    assert local_times(plan_engine) == Counter(
        {
            ("pre-call-prompt", "Wed 23 Oct 10:00 BST"): 4,
            ("pre-call-brief", "Thu 24 Oct 09:00 BST"): 2,
            ("pre-call-prompt", "Wed 30 Oct 10:00 GMT"): 4,
            ("pre-call-brief", "Thu 31 Oct 09:00 GMT"): 2,
        }
    )
    assert all(r.sent_at == r.due for r in ledger(plan_engine))


@pytest.mark.slow
def test_march_change_week(reconciler: Reconciler, clock: FixedClock, plan_engine: Engine) -> None:
    run_hourly(
        reconciler,
        clock,
        ["chasers", "pre-call"],
        dt.datetime(2020, 3, 23, tzinfo=UTC),
        dt.datetime(2020, 4, 1, tzinfo=UTC),
    )

    assert local_times(plan_engine) == Counter(
        {
            ("chaser", "Mon 23 Mar 09:00 GMT"): 7,
            ("pre-call-prompt", "Wed 25 Mar 10:00 GMT"): 4,
            ("chaser", "Thu 26 Mar 09:00 GMT"): 7,
            ("pre-call-brief", "Thu 26 Mar 09:00 GMT"): 2,
            ("chaser", "Tue 31 Mar 09:00 BST"): 7,
        }
    )
    assert sorted({r.occurrence for r in ledger(plan_engine, kind="chaser")}) == ["2019-Q4"]


def test_a_prompt_hours_before_the_call_moves_back_to_the_last_working_day(engine: Engine, port: RecordingPort) -> None:
    """A Tuesday 09:30 call, leads asked 24 hours before: Monday, or the Friday
    before when Monday is a bank holiday; on the wall clock across the change."""

    def tuesday_call(raw: dict[str, Any]) -> None:
        call = next(m for m in raw["meetings"] if m["kind"] == "weekly-call")
        call.update(weekday="tuesday", time="09:30", cancelled=[])

    load_variant(engine, tuesday_call)
    with session_scope(engine) as session:
        _, lines = preview(session, start=london(2019, 4, 1), end=london(2020, 4, 1))
    asks = {
        line.send.occurrence: line.send.due.astimezone(LONDON).strftime("%a %d %b %H:%M %Z")
        for line in lines
        if line.send.kind == "pre-call-prompt" and line.send.person_id == "alex"
    }
    assert asks["clgu-weekly-call@2019-05-28"] == "Fri 24 May 09:30 BST"  # Mon 27 May is a bank holiday
    assert asks["clgu-weekly-call@2019-10-29"] == "Mon 28 Oct 09:30 GMT"  # the day after the change
    assert asks["clgu-weekly-call@2019-10-22"] == "Mon 21 Oct 09:30 BST"
    assert asks["clgu-weekly-call@2019-12-31"] == "Mon 30 Dec 09:30 GMT"
    assert asks["clgu-weekly-call@2019-04-23"] == "Thu 18 Apr 09:30 BST"  # Easter: Good Friday and Easter Monday
    assert len(asks) == 53  # every Tuesday from 2 Apr 2019 to 31 Mar 2020
