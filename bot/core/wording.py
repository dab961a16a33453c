"""Words that depend on the loaded plan, so any plan reads as its own.

The bundled plan's leads send asks to CLGU, report quarterly and name periods
like 2019-Q2; another plan may have none of that. Everything a user reads that
names the counterpart, the return, a period or a date example comes from here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from storage.models import Period, Person, Plan

_RETURN_NAMES = {
    1: "monthly return",
    3: "quarterly return",
    6: "half-year return",
    12: "annual return",
}


def or_list(words: Sequence[str]) -> str:
    """'A', 'A or B', 'A, B or C': a choice as people say it."""
    return _spoken(words, "or")


def and_list(words: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return _spoken(words, "and")


def _spoken(words: Sequence[str], joiner: str) -> str:
    words = list(words)
    if len(words) <= 1:
        return words[0] if words else ""
    return ", ".join(words[:-1]) + f" {joiner} " + words[-1]


def clip(text: str, limit: int) -> str:
    """At most `limit` characters on one line, cut between words with an ellipsis, so a label,
    cell or bullet stays on its line and no word is cut in half (unless one word fills it)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    at_word = text[:limit].rpartition(" ")[0]
    if len(at_word) >= limit // 2:
        cut = at_word
    return cut.rstrip(" ,;:-–") + "…"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """'1 item', '3 items': a count with its noun agreeing."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _plan_section(plan: Plan | None) -> dict[str, object]:
    section = (plan.document or {}).get("plan") if plan is not None else None
    return section if isinstance(section, dict) else {}


def asks_of(plan: Plan | None) -> str | None:
    """Who leads send asks to (the plan's `asks_of`, e.g. 'CLGU'), or None."""
    value = _plan_section(plan).get("asks_of")
    return str(value) if value else None


def blockers_question(asks: str | None) -> str:
    return f"Any blockers, or asks of {asks}?" if asks else "Any blockers or asks?"


def blockers_phrase(asks: str | None) -> str:
    """'blockers or asks of CLGU', to sit inside a sentence."""
    return f"blockers or asks of {asks}" if asks else "blockers or asks"


def blockers_label(asks: str | None) -> str:
    phrase = blockers_phrase(asks)
    return phrase[0].upper() + phrase[1:]


def blockers_help(asks: str | None) -> str:
    return (
        f"Anything in the way, or anything you need from {asks}?"
        if asks
        else "Anything in the way, or anything you need?"
    )


def period_months(plan: Plan | None) -> int:
    value = _plan_section(plan).get("period_months", 3)
    return value if isinstance(value, int) else 3


def return_name(plan: Plan | None) -> str:
    """'quarterly return' for three-month periods, 'half-year return' for six, and so on."""
    return _RETURN_NAMES.get(period_months(plan), "return")


def _example_period(periods: Sequence[Period]) -> Period | None:
    """The plan's second period (an 'earlier one' in most of the year), else its first."""
    return periods[min(1, len(periods) - 1)] if periods else None


def period_example(periods: Sequence[Period]) -> str:
    """'2019-Q2 or just Q2' from the plan's own periods."""
    period = _example_period(periods)
    if period is None:
        return "a period key such as 2025-H1 or 2019-Q2"
    return f"{period.key} or just {period.key.rpartition('-')[2]}"


def period_spellings(periods: Sequence[Period]) -> str:
    """'Q2 or q2 2019': the other ways to name the plan's example period."""
    period = _example_period(periods)
    if period is None:
        return "Q2 or q2 2019"
    year, _, short = period.key.rpartition("-")
    return f"{short} or {short.lower()} {year}"


def example_day(after: dt.date) -> dt.date:
    """The last day of the month after `after`: a plausible new date for a slipped milestone."""
    year, month = (
        (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
    )
    return dt.date(year, month, calendar.monthrange(year, month)[1])


class Labelled(Protocol):
    """A stored period or the scheduler's PeriodSpan: anything with a period label."""

    @property
    def label(self) -> str: ...


def short_label(period: Labelled) -> str:
    """'Q3 2019-20' from 'Q3 2019-20 (Oct–Dec 2019)'."""
    return period.label.split(" (", 1)[0]


def date_text(day: dt.date) -> str:
    """'31 Jan 2020'."""
    return f"{day.day} {day:%b %Y}"


def slash_date(day: dt.date) -> str:
    """'31/01/2020': day first, as the plan's users write dates."""
    return f"{day:%d/%m/%Y}"


def date_examples(after: dt.date) -> str:
    """'31/01/2020, 2020-01-31, 31 Jan 2020, Jan 2020 or end of Jan', for the month after `after`."""
    day = example_day(after)
    return f"{slash_date(day)}, {day.isoformat()}, {date_text(day)}, {day:%b %Y} or end of {day:%b}"


def day_text(day: dt.date) -> str:
    """'Tue 31 Dec 2019'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def when_text(local: dt.datetime) -> str:
    """'Thu 21 Nov 2019, 10:00' (a local time)."""
    return f"{day_text(local.date())}, {local:%H:%M}"


def role_text(person: Person) -> str:
    """'coordinator and area lead': what the plan's roles make a person, for /help and the shell."""
    roles = [r for r, has in (("coordinator", person.is_coordinator), ("area lead", person.is_lead)) if has]
    return " and ".join(roles) or "plan member"
