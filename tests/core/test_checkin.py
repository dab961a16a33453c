"""The update conversation, end to end through Planbot.handle, on SQLite and PostgreSQL.

People and items are the bundled plan's: alex leads items 1-2, bea items 3-4,
cal items 5-6, dee (also a coordinator) item 7, robin is a coordinator. The
clock is 20 Nov 2019, inside Q3 (2019-Q3) of the plan year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.core.clock import FixedClock
from bot.core.events import ChoiceMade, FormSubmitted, Sender, TextMessage
from bot.core.planbot import Planbot
from bot.core.replies import Choice, Choices, Form, Reply
from storage.db import session_scope
from storage.models import Conversation, Item, MilestoneState, Rag, Update, UpdateKpi, UpdateMilestone
from tests.conftest import Chat

ChatFor = Callable[..., Chat]

# Item 5 (cal): 2 KPIs, 2 milestones. Answers for a whole update, in order.
ITEM5 = ["green", "Board endorsed the LIS draft", "skip", "done", "on track", "none", "Federal boards on board"]


def text_of(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def choices_of(replies: list[Reply]) -> Choices:
    found = [b for r in replies for b in r.blocks if isinstance(b, Choices)]
    assert found, f"no question in {text_of(replies)!r}"
    return found[-1]


def form_of(replies: list[Reply]) -> Form:
    found = [b for r in replies for b in r.blocks if isinstance(b, Form)]
    assert found, f"no form in {text_of(replies)!r}"
    return found[-1]


def updates(engine: Engine, item: int, period: str = "2019-Q3") -> list[Update]:
    with session_scope(engine) as session:
        query = (
            select(Update).where(Update.item_number == item, Update.period_key == period).order_by(col(Update.version))
        )
        return list(session.exec(query))


def kpi_rows(engine: Engine, update_id: int | None) -> dict[str, str]:
    with session_scope(engine) as session:
        return {r.kpi_key: r.progress for r in session.exec(select(UpdateKpi).where(UpdateKpi.update_id == update_id))}


def ms_rows(engine: Engine, update_id: int | None) -> dict[str, tuple[MilestoneState, dt.date | None]]:
    with session_scope(engine) as session:
        rows = session.exec(select(UpdateMilestone).where(UpdateMilestone.update_id == update_id))
        return {r.milestone_key: (MilestoneState(r.state), r.new_date) for r in rows}


def conversation(engine: Engine, person: str) -> Conversation | None:
    with session_scope(engine) as session:
        return session.exec(select(Conversation).where(Conversation.person_id == person)).first()


def answer_all(chat: Chat, answers: list[str]) -> list[Reply]:
    replies: list[Reply] = []
    for line in answers:
        replies = chat.say(line)
    return replies


def test_lead_writes_a_full_update_in_free_text(chat: ChatFor, plan_engine: Engine) -> None:
    bea = chat("bea")
    opening = bea.say("/plan-update 3")
    shown = text_of(opening)
    assert "Item 3: Engage stakeholders locally and sub-regionally, update for Q3 2019-20" in shown
    assert "Board engagement" in shown and "Public consultation in summer" in shown
    assert "(due 31 Aug 2019)" in shown
    assert "No earlier update for this item." in shown
    assert "Item 3 has no update for Q2 2019-20 yet either; /plan-update 3 2019-Q2 writes that one." in shown
    first = choices_of(opening)
    assert first.choices[-1] == Choice("form", "Open the form")
    form = form_of(bea.bot.handle(ChoiceMade(bea.sender, "form", first.step)))
    assert form.step == "checkin:form:3:2019-Q3"
    assert [f.name for f in form.fields][:5] == ["paste", "rag", "rag_reason", "kpi:kpi1", "kpi:kpi2"]
    assert "What is the overall RAG status of item 3" in shown

    assert "RAG status: Amber (at risk)." in bea.text("Amber 🟠")
    assert "KPI 2 of 4" in bea.text("Board briefed at the AGM")
    bea.say("Senior Officers Group meets monthly")
    bea.say("skip")
    asked = bea.text("Comms plan drafted")
    assert "Milestone 1 of 4" in asked
    assert "Milestone 2 of 4" in bea.text("✅")
    assert "Milestone 2: Slipped to 31 Jan 2020." in bea.text("slipped to end of Jan")
    bea.say("on track")
    assert "Any blockers, or asks of CLGU?" in bea.text("not started")
    assert "one-line summary" in bea.text("Need CLGU contact for the consultation")
    review = bea.say("Engagement going well; consultation delayed")
    assert review[-1].key == "checkin-review:3:2019-Q3"
    shown = text_of(review)
    assert "1. RAG status: Amber (at risk)" in shown
    assert "4. KPI 3, Engagement with relevant LEPs: none noted" in shown
    assert "Slipped to 31 Jan 2020" in shown
    assert updates(plan_engine, 3) == []

    saved = bea.say("yes")
    assert saved[0].replaces == "checkin-review:3:2019-Q3"
    assert (
        "Saved: item 3, Q3 2019-20 (version 1). RAG: Amber (at risk). Summary: Engagement going well; consultation delayed"
        in text_of(saved)
    )
    [update] = updates(plan_engine, 3)
    assert (update.version, update.is_latest, update.author_id, update.on_behalf_of_id) == (1, True, "bea", None)
    assert update.rag == Rag.AT_RISK
    assert update.summary == "Engagement going well; consultation delayed"
    assert update.blockers == "Need CLGU contact for the consultation"
    assert kpi_rows(plan_engine, update.id) == {
        "kpi1": "Board briefed at the AGM",
        "kpi2": "Senior Officers Group meets monthly",
        "kpi4": "Comms plan drafted",
    }
    assert ms_rows(plan_engine, update.id) == {
        "m1": (MilestoneState.DONE, None),
        "m2": (MilestoneState.SLIPPED, dt.date(2020, 1, 31)),
        "m3": (MilestoneState.ON_TRACK, None),
        "m4": (MilestoneState.NOT_STARTED, None),
    }
    assert conversation(plan_engine, "bea") is None


def test_coordinator_writes_on_behalf_of_the_lead(chat: ChatFor, plan_engine: Engine) -> None:
    robin = chat("robin")
    assert "on behalf of Cal Placeholder, the item's lead" in robin.command("plan-update", "5")
    review = text_of(answer_all(robin, ITEM5))
    assert "Written on behalf of Cal Placeholder" in review
    assert "by Robin Fictional on behalf of Cal Placeholder" in robin.text("submit")
    [update] = updates(plan_engine, 5)
    assert (update.author_id, update.on_behalf_of_id, update.rag) == ("robin", "cal", Rag.ON_TRACK)


def test_deputy_writes_on_behalf_of_the_lead(chat: ChatFor, plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        item = session.get(Item, 5)
        assert item is not None
        item.deputy_id = "alex"
    alex = chat("alex")
    assert "on behalf of Cal Placeholder" in alex.command("plan-update", "5")
    answer_all(alex, ITEM5)
    alex.say("y")
    [update] = updates(plan_engine, 5)
    assert (update.author_id, update.on_behalf_of_id) == ("alex", "cal")


def test_lead_cannot_update_another_leads_item(chat: ChatFor, plan_engine: Engine) -> None:
    said = chat("alex").command("plan-update", "3")
    assert "Item 3 (Engage stakeholders locally and sub-regionally) is led by Bea Sample" in said
    assert "Dee Demo and Robin Fictional" in said
    assert "Your items are 1, 2." in said
    assert conversation(plan_engine, "alex") is None


def test_person_not_in_the_plan(chat: ChatFor) -> None:
    said = chat("zed").command("plan-update", "3")
    assert "not in the plan" in said and "zed" in said


def test_unknown_item_and_period(chat: ChatFor, plan_engine: Engine) -> None:
    bea = chat("bea")
    said = bea.command("plan-update", "12")
    assert "There's no item 12 in the plan. The items are 1, 2, 3, 4, 5, 6, 7." in said
    said = bea.command("plan-update", "3 2019-Q7")
    assert 'I don\'t know the period "2019-Q7"' in said
    assert "2019-Q1 (Q1 2019-20 (Apr–Jun 2019))" in said and "2019-Q4" in said
    said = bea.command("plan-update", "3 autumn")
    assert 'I don\'t know the period "autumn"' in said
    assert conversation(plan_engine, "bea") is None


@pytest.mark.parametrize("period", ["2019-Q2", "Q2", "q2 2019", "Q2 2019-20"])
def test_period_forms(chat: ChatFor, period: str) -> None:
    assert "update for Q2 2019-20 (Jul–Sep 2019)" in chat("bea").command("plan-update", f"3 {period}")


def test_default_period_outside_the_plan_year(chat: ChatFor, clock: FixedClock) -> None:
    clock.at = dt.datetime(2020, 6, 1, 9, 0, tzinfo=clock.at.tzinfo)
    assert "update for Q4 2019-20" in chat("bea").command("plan-update", "3")
    clock.at = dt.datetime(2019, 1, 10, 9, 0, tzinfo=clock.at.tzinfo)
    assert "update for Q1 2019-20" in chat("cal").command("plan-update", "5")


def test_back_skip_same_and_cancel(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.command("plan-update", "5 2019-Q2")
    answer_all(
        cal,
        [
            "red",
            "Endorsement slow",
            "Board recruiting",
            "slipped 31/12/2019",
            "not started",
            "Need a Board slot",
            "Slow start",
        ],
    )
    cal.say("yes")

    shown = cal.command("plan-update", "5")
    assert "Last update: Q2 2019-20, version 1, by Cal Placeholder on 20 Nov 2019." in shown
    assert "RAG status: Red (off track)" in shown
    assert "RAG status: Red (off track)." in cal.text("same")
    assert "KPI 1: same as last time." in cal.text("no change")
    asked = cal.text("back")
    assert "KPI 1 of 2" in asked and "Your answer so far: Endorsement slow." in asked
    cal.say("keep")
    cal.say("skip")
    assert "Milestone 1: Slipped to 31 Dec 2019." in cal.text("skip")
    assert "Milestone 2: Not started." in cal.text("same")
    said = cal.text("cancel")
    assert "Cancelled: nothing was stored for item 5 (Q3 2019-20)." in said
    assert updates(plan_engine, 5) == []
    assert len(updates(plan_engine, 5, "2019-Q2")) == 1
    assert conversation(plan_engine, "cal") is None
    assert "nothing in progress" in cal.text("cancel")


def test_unreadable_answers_store_nothing_and_reask(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    first = cal.say("/plan-update 5")
    token = choices_of(first).step
    said = cal.say("purple")
    assert (
        'I couldn\'t read "purple" as a RAG status. Answer green (or on track, ok, 1), amber (at risk, 2)'
        in text_of(said)
    )
    assert choices_of(said).step == token
    assert "What is the overall RAG status of item 5" in text_of(said)
    assert "can't be skipped" in cal.text("skip")
    assert "There's no earlier update to copy" in cal.text("same")
    assert "That message was empty, so I haven't stored anything." in cal.text("   ")
    assert "red (off track, behind, 3)" in cal.text("?")
    conv = conversation(plan_engine, "cal")
    assert conv is not None and conv.step == 1 and conv.data["answers"] == {}
    assert "RAG status: Amber (at risk)." in cal.text("AT RISK!!")
    conv = conversation(plan_engine, "cal")
    assert conv is not None and conv.data["answers"] == {"rag": "at_risk"}


def test_long_emoji_rtl_and_nul_answers(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.command("plan-update", "5")
    cal.say("green")
    said = cal.say("x" * 40_000)
    assert "That answer is 40,000 characters; one answer can be at most 3,000." in text_of(said)
    assert "KPI 1 of 2" in text_of(said)
    conv = conversation(plan_engine, "cal")
    assert conv is not None and conv.data["answers"] == {"rag": "on_track"}
    kpi = "Endorsed 🎉 at the board\x00 — مرحبا بالجميع / שלום לכולם"
    cal.say(kpi)
    answer_all(cal, ["skip", "done", "on track", "none"])
    review = cal.say("Progress 👍 تقدم جيد")
    assert "Endorsed 🎉 at the board — مرحبا بالجميع / שלום לכולם" in text_of(review)
    cal.say("yes")
    [update] = updates(plan_engine, 5)
    assert kpi_rows(plan_engine, update.id) == {"kpi1": "Endorsed 🎉 at the board — مرحبا بالجميع / שלום לכולם"}
    assert update.summary == "Progress 👍 تقدم جيد"


def test_slipped_milestone_asks_for_the_date(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.command("plan-update", "5")
    answer_all(cal, ["green", "skip", "skip"])
    asked = cal.text("slipped")
    assert "has slipped. To what date?" in asked
    assert 'couldn\'t read "whenever" as a date' in cal.text("whenever")
    assert "Milestone 1: Slipped to 31 Jan 2020." in cal.text("Jan 2020")
    answer_all(cal, ["slipped", "skip", "none", "Slow"])
    cal.say("yes")
    [update] = updates(plan_engine, 5)
    assert ms_rows(plan_engine, update.id) == {
        "m1": (MilestoneState.SLIPPED, dt.date(2020, 1, 31)),
        "m2": (MilestoneState.SLIPPED, None),
    }


def test_review_edits_jump_and_return(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.command("plan-update", "5")
    answer_all(cal, ITEM5)
    asked = cal.text("change summary")
    assert "Last question: a one-line summary" in asked and "Your answer so far: Federal boards on board." in asked
    review = cal.text("Federal boards fully engaged")
    assert "7. Summary: Federal boards fully engaged" in review
    cal.say("edit 1")
    assert "1. RAG status: Red (off track)" in cal.text("red")
    assert "KPI 2 of 2" in cal.text("edit kpi 2")
    assert "Check your update" in cal.text("back")
    assert "couldn't tell which answer" in cal.text("edit 9")
    assert "What would you like to change?" in cal.text("no")
    cal.say("save")
    [update] = updates(plan_engine, 5)
    assert (update.rag, update.summary) == (Rag.OFF_TRACK, "Federal boards fully engaged")


def test_stale_button_press_changes_nothing(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    old = choices_of(cal.say("/plan-update 5")).step
    cal.say("amber")
    said = planbot.handle(ChoiceMade(cal.sender, "red", old))
    assert "That button was for an earlier question, so I haven't used it; here is where we are:" in text_of(said)
    assert "KPI 1 of 2" in text_of(said)
    conv = conversation(plan_engine, "cal")
    assert conv is not None and conv.data["answers"] == {"rag": "at_risk"} and conv.data["cursor"] == 1
    current = choices_of(said).step
    said = planbot.handle(ChoiceMade(cal.sender, "skip", current))
    assert "KPI 1: none noted." in text_of(said)


def test_button_press_with_no_conversation(planbot: Planbot) -> None:
    said = planbot.handle(ChoiceMade(Sender("shell", "cal"), "green", "checkin:3"))
    assert "That button belongs to an update that has already been saved or cancelled" in text_of(said)


def test_buttons_answer_like_typing(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    replies = cal.say("/plan-update 5")
    for value in ["green", "skip", "skip", "done", "on track", "none"]:
        question = choices_of(replies)
        assert value in [c.value for c in question.choices]
        replies = planbot.handle(ChoiceMade(cal.sender, value, question.step))
    replies = cal.say("All good")
    replies = planbot.handle(ChoiceMade(cal.sender, "yes", choices_of(replies).step))
    assert "Saved: item 5, Q3 2019-20 (version 1)" in text_of(replies)


def test_form_with_errors_then_valid(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.say("/plan-update 5")
    token = form_of(cal.say("form")).step
    cal.say("cancel")
    bad = {
        "rag": "purple",
        "kpi:kpi1": "x" * 3001,
        "ms:m1": "maybe",
        "ms:m2": "slipped",
        "ms_date:m2": "someday",
        "summary": "",
    }
    said = planbot.handle(FormSubmitted(cal.sender, bad, token))
    shown = text_of(said)
    assert "I couldn't take that form yet, so nothing was stored. Please fix these:" in shown
    assert 'RAG status: I couldn\'t read "purple" as a RAG status. Choose green, amber, red or complete.' in shown
    assert "KPI 1: That answer is 3,001 characters" in shown
    assert 'Milestone 1: I couldn\'t read "maybe" as a milestone state.' in shown
    assert 'Milestone 2, new date: I couldn\'t read "someday" as a date.' in shown
    assert "Summary: The summary goes into the quarterly return, so it can't be skipped." in shown
    form = form_of(said)
    assert form.step == token
    assert sorted(form.errors) == ["kpi:kpi1", "ms:m1", "ms_date:m2", "rag", "summary"]
    assert form.errors["rag"] == 'I couldn\'t read "purple" as a RAG status. Choose green, amber, red or complete.'
    assert updates(plan_engine, 5) == [] and conversation(plan_engine, "cal") is None

    good = {
        "rag": "amber",
        "kpi:kpi1": "Endorsed",
        "kpi:kpi2": "",
        "ms:m1": "done",
        "ms:m2": "slipped",
        "ms_date:m2": "2020-02-28",
        "blockers": "",
        "summary": "Mostly there",
    }
    review = planbot.handle(FormSubmitted(cal.sender, good, token))
    assert review[-1].key == "checkin-review:5:2019-Q3"
    assert (
        "5. Milestone 2, Endorsement and engagement with all changes pertaining to the LEP…: Slipped to 28 Feb 2020"
        in text_of(review)
    )
    assert "3. KPI 2, New board operational by March 2020: none noted" in text_of(review)
    assert updates(plan_engine, 5) == []
    cal.say("yes")
    [update] = updates(plan_engine, 5)
    assert (update.rag, update.summary, update.source) == (Rag.AT_RISK, "Mostly there", "form")
    assert kpi_rows(plan_engine, update.id) == {"kpi1": "Endorsed"}
    assert ms_rows(plan_engine, update.id)["m2"] == (MilestoneState.SLIPPED, dt.date(2020, 2, 28))


def test_form_during_the_conversation_for_the_same_item(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    bea = chat("bea")
    bea.say("/plan-update")
    token = form_of(bea.say("open the form")).step
    assert token == "checkin:form:3:2019-Q3"
    values = {
        "rag": "green",
        "ms:m1": "done",
        "ms:m2": "on track",
        "ms:m3": "done",
        "ms:m4": "not started",
        "summary": "Fine",
    }
    review = planbot.handle(FormSubmitted(bea.sender, values, token))
    assert "Check your update: item 3, Q3 2019-20" in text_of(review)
    said = bea.text("yes")
    assert "Next: item 4 (the last one)." in said
    assert updates(plan_engine, 3)[0].summary == "Fine"


def test_restart_mid_conversation(plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    first = Chat(Planbot(plan_engine, clock, exports_dir=tmp_path), "cal")
    first.say("/plan-update 5")
    answer_all(first, ITEM5[:3])
    second = Chat(Planbot(plan_engine, clock, exports_dir=tmp_path), "cal")
    asked = second.text("done")
    assert "Milestone 2 of 2" in asked
    answer_all(second, ITEM5[4:])
    clock.advance(minutes=5)
    assert "Saved: item 5, Q3 2019-20 (version 1)" in second.text("yes")
    [update] = updates(plan_engine, 5)
    assert kpi_rows(plan_engine, update.id) == {"kpi1": "Board endorsed the LIS draft"}
    assert ms_rows(plan_engine, update.id) == {"m1": (MilestoneState.DONE, None), "m2": (MilestoneState.ON_TRACK, None)}
    assert (update.rag, update.summary) == (Rag.ON_TRACK, "Federal boards on board")
    assert update.created_at == clock.at


def test_several_due_items_in_sequence(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    shown = cal.command("plan-update")
    assert "You have 2 items to update for Q3 2019-20: items 5 and 6. Starting with item 5" in shown
    answer_all(cal, ITEM5)
    said = cal.text("yes")
    assert "Saved: item 5, Q3 2019-20 (version 1)" in said
    assert "Item 6: Translate strategies into Board focus and impact" in said and "Next: item 6 (the last one)." in said
    said = cal.text("later")
    assert "OK, item 6 is left for later; nothing was stored for it. /plan-update 6 picks it up again." in said
    assert conversation(plan_engine, "cal") is None
    assert "One item to update for Q3 2019-20: item 6." in cal.command("plan-update")
    answer_all(cal, ["amber", "skip", "skip", "skip", "done", "done", "done", "none", "Six done"])
    assert "That's all your items updated for Q3 2019-20. Thank you!" in cal.text("yes")
    replies = cal.say("/plan-update")
    assert "All your items already have an update for Q3 2019-20." in text_of(replies)
    offer = choices_of(replies)
    assert [c.value for c in offer.choices] == ["update 5 2019-Q3", "update 6 2019-Q3"]
    shown = text_of(planbot.handle(ChoiceMade(cal.sender, "update 6 2019-Q3", offer.step)))
    assert "Item 6 already has an update for Q3 2019-20 (version 1" in shown


def test_next_moves_to_the_following_queued_item(chat: ChatFor, plan_engine: Engine) -> None:
    bea = chat("bea")
    bea.command("plan-update")
    said = bea.text("next")
    assert "OK, item 3 is left for later; nothing was stored for it. Next: item 4 (the last one)." in said
    assert "Item 4: External communications plan for the LIS" in said


def test_coordinator_queue_covers_items_without_updates(chat: ChatFor) -> None:
    shown = chat("robin").command("plan-update")
    assert (
        "You don't lead any items, so no update is due from you for Q3 2019-20. 7 items have no update yet "
        "(items 1, 2, 3, 4, 5, 6 and 7); as a coordinator you can write them on their leads' behalf. Starting with item 1"
    ) in shown
    shown = chat("dee").command("plan-update")
    assert (
        "You have 1 item to update for Q3 2019-20: item 7. 6 other items have no update yet (items 1, 2, 3, 4, 5 and 6); "
        "as a coordinator you can write them on their leads' behalf after yours. Starting with item 7"
    ) in shown


def test_editing_creates_version_two_and_keeps_history(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.command("plan-update", "5")
    answer_all(cal, ITEM5)
    cal.say("yes")
    shown = cal.command("plan-update", "5")
    assert "Item 5 already has an update for Q3 2019-20 (version 1, by Cal Placeholder on 20 Nov 2019)" in shown
    assert "Saving makes version 2; version 1 stays in the history." in shown
    assert "Keep my answer" not in shown and "Same as last time: Green (on track)" in shown
    cal.say("keep")
    cal.say("keep")
    cal.say("Federal board endorsed in October")
    answer_all(cal, ["keep", "keep", "keep"])
    review = cal.text("keep")
    assert "This replaces version 1 as version 2; version 1 stays in the history." in review
    assert "Saved: item 5, Q3 2019-20 (version 2)" in cal.text("yes")
    first, second = updates(plan_engine, 5)
    assert (first.version, first.is_latest, second.version, second.is_latest) == (1, False, 2, True)
    assert kpi_rows(plan_engine, first.id) == {"kpi1": "Board endorsed the LIS draft"}
    assert kpi_rows(plan_engine, second.id) == {
        "kpi1": "Board endorsed the LIS draft",
        "kpi2": "Federal board endorsed in October",
    }
    assert second.summary == first.summary == "Federal boards on board"


def test_plan_update_again_resumes_the_open_question(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.command("plan-update", "5")
    cal.say("green")
    said = cal.command("plan-update", "5")
    assert (
        "You're already writing item 5's update for Q3 2019-20; here is where we are." in said and "KPI 1 of 2" in said
    )
    said = cal.command("plan-update", "6")
    assert "Continue item 5 or put it aside and start item 6?" in said
    said = cal.text("put it aside")
    assert "Item 5's update is put aside with your answers kept; /plan-update 5 picks it up where you stopped." in said
    assert "Item 6: Translate strategies" in said


def test_replayed_delivery_is_applied_once(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.command("plan-update", "5")
    message = TextMessage(cal.sender, "amber", delivery_id="slack-evt-1")
    assert "RAG status: Amber (at risk)." in text_of(planbot.handle(message))
    assert planbot.handle(message) == []
    conv = conversation(plan_engine, "cal")
    assert conv is not None
    assert (conv.step, conv.data["cursor"], conv.data["answers"]) == (2, 1, {"rag": "at_risk"})


def test_a_deputy_named_in_chat_can_write_the_update_on_the_leads_behalf(chat, plan_engine) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import Update

    assert "is led by Alex Example" in chat("bea").text("/plan-update 1")
    assert chat("alex").text("/deputy 1 bea").startswith("Bea Sample is now the deputy for item 1")
    bea = chat("bea")
    for answer in ["/plan-update 1", "green", "skip", "skip", "skip", "done", "done", "done", "done", "none", "All good"]:
        bea.text(answer)
    assert "Saved: item 1" in bea.text("yes")
    with session_scope(plan_engine) as session:
        update = session.exec(select(Update).where(Update.item_number == 1)).one()
        assert (update.author_id, update.on_behalf_of_id) == ("bea", "alex")


@pytest.mark.parametrize("period", ["Q3/2019", "2019 Q3", "q3-2019", "2019/20 Q3", "2019Q3"])
def test_plan_update_takes_every_spelling_export_takes(chat: ChatFor, period: str) -> None:
    assert "update for Q3 2019-20 (Oct–Dec 2019)" in chat("bea").command("plan-update", f"3 {period}")
