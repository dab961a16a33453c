"""A lead's reply is their answer, through every adapter's driver.

The bundled plan: dee leads item 7 alone; cal leads items 5 (2 KPIs, 2 milestones)
and 6; alex items 1 and 2. The clock stands at Mon 16 Dec 2019, 09:00, when the
Q3 prompts fall due. Nothing here types a command unless the test is about one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.core.clock import FixedClock
from storage.db import session_scope
from storage.models import Conversation, Update, UpdateMilestone
from tests.conversations.driver import Driver, Seen, text_of
from tests.conversations.test_scenarios import last_question, prompt_for
from tests.schedules.conftest import london


def saved(engine: Engine, item: int, period: str = "2019-Q3") -> list[Update]:
    with session_scope(engine) as session:
        query = select(Update).where(Update.item_number == item, Update.period_key == period).order_by(col(Update.version))
        return list(session.exec(query))


def milestone_rows(engine: Engine, update: Update) -> dict[str, UpdateMilestone]:
    with session_scope(engine) as session:
        rows = session.exec(select(UpdateMilestone).where(UpdateMilestone.update_id == update.id))
        return {row.milestone_key: row for row in rows}


def open_conversation(engine: Engine, person: str) -> Conversation | None:
    with session_scope(engine) as session:
        return session.exec(select(Conversation).where(Conversation.person_id == person)).first()


def to_the_check_screen(driver: Driver, person: str, replies: list[Seen], summary: str = "Steady progress") -> list[Seen]:
    """Answer whatever is asked, plainly, until the update is shown to be checked."""
    for _ in range(25):
        shown = text_of(replies)
        if "Check your update" in shown:
            return replies
        asked = last_question(replies).text
        if "one-line summary" in asked:
            answer = "keep" if "Your answer so far" in asked else summary
        elif "Where is it now?" in asked:
            answer = "on track"
        elif "RAG status" in asked:
            answer = "green"
        elif "blockers" in asked.lower():
            answer = "none"
        else:
            answer = "skip"
        replies = driver.say(person, answer)
    raise AssertionError(f"never reached the check screen: {text_of(replies)!r}")


def test_a_reply_in_words_to_the_prompt_starts_its_update_with_that_answer(driver: Driver, plan_engine: Engine) -> None:
    driver.run_job("quarterly-prompts")
    replies = driver.say("dee", "green, campaign launched in July and agency spend is down to 11%")

    shown = text_of(replies)
    assert "not waiting for an answer" not in shown
    assert "Item 7" in shown and "Q3 2019-20" in shown, "the first reply says which item and period it is writing"
    assert "RAG status: Green (on track)" in shown and "Question 2 of" in shown
    check = text_of(to_the_check_screen(driver, "dee", replies))
    assert "campaign launched in July and agency spend is down to 11%" in check
    driver.say("dee", "looks good")
    [update] = saved(plan_engine, 7)
    assert (update.rag, update.rag_reason) == ("on_track", "campaign launched in July and agency spend is down to 11%")
    assert prompt_for(driver, "dee", 7).has("Done: version 1")


def test_ok_lets_do_it_starts_the_update_and_thanks_starts_nothing(driver: Driver, plan_engine: Engine) -> None:
    driver.run_job("quarterly-prompts")
    thanked = text_of(driver.say("dee", "thanks!"))
    assert "You're welcome" in thanked and "item 7's Q3 2019-20 update" in thanked
    assert open_conversation(plan_engine, "dee") is None, "small talk starts nothing"

    started = text_of(driver.say("dee", "ok, let's do it"))
    assert "Question 1 of" in started and "What is the overall RAG status of item 7" in started


def test_a_reply_in_a_prompts_thread_answers_that_prompt(driver: Driver, plan_engine: Engine) -> None:
    driver.run_job("quarterly-prompts")
    replies = driver.say("cal", "amber, waiting on the Chair", under=prompt_for(driver, "cal", 6))

    shown = text_of(replies)
    if driver.name == "terminal":  # no threads: two prompts are open, so it asks which, keeping the words
        assert "Which is “amber, waiting on the Chair” about?" in shown
        replies = driver.press("cal", last_question(replies).buttons[1], on=last_question(replies))
        shown = text_of(replies)
    assert "Question 2 of" in shown and "item 6" in shown
    assert "RAG status: Amber (at risk)" in shown and "waiting on the Chair" in shown


def test_with_several_prompts_open_the_words_decide_or_it_asks_and_keeps_them(driver: Driver, plan_engine: Engine) -> None:
    driver.run_job("quarterly-prompts")
    named = text_of(driver.say("cal", "Item 6: red - still no sponsor on the Board"))
    assert "item 6" in named and "RAG status: Red (off track)" in named and "still no sponsor on the Board" in named
    driver.say("cal", "cancel")

    asked = driver.say("cal", "We held two workshops with the federal partners")
    question = last_question(asked)
    assert "Which is “We held two workshops with the federal partners” about?" in question.text
    assert any(b.startswith("Item 5") for b in question.buttons) and any(b.startswith("Item 6") for b in question.buttons)
    chosen = driver.press("cal", next(b for b in question.buttons if b.startswith("Item 5")), on=question)
    shown = text_of(chosen)
    assert "item 5" in shown and "kept your words as the summary" in shown and "Question 1 of" in shown
    check = to_the_check_screen(driver, "cal", driver.say("cal", "amber"))
    assert "We held two workshops with the federal partners" in text_of(check)
    driver.press("cal", "Save", on=last_question(check))
    [update] = saved(plan_engine, 5)
    assert update.summary == "We held two workshops with the federal partners", "what was written before the question is kept"


def test_the_period_asked_for_is_the_default_across_new_year(driver: Driver, plan_engine: Engine, clock: FixedClock) -> None:
    driver.run_job("quarterly-prompts")
    clock.at = london(2019, 12, 31, 10)
    driver.run_job("chasers")
    clock.at = london(2020, 1, 6, 10)

    opened = text_of(driver.say("alex", f"{driver.typed('plan-update')} 1"))
    assert "update for Q3 2019-20" in opened and "This is the Q3 2019-20 update you were asked for" in opened
    replied = text_of(driver.say("alex", "cancel"))
    assert "Q3 2019-20" in replied
    later = text_of(driver.say("alex", f"{driver.typed('plan-update')} 1 Q4"))
    assert "update for Q4 2019-20" in later, "a period named is the period written"


def test_a_reason_after_a_status_and_a_note_after_a_date_are_kept(driver: Driver, plan_engine: Engine) -> None:
    driver.say("cal", f"{driver.typed('plan-update')} 5")
    first = text_of(driver.say("cal", "amber, the consultation slipped"))
    assert "RAG status: Amber (at risk)" in first and "“the consultation slipped”" in first
    driver.say("cal", "skip")
    driver.say("cal", "skip")
    driver.say("cal", "done")
    slipped = text_of(driver.say("cal", "slipped to end of January, awaiting health partners' sign-off"))
    assert "Slipped to 31 Jan 2020: awaiting health partners' sign-off" in slipped
    driver.say("cal", "none")
    check = text_of(driver.say("cal", "Consultation running late"))
    assert "Amber (at risk): the consultation slipped" in check
    assert "Slipped to 31 Jan 2020: awaiting health partners' sign-off" in check
    driver.say("cal", "yes, save it")

    [update] = saved(plan_engine, 5)
    assert (update.rag, update.rag_reason) == ("at_risk", "the consultation slipped")
    row = milestone_rows(plan_engine, update)["m2"]
    assert (row.state, row.new_date, row.note) == ("slipped", dt.date(2020, 1, 31), "awaiting health partners' sign-off")


def test_natural_confirmation_saves_and_wait_never_does(driver: Driver, plan_engine: Engine) -> None:
    replies = driver.say("cal", f"{driver.typed('plan-update')} 6")
    to_the_check_screen(driver, "cal", replies, summary="First draft")
    for holding in ("wait", "not yet", "hang on"):
        held = text_of(driver.say("cal", holding))
        assert "nothing is saved yet" in held
    assert saved(plan_engine, 6) == []
    changed = text_of(driver.say("cal", "change summary to Board papers agreed"))
    assert "Changed answer" in changed and "Board papers agreed" in changed and "Check your update" in changed
    receipt = text_of(driver.say("cal", "yes, save it"))

    assert "Saved: item 6" in receipt
    [update] = saved(plan_engine, 6)
    assert update.summary == "Board papers agreed"


def test_an_edited_answer_replaces_it_while_it_is_the_last_one(driver: Driver, plan_engine: Engine) -> None:
    driver.say("cal", f"{driver.typed('plan-update')} 5")
    driver.say("cal", "amber")
    edited = text_of(driver.edit_last("cal", "red, no Board slot until March"))
    assert "You edited your answer" in edited and "RAG status: Red (off track)" in edited and "Question 2 of" in edited
    driver.say("cal", "Two federal boards endorsed it")
    again = text_of(driver.edit_last("cal", "Three federal boards endorsed it"))
    assert "You edited your answer" in again and "Question 3 of" in again
    replies = to_the_check_screen(driver, "cal", driver.say("cal", "skip"))
    assert "Three federal boards endorsed it" in text_of(replies) and "Two federal" not in text_of(replies)
    driver.press("cal", "Save", on=last_question(replies))

    [update] = saved(plan_engine, 5)
    assert (update.rag, update.rag_reason) == ("off_track", "no Board slot until March")
