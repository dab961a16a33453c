"""The paragraph reader on its own: the rules a coordinator would check by hand, a property
test over any text, and the labelled set held at the scores it reaches."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.answers import MilestoneReading
from bot.core.paragraph_reader import ItemText, read_item, read_paragraph, read_status
from storage.models import MilestoneState, Rag
from tests.paragraphs.scoring import score

TODAY = dt.date(2019, 12, 16)
ITEM = ItemText(
    1,
    "Increase strategy capacity to deliver the LIS",
    (("kpi1", "Appointment of new staff members"), ("kpi2", "Procure consultants on evidence base work"), ("kpi3", "Identify Board level sponsor")),
    (
        ("m1", "Appoint a team to take forward LIS development", None),
        ("m2", "Procure consultants for the production of the evidence base", None),
        ("m3", "Public consultation on the draft strategy", dt.date(2019, 12, 31)),
    ),
)
OTHER = ItemText(2, "External communications plan", (("kpi1", "Stakeholder events held"), ("kpi2", "Media coverage")), ())


@pytest.mark.parametrize(
    ("text", "rag"),
    [
        ("RAG: A. Recruitment is slow.", Rag.AT_RISK),
        ("G. Travel training went well.", Rag.ON_TRACK),
        ("Amber overall, with recruitment slow.", Rag.AT_RISK),
        ("Not yet green - amber, but getting there.", Rag.AT_RISK),
        ("We're on track overall.", Rag.ON_TRACK),
        ("🔴 the provider pulled out.", Rag.OFF_TRACK),
        ("Blue - all done.", Rag.COMPLETE),
        ("The devolution green paper has been pushed back again.", None),
        ("We got the green light from HR.", None),
        ("Officers in post, so that's on track.", None),
        ("Two red flags from the auditors.", None),
    ],
)
def test_the_status_is_what_the_words_state(text: str, rag: Rag | None) -> None:
    assert read_status(text) is rag


def test_a_paragraph_files_each_sentence_under_what_it_speaks_of() -> None:
    proposal = read_item(
        "Amber. We've appointed two of the three new staff members. The evidence base consultants were procured "
        "in October, so that milestone is done. Need CLGU to find us a Board sponsor. No other news.",
        ITEM,
        today=TODAY,
        asks_of="CLGU",
    )
    assert proposal.rag is Rag.AT_RISK
    assert proposal.kpis["kpi1"] == "We've appointed two of the three new staff members."
    assert "consultants were procured in October" in proposal.kpis["kpi2"]
    assert proposal.milestones == {"m2": MilestoneReading(MilestoneState.DONE)}
    assert proposal.blockers == "Need CLGU to find us a Board sponsor"
    assert proposal.summary.startswith("Amber. We've appointed")


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("The public consultation has slipped to end of January.", dt.date(2020, 1, 31)),
        ("The public consultation has slipped to early March.", dt.date(2020, 3, 10)),
        ("The public consultation is delayed - the supplier now says mid-Feb.", dt.date(2020, 2, 15)),
        ("The public consultation slipped to 31/01/2020.", dt.date(2020, 1, 31)),
        ("The public consultation has been postponed to Feb 2020.", dt.date(2020, 2, 29)),
    ],
)
def test_a_slipped_milestones_new_date_is_read_as_uk_writers_mean_it(said: str, day: dt.date) -> None:
    assert read_item(said, ITEM, today=TODAY).milestones["m3"] == MilestoneReading(MilestoneState.SLIPPED, day)


def test_a_new_date_that_cannot_be_right_is_asked_for() -> None:
    before_due = read_item("The public consultation has slipped to 20 December.", ITEM, today=TODAY)
    none_given = read_item("The public consultation has slipped again.", ITEM, today=TODAY)
    years_away = read_item("The public consultation has slipped to March 2025.", ITEM, today=TODAY)
    for proposal in (before_due, none_given, years_away):
        assert proposal.milestones["m3"] == MilestoneReading(MilestoneState.SLIPPED)


def test_no_state_is_read_from_a_future_a_condition_or_a_part() -> None:
    for said in (
        "The consultants will be procured in January.",
        "Once the consultants are procured we can start.",
        "Two of the three team members appointed so far.",
    ):
        assert read_item(said, ITEM, today=TODAY).milestones == {}, said


def test_a_paragraph_naming_two_items_is_two_proposals_and_a_greeting_goes_with_the_first() -> None:
    proposals = read_paragraph(
        "Hi both, quick one. Item 1: Green, all staff members appointed.\nItem 2: Amber - media coverage is thin.",
        [ITEM, OTHER],
        primary=1,
        today=TODAY,
    )
    assert [(p.item, p.rag) for p in proposals] == [(1, Rag.ON_TRACK), (2, Rag.AT_RISK)]
    assert "media coverage is thin" in proposals[1].kpis["kpi2"] and "Item 2" not in proposals[0].summary


def test_words_before_a_mark_for_another_item_are_about_the_item_asked_about() -> None:
    proposals = read_paragraph(
        "Green, all staff members appointed. Item 2: amber, media coverage is thin.", [ITEM, OTHER], primary=1, today=TODAY
    )
    assert [p.item for p in proposals] == [1, 2]


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=400))
def test_any_text_reads_without_error_and_every_note_is_the_leads_own_words(text: str) -> None:
    for proposal in read_paragraph(text, [ITEM, OTHER], primary=1, today=TODAY, asks_of="CLGU"):
        for note in [*proposal.kpis.values(), *proposal.blockers.split("; ")]:
            for part in note.split(" "):
                assert part in text


FLOORS = {"rag": 0.92, "kpi": 0.88, "milestone": 0.58, "precision": 0.79}
"""Where the reader stands on the held-out half (bench/paragraphs.py prints it beside the
goals of 95% status, 90% KPI notes and milestone states, 98% precision): a change that
reads worse fails here."""


def test_the_reader_does_not_fall_below_its_scores_on_the_held_out_half() -> None:
    held = score("held_out")
    reached = {name: getattr(held, name).share for name in FLOORS}
    assert all(reached[name] >= floor for name, floor in FLOORS.items()), reached
    assert held.rag_invented.share == 1.0, "no status is made up where a paragraph states none"
