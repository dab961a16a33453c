"""How adapters on asyncio (slack-bolt's AsyncApp, the Agents SDK on aiohttp)
call the synchronous core.

The core and its ports are synchronous: one database session per event, plain
SQLAlchemy. An adapter acknowledges its platform on the event loop first, then
awaits `AsyncPlanbot.handle`, which runs the event on a bounded thread pool.
The pool is never larger than the engine's connection pool, so a worker never
waits for a connection it cannot get, and by default it has 4 workers: the
core's work is mostly Python, which shares one interpreter lock with the event
loop, so more threads add loop lag (late acknowledgements) without adding
throughput (`bench/async_boundary.py` measures both). The loop is never blocked:
a slow event (an export takes about a second) occupies one worker while other
people's events run on the rest and every acknowledgement goes out at once.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from bot.core.events import Event
from bot.core.planbot import Planbot
from bot.core.ports import SentMessage
from bot.core.replies import Reply
from bot.core.sender_turns import SenderTurns
from bot.core.warm_pool import WarmPool

T = TypeVar("T")

MAX_WORKERS = 32
DEFAULT_WORKERS = 4


def pool_capacity(engine: Engine) -> int:
    """How many connections the engine can hand out at once (pool size plus overflow)."""
    pool = engine.pool
    if isinstance(pool, QueuePool):
        overflow = pool._max_overflow  # noqa: SLF001  (SQLAlchemy has no public getter)
        return max(1, min(MAX_WORKERS, pool.size() + max(0, overflow)))
    return 4


class AsyncPlanbot:
    """The core for asyncio adapters: the same events and replies as `Planbot`,
    awaited, on a thread pool matched to the database pool."""

    def __init__(self, bot: Planbot, *, workers: int | None = None) -> None:
        self.bot = bot
        self.workers = min(workers or DEFAULT_WORKERS, pool_capacity(bot.engine))
        self._pool = WarmPool(self.workers, thread_name_prefix="planbot-core")  # a trickle of events stays on one warm thread
        self._versions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _VersionReads] = weakref.WeakKeyDictionary()
        self._turns = SenderTurns()

    async def call(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        """Run any synchronous core or storage call (one session inside) on the pool.
        Cancelled meanwhile, it still waits for the work (a thread cannot be stopped), so
        a person's next event never runs beside the one it follows."""
        work = asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            await asyncio.wait({work})
            raise

    def turn(self, platform: str, user_id: str) -> AbstractAsyncContextManager[None]:
        """The sender's turn (`bot.core.sender_turns`): an adapter enters it on an event's
        arrival, before anything it awaits, so the person's events run in arrival order."""
        return self._turns.turn((platform, user_id))

    async def handle(self, event: Event) -> list[Reply]:
        async with self.turn(event.sender.platform, event.sender.user_id):
            return await self.call(self.bot.handle, event)

    async def answer_read(self, event: Event) -> list[Reply] | None:
        """`Planbot.answer_read`: a read-only question's replies, or None when it needs `handle`.

        A kept answer needs only the data version, read after the question arrived;
        questions that arrive together share one such read (see `_VersionReads`), so a
        burst of `/plan-status` costs one small query, not one each."""
        if not self.bot.reads_only(event):
            return None
        async with self.turn(event.sender.platform, event.sender.user_id):  # after the person's own earlier events
            return await self._answer_read(event)

    async def _answer_read(self, event: Event) -> list[Reply] | None:
        loop = asyncio.get_running_loop()
        reads = self._versions.get(loop)
        if reads is None:  # one per event loop: its futures belong to that loop
            reads = self._versions[loop] = _VersionReads(self)
        version = await reads.read()
        kept = self.bot.kept_answer(event, version)
        if kept is not None:
            return kept
        return await self.call(self.bot.answer_read, event, version=version)  # read after the question too

    async def remember_sent(self, key: str, sent: SentMessage, *, person_id: str | None = None) -> None:
        await self.call(self.bot.remember_sent, key, sent, person_id=person_id)

    def close(self) -> None:
        """Finish the events in flight, then stop the workers (at shutdown)."""
        self._pool.shutdown(wait=True)


class _VersionReads:
    """Reads of the data version shared by the questions waiting for one.

    Each caller gets the result of a read that started after it asked, so no write
    committed before its question is missed: a caller arriving while a read is under
    way waits for the next one, which starts as soon as that one ends and serves
    everyone who arrived meanwhile."""

    def __init__(self, core: AsyncPlanbot) -> None:
        self._core = core
        self._next: asyncio.Future[int | None] | None = None
        self._running = False

    async def read(self) -> int | None:
        mine = self._next
        if mine is None:
            mine = self._next = asyncio.get_running_loop().create_future()
            if not self._running:
                self._start()
        return await asyncio.shield(mine)

    def _start(self) -> None:
        waiting, self._next = self._next, None
        if waiting is None:
            return
        self._running = True
        reading = asyncio.ensure_future(self._core.call(self._core.bot.data_version))

        def done(task: asyncio.Future[int | None]) -> None:
            self._running = False
            if not waiting.done():
                exc = task.exception() if not task.cancelled() else None
                waiting.set_result(None if exc is not None or task.cancelled() else task.result())
            self._start()

        reading.add_done_callback(done)
