"""One person's events one at a time, in the order they arrived, on every adapter.

A person's conversation is one state machine: a Save pressed and acknowledged, then
their next form at once, must be handled in that order, or the Save finds its step
gone. Other people's events run beside it. The order is kept on the event loop
(a FIFO lock per sender), not by the executor that runs the work, so any executor
serves. An adapter takes the sender's turn as the first thing it does with an
event, before anything it awaits (a lookup, an acknowledgement), so the turn is
taken in arrival order; `AsyncPlanbot.handle` takes it itself for an adapter that
has not, and never twice in one task. A question that only reads (`read=True`) waits
for the writes that arrived before it, but not for other questions: a coordinator's
burst of `/plan-status` runs side by side. Across processes nothing here applies:
there the conversation's step check is the guard (see `bot.core.checkin.press`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable


class SenderTurns:
    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._queued: dict[Hashable, int] = {}
        self._held: dict[asyncio.Task[object], bool] = {}
        """Tasks in a turn, and whether it is a read's (which a write in the same task must upgrade)."""
        self._last_write: dict[Hashable, asyncio.Future[None]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, sender: Hashable, *, read: bool = False) -> AsyncIterator[None]:
        """Wait for the sender's earlier events (a read: their earlier writes), then run; a
        task already holding a turn just runs (it is that event's own work)."""
        task = asyncio.current_task()
        held = self._held.get(task) if task is not None else None
        if task is None or held is False or (held and read):
            yield  # this task's own turn already covers it
            return
        if read:
            before = self._last_write.get(sender)
            if before is not None and not before.done():
                await asyncio.shield(before)
            self._held[task] = True
            try:
                yield
            finally:
                del self._held[task]
            return
        done = asyncio.get_running_loop().create_future()
        self._last_write[sender] = done
        try:
            async with self._write_turn(sender):
                yield
        finally:
            done.set_result(None)
            if self._last_write.get(sender) is done:
                del self._last_write[sender]

    @contextlib.asynccontextmanager
    async def _write_turn(self, sender: Hashable) -> AsyncIterator[None]:
        task = asyncio.current_task()
        assert task is not None
        lock = self._locks.get(sender)
        if lock is None:
            lock = self._locks[sender] = asyncio.Lock()
        self._queued[sender] = self._queued.get(sender, 0) + 1
        try:
            async with lock:  # FIFO: a free lock is taken, or the waiter queued, before this yields to the loop
                was = self._held.get(task)
                self._held[task] = False
                try:
                    yield
                finally:
                    if was is None:
                        del self._held[task]
                    else:  # a read that turned out to write: its read turn goes on
                        self._held[task] = was
        finally:
            self._queued[sender] -= 1
            if not self._queued[sender]:  # nobody waiting: nothing kept per person
                del self._queued[sender], self._locks[sender]

    def waiting(self) -> int:
        """Senders with an event running or queued (tests, health)."""
        return len(self._queued)
