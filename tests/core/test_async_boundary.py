"""The async boundary: asyncio adapters await the synchronous core on a bounded
pool; the event loop stays free while events run, and the answers are the same."""

from __future__ import annotations

import asyncio
import threading

from bot.core.async_boundary import AsyncPlanbot, pool_capacity
from bot.core.events import Command, Sender
from bot.core.planbot import Planbot
from sqlmodel import select

from storage.db import session_scope
from storage.models import Delivery


async def test_answers_match_the_direct_call_and_each_delivery_is_recorded_once(planbot: Planbot) -> None:
    """Reads store no delivery (a replay answers again, changing nothing); a write's replay is dropped."""
    boundary = AsyncPlanbot(planbot)
    try:
        events = [Command(Sender("shell", "robin"), "plan-status", delivery_id=f"ev-{n}") for n in range(12)]
        answers = await asyncio.gather(*(boundary.handle(e) for e in events))
        replayed = await boundary.handle(events[0])
        flag = Command(Sender("shell", "alex"), "flag", "Funding letter is late", delivery_id="ev-flag")
        flagged = await asyncio.gather(boundary.handle(flag), boundary.handle(flag))
    finally:
        boundary.close()
    direct = planbot.handle(Command(Sender("shell", "robin"), "plan-status"))
    assert {"\n".join(r.text for r in a) for a in [*answers, replayed]} == {"\n".join(r.text for r in direct)}
    assert "Plan status" in direct[0].text
    assert sorted(len(f) for f in flagged) == [0, 1]
    with session_scope(planbot.engine) as session:
        assert len(session.exec(select(Delivery)).all()) == 1, "the flag's, none for the reads"


async def test_the_loop_stays_free_while_a_slow_event_runs(planbot: Planbot) -> None:
    """A handler that holds its worker until released: a timer on the loop keeps ticking
    and another person's event is answered before the slow one finishes."""
    release = threading.Event()
    original = planbot.handle

    def slow_then_real(event):  # type: ignore[no-untyped-def]
        if event.delivery_id == "slow":
            release.wait(2)
        return original(event)

    planbot.handle = slow_then_real  # type: ignore[method-assign]
    boundary = AsyncPlanbot(planbot, workers=2)
    try:
        slow = asyncio.create_task(boundary.handle(Command(Sender("shell", "robin"), "plan-status", delivery_id="slow")))
        quick = await boundary.handle(Command(Sender("shell", "alex"), "help", delivery_id="quick"))
        ticks = 0
        for _ in range(5):
            await asyncio.sleep(0.01)
            ticks += 1
        assert not slow.done() and ticks == 5, "the quick event and the loop did not wait for the slow one"
        release.set()
        slow_answer = await slow
    finally:
        boundary.close()
    assert "You are Alex Example" in quick[0].text
    assert "Plan status" in slow_answer[0].text


def test_the_pool_never_outgrows_the_database_pool(planbot: Planbot) -> None:
    capacity = pool_capacity(planbot.engine)
    default, huge = AsyncPlanbot(planbot), AsyncPlanbot(planbot, workers=1000)
    try:
        assert capacity >= 5
        assert default.workers == 4
        assert huge.workers == capacity
    finally:
        default.close()
        huge.close()
