"""Reporting periods of a plan year (quarters for the bundled plan: April-March).

Keys are stable text like '2019-Q1' (the plan year's start year, then the
period's place in it) so a period can be named in commands and exports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_LETTER = {1: "M", 3: "Q", 6: "H", 12: "Y"}


@dataclass(frozen=True)
class PeriodSpan:
    key: str
    index: int
    label: str
    start: dt.date
    end: dt.date

    @property
    def position(self) -> int:
        """A global sort key: periods of later plan years sort after earlier ones."""
        return self.start.year * 12 + self.start.month

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.month - 1 + months
    return dt.date(day.year + total // 12, total % 12 + 1, 1)


def _short_year(start: dt.date, end: dt.date) -> str:
    return f"{start.year}" if start.year == end.year else f"{start.year}-{str(end.year)[-2:]}"


def plan_periods(year_start: dt.date, year_end: dt.date, months: int = 3) -> list[PeriodSpan]:
    """Split the plan year into periods of `months` months; the last ends at year_end."""
    letter = _LETTER.get(months, "P")
    periods: list[PeriodSpan] = []
    start = year_start
    index = 1
    year_label = _short_year(year_start, year_end)
    while start <= year_end:
        next_start = _add_months(start, months)
        end = min(next_start - dt.timedelta(days=1), year_end)
        span = f"{start:%b}" if months == 1 else f"{start:%b}–{end:%b %Y}"
        label = f"{letter}{index} {year_label} ({span if months != 1 else f'{start:%b %Y}'})"
        periods.append(PeriodSpan(f"{year_start.year}-{letter}{index}", index, label, start, end))
        start = end + dt.timedelta(days=1)
        index += 1
    return periods


def period_for(periods: list[PeriodSpan], day: dt.date) -> PeriodSpan | None:
    return next((p for p in periods if p.contains(day)), None)


def same_point_in_year(year_start: dt.date, year_end: dt.date, day: dt.date) -> dt.date:
    """The date at the same month and day inside the plan year (29 Feb falls back to 28).

    Lets a terminal demo of a past plan feel current: on 26 Nov 2026 the 2019-20
    plan is shown as it stood on 26 Nov 2019.
    """
    if year_start <= day <= year_end:
        return day
    for year in (year_start.year, year_end.year):
        try:
            candidate = day.replace(year=year)
        except ValueError:
            candidate = dt.date(year, day.month, 28)
        if year_start <= candidate <= year_end:
            return candidate
    return year_end if day > year_end else year_start
