"""Naming a reporting period the way people write it, in every command that takes one.

'2019-Q3', 'Q3', 'q3 2019', 'Q3/2019', '2019 Q3', 'Q3 2019-20' and '2025-H1' all
name a period of the plan year; the year, when given, is the plan year's first
year, as in the period's key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from bot.core.errors import NotFound
from storage.models import Period

_SEPARATORS = r"[\s,_/.-]*"
_YEAR_RANGE = r"(?:[-/](?:\d{4}|\d{2}))?"  # '2019-20', '2019/2020': the plan year's first year counts
PERIOD_WORDS = re.compile(
    rf"(?:(?<![\w-])(?P<y1>\d{{4}}){_YEAR_RANGE}{_SEPARATORS})?"
    r"(?<![a-z])(?P<letter>[qhmyp])[\s_.-]?(?P<index>\d{1,2})"
    rf"(?:{_SEPARATORS}(?P<y2>\d{{4}}){_YEAR_RANGE})?(?!\w)",
    re.IGNORECASE,
)
"""A period's words inside a command ('3 q2 2019'), or the whole of a period argument."""


def find_period(periods: Sequence[Period], text: str) -> Period | None:
    """The period `text` names, or None; a period named without its year must be the only one so named."""
    wanted = text.strip()
    found = PERIOD_WORDS.fullmatch(wanted)
    if found is None:
        return next((p for p in periods if p.key.lower() == wanted.lower()), None)
    suffix = f"{found['letter'].upper()}{int(found['index'])}"
    year = found["y1"] or found["y2"]
    matches = [
        p for p in periods
        if p.key.rpartition("-")[2].upper() == suffix and (year is None or p.key.rpartition("-")[0] == year)
    ]
    return matches[0] if len(matches) == 1 else None


def current_period(periods: Sequence[Period], today: dt.date) -> Period:
    """The period containing today; outside the plan year, the nearest one, so a command
    without a period still means something before the year starts and after it ends."""
    if not periods:
        raise NotFound("The loaded plan has no reporting periods. A coordinator can reload it with `planbot plan load FILE`.")
    for period in periods:
        if period.start <= today <= period.end:
            return period
    return periods[-1] if today > periods[-1].end else periods[0]
