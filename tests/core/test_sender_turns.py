"""One person's events run one at a time in arrival order, over any executor, while
other people's run beside them; a caller that gives up does not let the next event
run beside work still under way."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bot.core.sender_turns import SenderTurns


async def _in_turn(turns: SenderTurns, pool: ThreadPoolExecutor, sender: str, work, log: list[str], name: str) -> None:  # type: ignore[no-untyped-def]
    async with turns.turn(sender):
        await asyncio.get_running_loop().run_in_executor(pool, work)
        log.append(name)


async def test_one_senders_events_finish_in_arrival_order_and_others_pass() -> None:
    turns, log = SenderTurns(), []
    with ThreadPoolExecutor(4) as pool:  # a plain pool: any free worker would take any job
        first = asyncio.create_task(_in_turn(turns, pool, "cal", lambda: time.sleep(0.3), log, "cal-1"))
        second = asyncio.create_task(_in_turn(turns, pool, "cal", lambda: None, log, "cal-2"))
        third = asyncio.create_task(_in_turn(turns, pool, "cal", lambda: None, log, "cal-3"))
        other = asyncio.create_task(_in_turn(turns, pool, "robin", lambda: None, log, "robin"))
        await asyncio.gather(first, second, third, other)
    assert log == ["robin", "cal-1", "cal-2", "cal-3"]
    assert turns.waiting() == 0, "nothing is kept for a person once their events are done"


async def test_a_nested_turn_in_the_same_task_runs_at_once() -> None:
    turns = SenderTurns()
    async with turns.turn("cal"):
        async with asyncio.timeout(1):
            async with turns.turn("cal"):  # the adapter took the turn; the core's handle takes it again
                pass


async def test_a_caller_that_gives_up_holds_the_turn_until_its_work_ends() -> None:
    from bot.core.async_boundary import AsyncPlanbot

    release, running = threading.Event(), threading.Event()
    log: list[str] = []

    class Core(AsyncPlanbot):
        def __init__(self) -> None:  # only the pool and the turns: no database here
            self._pool = ThreadPoolExecutor(2)
            self._turns = SenderTurns()

    core = Core()

    def slow() -> None:
        running.set()
        release.wait(5)
        log.append("slow done")

    async def event(work) -> None:  # type: ignore[no-untyped-def]
        async with core.turn("teams", "cal"):
            await core.call(work)

    gave_up = asyncio.create_task(event(slow))
    await asyncio.to_thread(running.wait, 5)
    gave_up.cancel()
    follower = asyncio.create_task(event(lambda: log.append("next")))
    await asyncio.sleep(0.1)
    assert log == [], "the next event waits while the first one's work still runs"
    release.set()
    await follower
    assert log == ["slow done", "next"]
    assert gave_up.cancelled()
    core._pool.shutdown()


async def test_questions_wait_for_earlier_writes_but_not_for_each_other() -> None:
    turns, log = SenderTurns(), []
    with ThreadPoolExecutor(4) as pool:

        async def event(name: str, work, *, read: bool) -> None:  # type: ignore[no-untyped-def]
            async with turns.turn("robin", read=read):
                await asyncio.get_running_loop().run_in_executor(pool, work)
                log.append(name)

        write = asyncio.create_task(event("flag", lambda: time.sleep(0.2), read=False))
        slow_read = asyncio.create_task(event("status-slow", lambda: time.sleep(0.2), read=True))
        quick_read = asyncio.create_task(event("status-quick", lambda: None, read=True))
        await asyncio.gather(write, slow_read, quick_read)
    assert log == ["flag", "status-quick", "status-slow"], "both questions saw the flag; the quick one did not wait for the slow"


async def test_a_question_that_turns_out_to_write_takes_the_write_turn() -> None:
    turns, log = SenderTurns(), []
    release = asyncio.Event()

    async def question_that_writes() -> None:
        async with turns.turn("robin", read=True):
            async with turns.turn("robin"):  # an idle conversation to close: a write after all
                await release.wait()
                log.append("question's write")

    async def next_write() -> None:
        async with turns.turn("robin"):
            log.append("next write")

    first = asyncio.create_task(question_that_writes())
    await asyncio.sleep(0)
    second = asyncio.create_task(next_write())
    await asyncio.sleep(0.05)
    assert log == [], "the next write waits for the question's write"
    release.set()
    await asyncio.gather(first, second)
    assert log == ["question's write", "next write"]
