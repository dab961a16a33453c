"""The period an export names, with the spellings of bot.core.period_names, and its short name."""

from __future__ import annotations

from bot.core.errors import NotFound
from bot.core.period_names import find_period
from bot.core.wording import period_spellings
from storage.models import Period


def resolve_period(periods: list[Period], text: str) -> Period:
    """The plan-year period `text` names, or NotFound listing the periods there are."""
    period = find_period(periods, text)
    if period is not None:
        return period
    known = ", ".join(p.key for p in periods) or "none (no plan is loaded)"
    raise NotFound(
        f"There's no period '{text.strip()}' in this plan year. "
        f"Name one of: {known} ({period_spellings(periods)} work too)."
    )


def short_name(period: Period) -> str:
    """'Q2' from '2019-Q2': what fits a chart column."""
    return period.key.rpartition("-")[2]
