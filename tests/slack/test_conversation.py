"""The DM conversation over Slack: the clock's prompts, typed answers, buttons, the modal,
edits in place, replays and retries; everything against the fake over real HTTP."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.core.clock import FixedClock
from schedules.reconcile import Reconciler
from storage.db import session_scope
from storage.models import Update
from tests.schedules.conftest import london
from tests.slack.conftest import SlackWorld, buttons, shown

ITEM5 = ["green", "Board endorsed the LIS draft", "skip", "done", "on track", "none", "Federal boards on board"]


def stored(engine: Engine, item: int = 5) -> list[Update]:
    with session_scope(engine) as session:
        query = select(Update).where(Update.item_number == item, Update.period_key == "2019-Q3").order_by(col(Update.version))
        return list(session.exec(query))


def prompt(slack: SlackWorld, person: str, item: int) -> dict:
    found = [m for m in slack.dm_messages(person) if f"Item {item}:" in shown(m)]
    assert found, f"no prompt about item {item}: {[shown(m)[:80] for m in slack.dm_messages(person)]}"
    return found[0]


def run_prompts(slack: SlackWorld, clock: FixedClock) -> None:
    clock.at = london(2019, 12, 16, 9)
    Reconciler(slack.engine, slack.core.bot.port, clock, by="test").run("quarterly-prompts")


async def test_prompts_go_to_each_lead_by_dm_with_buttons(slack: SlackWorld, clock: FixedClock) -> None:
    run_prompts(slack, clock)

    message = prompt(slack, "cal", 5)
    assert "Partnership health and shared ownership" in shown(message)
    assert "Write the update" in buttons(message) and "Open the form" in buttons(message)
    assert message["unfurl_links"] is False
    posts = slack.fake.calls_to("chat.postMessage")
    assert posts and all(c.args["channel"].startswith("U") for c in posts), "posted to the user id"
    assert not [m for m in slack.dm_messages("alex") if "Item 5:" in shown(m)]


async def test_typed_answers_in_the_dm_store_the_update_and_edit_the_prompt(slack: SlackWorld, clock: FixedClock, plan_engine: Engine) -> None:
    run_prompts(slack, clock)
    await slack.dm("cal", "/plan-update 5")
    for answer in ITEM5:
        await slack.dm("cal", answer)
    await slack.dm("cal", "yes")

    [update] = stored(plan_engine)
    assert (update.rag, update.summary) == ("on_track", "Federal boards on board")
    edited = prompt(slack, "cal", 5)
    assert "Done: version 1" in shown(edited) and buttons(edited) == []
    assert edited.get("edited"), "the prompt was edited in place with chat.update"
    assert any("version 1" in shown(m) for m in slack.dm_messages("cal"))


async def test_answers_in_a_thread_go_on_in_the_thread(slack: SlackWorld, clock: FixedClock) -> None:
    run_prompts(slack, clock)
    parent = prompt(slack, "cal", 5)
    await slack.dm("cal", "update 5", thread_ts=parent["ts"])

    threaded = [m for m in slack.dm_messages("cal") if m.get("thread_ts") == parent["ts"]]
    assert threaded and "Question 1 of 7" in shown(threaded[-1])


async def test_buttons_then_the_modal_store_the_update(slack: SlackWorld, clock: FixedClock, plan_engine: Engine) -> None:
    run_prompts(slack, clock)
    await slack.press("cal", "Open the form", prompt(slack, "cal", 5))

    [opened] = [v for v in slack.fake.views if v["method"] == "views.open"]
    assert opened["view"]["blocks"][0]["text"]["text"].startswith("Opening the form")
    view = slack.fake.view(opened["view_id"])
    assert view is not None
    assert {"rag", "summary", "blockers"} <= {b.get("block_id") for b in view["blocks"]}
    assert len(view["title"]["text"]) <= 24

    bad = await slack.submit("cal", opened["view_id"], {"rag": "", "summary": ""})
    assert bad.body["response_action"] == "errors" and {"rag", "summary"} <= set(bad.body["errors"])
    assert stored(plan_engine) == []

    values = {"rag": "red", "summary": "Stalled on funding <!channel>", "blockers": "Need CLGU sign-off"}
    good = await slack.submit("cal", opened["view_id"], values)
    assert good.status == 200 and not good.body, "a valid form closes the modal"
    review = [m for m in slack.dm_messages("cal") if "Save" in buttons(m)][-1]
    assert "Check your update" in shown(review)
    assert stored(plan_engine) == [], "nothing is stored before the review is confirmed"
    await slack.press("cal", "Save", review)

    [update] = stored(plan_engine)
    assert (update.rag, update.summary, update.source) == ("off_track", "Stalled on funding <!channel>", "form")
    assert "Done: version 1" in shown(prompt(slack, "cal", 5))
    receipt = [m for m in slack.dm_messages("cal") if "Saved: item 5" in shown(m)]
    assert receipt and receipt[0]["ts"] == review["ts"], "the review became the receipt, in place"
    assert "&lt;!channel&gt;" in shown(receipt[0]) and "<!channel>" not in shown(receipt[0])


async def test_buttons_answer_questions(slack: SlackWorld, clock: FixedClock, plan_engine: Engine) -> None:
    run_prompts(slack, clock)
    await slack.press("cal", "Write the update", prompt(slack, "cal", 5))
    for label in ["Amber: at risk", "Nothing to note", "Nothing to note", "Done", "On track", "None"]:
        question = [m for m in slack.dm_messages("cal") if buttons(m)][-1]
        await slack.press("cal", label, question)
    await slack.dm("cal", "Slower than hoped")
    review = [m for m in slack.dm_messages("cal") if "Save" in buttons(m)][-1]
    await slack.press("cal", "Save", review)

    [update] = stored(plan_engine)
    assert (update.rag, update.summary) == ("at_risk", "Slower than hoped")


async def test_a_replayed_and_a_retried_event_change_nothing_twice(slack: SlackWorld, clock: FixedClock, plan_engine: Engine) -> None:
    await slack.dm("cal", "/plan-update 5")
    for answer in ITEM5:
        await slack.dm("cal", answer)
    await slack.dm("cal", "yes", event_id="EvSAVE")
    before = len(slack.dm_messages("cal"))
    replayed = await slack.replay()
    retried = await slack.replay(retry=True)

    assert replayed.status == 200 and retried.status == 200
    assert [u.version for u in stored(plan_engine)] == [1]
    assert len(slack.dm_messages("cal")) == before, "nothing was posted again"
