"""The answer readers alone: what each question kind keeps, and what it refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.answers import Unreadable
from bot.core.update_readers import (
    Explained,
    Given,
    read_milestone,
    read_rag,
    read_slip_date,
    read_summary,
    read_switch,
)

TODAY = dt.date(2019, 11, 20)
SLIPPED = {"state": "slipped", "date": "2020-01-31", "note": ""}


def test_an_empty_form_field_means_skip() -> None:
    assert Given.field("") == Given("", "skip")
    assert Given.field("same") == Given.typed("same") == Given("same", "same")


def test_rag_copies_the_previous_update_and_cannot_be_skipped() -> None:
    assert read_rag(Given.typed("same"), "at_risk") == ("at_risk", "")
    assert read_rag(Given.typed("same, still no Board sponsor"), "at_risk") == ("at_risk", "still no Board sponsor")
    assert read_rag(Given.typed("behind on recruitment"), None) == ("off_track", "behind on recruitment")
    with pytest.raises(Unreadable, match="can't be skipped"):
        read_rag(Given.field(""), "at_risk")


def test_milestone_skip_keeps_its_last_state_and_a_bad_date_is_explained() -> None:
    assert read_milestone(Given.typed("skip"), SLIPPED, today=TODAY) == (SLIPPED, False)
    assert read_milestone(Given.typed("slipped"), None, today=TODAY) == ({"state": "slipped", "date": None, "note": ""}, True)
    assert read_milestone(Given.typed("slipped to whenever the Chair signs"), None, today=TODAY) == (
        {"state": "slipped", "date": None, "note": "to whenever the Chair signs"},
        True,
    )
    with pytest.raises(Explained, match="before today"):
        read_milestone(Given.typed("slipped to 3 March 2019"), None, today=TODAY)
    assert read_milestone(Given.typed("same, chasing the venue"), SLIPPED, today=TODAY) == (
        {**SLIPPED, "note": "chasing the venue"},
        False,
    )


def test_slip_date_reads_a_date_inside_a_state() -> None:
    assert read_slip_date(Given.typed("slipped to end of Feb"), None, today=TODAY) == (dt.date(2020, 2, 29), "")
    assert read_slip_date(Given.typed("same"), SLIPPED, today=TODAY) == (dt.date(2020, 1, 31), "")
    assert read_slip_date(Given.typed("skip"), None, today=TODAY) == (None, "")
    assert read_slip_date(Given.typed("end of January, awaiting sign-off"), None, today=TODAY) == (
        dt.date(2020, 1, 31),
        "awaiting sign-off",
    )


def test_summary_names_the_return() -> None:
    with pytest.raises(Unreadable, match="goes into the half-year return"):
        read_summary(Given.typed("none"), None, return_name="half-year return")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("continue", "continue"),
        ("Carry on with item 5", "continue"),
        ("5", "continue"),
        ("back", "continue"),
        ("cancel", "continue"),
        ("put it aside", "aside"),
        ("Put aside", "aside"),
        ("start item 3", "aside"),
        ("3", "aside"),
        ("next", "aside"),
        ("maybe", None),
        ("7", None),
        ("", None),
    ],
)
def test_continue_or_put_aside(text: str, expected: str | None) -> None:
    assert read_switch(Given.typed(text), current=5, other=3) == expected
