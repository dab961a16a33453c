"""Reading typed answers: RAG words, milestone states, dates, navigation words, the review."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.answers import (
    Unreadable,
    control_word,
    edit_target,
    parse_date,
    parse_milestone,
    parse_rag,
    parse_review,
    read_rag_lead,
)
from storage.models import MilestoneState, Rag

TODAY = dt.date(2019, 11, 20)
STEPS = ["rag", "kpi:kpi1", "kpi:kpi2", "ms:m1", "ms:m2", "blockers", "summary", "confirm"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("green", Rag.ON_TRACK),
        ("On track", Rag.ON_TRACK),
        ("ok", Rag.ON_TRACK),
        ("1", Rag.ON_TRACK),
        ("🟢", Rag.ON_TRACK),
        ("Green - on track", Rag.ON_TRACK),
        ("AMBER!!", Rag.AT_RISK),
        ("at risk", Rag.AT_RISK),
        ("2.", Rag.AT_RISK),
        ("🟠 recruitment is slow", Rag.AT_RISK),
        ("It's amber, recruitment is slow", Rag.AT_RISK),
        ("red", Rag.OFF_TRACK),
        ("off-track", Rag.OFF_TRACK),
        ("behind", Rag.OFF_TRACK),
        ("3", Rag.OFF_TRACK),
        ("complete", Rag.COMPLETE),
        ("Done ✅", Rag.COMPLETE),
        ("blue", Rag.COMPLETE),
        ("4", Rag.COMPLETE),
    ],
)
def test_rag_words(text: str, expected: Rag) -> None:
    assert parse_rag(text) is expected


@pytest.mark.parametrize("text", ["purple", "not on track", "", "5", "maybe green", "👀"])
def test_rag_unreadable(text: str) -> None:
    assert parse_rag(text) is None


@pytest.mark.parametrize(
    ("text", "state", "day"),
    [
        ("done", MilestoneState.DONE, None),
        ("✅", MilestoneState.DONE, None),
        ("1", MilestoneState.DONE, None),
        ("On track", MilestoneState.ON_TRACK, None),
        ("in progress", MilestoneState.ON_TRACK, None),
        ("not started", MilestoneState.NOT_STARTED, None),
        ("4", MilestoneState.NOT_STARTED, None),
        ("slipped", MilestoneState.SLIPPED, None),
        ("slipped 2020-01-31", MilestoneState.SLIPPED, dt.date(2020, 1, 31)),
        ("slipped to end of Jan", MilestoneState.SLIPPED, dt.date(2020, 1, 31)),
        ("Delayed until 31/01/2020", MilestoneState.SLIPPED, dt.date(2020, 1, 31)),
        ("slipped to 14 Feb 2020", MilestoneState.SLIPPED, dt.date(2020, 2, 14)),
    ],
)
def test_milestone_words(text: str, state: MilestoneState, day: dt.date | None) -> None:
    reading = parse_milestone(text, today=TODAY)
    assert reading is not None
    assert (reading.state, reading.new_date) == (state, day)


def test_milestone_unreadable_and_bad_date() -> None:
    assert parse_milestone("not done", today=TODAY) is None
    assert parse_milestone("who knows", today=TODAY) is None
    with pytest.raises(Unreadable, match="before today"):
        parse_milestone("slipped to 1 Jan 2019, awaiting sign-off", today=TODAY)


@pytest.mark.parametrize(
    ("text", "state", "day", "note"),
    [
        ("slipped, waiting on procurement", MilestoneState.SLIPPED, None, "waiting on procurement"),
        (
            "slipped to end of January, awaiting health partners' sign-off",
            MilestoneState.SLIPPED,
            dt.date(2020, 1, 31),
            "awaiting health partners' sign-off",
        ),
        ("Slipped to 14/02/2020 - the venue fell through", MilestoneState.SLIPPED, dt.date(2020, 2, 14), "the venue fell through"),
        ("done, launched at the July event 🎉", MilestoneState.DONE, None, "launched at the July event 🎉"),
        ("on track; consultants start Monday", MilestoneState.ON_TRACK, None, "consultants start Monday"),
        ("slipped to end of Jan", MilestoneState.SLIPPED, dt.date(2020, 1, 31), ""),
    ],
)
def test_the_words_after_a_milestone_state_or_date_are_its_note(
    text: str, state: MilestoneState, day: dt.date | None, note: str
) -> None:
    reading = parse_milestone(text, today=TODAY)
    assert reading is not None
    assert (reading.state, reading.new_date, reading.note) == (state, day, note)


@pytest.mark.parametrize(
    ("text", "rag", "reason"),
    [
        ("amber, the consultation slipped", Rag.AT_RISK, "the consultation slipped"),
        ("Green - campaign launched in July and agency spend is down to 11%", Rag.ON_TRACK,
         "campaign launched in July and agency spend is down to 11%"),
        ("🔴 no Board sponsor yet", Rag.OFF_TRACK, "no Board sponsor yet"),
        ("It's amber: recruitment is slow.", Rag.AT_RISK, "recruitment is slow."),
        ("Done ✅", Rag.COMPLETE, ""),
        ("green", Rag.ON_TRACK, ""),
    ],
)
def test_the_words_after_a_status_are_kept_as_typed(text: str, rag: Rag, reason: str) -> None:
    found = read_rag_lead(text)
    assert found is not None and (Rag(found.value), found.rest) == (rag, reason)


@pytest.mark.parametrize("text", ["A new officer started in October", "G is for growth", "Late last month the Board met"])
def test_a_sentence_that_only_starts_like_a_status_is_not_plainly_one(text: str) -> None:
    found = read_rag_lead(text)
    assert found is None or not found.clear


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-02", dt.date(2020, 1, 2)),
        ("31/01/2020", dt.date(2020, 1, 31)),
        ("02/03/2020", dt.date(2020, 3, 2)),
        ("31 Jan 2020", dt.date(2020, 1, 31)),
        ("Jan 2020", dt.date(2020, 1, 31)),
        ("February 2020", dt.date(2020, 2, 29)),
        ("end of Jan", dt.date(2020, 1, 31)),
        ("end of November", dt.date(2019, 11, 30)),
        ("mid March", dt.date(2020, 3, 15)),
        ("31 Dec", dt.date(2019, 12, 31)),
    ],
)
def test_dates(text: str, expected: dt.date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["soon", "friday", "10am", "31/02/2020", "2020-13-01", "end of 31 Jan 2020", "31"])
def test_dates_unreadable(text: str) -> None:
    assert parse_date(text, today=TODAY) is None


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Cancel", "cancel"),
        ("stop.", "cancel"),
        ("quit", "cancel"),
        ("back", "back"),
        ("skip", "skip"),
        ("No change", "same"),
        ("same", "same"),
        ("keep", "keep"),
        ("?", "help"),
        ("help", "help"),
        ("later", "next"),
        ("none", "none"),
        ("Same team in place, recruitment done", None),
        ("Cancel the June event", None),
    ],
)
def test_control_words(text: str, word: str | None) -> None:
    assert control_word(text) == word


@pytest.mark.parametrize(
    "text", ["yes, save it", "Yes please", "looks good", "Looks good, thanks!", "ok", "👍", "great, submit it", "that's fine"]
)
def test_natural_confirmations_save(text: str) -> None:
    assert parse_review(text) == ("yes", None)


@pytest.mark.parametrize(
    "text", ["no", "wait", "not yet", "hang on", "hold on a sec", "don't save yet", "yes, but not yet", "ok wait"]
)
def test_no_wait_and_not_yet_never_save(text: str) -> None:
    assert parse_review(text) == ("no", None)


def test_review_answers_and_edit_targets() -> None:
    assert parse_review("Yes") == ("yes", None)
    assert parse_review("save") == ("yes", None)
    assert parse_review("👍") == ("yes", None)
    assert parse_review("no") == ("no", None)
    assert parse_review("what?") is None
    assert parse_review("edit rag") == ("edit", "rag")
    assert parse_review("change summary") == ("edit", "summary")
    assert parse_review("2") == ("edit", "2")
    assert parse_review("change summary to Board endorsed it") == ("set", "summary", "Board endorsed it")
    assert parse_review("summary: all fine") == ("set", "summary", "all fine")
    assert parse_review("yes, but change the RAG to red") == ("set", "rag", "red")
    assert edit_target("rag", STEPS) == 0
    assert edit_target("2", STEPS) == 1
    assert edit_target("kpi 2", STEPS) == 2
    assert edit_target("milestone 1", STEPS) == 3
    assert edit_target("blockers", STEPS) == 5
    assert edit_target("summary", STEPS) == 6
    assert edit_target("8", STEPS) is None
    assert edit_target("kpi 3", STEPS) is None
