"""One conversation per person and platform, end to end through Planbot.handle, on
SQLite and PostgreSQL: where replies go, drafts set aside and resumed, the
question shown again after a command or when the bot is opened, and idle expiry.

cal leads items 5 and 6 of the bundled plan; robin is a coordinator. The clock
is 20 Nov 2019, inside Q3 (2019-Q3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.clock import FixedClock
from bot.core.events import DIRECT, ChoiceMade, Command, FormSubmitted, Opened, Origin, Sender, TextMessage
from bot.core.planbot import Planbot
from bot.shell.session import ShellSession
from storage.db import session_scope
from storage.models import Conversation, Draft, Person
from tests.conftest import Chat
from tests.core.test_checkin import ITEM5, answer_all, choices_of, conversation, form_of, text_of, updates

ChatFor = Callable[..., Chat]
SLACK_CAL = "U05CAL"


def drafts(engine: Engine, person: str = "cal") -> dict[tuple[int, str], dict]:  # type: ignore[type-arg]
    with session_scope(engine) as session:
        rows = session.exec(select(Draft).where(Draft.person_id == person))
        return {(r.item_number, r.period_key): dict(r.data) for r in rows}


def conversations(engine: Engine, person: str = "cal") -> list[Conversation]:
    with session_scope(engine) as session:
        return list(session.exec(select(Conversation).where(Conversation.person_id == person)))


@pytest.fixture
def slack_cal(plan_engine: Engine) -> Sender:
    """cal as Slack knows them, in their direct conversation with the bot."""
    with session_scope(plan_engine) as session:
        cal = session.get(Person, "cal")
        assert cal is not None
        cal.slack = SLACK_CAL
    return Sender("slack", SLACK_CAL, team_id="T1")


def test_dm_thread_button_and_form_land_in_one_conversation(
    planbot: Planbot, plan_engine: Engine, slack_cal: Sender
) -> None:
    first = planbot.handle(Command(slack_cal, "plan-update", "5"))
    said = planbot.handle(TextMessage(slack_cal, "amber", origin=Origin(message=("D1", "1700000000.1"))))
    assert "RAG status: Amber (at risk)." in text_of(said)
    in_thread = TextMessage(slack_cal, "Board endorsed the LIS draft", origin=Origin(message=("D1", "1700000000.9")))
    said = planbot.handle(in_thread)
    assert "KPI 1: noted." in text_of(said)
    said = planbot.handle(ChoiceMade(slack_cal, "skip", choices_of(said).step))
    assert "KPI 2: none noted." in text_of(said)
    token = form_of(planbot.handle(ChoiceMade(slack_cal, "form", choices_of(said).step))).step
    assert token == "checkin:form:5:2019-Q3"
    values = {"rag": "amber", "kpi:kpi1": "Board endorsed the LIS draft", "ms:m1": "done", "ms:m2": "on track", "summary": "Fine"}
    review = planbot.handle(FormSubmitted(slack_cal, values, token))
    assert "Check your update: item 5, Q3 2019-20" in text_of(review)
    [conv] = conversations(plan_engine)
    assert (conv.platform, conv.channel, conv.state) == ("slack", DIRECT, "checkin:confirm")
    assert conv.data["answers"]["rag"] == "at_risk" and conv.data["source"] == "form"
    assert not any(r.direct for r in first + review)
    said = planbot.handle(ChoiceMade(slack_cal, "yes", choices_of(review).step))
    assert "Saved: item 5, Q3 2019-20 (version 1)" in text_of(said)
    assert conversations(plan_engine) == []


def test_plan_update_in_a_channel_carries_on_in_the_direct_conversation(
    planbot: Planbot, plan_engine: Engine, slack_cal: Sender
) -> None:
    in_channel = Sender("slack", SLACK_CAL, channel="C0PLAN", team_id="T1")
    replies = planbot.handle(Command(in_channel, "plan-update", "5"))
    here, there = [r for r in replies if not r.direct], [r for r in replies if r.direct]
    assert text_of(here) == "I've sent you a direct message: your update carries on there."
    assert "What is the overall RAG status of item 5" in text_of(there)
    [conv] = conversations(plan_engine)
    assert conv.channel == DIRECT

    said = planbot.handle(TextMessage(in_channel, "green"))
    assert "I only take answers in our direct messages, so I haven't stored that." in text_of(
        [r for r in said if not r.direct]
    )
    assert "What is the overall RAG status of item 5" in text_of([r for r in said if r.direct])
    assert conversation(plan_engine, "cal").data["answers"] == {}  # type: ignore[union-attr]

    said = planbot.handle(TextMessage(slack_cal, "green"))
    assert "RAG status: Green (on track)." in text_of(said) and not any(r.direct for r in said)

    status = planbot.handle(Command(in_channel, "plan-status", "5"))
    assert "Item 5" in text_of([r for r in status if not r.direct])
    assert "KPI 1 of 2" in text_of([r for r in status if r.direct])
    assert "I've sent you a direct message" not in text_of(status)


def test_the_terminal_is_always_direct(planbot: Planbot) -> None:
    shell = ShellSession(planbot, "cal")
    assert shell.sender.channel == DIRECT
    replies = shell.send("/plan-update 5")
    assert replies and not any(r.direct for r in replies)
    assert "I've sent you a direct message" not in text_of(replies)


def test_another_item_mid_update_asks_and_a_set_aside_draft_resumes(
    planbot: Planbot, chat: ChatFor, plan_engine: Engine
) -> None:
    cal = chat("cal")
    cal.say("/plan-update 5")
    answer_all(cal, ["amber", "Board endorsed the LIS draft", "skip"])
    asked = cal.say("/plan-update 6")
    question = choices_of(asked)
    assert "Continue item 5 or put it aside and start item 6?" in question.prompt
    assert "(3 of 7 questions answered)" in question.prompt
    assert [(c.value, c.label) for c in question.choices] == [
        ("continue", "Continue item 5"),
        ("put aside", "Put it aside, start item 6"),
    ]
    said = planbot.handle(ChoiceMade(cal.sender, "continue", question.step))
    assert "Carrying on with item 5." in text_of(said) and "Milestone 1 of 2" in text_of(said)

    question = choices_of(cal.say("/plan-update 6"))
    said = planbot.handle(ChoiceMade(cal.sender, "put aside", question.step))
    shown = text_of(said)
    assert "Item 5's update is put aside with your answers kept; /plan-update 5 picks it up where you stopped." in shown
    assert "Item 6: Translate strategies into Board focus and impact" in shown
    kept = drafts(plan_engine)[(5, "2019-Q3")]
    assert kept["cursor"] == 3 and kept["answers"] == {
        "rag": "at_risk",
        "kpi:kpi1": "Board endorsed the LIS draft",
        "kpi:kpi2": "",
    }
    cal.say("green")
    assert "Continue item 6 or put it aside and start item 5?" in cal.text("update 5")
    said = cal.text("put it aside")
    assert "Picking up item 5's update for Q3 2019-20 where you stopped on 20 Nov 2019" in said
    assert "3 of 7 questions answered" in said and "Milestone 1 of 2" in said
    assert set(drafts(plan_engine)) == {(6, "2019-Q3")}
    answer_all(cal, ITEM5[3:])
    review = cal.text("yes")
    assert "Saved: item 5, Q3 2019-20 (version 1). RAG: Amber (at risk)." in review
    [update] = updates(plan_engine, 5)
    assert (update.rag, update.summary) == ("at_risk", "Federal boards on board")
    assert "Picking up item 6's update" in cal.text("/plan-update 6")
    assert "Cancelled: nothing was stored for item 6" in cal.text("cancel")
    assert drafts(plan_engine) == {}


def test_typed_words_and_an_empty_update_at_the_switch_question(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.say("/plan-update 5")
    said = cal.text("/plan-update 6")
    assert "Item 5's update had no answers yet, so I've closed it; /plan-update 5 starts it again." in said
    assert "Item 6: Translate strategies" in said and drafts(plan_engine) == {}
    cal.say("red")
    cal.say("/plan-update 5")
    assert 'I couldn\'t read "maybe" here. Type continue to carry on with item 6' in cal.text("maybe")
    assert "Carrying on with item 6." in cal.text("cancel")
    cal.say("/plan-update 5")
    assert "Item 6's update is put aside" in cal.text("5")


def test_a_draft_whose_item_got_an_update_meanwhile_says_so(chat: ChatFor, plan_engine: Engine) -> None:
    cal, robin = chat("cal"), chat("robin")
    cal.say("/plan-update 5")
    answer_all(cal, ["amber", "Endorsed in October"])
    cal.say("/plan-update 6")
    cal.say("put aside")
    robin.say("/plan-update 5")
    answer_all(robin, ITEM5)
    robin.say("yes")
    cal.say("cancel")
    said = cal.text("/plan-update 5")
    assert "Since then Robin Fictional saved version 1 of this update (on 20 Nov 2019)." in said
    assert "Saving yours makes version 2" in said and "KPI 2 of 2" in said
    answer_all(cal, ["same", *ITEM5[3:]])
    assert "Saved: item 5, Q3 2019-20 (version 2)" in cal.text("yes")
    first, second = updates(plan_engine, 5)
    assert (first.author_id, second.author_id, second.rag) == ("robin", "cal", "at_risk")


def test_opened_mid_update_shows_the_question_again(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    assert planbot.handle(Opened(cal.sender)) == []
    cal.say("/plan-update 5")
    cal.say("green")
    said = planbot.handle(Opened(cal.sender))
    assert "Welcome back. Here is where you stopped:" in text_of(said)
    assert "KPI 1 of 2" in text_of(said)
    said = planbot.handle(ChoiceMade(cal.sender, "skip", choices_of(said).step))
    assert "KPI 1: none noted." in text_of(said)
    conv = conversation(plan_engine, "cal")
    assert conv is not None and conv.data["answers"] == {"rag": "on_track", "kpi:kpi1": ""}


def test_a_command_mid_update_shows_the_question_again(planbot: Planbot, chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.say("/plan-update 5")
    before = choices_of(cal.say("green"))
    for replies in (
        planbot.handle(Command(cal.sender, "plan-status", "3")),
        cal.say("/plan-status 3"),
        cal.say("/plan-update 12"),
    ):
        shown = text_of(replies)
        assert "Your update for item 5 (Q3 2019-20) is still open; here is where we are:" in shown
        assert choices_of(replies).step == before.step
    assert "There's no item 12 in the plan." in shown
    said = planbot.handle(ChoiceMade(cal.sender, "skip", before.step))
    assert "KPI 1: none noted." in text_of(said)


def test_command_words_on_a_free_text_question_run_and_re_ask(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.say("/plan-update 5")
    cal.say("green")
    said = cal.text("status 3")
    assert "Item 3: Engage stakeholders locally and sub-regionally" in said
    assert (
        'I read "status 3" as a command, so I haven\'t taken it as your answer. '
        'To answer with those words, type them in quotes: "status 3".'
    ) in said
    assert "KPI 1 of 2" in said
    conv = conversation(plan_engine, "cal")
    assert conv is not None and conv.data["answers"] == {"rag": "on_track"}
    assert "KPI 1: noted." in cal.text('"status 3"')
    assert "KPI 2: noted." in cal.text("Status of the federal boards, 3 met")
    conv = conversation(plan_engine, "cal")
    assert conv is not None
    assert conv.data["answers"]["kpi:kpi1"] == "status 3"
    assert conv.data["answers"]["kpi:kpi2"] == "Status of the federal boards, 3 met"


def test_command_words_on_a_choice_question_that_reads_them_are_the_answer(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.say("/plan-update 5")
    said = cal.text("status 3")
    assert "Item 3: Engage stakeholders" in said and "What is the overall RAG status of item 5" in said
    answer_all(cal, ITEM5)
    said = cal.text("status 3")
    assert "Item 3: Engage stakeholders" in said and "Check your update: item 5" in said
    assert "Changing answer 2" in cal.text("update 2")
    conv = conversation(plan_engine, "cal")
    assert conv is not None and conv.data["cursor"] == 1 and conv.data["return_to_review"]


def test_an_idle_conversation_frees_commands_and_offers_its_draft_back(
    plan_engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    bot = Planbot(plan_engine, clock, exports_dir=tmp_path, conversation_idle=dt.timedelta(hours=2))
    cal = Chat(bot, "cal")
    cal.say("/plan-update 5")
    cal.say("amber")
    assert "You're in the middle of something else" in cal.text("/flag")
    clock.advance(hours=1, minutes=59)
    assert "KPI 1: noted." in cal.text("Endorsed in October")
    clock.advance(hours=2)
    said = cal.say("/flag")
    shown = text_of(said)
    assert "What would you like to flag for the" in shown
    assert (
        "Your update for item 5 (Q3 2019-20) had no answer for 2 hours, so I've put it aside with your answers kept; "
        "nothing was stored as an update." in shown
    )
    offer = choices_of(said)
    assert [(c.value, c.label) for c in offer.choices] == [("update 5 2019-Q3", "Continue item 5 (Q3 2019-20)")]
    assert drafts(plan_engine)[(5, "2019-Q3")]["answers"] == {"rag": "at_risk", "kpi:kpi1": "Endorsed in October"}
    assert "Noted for the" in cal.text("The Board date moved")
    said = bot.handle(ChoiceMade(cal.sender, offer.choices[0].value, offer.step))
    assert "Picking up item 5's update for Q3 2019-20 where you stopped" in text_of(said)
    assert "KPI 2 of 2" in text_of(said)
    assert drafts(plan_engine) == {}


def test_free_text_to_an_idle_conversation_is_not_taken_as_the_answer(
    plan_engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    bot = Planbot(plan_engine, clock, exports_dir=tmp_path)
    cal = Chat(bot, "cal")
    cal.say("/plan-update 5")
    cal.say("amber")
    clock.advance(hours=24)
    shown = cal.text("green")
    assert "I'm not waiting for an answer from you right now, so I haven't stored that." in shown
    assert "had no answer for 24 hours" in shown
    assert conversation(plan_engine, "cal") is None
    assert drafts(plan_engine)[(5, "2019-Q3")]["answers"] == {"rag": "at_risk"}
    said = cal.text("/plan-update")
    assert "Picking up item 5's update for Q3 2019-20 where you stopped on 20 Nov 2019" in said
    assert "KPI 1 of 2" in said and "had no answer" not in said


def test_opened_after_an_update_was_set_aside_offers_it(planbot: Planbot, chat: ChatFor) -> None:
    cal = chat("cal")
    cal.say("/plan-update 5")
    cal.say("red")
    cal.say("later")
    said = planbot.handle(Opened(cal.sender))
    assert "Welcome back." in text_of(said)
    assert "Kept for you, unfinished: item 5 for Q3 2019-20 (/plan-update 5 2019-Q3 picks it up)." in text_of(said)


def test_leaving_an_item_for_later_keeps_its_answers(chat: ChatFor, plan_engine: Engine) -> None:
    cal = chat("cal")
    cal.say("/plan-update")
    cal.say("red")
    said = cal.text("next")
    assert "OK, item 5 is left for later; nothing was stored for it, and your answers so far are kept. Next: item 6" in said
    assert drafts(plan_engine)[(5, "2019-Q3")]["answers"] == {"rag": "off_track"}
    said = cal.text("later")
    assert "OK, item 6 is left for later; nothing was stored for it. /plan-update 6 picks it up again." in said
    said = cal.text("/plan-update")
    assert "Picking up item 5's update" in said and "KPI 1 of 2" in said


def test_the_idle_setting_is_validated() -> None:
    from pydantic import ValidationError

    from bot.config import Settings

    assert Settings(planbot_conversation_idle_hours=0.5).planbot_conversation_idle_hours == 0.5
    with pytest.raises(ValidationError, match="PLANBOT_CONVERSATION_IDLE_HOURS"):
        Settings(planbot_conversation_idle_hours=0)
    with pytest.raises(ValueError):
        Planbot(None, conversation_idle=dt.timedelta(0))  # type: ignore[arg-type]
