"""The core's thread pool: a trickle of jobs stays on the thread that went idle last,
a burst uses every worker and never more, queued jobs run in order, failures reach
the caller, and shutting down finishes what was submitted."""

from __future__ import annotations

import threading
import time

import pytest

from bot.core.warm_pool import WarmPool

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")  # a worker that dies fails the test


def test_a_trickle_stays_on_one_warm_thread() -> None:
    pool = WarmPool(4)
    try:
        burst = threading.Barrier(4)
        [f.result(5) for f in [pool.submit(burst.wait, 5) for _ in range(4)]]  # four workers exist and are idle
        threads = {pool.submit(threading.current_thread).result(5) for _ in range(50)}
    finally:
        pool.shutdown()
    assert len(threads) == 1


def test_a_burst_uses_every_worker_and_never_more() -> None:
    pool = WarmPool(3)
    seen: set[str] = set()
    lock = threading.Lock()
    release = threading.Event()

    def job(n: int) -> int:
        with lock:
            seen.add(threading.current_thread().name)
        release.wait(5)
        return n

    try:
        futures = [pool.submit(job, n) for n in range(10)]
        deadline = time.monotonic() + 5
        while sum(f.running() for f in futures) < 3 and time.monotonic() < deadline:
            time.sleep(0.001)  # the workers start (on a loaded machine, not at once)
        time.sleep(0.05)
        assert sum(f.running() for f in futures) == 3, "the rest wait their turn"
        release.set()
        assert [f.result(5) for f in futures] == list(range(10))
    finally:
        pool.shutdown()
    assert len(seen) == 3


def test_jobs_that_find_every_worker_busy_run_in_order() -> None:
    pool = WarmPool(1)
    order: list[int] = []
    gate = threading.Event()
    try:
        first = pool.submit(gate.wait, 5)
        rest = [pool.submit(order.append, n) for n in range(20)]
        gate.set()
        first.result(5)
        [f.result(5) for f in rest]
    finally:
        pool.shutdown()
    assert order == list(range(20))


def test_a_failure_reaches_the_caller_and_the_worker_carries_on() -> None:
    pool = WarmPool(1)
    try:
        with pytest.raises(ZeroDivisionError):
            pool.submit(lambda: 1 / 0).result(5)
        assert pool.submit(lambda: 2 + 2).result(5) == 4
    finally:
        pool.shutdown()


def test_shutdown_finishes_what_was_submitted_then_refuses_more() -> None:
    pool = WarmPool(2)
    done: list[int] = []

    def slow(n: int) -> None:
        time.sleep(0.02)
        done.append(n)

    for n in range(6):
        pool.submit(slow, n)
    pool.shutdown(wait=True)
    assert sorted(done) == list(range(6))
    assert not any(t.is_alive() for t in pool._threads)
    with pytest.raises(RuntimeError):
        pool.submit(slow, 7)


def test_shutdown_can_cancel_queued_jobs() -> None:
    pool = WarmPool(1)
    gate = threading.Event()
    running = pool.submit(gate.wait, 5)
    queued = pool.submit(lambda: "never")
    while not running.running():
        time.sleep(0.001)
    pool.shutdown(wait=False, cancel_futures=True)
    assert queued.cancelled()
    gate.set()
    assert running.result(5) is True
    pool._threads[0].join(5)
    assert not pool._threads[0].is_alive()
