"""One person's events one at a time, in the order they arrived, on every adapter.

A person's conversation is one state machine: a Save pressed and acknowledged, then
their next form at once, must be handled in that order, or the Save finds its step
gone. Other people's events run beside it. The order is kept on the event loop
(a FIFO lock per sender), not by the executor that runs the work, so any executor
serves. An adapter takes the sender's turn as the first thing it does with an
event, before anything it awaits (a lookup, an acknowledgement), so the turn is
taken in arrival order; `AsyncPlanbot.handle` takes it itself for an adapter that
has not, and never twice in one task. Across processes nothing here applies: there
the conversation's step check is the guard (see `bot.core.checkin.press`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable


class SenderTurns:
    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._queued: dict[Hashable, int] = {}
        self._held: dict[asyncio.Task[object], Hashable] = {}

    @contextlib.asynccontextmanager
    async def turn(self, sender: Hashable) -> AsyncIterator[None]:
        """Wait for the sender's earlier events, then run; a task already holding a turn
        just runs (it is that event's own work)."""
        task = asyncio.current_task()
        if task is None or task in self._held:
            yield
            return
        lock = self._locks.get(sender)
        if lock is None:
            lock = self._locks[sender] = asyncio.Lock()
        self._queued[sender] = self._queued.get(sender, 0) + 1
        try:
            async with lock:  # FIFO: a free lock is taken, or the waiter queued, before this yields to the loop
                self._held[task] = sender
                try:
                    yield
                finally:
                    del self._held[task]
        finally:
            self._queued[sender] -= 1
            if not self._queued[sender]:  # nobody waiting: nothing kept per person
                del self._queued[sender], self._locks[sender]

    def waiting(self) -> int:
        """Senders with an event running or queued (tests, health)."""
        return len(self._queued)
