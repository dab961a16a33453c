"""The plan's calendar: working days, local times and meeting occurrences.

Every instant leaving this module is timezone-aware UTC; every wall-clock time
going in is read in the plan's timezone, so 10:00 is 10:00 in London on both
sides of the March and October clock changes. Working days skip weekends and
the bank holidays of the plan's region (`plan.holidays`, e.g. GB-ENG: country
GB, subdivision ENG), as the `holidays` package knows them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from sqlmodel import Session, select

from plantime.periods import PeriodSpan, period_for
from storage import queries
from storage.models import Meeting, MeetingDate
from storage.planfile import WEEKDAYS, ScheduleSpec

UTC = dt.UTC


@cache
def holiday_calendar(code: str, first_year: int, last_year: int) -> holidays.HolidayBase:
    """'GB-ENG' -> England's bank holidays; 'IE' -> Ireland's. Cached: building one is slow."""
    country, _, subdiv = code.partition("-")
    return holidays.country_holidays(country, subdiv=subdiv or None, years=range(first_year, last_year + 1))


@dataclass(frozen=True)
class MeetingOccurrence:
    """One meeting on one day; `key` names it in the send ledger and on call notes."""

    meeting_id: str
    kind: str
    title: str
    day: dt.date
    start: dt.datetime
    agenda: str | None = None

    @property
    def key(self) -> str:
        return f"{self.meeting_id}@{self.day.isoformat()}"


@dataclass
class PlanCalendar:
    zone: ZoneInfo
    year_start: dt.date
    year_end: dt.date
    schedule: ScheduleSpec
    holidays: holidays.HolidayBase
    periods: list[PeriodSpan]
    meetings: list[MeetingOccurrence]

    def at(self, day: dt.date, at: dt.time | int) -> dt.datetime:
        """The instant a local wall-clock time happens on `day` (an hour or a time)."""
        wall = at if isinstance(at, dt.time) else dt.time(at)
        return dt.datetime.combine(day, wall, tzinfo=self.zone).astimezone(UTC)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.zone)

    def local_day(self, moment: dt.datetime) -> dt.date:
        return self.local(moment).date()

    def in_year(self, moment: dt.datetime) -> bool:
        return self.year_start <= self.local_day(moment) <= self.year_end

    def is_working(self, day: dt.date) -> bool:
        return self.holidays.is_working_day(day)

    def working_day(self, day: dt.date, n: int) -> dt.date:
        """n working days after `day` (before it when n < 0); n = 0: `day`, or the next working day."""
        return self.holidays.get_nth_working_day(day, n)

    def working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days from `start` to `end`, both included (none when `end` comes first): counted
        as the schedules count them, so a deadline said in chat agrees with the prompts."""
        return self.holidays.get_working_days_count(start, end) if start <= end else 0

    def hours_before(self, meeting: MeetingOccurrence, hours: int) -> dt.datetime:
        """`hours` before a meeting on the wall clock, moved back to the previous
        working day (same time of day) if that lands on a weekend or bank holiday."""
        local_start = self.local(meeting.start).replace(tzinfo=None)
        wall = local_start - dt.timedelta(hours=hours)
        day = wall.date()
        if not self.is_working(day):
            day = self.working_day(day, -1)
        return self.at(day, wall.time())

    def weekly_calls(self) -> list[MeetingOccurrence]:
        return [m for m in self.meetings if m.kind == "weekly-call"]

    def boards(self) -> list[MeetingOccurrence]:
        return [m for m in self.meetings if m.kind == "board"]

    def period_of(self, day: dt.date) -> PeriodSpan | None:
        return period_for(self.periods, day)

    def previous_call(self, meeting: MeetingOccurrence) -> MeetingOccurrence | None:
        earlier = [m for m in self.weekly_calls() if m.meeting_id == meeting.meeting_id and m.start < meeting.start]
        return earlier[-1] if earlier else None

    def next_call(self, after: dt.datetime) -> MeetingOccurrence | None:
        return next((m for m in self.weekly_calls() if m.start > after), None)

    def meeting(self, key: str) -> MeetingOccurrence | None:
        return next((m for m in self.meetings if m.key == key), None)


def weekly_occurrences(
    meeting: Meeting, *, year_start: dt.date, year_end: dt.date, zone: ZoneInfo, bank_holidays: holidays.HolidayBase
) -> list[MeetingOccurrence]:
    """Every week's call in the plan year, less cancelled dates and bank holidays."""
    if meeting.weekday is None:
        return []
    weekday = WEEKDAYS.index(meeting.weekday)
    cancelled = {dt.date.fromisoformat(d) for d in meeting.cancelled}
    day = year_start + dt.timedelta(days=(weekday - year_start.weekday()) % 7)
    out: list[MeetingOccurrence] = []
    while day <= year_end:
        if day not in cancelled and day not in bank_holidays:
            start = dt.datetime.combine(day, meeting.time, tzinfo=zone).astimezone(UTC)
            out.append(MeetingOccurrence(meeting.id, meeting.kind, meeting.title, day, start))
        day += dt.timedelta(days=7)
    return out


def dated_occurrences(meeting: Meeting, dates: list[MeetingDate], *, zone: ZoneInfo) -> list[MeetingOccurrence]:
    return [
        MeetingOccurrence(
            meeting.id,
            meeting.kind,
            meeting.title,
            d.date,
            dt.datetime.combine(d.date, d.time or meeting.time, tzinfo=zone).astimezone(UTC),
            d.agenda,
        )
        for d in sorted(dates, key=lambda d: d.date)
    ]


def load_calendar(session: Session) -> PlanCalendar | None:
    """The loaded plan's calendar, or None when no plan is loaded."""
    plan = queries.get_plan(session)
    if plan is None:
        return None
    zone = ZoneInfo(plan.timezone)
    bank_holidays = holiday_calendar(plan.holidays, plan.year_start.year - 1, plan.year_end.year + 1)
    schedule = ScheduleSpec.model_validate(plan.document.get("schedule") or {})
    periods = [
        PeriodSpan(p.key, index, p.label, p.start, p.end)
        for index, p in enumerate(queries.plan_periods(session), start=1)
    ]
    dates: dict[str, list[MeetingDate]] = {}
    for row in session.exec(select(MeetingDate)):
        dates.setdefault(row.meeting_id, []).append(row)
    meetings: list[MeetingOccurrence] = []
    for meeting in session.exec(select(Meeting).order_by(Meeting.id)):
        if meeting.kind == "weekly-call":
            meetings += weekly_occurrences(
                meeting, year_start=plan.year_start, year_end=plan.year_end, zone=zone, bank_holidays=bank_holidays
            )
        else:
            in_year = [d for d in dates.get(meeting.id, []) if plan.year_start <= d.date <= plan.year_end]
            meetings += dated_occurrences(meeting, in_year, zone=zone)
    meetings.sort(key=lambda m: (m.start, m.meeting_id))
    return PlanCalendar(zone, plan.year_start, plan.year_end, schedule, bank_holidays, periods, meetings)
