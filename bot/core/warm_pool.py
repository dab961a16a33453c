"""A thread pool that gives each job to the thread that went idle last.

`concurrent.futures.ThreadPoolExecutor` lets whichever idle worker wakes first take
the next job, so at a steady trickle (one chat message at a time) successive events
rotate over every worker and each runs on a thread whose stack, interpreter state
and CPU caches have gone cold; measured on the 2-core machine this costs a
`plan-status` about a third of a millisecond more than running it on one thread.
Here idle workers wait on inboxes of their own, stacked last-idle-first: a trickle
stays on one warm thread, a burst still fans out to every worker, and jobs that find
every worker busy wait in submission order, as before.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from queue import SimpleQueue
from typing import Any

_Job = tuple[Future, Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class WarmPool(Executor):
    def __init__(self, max_workers: int, *, thread_name_prefix: str = "warm-pool") -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.max_workers = max_workers
        self._prefix = thread_name_prefix
        self._lock = threading.Lock()
        self._idle: list[SimpleQueue[_Job | None]] = []
        self._backlog: deque[_Job] = deque()
        self._threads: list[threading.Thread] = []
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        job: _Job = (future, fn, args, kwargs)
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._idle:
                self._idle.pop().put(job)
            elif len(self._threads) < self.max_workers:
                inbox: SimpleQueue[_Job | None] = SimpleQueue()
                inbox.put(job)
                thread = threading.Thread(target=self._work, args=(inbox,), name=f"{self._prefix}_{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
            else:
                self._backlog.append(job)
        return future

    def _work(self, inbox: SimpleQueue[_Job | None]) -> None:
        job: _Job | None = inbox.get()
        while job is not None:
            future, fn, args, kwargs = job
            ran = future.set_running_or_notify_cancel()
            result: Any = None
            error: BaseException | None = None
            if ran:
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:  # noqa: BLE001  (handed to the caller, as ThreadPoolExecutor does)
                    error = exc
            del fn, args, kwargs  # hold no caller's objects while idle
            job, waiting = None, False
            with self._lock:
                if self._backlog:
                    job = self._backlog.popleft()
                elif not self._shutdown:
                    self._idle.append(inbox)
                    waiting = True
            # back on the idle stack before the caller hears: its next job comes to this warm thread
            if ran:
                if error is None:
                    future.set_result(result)
                else:
                    future.set_exception(error)
            del future, result, error
            if waiting:
                job = inbox.get()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Jobs already submitted still run (unless `cancel_futures`); then the workers end."""
        with self._lock:
            self._shutdown = True
            if cancel_futures:
                while self._backlog:
                    self._backlog.popleft()[0].cancel()
            for inbox in self._idle:
                inbox.put(None)
            self._idle.clear()
            threads = list(self._threads)
        if wait:
            for thread in threads:
                if thread is not threading.current_thread():
                    thread.join()
