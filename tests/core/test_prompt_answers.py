"""Replies to the clock's prompts, read by the core (terminal inbox), on SQLite and PostgreSQL:
which prompts are open, and what a reply to each kind of prompt does.

The bundled plan's weekly call is on Thursdays at 10:00 (prompts go out on the Wednesday);
alex's item 2 milestone m5 falls due on Fri 6 Dec 2019; the Q3 prompts go out on Mon 16
Dec 2019 and the Q4 prompts on Wed 18 Mar 2020.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.clock import FixedClock
from bot.core.events import Sender, TextEdited, TextMessage
from bot.core.planbot import Planbot
from bot.core.replies import Choices, Form, Reply
from bot.shell.inbox_port import InboxPort
from schedules.reconcile import Reconciler
from storage.conversations import get_conversation
from storage.db import session_scope
from storage.models import Absence, CallNote, Draft, MilestoneCheck, Rag
from storage.open_prompts import open_prompts
from tests.conftest import LONDON, Chat
from tests.factories import save
from tests.schedules.conftest import london


def run(engine: Engine, clock: FixedClock, job: str, at: dt.datetime) -> None:
    clock.at = at
    Reconciler(engine, InboxPort(engine), clock, by="test").run(job)


def asked(engine: Engine, person: str, now: dt.datetime) -> list[tuple[str, int | None, str | None]]:
    with session_scope(engine) as session:
        return [(p.asks, p.item, p.period or p.call or p.milestone) for p in open_prompts(session, person_id=person, now=now, zone=LONDON)]


def question(replies: list[Reply]) -> Choices:
    return [b for r in replies for b in r.blocks if isinstance(b, Choices)][-1]


def test_a_prompt_is_open_until_its_update_is_saved_or_the_next_periods_prompt_goes(
    plan_engine: Engine, clock: FixedClock
) -> None:
    run(plan_engine, clock, "quarterly-prompts", london(2019, 12, 16, 9, 30))
    run(plan_engine, clock, "chasers", london(2019, 12, 31, 10))
    assert asked(plan_engine, "alex", london(2020, 1, 6, 9)) == [("update", 1, "2019-Q3"), ("update", 2, "2019-Q3")]

    save(plan_engine, 1, "2019-Q3", Rag.ON_TRACK, london(2020, 1, 6, 10))
    assert asked(plan_engine, "alex", london(2020, 1, 6, 11)) == [("update", 2, "2019-Q3")]

    run(plan_engine, clock, "quarterly-prompts", london(2020, 3, 18, 9, 30))
    assert asked(plan_engine, "alex", london(2020, 3, 18, 10)) == [("update", 1, "2019-Q4"), ("update", 2, "2019-Q4")]


def test_a_reply_to_the_pre_call_prompt_is_the_note_for_that_call(
    planbot: Planbot, plan_engine: Engine, clock: FixedClock, chat
) -> None:  # type: ignore[no-untyped-def]
    run(plan_engine, clock, "pre-call", london(2019, 12, 4, 10, 30))
    said = chat("bea").text("The evidence base draft is two weeks late")

    assert "Noted for the CLGU/SELEP weekly catch-up call on Thu 5 Dec" in said
    with session_scope(plan_engine) as session:
        [note] = session.exec(select(CallNote)).all()
    assert (note.person_id, note.occurrence, note.text) == ("bea", "clgu-weekly-call@2019-12-05", "The evidence base draft is two weeks late")

    clock.at = london(2019, 12, 5, 11)  # the call has started: the prompt is closed
    assert "not waiting for an answer" in chat("bea").text("One more thing about the draft")


def test_a_reply_to_a_milestone_question_records_its_state_date_and_note(
    planbot: Planbot, plan_engine: Engine, clock: FixedClock, chat
) -> None:  # type: ignore[no-untyped-def]
    run(plan_engine, clock, "milestones-due", london(2019, 12, 6, 9, 30))
    said = chat("alex").text("slipped to end of January, waiting on the Board papers")

    assert "has slipped to Fri 31 Jan 2020" in said and "waiting on the Board papers" in said
    with session_scope(plan_engine) as session:
        [check] = session.exec(select(MilestoneCheck)).all()
    assert (check.item_number, check.milestone_key, check.state, check.new_date, check.note) == (
        2, "m5", "slipped", dt.date(2020, 1, 31), "waiting on the Board papers"
    )
    assert asked(plan_engine, "alex", london(2019, 12, 6, 10)) == []


def test_words_several_prompts_could_take_are_asked_about_and_kept(
    planbot: Planbot, plan_engine: Engine, clock: FixedClock, chat
) -> None:  # type: ignore[no-untyped-def]
    run(plan_engine, clock, "milestones-due", london(2019, 12, 6, 9, 30))
    run(plan_engine, clock, "quarterly-prompts", london(2019, 12, 16, 9, 30))
    alex = chat("alex")
    replies = alex.say("done")

    which = question(replies)
    assert "Which is “done” about?" in which.prompt
    assert [c.label for c in which.choices] == [
        "Whether item 2's milestone “December – review draft LIS” is done",
        "Item 1: Increase strategy capacity to deliver… (Q3 2019-20)",
        "Item 2: Develop the Local Industrial Strategy… (Q3 2019-20)",
        "None of these",
    ]
    said = alex.text("the milestone")
    assert "Recorded: item 2's milestone “December – review draft LIS” is done." in said
    with session_scope(plan_engine) as session:
        assert [c.state for c in session.exec(select(MilestoneCheck))] == ["done"]


def test_no_and_not_now_start_nothing_and_a_number_presses_the_prompts_button(
    planbot: Planbot, plan_engine: Engine, clock: FixedClock, chat
) -> None:  # type: ignore[no-untyped-def]
    run(plan_engine, clock, "quarterly-prompts", london(2019, 12, 16, 9, 30))
    dee = chat("dee")
    assert "OK, I haven't started it" in dee.text("no")
    assert dee.text("not now").startswith("Snoozed until")
    with session_scope(plan_engine) as session:
        assert session.get(Absence, "dee") is not None

    form = [b for r in dee.say("2") for b in r.blocks if isinstance(b, Form)]
    assert form and form[0].step == "checkin:form:7:2019-Q3", "2 is the prompt's second button: the form"
    assert "Question 1 of" in dee.text("1")


def test_with_nothing_open_small_talk_is_answered_and_other_words_get_the_hint(chat) -> None:  # type: ignore[no-untyped-def]
    assert chat("cal").text("thanks!").startswith("You're welcome!")
    assert "not waiting for an answer" in chat("cal").text("green, all fine")


def test_an_item_named_in_the_reply_starts_that_items_update_even_without_its_prompt(
    plan_engine: Engine, clock: FixedClock, chat: Chat
) -> None:  # type: ignore[no-untyped-def]
    run(plan_engine, clock, "pre-call", london(2019, 11, 20, 10, 30))
    said = chat("cal").text("item 6: amber, still waiting for the Chair")

    assert "item 6 (Q3 2019-20)" in said and "RAG status: Amber (at risk)" in said and "still waiting for the Chair" in said


def test_an_edit_replaces_only_the_last_answer_and_other_edits_change_nothing(planbot: Planbot, plan_engine: Engine) -> None:
    cal = Sender("shell", "cal")

    def say(text: str, message: str) -> str:
        return "\n".join(r.text for r in planbot.handle(TextMessage(cal, text, message_id=message)))

    def edit(text: str, message: str) -> str:
        return "\n".join(r.text for r in planbot.handle(TextEdited(cal, text, message)))

    assert edit("hello", "m0") == "", "an edit with nothing open changes nothing and says nothing"
    say("/plan-update 5", "m1")
    say("amber", "m2")
    say("Two boards endorsed it", "m3")
    earlier = edit("red", "m2")
    assert "You edited an earlier answer (answer 1)" in earlier and "Question 3 of 7" in earlier
    last = edit("Three boards endorsed it", "m3")
    assert "You edited your answer" in last and "KPI 1: noted" in last and "Question 3 of 7" in last
    with session_scope(plan_engine) as session:
        conv = get_conversation(session, platform="shell", person_id="cal")
    assert conv is not None
    assert conv.data["answers"] == {"rag": "at_risk", "kpi:kpi1": "Three boards endorsed it"}


def test_an_edit_of_words_waiting_for_which_item_keeps_the_new_words(
    planbot: Planbot, plan_engine: Engine, clock: FixedClock
) -> None:
    run(plan_engine, clock, "quarterly-prompts", london(2019, 12, 16, 9, 30))
    cal = Sender("shell", "cal")
    planbot.handle(TextMessage(cal, "two workshops held", message_id="w1"))
    again = "\n".join(r.text for r in planbot.handle(TextEdited(cal, "three workshops held", "w1")))
    assert "Which is “three workshops held” about?" in again
    picked = "\n".join(r.text for r in planbot.handle(TextMessage(cal, "item 5")))
    assert "item 5" in picked and "kept your words as the summary" in picked
    with session_scope(plan_engine) as session:
        conv = get_conversation(session, platform="shell", person_id="cal")
    assert conv is not None and conv.data["answers"] == {"summary": "three workshops held"}


def test_a_paragraph_never_overwrites_an_unfinished_update_set_aside(planbot: Planbot, plan_engine: Engine, chat) -> None:  # type: ignore[no-untyped-def]
    alex = chat("alex")
    alex.say("/plan-update 2")
    alex.say("red")
    alex.say("next")
    alex.say("/plan-update 1")
    said = alex.text("Item 1: Green, all three new staff members appointed.\nItem 2: Amber, the evidence base report has slipped.")

    assert "Check your update: item 1" in said and "unfinished update for it set aside" in said
    with session_scope(plan_engine) as session:
        [kept] = session.exec(select(Draft)).all()
    assert (kept.item_number, kept.data["answers"]) == (2, {"rag": "off_track"}), "the set-aside answers are as they were"


def test_a_short_question_after_a_prompt_is_answered_and_starts_nothing(plan_engine: Engine, clock: FixedClock, chat) -> None:  # type: ignore[no-untyped-def]
    run(plan_engine, clock, "quarterly-prompts", london(2019, 12, 16, 9, 30))
    said = chat("dee").text("I'm on leave this week, can it wait?")

    assert "haven't stored" in said and "/snooze 2d" in said and "item 7's Q3 2019-20 update" in said
    with session_scope(plan_engine) as session:
        assert get_conversation(session, platform="shell", person_id="dee") is None


def test_a_reply_too_long_or_naming_no_such_item_keeps_nothing(plan_engine: Engine, clock: FixedClock, chat) -> None:  # type: ignore[no-untyped-def]
    run(plan_engine, clock, "quarterly-prompts", london(2019, 12, 16, 9, 30))
    alex = chat("alex")
    assert "40,000 characters" in alex.text("x" * 40_000)
    assert "There's no item 99 in the plan" in alex.text("item 99: green")
    with session_scope(plan_engine) as session:
        assert get_conversation(session, platform="shell", person_id="alex") is None
