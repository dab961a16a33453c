"""Naming a reporting period the way people write it: '2019-Q1', 'Q1', 'q1 2019'."""

from __future__ import annotations

import re

from bot.core.errors import NotFound
from bot.core.wording import period_spellings
from storage.models import Period

_SHORT = re.compile(r"^([a-z])(\d{1,2})$")
_SHORT_YEAR = re.compile(r"^([a-z])(\d{1,2})(\d{4})(?:\d{2}|\d{4})?$")
_YEAR_SHORT = re.compile(r"^(\d{4})([a-z])(\d{1,2})$")


def _suffix(key: str) -> str:
    return key.rpartition("-")[2].lower()


def resolve_period(periods: list[Period], text: str) -> Period:
    """The plan-year period `text` names, or NotFound listing the periods there are."""
    squeezed = re.sub(r"[\s_/.-]+", "", text.strip().lower())
    wanted: str | None = None
    if match := _SHORT.match(squeezed):
        matches = [p for p in periods if _suffix(p.key) == f"{match[1]}{int(match[2])}"]
        if len(matches) == 1:
            return matches[0]
    elif match := _SHORT_YEAR.match(squeezed):
        wanted = f"{match[3]}{match[1]}{int(match[2])}"
    elif match := _YEAR_SHORT.match(squeezed):
        wanted = f"{match[1]}{match[2]}{int(match[3])}"
    for period in periods:
        if wanted is not None and period.key.replace("-", "").lower() == wanted:
            return period
        if period.key.lower() == text.strip().lower():
            return period
    known = ", ".join(p.key for p in periods) or "none (no plan is loaded)"
    raise NotFound(
        f"There's no period '{text.strip()}' in this plan year. "
        f"Name one of: {known} ({period_spellings(periods)} work too)."
    )


def short_name(period: Period) -> str:
    """'Q2' from '2019-Q2': what fits a chart column."""
    return period.key.rpartition("-")[2]
