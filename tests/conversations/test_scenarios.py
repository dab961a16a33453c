"""Conversation scenarios, written once and run through every adapter's driver.

The bundled plan: cal leads item 5 (2 KPIs, 2 milestones) and item 6, alex
items 1-2, bea items 3-4; robin is a coordinator. The clock stands at Mon 16
Dec 2019, 09:00, when the Q3 prompts go out.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.db import session_scope
from storage.models import Conversation, Update, UpdateKpi
from tests.conversations.driver import Driver, Seen, text_of

ITEM5 = ["green", "Board endorsed the LIS draft", "skip", "done", "on track", "none", "Federal boards on board"]


def stored(engine: Engine, item: int = 5) -> list[Update]:
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(Update).where(Update.item_number == item, Update.period_key == "2019-Q3").order_by(col(Update.version))
            )
        )


def prompt_for(driver: Driver, person: str, item: int) -> Seen:
    found = [s for s in driver.inbox(person) if s.has(f"Item {item}:")]
    assert found, f"no prompt about item {item} for {person}: {[s.text[:60] for s in driver.inbox(person)]}"
    return found[-1]


def last_question(replies: list[Seen]) -> Seen:
    asking = [s for s in replies if s.buttons or s.form_fields]
    assert asking, f"no question in {text_of(replies)!r}"
    return asking[-1]


def test_a_quarters_prompt_shows_the_item_its_kpis_milestones_and_the_way_in(driver: Driver) -> None:
    driver.run_job("quarterly-prompts")

    prompt = prompt_for(driver, "cal", 5)
    assert prompt.has("Item 5: Partnership health and shared ownership", "Q3 2019-20", "KPIs", "Milestones")
    assert "Write the update" in prompt.buttons
    assert prompt.has("Federal board endorsement and roll out of LIS when ready", "No update has been written for this item yet.")
    assert prompt_for(driver, "cal", 6)
    assert not [s for s in driver.inbox("alex") if s.has("Item 5:")], "a prompt goes to the item's lead only"


def test_an_update_by_typed_text_is_stored_and_marks_the_prompt_done(driver: Driver, plan_engine: Engine) -> None:
    driver.run_job("quarterly-prompts")
    opening = driver.say("cal", f"{driver.typed('plan-update')} 5")
    assert "Question 1 of 7" in text_of(opening)
    for answer in ITEM5:
        driver.say("cal", answer)
    receipt = text_of(driver.say("cal", "yes"))

    assert "version 1" in receipt
    [update] = stored(plan_engine)
    assert (update.rag, update.summary, update.author_id) == ("on_track", "Federal boards on board", "cal")
    assert prompt_for(driver, "cal", 5).has("Done: version 1", "Green (on track)")
    assert prompt_for(driver, "cal", 5).buttons == []


def test_an_update_by_buttons(driver: Driver, plan_engine: Engine) -> None:
    driver.run_job("quarterly-prompts")
    replies = driver.press("cal", "Write the update", on=prompt_for(driver, "cal", 5))
    replies = driver.press("cal", "Amber: at risk", on=last_question(replies))
    replies = driver.press("cal", "Nothing to note", on=last_question(replies))
    replies = driver.press("cal", "Nothing to note", on=last_question(replies))
    replies = driver.press("cal", "Done", on=last_question(replies))
    replies = driver.press("cal", "On track", on=last_question(replies))
    replies = driver.press("cal", "None", on=last_question(replies))
    replies = driver.say("cal", "Slower than hoped")
    receipt = driver.press("cal", "Save", on=last_question(replies))

    assert "version 1" in text_of(receipt)
    [update] = stored(plan_engine)
    assert (update.rag, update.summary, update.blockers) == ("at_risk", "Slower than hoped", "")


def test_an_update_by_the_form(driver: Driver, plan_engine: Engine) -> None:
    driver.run_job("quarterly-prompts")
    prompt = prompt_for(driver, "cal", 5)
    assert "Open the form" in prompt.buttons
    opened = driver.press("cal", "Open the form", on=prompt)
    form = next(s for s in opened if s.form_fields)
    assert {"rag", "summary", "blockers"} <= set(form.form_fields)
    values = {name: "" for name in form.form_fields}
    values.update({"rag": "red", "summary": "Stalled on funding", "blockers": "Need CLGU sign-off"})
    for name in form.form_fields:
        if name.startswith("ms:"):
            values[name] = "on track"
    review = driver.submit_form("cal", values, on=form)
    assert "Save" in last_question(review).buttons
    assert stored(plan_engine) == [], "nothing is stored before the review is confirmed"
    receipt = driver.press("cal", "Save", on=last_question(review))

    assert "version 1" in text_of(receipt)
    [update] = stored(plan_engine)
    assert (update.rag, update.summary, update.blockers, update.source) == (
        "off_track",
        "Stalled on funding",
        "Need CLGU sign-off",
        "form",
    )


def test_a_form_with_bad_fields_says_what_to_fix_per_field(driver: Driver, plan_engine: Engine) -> None:
    opening = driver.say("cal", f"{driver.typed('plan-update')} 5")
    form = next(s for s in driver.press("cal", "Open the form", on=last_question(opening)) if s.form_fields)
    answered = driver.submit_form("cal", {"rag": "purple", "summary": ""}, on=form)

    again = next(s for s in answered if s.form_fields)
    assert again.errors.keys() >= {"rag", "summary"}
    assert "purple" in again.errors["rag"]
    assert stored(plan_engine) == []


def test_a_stale_button_re_asks_the_current_question_and_changes_nothing(driver: Driver, plan_engine: Engine) -> None:
    first = last_question(driver.say("cal", f"{driver.typed('plan-update')} 5"))
    second = driver.press("cal", "Green: on track", on=first)
    stale = driver.press("cal", "Red: off track", on=first)

    assert "earlier question" in text_of(stale)
    assert "KPI 1 of 2" in text_of(stale), "the current question is shown again"
    assert "KPI 1 of 2" in text_of(second)
    for answer in ITEM5[1:]:
        driver.say("cal", answer)
    driver.say("cal", "yes")
    assert [u.rag for u in stored(plan_engine)] == ["on_track"]


def test_a_replayed_delivery_changes_nothing_twice(driver: Driver, plan_engine: Engine) -> None:
    driver.say("cal", f"{driver.typed('plan-update')} 5")
    for n, answer in enumerate(ITEM5):
        driver.say("cal", answer, delivery_id=f"ev-{n}")
    driver.say("cal", "yes", delivery_id="ev-save")
    again = driver.replay()

    assert again == []
    assert [u.version for u in stored(plan_engine)] == [1]


def test_cancel_stores_nothing(driver: Driver, plan_engine: Engine) -> None:
    driver.say("cal", f"{driver.typed('plan-update')} 5")
    driver.say("cal", "amber")
    cancelled = text_of(driver.say("cal", "cancel"))

    assert "Cancelled: nothing was stored for item 5" in cancelled
    assert stored(plan_engine) == []
    after = text_of(driver.say("cal", "amber"))
    assert "not waiting for an answer" in after


def test_set_aside_and_resume_where_it_stopped(driver: Driver, plan_engine: Engine) -> None:
    driver.say("cal", f"{driver.typed('plan-update')} 5")
    driver.say("cal", "amber")
    driver.say("cal", "Draft circulated")
    asked = driver.say("cal", f"{driver.typed('plan-update')} 6")
    assert "Continue item 5 or put it aside and start item 6?" in text_of(asked)
    started = driver.press("cal", "Put it aside, start item 6", on=last_question(asked))
    assert "item 6" in text_of(started) and "Question 1 of" in text_of(started)
    driver.say("cal", "cancel")

    resumed = text_of(driver.say("cal", f"{driver.typed('plan-update')} 5"))
    assert "Question 3 of 7" in resumed, "it picks up at the question it stopped at"
    for answer in ITEM5[2:]:
        driver.say("cal", answer)
    driver.say("cal", "yes")
    [update] = stored(plan_engine)
    with session_scope(plan_engine) as session:
        progress = {r.kpi_key: r.progress for r in session.exec(select(UpdateKpi).where(UpdateKpi.update_id == update.id))}
    assert update.rag == "at_risk" and "Draft circulated" in progress.values(), "the answers given before were kept"
    assert stored(plan_engine, 6) == []


def test_a_restart_mid_update_resumes_at_the_same_question(driver: Driver, plan_engine: Engine) -> None:
    driver.say("cal", f"{driver.typed('plan-update')} 5")
    driver.say("cal", "amber")
    driver.say("cal", "Draft circulated")
    driver.restart()
    resumed = text_of(driver.say("cal", "skip"))

    assert "KPI 2: none noted" in resumed and "Question 4 of 7" in resumed
    for answer in ITEM5[3:]:
        driver.say("cal", answer)
    driver.say("cal", "yes")
    [update] = stored(plan_engine)
    with session_scope(plan_engine) as session:
        progress = {r.kpi_key: r.progress for r in session.exec(select(UpdateKpi).where(UpdateKpi.update_id == update.id))}
    assert update.rag == "at_risk" and "Draft circulated" in progress.values()


def test_a_stranger_is_told_whom_to_ask_and_nothing_is_kept(driver: Driver, plan_engine: Engine) -> None:
    answer = text_of(driver.stranger_says(f"{driver.typed('plan-update')} 5"))

    assert "don't know you" in answer
    assert stored(plan_engine) == []
    with session_scope(plan_engine) as session:
        assert list(session.exec(select(Conversation))) == []


def test_a_lead_cannot_write_another_leads_item(driver: Driver, plan_engine: Engine) -> None:
    refused = text_of(driver.say("alex", f"{driver.typed('plan-update')} 5"))

    assert "Item 5" in refused and "led by Cal Placeholder" in refused and "Your items are 1, 2" in refused
    assert stored(plan_engine) == []


def test_a_deputy_saves_the_leads_item_on_their_behalf(driver: Driver, plan_engine: Engine) -> None:
    named = text_of(driver.say("cal", f"{driver.typed('deputy')} 5 bea"))
    assert "Bea Sample" in named
    driver.run_job("quarterly-prompts")
    opening = text_of(driver.say("bea", f"{driver.typed('plan-update')} 5"))
    assert "on behalf of Cal Placeholder" in opening
    for answer in ITEM5:
        driver.say("bea", answer)
    driver.say("bea", "yes")

    [update] = stored(plan_engine)
    assert (update.author_id, update.on_behalf_of_id) == ("bea", "cal")
    assert prompt_for(driver, "cal", 5).has("Done: version 1", "by Bea Sample, on behalf of Cal Placeholder")


def _form_values(form: Seen, rag: str, summary: str) -> dict[str, str]:
    values = {name: "" for name in form.form_fields}
    values.update({"rag": rag, "summary": summary})
    values.update({name: "on track" for name in form.form_fields if name.startswith("ms:")})
    return values


def test_a_save_pressed_after_the_next_form_was_handled_first_is_still_saved(driver: Driver, plan_engine: Engine) -> None:
    """Another process handled the person's next form before their Save (across processes
    nothing orders one person's events): the Save's answers are all still valid, so it saves."""
    driver.run_job("quarterly-prompts")
    six = next(s for s in driver.press("cal", "Open the form", on=prompt_for(driver, "cal", 6)) if s.form_fields)
    five = next(s for s in driver.press("cal", "Open the form", on=prompt_for(driver, "cal", 5)) if s.form_fields)
    review_five = last_question(driver.submit_form("cal", _form_values(five, "amber", "Five is slower"), on=five))
    review_six = last_question(driver.submit_form("cal", _form_values(six, "green", "Six is fine"), on=six))

    late = driver.press("cal", "Save", on=review_five)

    assert "version 1" in text_of(late) and "earlier question" not in text_of(late)
    assert [(u.rag, u.summary) for u in stored(plan_engine, 5)] == [("at_risk", "Five is slower")]
    assert "Save" in last_question(late).buttons and stored(plan_engine, 6) == [], "item 6 waits at its review"
    driver.press("cal", "Save", on=review_six)
    assert [(u.rag, u.summary) for u in stored(plan_engine, 6)] == [("on_track", "Six is fine")]


def test_a_truly_stale_press_changes_nothing_and_shows_where_we_are(driver: Driver, plan_engine: Engine) -> None:
    opening = driver.say("cal", f"{driver.typed('plan-update')} 5")
    first = last_question(opening)
    driver.say("cal", "amber")

    stale = driver.press("cal", first.buttons[0], on=first)

    assert "earlier question" in text_of(stale)
    assert stored(plan_engine) == []


def test_a_save_and_the_next_form_sent_at_once_are_handled_in_the_order_sent(driver: Driver, plan_engine: Engine) -> None:
    """Teams runs one person's activities side by side and Slack's listeners await before
    they reach the core: the Save, pressed first and slow to handle, must still come first."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from bot.core.events import ChoiceMade, FormSubmitted

    core = getattr(driver, "core", None) or getattr(getattr(driver, "world", None), "core", None)
    if core is None:
        pytest.skip("the terminal reads one line at a time: nothing arrives at once")
    driver.run_job("quarterly-prompts")
    six = next(s for s in driver.press("cal", "Open the form", on=prompt_for(driver, "cal", 6)) if s.form_fields)
    five = next(s for s in driver.press("cal", "Open the form", on=prompt_for(driver, "cal", 5)) if s.form_fields)
    review_five = last_question(driver.submit_form("cal", _form_values(five, "amber", "Five is slower"), on=five))

    handled: list[str] = []
    saving_started = threading.Event()
    real = core.bot.handle

    def slow_save(event):  # type: ignore[no-untyped-def]
        if isinstance(event, ChoiceMade) and event.value == "yes":
            saving_started.set()
            time.sleep(0.4)  # a slow database: the form arrives meanwhile
        handled.append(type(event).__name__)
        return real(event)

    core.bot.handle = slow_save
    with ThreadPoolExecutor(1) as pool:
        saving = pool.submit(driver.press, "cal", "Save", on=review_five)
        assert saving_started.wait(10)
        review_six = driver.submit_form("cal", _form_values(six, "green", "Six is fine"), on=six)
        saved = saving.result()

    assert handled[-2:] == [ChoiceMade.__name__, FormSubmitted.__name__]
    assert "version 1" in text_of(saved) and "still open" not in text_of(saved)
    assert [(u.rag, u.summary) for u in stored(plan_engine, 5)] == [("at_risk", "Five is slower")]
    assert "Save" in last_question(review_six).buttons
