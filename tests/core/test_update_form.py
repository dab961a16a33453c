"""The whole update as one form, and the same answer rules for typed answers and
form fields, on SQLite and PostgreSQL. cal leads item 5 of the bundled plan
(questions: rag, kpi:kpi1, kpi:kpi2, ms:m1, ms:m2, blockers, summary)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.core.events import ChoiceMade, FormSubmitted
from bot.core.planbot import Planbot
from bot.core.replies import Choice
from bot.core.update_messages import form_choice
from tests.conftest import Chat
from tests.core.test_checkin import ITEM5, answer_all, choices_of, conversation, form_of, text_of, updates

ChatFor = Callable[..., Chat]
FORM = "checkin:form:5:2019-Q3"
STEPS = ["rag", "kpi:kpi1", "kpi:kpi2", "ms:m1", "ms:m2", "blockers", "summary"]
VALID = {
    "rag": "green",
    "kpi:kpi1": "Endorsed",
    "kpi:kpi2": "Recruiting",
    "ms:m1": "done",
    "ms:m2": "on track",
    "blockers": "none",
    "summary": "On course",
}
NOT_STARTED = {"state": "not_started", "date": None, "note": ""}


def test_open_the_form_is_a_choice_on_the_first_question(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    first = choices_of(cal.say("/plan-update 5"))
    assert Choice("form", "Open the form") in first.choices
    cal.say("red")
    assert "form" not in [c.value for c in choices_of(cal.say("Endorsed")).choices]
    before = conversation(plan_engine, "cal")
    assert before is not None
    pressed = planbot.handle(ChoiceMade(cal.sender, "form", first.step))
    assert [type(b).__name__ for r in pressed for b in r.blocks] == ["Form"]
    form = form_of(pressed)
    assert form == form_of(cal.say("open the form"))
    assert form.step == FORM and form.submit_label == "Review" and form.errors == {}
    initial = {f.name: f.initial for f in form.fields}
    assert (initial["rag"], initial["kpi:kpi1"]) == ("red", "Endorsed")
    after = conversation(plan_engine, "cal")
    assert after is not None and (after.step, after.data) == (before.step, before.data)


def test_the_form_for_an_item_by_command_changes_nothing(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    form = form_of(cal.say("/plan-update 6 form"))
    assert form.step == "checkin:form:6:2019-Q3" and form.title == "Item 6 update, Q3 2019-20"
    assert conversation(plan_engine, "cal") is None
    assert "Which item's form?" in cal.text("/plan-update form")


def test_a_form_with_two_bad_fields_names_each(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.say("/plan-update 5")
    cal.say("amber")
    values = {**VALID, "rag": "purple", "ms:m2": "slipped", "ms_date:m2": "someday"}
    said = planbot.handle(FormSubmitted(cal.sender, values, FORM))
    form = form_of(said)
    assert form.errors == {
        "rag": 'I couldn\'t read "purple" as a RAG status. Choose green, amber, red or complete.',
        "ms_date:m2": 'I couldn\'t read "someday" as a date. Write it like 31/01/2020, 2020-01-31, 31 Jan 2020, '
        "Jan 2020 or end of Jan, or leave it empty if it isn't known yet.",
    }
    shown = text_of(said)
    assert "I couldn't take that form yet, so nothing was stored. Please fix these:" in shown
    assert '  - RAG status: I couldn\'t read "purple" as a RAG status.' in shown
    assert '  - Milestone 2, new date: I couldn\'t read "someday" as a date.' in shown
    kept = {f.name: f.initial for f in form.fields}
    assert (kept["rag"], kept["ms_date:m2"], kept["summary"]) == ("purple", "someday", "On course")
    conv = conversation(plan_engine, "cal")
    assert conv is not None and conv.data["answers"] == {"rag": "at_risk"} and conv.data["cursor"] == 1


def test_a_valid_form_returns_the_review_to_confirm(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    review = planbot.handle(FormSubmitted(cal.sender, {**VALID, "ms:m2": "slipped", "ms_date:m2": "end of Feb"}, FORM))
    shown = text_of(review)
    assert "Check your update: item 5, Q3 2019-20" in shown
    assert "1. RAG status: Green (on track)" in shown
    assert "Slipped to 29 Feb 2020" in shown
    assert updates(plan_engine, 5) == []
    said = planbot.handle(ChoiceMade(cal.sender, "yes", choices_of(review).step))
    assert "Saved: item 5, Q3 2019-20 (version 1). RAG: Green (on track)." in text_of(said)
    [update] = updates(plan_engine, 5)
    assert (update.source, update.summary, update.blockers) == ("form", "On course", "")


def test_a_form_for_another_item_puts_the_open_one_aside(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.say("/plan-update 6")
    cal.say("red")
    review = text_of(planbot.handle(FormSubmitted(cal.sender, VALID, FORM)))
    assert "Item 6's update is put aside with your answers kept; /plan-update 6 picks it up where you stopped." in review
    assert "Check your update: item 5" in review
    cal.say("yes")
    assert "Picking up item 6's update" in cal.text("/plan-update 6")


# (question, what is given, what the draft keeps; None when it is refused)
RULES: list[tuple[str, str, Any]] = [
    ("rag", "amber", "at_risk"),
    ("rag", "2", "at_risk"),
    ("rag", "🔴 behind on recruitment", "off_track"),
    ("rag", "purple", None),
    ("rag", "skip", None),
    ("rag", "same", None),
    ("kpi:kpi1", "Board met twice", "Board met twice"),
    ("kpi:kpi1", "skip", ""),
    ("kpi:kpi1", "none", ""),
    ("kpi:kpi1", "same", ""),
    ("kpi:kpi1", "x" * 3001, None),
    ("ms:m1", "done", {"state": "done", "date": None, "note": ""}),
    ("ms:m1", "✅", {"state": "done", "date": None, "note": ""}),
    ("ms:m1", "done, signed off in November", {"state": "done", "date": None, "note": "signed off in November"}),
    ("ms:m1", "slipped to end of Jan", {"state": "slipped", "date": "2020-01-31", "note": ""}),
    ("ms:m1", "slipped to 1 Jan 2019", None),
    ("ms:m1", "skip", NOT_STARTED),
    ("ms:m1", "maybe", None),
    ("ms:m1", "same", None),
    ("blockers", "Need a Board slot", "Need a Board slot"),
    ("blockers", "none", ""),
    ("summary", "On course", "On course"),
    ("summary", "skip", None),
    ("summary", "same", None),
]


@pytest.mark.parametrize(("step", "given", "kept"), RULES, ids=[f"{s}={g[:24]}" for s, g, _ in RULES])
def test_typed_answers_and_form_fields_follow_the_same_rules(
    planbot: Planbot, chat: ChatFor, plan_engine: Engine, step: str, given: str, kept: Any
) -> None:
    typed = chat("cal")
    typed.say("/plan-update 5")
    answer_all(typed, ITEM5[: STEPS.index(step)])
    typed.say(given)
    conv = conversation(plan_engine, "cal")
    assert conv is not None
    assert conv.data["answers"].get(step) == kept
    assert conv.data["cursor"] == STEPS.index(step) + (0 if kept is None else 1)
    typed.say("cancel")

    said = planbot.handle(FormSubmitted(typed.sender, {**VALID, step: given}, FORM))
    conv = conversation(plan_engine, "cal")
    if kept is None:
        assert list(form_of(said).errors) == [step] and conv is None
    else:
        assert conv is not None and conv.data["answers"][step] == kept
        assert "Check your update: item 5" in text_of(said)


def test_a_prompt_button_can_open_the_form(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.say("/plan-update 6")
    cal.say("amber")
    choice = form_choice(5, "2019-Q3")
    assert (choice.value, choice.label) == ("/plan-update 5 2019-Q3 form", "Open the form")
    pressed = planbot.handle(ChoiceMade(cal.sender, choice.value, "prompt:quarterly-prompt:5:2019-Q3"))
    assert [type(b).__name__ for r in pressed for b in r.blocks] == ["Form"]
    assert form_of(pressed).step == FORM
    conv = conversation(plan_engine, "cal")
    assert conv is not None and conv.data["item"] == 6 and conv.data["answers"] == {"rag": "at_risk"}


def test_a_form_sent_back_for_a_period_that_has_not_started_stores_nothing(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    """Client-held state is a hint: a signed form whose step names a future quarter is refused
    as the typed `/plan-update 5 2019-Q4` is."""
    cal = chat("cal")
    said = text_of(planbot.handle(FormSubmitted(cal.sender, VALID, "checkin:form:5:2019-Q4")))
    assert "Q4 2019-20 (Jan–Mar 2020) hasn't started yet" in said
    assert conversation(plan_engine, "cal") is None
    assert updates(plan_engine, 5, "2019-Q4") == []
