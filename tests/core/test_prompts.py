"""The buttons on the clock's prompts do what typing their value does."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.events import ChoiceMade, Sender
from bot.core.planbot import Planbot
from bot.core.replies import Choices
from bot.shell.inbox_port import InboxPort, take_unread
from schedules.reconcile import Reconciler
from storage.conversations import get_conversation
from storage.db import session_scope
from tests.schedules.conftest import london


def test_write_the_update_from_the_inbox_starts_the_update_conversation(
    planbot: Planbot, clock: FixedClock, plan_engine: Engine
) -> None:
    clock.at = london(2019, 12, 16, 9)
    Reconciler(plan_engine, InboxPort(plan_engine), clock, by="test").run("quarterly-prompts")
    with session_scope(plan_engine) as session:
        prompt = take_unread(session, person_id="cal")[0]
    buttons = next(b for b in prompt.blocks if isinstance(b, Choices))
    write = buttons.choices[0]

    replies = planbot.handle(ChoiceMade(Sender("shell", "cal"), write.value, buttons.step))

    assert "Item 5" in replies[0].text
    with session_scope(plan_engine) as session:
        conv = get_conversation(session, platform="shell", person_id="cal")
    assert conv is not None and conv.state.startswith("checkin")


def test_the_snooze_button_snoozes(planbot: Planbot) -> None:
    replies = planbot.handle(ChoiceMade(Sender("shell", "bea"), "/snooze 2d", "prompt:quarterly-prompt:3:2019-Q3"))
    assert replies[0].text.startswith("Snoozed until Fri 22 Nov 2019, 10:00")
