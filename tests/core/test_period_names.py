"""Every spelling of a period that any command took before takes it in every command now."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.errors import NotFound
from bot.core.period_names import PERIOD_WORDS, current_period, find_period
from storage.models import Period

QUARTERS = [
    Period(key=f"2019-Q{i}", index=i, label=f"Q{i} 2019-20", start=dt.date(2019, 1, 1), end=dt.date(2019, 1, 2))
    for i in range(1, 5)
]
HALVES = [
    Period(key=f"2025-H{i}", index=i, label=f"H{i} 2025-26", start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 2))
    for i in range(1, 3)
]


@pytest.mark.parametrize(
    "text",
    [
        "2019-Q3", "2019-q3", "Q3", "q3", "q 3", "Q3 2019", "q3 2019", "Q3/2019", "q3/2019", "Q3-2019",
        "Q3, 2019", "Q3 2019-20", "Q3 2019/20", "Q32019", "2019 Q3", "2019Q3", "2019/Q3", "2019_Q3",
        "2019-20 Q3", "2019/20 Q3", "  Q3/2019  ",
    ],
)
def test_a_quarter_in_every_spelling(text: str) -> None:
    assert find_period(QUARTERS, text) is QUARTERS[2]


@pytest.mark.parametrize("text", ["2025-H1", "2025-h1", "H1", "h1 2025", "H1/2025", "2025 H1", "H1 2025-26"])
def test_a_half_year_in_every_spelling(text: str) -> None:
    assert find_period(HALVES, text) is HALVES[0]


@pytest.mark.parametrize("text", ["Q7", "2019-Q7", "Q3 2020", "2020-Q3", "autumn", "", "H1", "Q3 2019 Q4", "xq3"])
def test_what_names_no_period_of_the_plan_year(text: str) -> None:
    assert find_period(QUARTERS, text) is None


@pytest.mark.parametrize(
    ("args", "words"),
    [("3 q2 2019", "q2 2019"), ("q2 2019 3", "q2 2019"), ("3 Q3/2019", "Q3/2019"), ("2019/20 Q2 3", "2019/20 Q2")],
)
def test_the_period_words_inside_a_command(args: str, words: str) -> None:
    found = PERIOD_WORDS.search(args)
    assert found is not None and found.group(0) == words


@pytest.mark.parametrize(
    ("today", "key"),
    [(dt.date(2019, 1, 1), "2019-Q1"), (dt.date(2019, 1, 2), "2019-Q1"), (dt.date(2018, 6, 1), "2019-Q1"), (dt.date(2020, 6, 1), "2019-Q4")],
)
def test_the_current_period_or_the_nearest(today: dt.date, key: str) -> None:
    periods = [
        Period(key=f"2019-Q{i}", index=i, label=f"Q{i}", start=dt.date(2019, i, 1), end=dt.date(2019, i, 28))
        for i in range(1, 5)
    ]
    assert current_period(periods, today).key == key


def test_no_periods_is_said_plainly() -> None:
    with pytest.raises(NotFound, match="The loaded plan has no reporting periods"):
        current_period([], dt.date(2019, 1, 1))
