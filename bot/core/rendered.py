"""What an adapter makes of a reply (Block Kit messages, Teams activities), made once
per reply object.

While the data is unchanged the core hands back the very same frozen `Reply` objects
for a repeated question (`bot.core.answer_cache`), and rendering them again would
build the same thing. Identity is the key, not equality: comparing two answers would
cost as much as rendering one. A reply that has been freed never matches (its weak
reference is dead), so a reused id renders afresh. What is kept is shared by every
caller, so a renderer returns something nobody changes (a tuple, sealed cards).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from bot.core.replies import Reply

T = TypeVar("T")


class RenderedOnce(Generic[T]):
    """`render(reply)`, kept for the `size` replies rendered last. Thread-safe."""

    def __init__(self, render: Callable[[Reply], T], size: int = 128) -> None:
        self.render = render
        self.size = size
        self._kept: OrderedDict[int, tuple[weakref.ref[Reply], T]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, reply: Reply) -> T:
        key = id(reply)
        with self._lock:
            entry = self._kept.get(key)
            if entry is not None and entry[0]() is reply:
                self._kept.move_to_end(key)
                return entry[1]
        made = self.render(reply)
        with self._lock:
            self._kept[key] = (weakref.ref(reply), made)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return made
