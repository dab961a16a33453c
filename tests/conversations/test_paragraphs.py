"""One paragraph is enough, through every adapter's driver: a lead's update written as an
email is read into a proposed update, checked, and stored only when confirmed.

The bundled plan: alex leads items 1 (3 KPIs, 4 milestones) and 2; the clock stands at
Mon 16 Dec 2019, 09:00, when the Q3 prompts fall due.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.db import session_scope
from storage.models import Update, UpdateKpi, UpdateMilestone
from tests.conversations.driver import Driver, text_of
from tests.conversations.test_replies import saved
from tests.conversations.test_scenarios import last_question

PARAGRAPH = (
    "Amber overall. We've appointed two of the three new strategy officers and the evidence base consultants "
    "were procured in October. Still no Board sponsor - need CLGU to nudge the Chair."
)


def parts(engine: Engine, update: Update) -> tuple[dict[str, str], dict[str, str]]:
    with session_scope(engine) as session:
        kpis = {r.kpi_key: r.progress for r in session.exec(select(UpdateKpi).where(UpdateKpi.update_id == update.id))}
        states = {r.milestone_key: r.state for r in session.exec(select(UpdateMilestone).where(UpdateMilestone.update_id == update.id))}
    return kpis, states


def test_a_paragraph_reply_becomes_a_proposed_update_checked_then_saved(driver: Driver, plan_engine: Engine) -> None:
    driver.run_job("quarterly-prompts")
    check = driver.say("alex", PARAGRAPH)

    shown = text_of(check)
    assert "Check your update: item 1" in shown and "(from your message)" in shown
    assert "Question 1 of" not in shown, "nothing is asked that the paragraph gave"
    assert saved(plan_engine, 1) == [], "nothing is stored before the lead confirms"
    driver.press("alex", "Save", on=last_question(check))

    [update] = saved(plan_engine, 1)
    kpis, states = parts(plan_engine, update)
    assert update.rag == "at_risk" and update.summary == PARAGRAPH
    assert "need CLGU to nudge the Chair" in update.blockers
    assert "appointed two of the three new strategy officers" in kpis["kpi1"]
    assert "consultants were procured in October" in kpis["kpi2"]
    assert "Still no Board sponsor" in kpis["kpi3"]
    assert states["m2"] == "done"


def test_a_paragraph_without_a_status_asks_for_it_then_shows_the_update(driver: Driver, plan_engine: Engine) -> None:
    driver.say("alex", f"{driver.typed('plan-update')} 1")
    asked = text_of(driver.say("alex", "We have appointed all three new strategy officers and the evidence base consultants have been procured."))
    assert "didn't say the overall status" in asked and "What is the overall RAG status of item 1" in asked

    check = driver.say("alex", "green")
    assert "Check your update: item 1" in text_of(check)
    driver.say("alex", "yes")
    [update] = saved(plan_engine, 1)
    kpis, _ = parts(plan_engine, update)
    assert update.rag == "on_track" and "appointed all three new strategy officers" in kpis["kpi1"]


def test_a_paragraph_about_two_items_is_checked_one_after_the_other(driver: Driver, plan_engine: Engine) -> None:
    driver.run_job("quarterly-prompts")
    first = driver.say(
        "alex",
        "Item 1: Green. Third strategy officer started in November so we're at full strength.\n"
        "Item 2: Amber. The evidence base final report has slipped to 31/01/2020 as the consultants need to rerun the modelling.",
    )
    shown = text_of(first)
    assert "Check your update: item 1" in shown and "You also wrote about item 2" in shown
    second = driver.press("alex", "Save", on=last_question(first))
    assert "Check your update: item 2" in text_of(second) and "slipped to 31/01/2020" in text_of(second)
    driver.press("alex", "Save", on=last_question(second))

    [one], [two] = saved(plan_engine, 1), saved(plan_engine, 2)
    assert (one.rag, two.rag) == ("on_track", "at_risk")
    assert "Third strategy officer started in November" in one.summary and "Item 2" not in one.summary
    kpis, _ = parts(plan_engine, two)
    assert "evidence base final report has slipped to 31/01/2020" in kpis["kpi2"]


def test_a_second_message_within_a_minute_is_read_with_the_first(driver: Driver, plan_engine: Engine) -> None:
    driver.say("alex", f"{driver.typed('plan-update')} 1")
    driver.say("alex", "Amber overall. We've appointed two of the three new strategy officers, the third post is out to advert.")
    added = text_of(driver.say("alex", "Also the evidence base consultants were procured in October."))
    assert "I've added that to your update" in added
    driver.say("alex", "yes")

    [update] = saved(plan_engine, 1)
    kpis, states = parts(plan_engine, update)
    assert "consultants were procured in October" in kpis["kpi2"] and states["m2"] == "done"
    assert "third post is out to advert" in update.summary and "consultants were procured" in update.summary


def test_an_update_pasted_into_the_form_fills_what_is_left_empty(driver: Driver, plan_engine: Engine) -> None:
    opening = driver.say("alex", f"{driver.typed('plan-update')} 1")
    form = next(s for s in driver.press("alex", "Open the form", on=last_question(opening)) if s.form_fields)
    assert form.form_fields[0] == "paste"
    review = driver.submit_form("alex", {name: "" for name in form.form_fields} | {"paste": PARAGRAPH}, on=form)
    assert "Check your update: item 1" in text_of(review) and "(from your message)" in text_of(review)
    driver.press("alex", "Save", on=last_question(review))

    [update] = saved(plan_engine, 1)
    kpis, states = parts(plan_engine, update)
    assert (update.rag, update.source) == ("at_risk", "form") and states["m2"] == "done"
    assert "Still no Board sponsor" in kpis["kpi3"]
