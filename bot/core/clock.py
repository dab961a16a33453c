"""The settable clock: real time in production, a chosen day in the shell and tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """An aware datetime."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass
class FixedClock:
    """Always the same instant (tests); `advance` moves it."""

    at: dt.datetime

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at = self.at + dt.timedelta(**delta)


@dataclass
class DayClock:
    """A chosen calendar day in a zone, with the real time of day: `--today`."""

    day: dt.date
    zone: dt.tzinfo

    def now(self) -> dt.datetime:
        real = dt.datetime.now(self.zone)
        return dt.datetime.combine(self.day, real.timetz())
