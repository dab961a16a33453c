"""Kept answers: a question asked again is answered from memory, and never once anything
it shows has changed, whichever process changed it."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.core.async_boundary import AsyncPlanbot
from bot.core.clock import FixedClock
from bot.core.events import Command, Sender
from bot.core.planbot import Planbot
from storage.db import make_engine
from storage.models import Rag
from tests.core.test_read_deliveries import counted, text_of
from tests.factories import save

DEE = Sender("shell", "dee")  # a coordinator
WHEN = dt.datetime(2019, 11, 20, 9, 0, tzinfo=dt.UTC)


def status(bot: Planbot, args: str = "", sender: Sender = DEE) -> str:
    return text_of(bot.handle(Command(sender, "plan-status", args)))


def other_process(engine: Engine) -> Engine:
    """A second engine on the same database: the clock, the shell or another web process."""
    return make_engine(engine.url.render_as_string(hide_password=False))


def test_the_same_question_again_is_answered_without_building_it(planbot: Planbot, plan_engine: Engine) -> None:
    first = status(planbot, "3")
    with counted(plan_engine) as statements:
        again = status(planbot, "3")
    assert again == first
    assert statements == []  # only the data version was read, on its own connection


def test_an_update_saved_by_another_process_shows_at_once(planbot: Planbot, plan_engine: Engine) -> None:
    assert "Hiring stalled" not in status(planbot, "3")
    assert "Hiring stalled" not in status(planbot, "3")  # kept
    other = other_process(plan_engine)
    try:
        save(other, 3, "2019-Q3", Rag.AT_RISK, WHEN, summary="Hiring stalled", author="bea")
    finally:
        other.dispose()
    detail = status(planbot, "3")
    assert "Update summary: Hiring stalled" in detail and "Q3 At risk" in detail
    assert "1 At risk" in status(planbot)


def test_each_form_and_each_asker_has_its_own_answer(planbot: Planbot) -> None:
    whole, item, overdue = status(planbot), status(planbot, "3"), status(planbot, "overdue")
    assert len({whole, item, overdue}) == 3
    assert status(planbot, "3") == item and status(planbot) == whole
    stranger = status(planbot, "", Sender("shell", "nobody-in-the-plan"))
    assert stranger != whole and "Plan status" not in stranger


def test_the_clock_moving_on_changes_the_answer(planbot: Planbot, clock: FixedClock) -> None:
    november = status(planbot)
    assert "Q3 2019-20" in november
    clock.advance(days=60)  # into Q4: what is due and overdue moves on without any write
    january = status(planbot)
    assert "Q4 2019-20" in january and january != november


def test_an_update_begun_shows_its_question_in_the_next_answer(planbot: Planbot) -> None:
    bea = Sender("shell", "bea")
    quiet = text_of(planbot.handle(Command(bea, "plan-status", "3")))
    text_of(planbot.handle(Command(bea, "plan-update", "3")))  # an update begins: its question is pending
    during = text_of(planbot.handle(Command(bea, "plan-status", "3")))
    assert during != quiet and during.startswith(quiet.splitlines()[0])
    assert len(during) > len(quiet)  # the pending question follows the answer


async def test_questions_asked_together_after_a_write_all_see_it(plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    core = AsyncPlanbot(Planbot(plan_engine, clock, exports_dir=tmp_path))
    try:
        event = Command(DEE, "plan-status", "3")
        before = await asyncio.gather(*(core.answer_read(event) for _ in range(30)))
        assert all(r is not None and "Hiring stalled" not in text_of(r) for r in before)
        other = other_process(plan_engine)
        try:
            await asyncio.to_thread(save, other, 3, "2019-Q3", Rag.AT_RISK, WHEN, summary="Hiring stalled", author="bea")
        finally:
            other.dispose()
        after = await asyncio.gather(*(core.answer_read(event) for _ in range(30)))
        assert all(r is not None and "Update summary: Hiring stalled" in text_of(r) for r in after)
    finally:
        core.close()
