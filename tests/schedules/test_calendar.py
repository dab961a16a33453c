"""The plan's calendar: working days, local times and meeting occurrences."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from storage.calendar import holiday_calendar, load_calendar, weekly_occurrences
from storage.db import session_scope
from storage.models import Meeting
from tests.schedules.conftest import london

LONDON = ZoneInfo("Europe/London")


def test_working_days_skip_weekends_and_the_regions_bank_holidays(plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        cal = load_calendar(session)
    assert cal is not None
    assert cal.working_day(dt.date(2020, 1, 1), -1) == dt.date(2019, 12, 31)
    assert cal.working_day(dt.date(2019, 12, 24), 1) == dt.date(2019, 12, 27)
    assert cal.working_day(dt.date(2019, 8, 31), 0) == dt.date(2019, 9, 2)
    assert not cal.is_working(dt.date(2019, 8, 26))  # late summer bank holiday, England


def test_working_days_are_counted_the_way_they_are_stepped(plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        cal = load_calendar(session)
    assert cal is not None
    assert cal.working_days(dt.date(2019, 12, 23), dt.date(2019, 12, 31)) == 5  # 25, 26 Dec and a weekend off
    assert cal.working_days(dt.date(2019, 12, 24), dt.date(2019, 12, 24)) == 1
    assert cal.working_days(dt.date(2019, 12, 25), dt.date(2019, 12, 25)) == 0
    assert cal.working_days(dt.date(2019, 12, 31), dt.date(2019, 12, 23)) == 0
    start = dt.date(2019, 12, 20)
    assert cal.working_days(start, cal.working_day(start, 10)) == 11


def test_scotland_has_its_own_bank_holidays() -> None:
    england, scotland = holiday_calendar("GB-ENG", 2019, 2020), holiday_calendar("GB-SCT", 2019, 2020)
    assert dt.date(2019, 8, 26) in england and dt.date(2019, 8, 26) not in scotland
    assert dt.date(2019, 8, 5) in scotland and dt.date(2019, 8, 5) not in england
    assert dt.date(2020, 1, 2) in scotland


def test_the_weekly_call_is_at_local_time_and_skips_cancelled_dates_and_bank_holidays() -> None:
    call = Meeting(
        id="call", title="Call", kind="weekly-call", weekday="monday", time=dt.time(10), cancelled=["2019-04-08"]
    )
    days = weekly_occurrences(
        call,
        year_start=dt.date(2019, 4, 1),
        year_end=dt.date(2019, 5, 31),
        zone=LONDON,
        bank_holidays=holiday_calendar("GB-ENG", 2019, 2019),
    )
    assert [o.day.isoformat() for o in days] == ["2019-04-01", "2019-04-15", "2019-04-29", "2019-05-13", "2019-05-20"]
    assert days[0].start == dt.datetime(2019, 4, 1, 9, tzinfo=dt.UTC)  # 10:00 BST
    assert days[0].key == "call@2019-04-01"


def test_board_meetings_carry_their_agenda_and_the_period_they_report_on(plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        cal = load_calendar(session)
    assert cal is not None
    boards = cal.boards()
    assert [(b.key, b.agenda) for b in boards] == [
        ("strategic-board@2019-06-21", "Review draft evidence base"),
        ("strategic-board@2019-09-20", "Quarterly Strategic Board meeting"),
        ("strategic-board@2019-12-06", "Review draft LIS"),
        ("strategic-board@2020-03-20", "Quarterly Strategic Board meeting"),
    ]
    assert boards[2].start == london(2019, 12, 6, 10)
    assert [cal.period_of(b.day).key for b in boards] == ["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4"]  # type: ignore[union-attr]
    assert len(cal.weekly_calls()) == 50
