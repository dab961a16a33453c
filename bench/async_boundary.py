"""The async boundary: 50 concurrent /plan-status events through AsyncPlanbot
beside the same 50 calls made directly, in one run, on PostgreSQL.

Every event carries a delivery id, so each writes a delivery row (as a Slack or
Teams event does). Figures printed:

  direct      the 50 calls one after another on the calling thread
  boundary    the 50 events awaited together through the bounded pool
  with export the same 50 while a coordinator's export runs beside them

For each: wall time, per-event latency p50/p99 (submit to answer), and the
event loop's worst lag (a 1 ms ticker: how late an acknowledgement could go
out while events run). Goal: the loop's lag stays in milliseconds while events
run, and an export does not hold up the other events.

    python bench/async_boundary.py                                      # local PostgreSQL `test` server
    python bench/async_boundary.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.async_boundary import AsyncPlanbot
from bot.core.clock import FixedClock
from bot.core.events import Command, Sender
from bot.core.planbot import Planbot
from storage.db import make_engine, normalise_url, session_scope, upgrade
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, read_plan

EVENTS = 50
NOW = dt.datetime(2019, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    admin = make_engine(url)
    name = f"planbot_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    try:
        yield sa.engine.make_url(normalise_url(url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


def status(n: int, tag: str) -> Command:
    return Command(Sender("shell", "robin"), "plan-status", delivery_id=f"{tag}-{n}-{uuid.uuid4().hex}")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def direct(bot: Planbot) -> tuple[float, list[float]]:
    latencies = []
    started = time.perf_counter()
    for n in range(EVENTS):
        t = time.perf_counter()
        bot.handle(status(n, "direct"))
        latencies.append(time.perf_counter() - t)
    return time.perf_counter() - started, latencies


async def through_boundary(boundary: AsyncPlanbot, *, with_export: bool) -> tuple[float, list[float], float, float]:
    lag = 0.0
    running = True

    async def ticker() -> None:
        nonlocal lag
        while running:
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            lag = max(lag, time.perf_counter() - t - 0.001)

    async def one(n: int) -> float:
        t = time.perf_counter()
        await boundary.handle(status(n, "async"))
        return time.perf_counter() - t

    tick = asyncio.create_task(ticker())
    export_time = 0.0
    export = None
    if with_export:
        async def run_export() -> float:
            t = time.perf_counter()
            await boundary.handle(Command(Sender("shell", "robin"), "plan-status", "export 2019-Q3 docx", delivery_id=uuid.uuid4().hex))
            return time.perf_counter() - t

        export = asyncio.create_task(run_export())
        await asyncio.sleep(0.005)
    started = time.perf_counter()
    latencies = await asyncio.gather(*(one(n) for n in range(EVENTS)))
    wall = time.perf_counter() - started
    if export is not None:
        export_time = await export
    running = False
    await tick
    return wall, list(latencies), lag, export_time


def line(name: str, wall: float, latencies: list[float], lag: float | None = None) -> str:
    ms = [x * 1000 for x in latencies]
    out = f"{name:<12} wall {wall * 1000:7.0f} ms   p50 {statistics.median(ms):6.1f} ms   p99 {pct(ms, 0.99):6.1f} ms"
    if lag is not None:
        out += f"   loop lag max {lag * 1000:5.1f} ms"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="pool size (default: the database pool)")
    args = parser.parse_args()
    with scratch_database(args.database_url) as url:
        engine = make_engine(url)
        upgrade(engine)
        with session_scope(engine) as session:
            load_plan(session, read_plan(BUNDLED_PLAN), source="bundled")
        bot = Planbot(engine, FixedClock(NOW), exports_dir=Path(tempfile.mkdtemp()))
        boundary = AsyncPlanbot(bot, workers=args.workers)
        print(f"{EVENTS} /plan-status events on PostgreSQL; pool of {boundary.workers} workers; best of {args.rounds} rounds")
        bot.handle(status(0, "warm"))
        best: dict[str, tuple[float, ...]] = {}
        for _ in range(args.rounds):
            d = direct(bot)
            a = asyncio.run(through_boundary(boundary, with_export=False))
            e = asyncio.run(through_boundary(boundary, with_export=True))
            for key, value in (("direct", d), ("boundary", a), ("with export", e)):
                if key not in best or value[0] < best[key][0]:
                    best[key] = value
        print(line("direct", *best["direct"]))
        print(line("boundary", *best["boundary"][:3]))
        print(line("with export", *best["with export"][:3]) + f"   (export {best['with export'][3] * 1000:.0f} ms)")
        speedup = best["direct"][0] / best["boundary"][0]
        print(f"boundary vs direct: {speedup:.2f}x the throughput")
        boundary.close()
        engine.dispose()


if __name__ == "__main__":
    main()
