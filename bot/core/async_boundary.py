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
from concurrent.futures import ThreadPoolExecutor
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
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="planbot-core")
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

    def turn(self, platform: str, user_id: str, *, read: bool = False) -> AbstractAsyncContextManager[None]:
        """The sender's turn (`bot.core.sender_turns`): an adapter enters it on an event's
        arrival, before anything it awaits, so the person's events run in arrival order.
        `read`: a question that only reads, which waits for the person's earlier writes only."""
        return self._turns.turn((platform, user_id), read=read)

    async def handle(self, event: Event) -> list[Reply]:
        async with self.turn(event.sender.platform, event.sender.user_id):
            return await self.call(self.bot.handle, event)

    async def answer_read(self, event: Event) -> list[Reply] | None:
        """`Planbot.answer_read` in the sender's turn: a read-only question's replies, built
        anew, or None when it needs `handle`."""
        if not self.bot.reads_only(event):
            return None
        async with self.turn(event.sender.platform, event.sender.user_id, read=True):  # after the person's own writes
            return await self.call(self.bot.answer_read, event)

    async def remember_sent(self, key: str, sent: SentMessage, *, person_id: str | None = None) -> None:
        await self.call(self.bot.remember_sent, key, sent, person_id=person_id)

    def close(self) -> None:
        """Finish the events in flight, then stop the workers (at shutdown)."""
        self._pool.shutdown(wait=True)
