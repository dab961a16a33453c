"""Answers to read-only commands, kept while nothing in the database has changed.

A coordinator's `/plan-status` is the busiest question and the same for everyone who
asks it in the same place in the same minute; building it costs a dozen queries and
the rendering. Kept answers are tied to the data version (`storage.data_version`),
which every committed write moves on, from any process: one small read tells whether
they still stand. The key holds who asked, where, the exact command and the minute
(summaries say what is due and overdue by the clock), so a kept answer is what the
same question would build again. Answers that would have written (an idle
conversation to close, a first sighting to note) are never kept: they run as
writers, which moves the version on.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable

from bot.core.events import Command, Event, TextMessage
from bot.core.replies import Reply

SIZE = 512
"""Answers kept at most (a few KB each): least recently asked go first."""


def answer_key(event: Event, now: dt.datetime) -> Hashable | None:
    """What makes two read-only questions the same question; None for anything else."""
    minute = now.replace(second=0, microsecond=0)
    match event:
        case Command(sender=sender, name=name, args=args):
            return ("command", sender, name, args, minute)
        case TextMessage(sender=sender, text=text):
            return ("text", sender, text, minute)
    return None


class AnswerCache:
    """Thread-safe: the async adapters call the core from a pool of threads."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._version: int | None = None
        self._answers: OrderedDict[Hashable, tuple[Reply, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version: int | None, key: Hashable | None) -> list[Reply] | None:
        with self._lock:
            kept = self._answers.get(key) if key is not None and version is not None and version == self._version else None
            if kept is None:
                return None
            self._answers.move_to_end(key)
            return list(kept)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._version = None

    def put(self, version: int | None, key: Hashable | None, replies: list[Reply]) -> None:
        if version is None or key is None:
            return
        with self._lock:
            if self._version is None or version > self._version:
                self._answers.clear()
                self._version = version
            elif version < self._version:
                return  # built before a write another thread has already seen
            self._answers[key] = tuple(replies)
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
