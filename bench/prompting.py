"""Prompting 2,000 lead-items through a rate-limited chat port, and the clock's memory.

1. Throughput: a generated plan with 400 leads x 5 items (2,000 lead-items) and
   the bundled plan's year, meetings and coordinators. At the Q3 prompt time
   (Mon 16 Dec 2019, 09:00) the quarterly-prompts reconcile sends all 2,000
   through a fake chat port that allows a fixed rate (a send waits for its slot,
   one every 1/rate seconds, as a rate-limited platform client does). Printed:
   the total time against the rate's minimum (2,000 / rate; goal: within 1.1x),
   and what the port received: lost and duplicated prompts (goal: zero).
2. Memory: a real `planbot clock --at` process on a fresh database with the same
   plan, started just before 09:00 so its schedule fires the 2,000 prompts (to
   the terminal inbox). Its resident memory is sampled until every prompt is
   sent; printed: the peak (goal: under 120 MB).

    /tmp/venv/bin/python bench/prompting.py                      # SQLite in a temp dir
    /tmp/venv/bin/python bench/prompting.py --rate 100 --items 2000
    /tmp/venv/bin/python bench/prompting.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine, make_url
from sqlmodel import col, func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.clock import FixedClock
from bot.core.ports import Recipient, SentMessage
from bot.core.replies import Reply
from schedules.reconcile import Reconciler
from storage.db import make_engine, normalise_url, session_scope, upgrade
from storage.models import Send, SendStatus
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, parse_plan

LONDON = ZoneInfo("Europe/London")
PROMPTS_AT = dt.datetime(2019, 12, 16, 9, tzinfo=LONDON)
ITEMS_EACH = 5


class RateLimitedPort:
    """A chat platform that takes one message per 1/rate seconds and remembers them."""

    platform = "bench"

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate
        self.next_slot = 0.0
        self.lock = threading.Lock()
        self.received: list[tuple[str, str]] = []

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        with self.lock:
            now = time.perf_counter()
            slot = max(now, self.next_slot)
            self.next_slot = slot + self.interval
        if slot > now:
            time.sleep(slot - now)
        heading = reply.blocks[0].text if reply.blocks else ""  # type: ignore[union-attr]
        self.received.append((recipient.person_id, heading))
        return SentMessage(self.platform, recipient.person_id, str(len(self.received)))

    def update(self, sent: SentMessage, reply: Reply) -> None:
        raise NotImplementedError


def plan_text(items: int) -> str:
    raw = yaml.safe_load(BUNDLED_PLAN.read_text(encoding="utf-8"))
    coordinators = [p for p in raw["people"] if "coordinator" in p.get("roles", [])]
    leads = items // ITEMS_EACH
    raw["people"] = coordinators + [
        {"id": f"lead-{n:04d}", "name": f"Lead {n:04d}", "roles": ["lead"]} for n in range(leads)
    ]
    raw["items"] = [
        {
            "number": n + 1,
            "title": f"Improvement item {n + 1}",
            "lead": f"lead-{n // ITEMS_EACH:04d}",
            "kpis": ["A measurable outcome", "Another one"],
            "milestones": ["A first step", "A second step"],
        }
        for n in range(leads * ITEMS_EACH)
    ]
    return yaml.safe_dump(raw, allow_unicode=True)


@contextmanager
def database(url: str | None, folder: Path, name: str) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file, or a new database on the given PostgreSQL server."""
    if url is None:
        path = folder / f"{name}.db"
        target = f"sqlite:///{path}"
        engine = make_engine(target)
        upgrade(engine)
        engine.dispose()
        yield target
        return
    admin = make_engine(url)
    db = f"planbot_bench_{name}_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'create database "{db}"'))
    target = make_url(normalise_url(url)).set(database=db).render_as_string(hide_password=False)
    engine = make_engine(target)
    upgrade(engine)
    engine.dispose()
    try:
        yield target
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f'drop database if exists "{db}" with (force)'))
        admin.dispose()


def load(engine: Engine, text: str) -> None:
    with session_scope(engine) as session:
        load_plan(session, parse_plan(text, "bench"), source="bench")


def sent_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).where(col(Send.status) == SendStatus.SENT)).one()


def throughput(url: str, items: int, rate: float) -> None:
    engine = make_engine(url)
    load(engine, plan_text(items))
    port = RateLimitedPort(rate)
    reconciler = Reconciler(engine, port, FixedClock(PROMPTS_AT), by="bench")
    started = time.perf_counter()
    outcomes = reconciler.run("quarterly-prompts")
    elapsed = time.perf_counter() - started
    minimum = items / rate
    per_item = Counter(port.received)
    print(
        f"prompted {len(port.received)} lead-items at {rate:g}/s: {elapsed:.2f} s; the rate allows {minimum:.2f} s: {elapsed / minimum:.3f}x (goal <= 1.1x)"
    )
    print(
        f"lost {items - len(per_item)}, duplicated {sum(per_item.values()) - len(per_item)}; ledger: {sent_count(engine)} sent of {len(outcomes)} outcomes"
    )
    engine.dispose()


def clock_memory(url: str, items: int, folder: Path) -> None:
    engine = make_engine(url)
    load(engine, plan_text(items))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAN_FILE", "SLACK_", "TEAMS_"))}
    env.update({"DATABASE_URL": url, "PYTHONPATH": str(ROOT)})
    start = (PROMPTS_AT - dt.timedelta(seconds=6)).isoformat()
    log = folder / "clock.log"
    with log.open("w") as err:  # a file, not a pipe: a pipe nobody reads mid-run fills and stalls the clock
        clock = subprocess.Popen(
            [sys.executable, "-m", "bot", "clock", "--at", start], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err
        )
    process = psutil.Process(clock.pid)
    peak, started = 0, time.perf_counter()
    try:
        while sent_count(engine) < items and time.perf_counter() - started < 600:
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.1)
        for _ in range(10):
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.1)
    finally:
        clock.send_signal(signal.SIGTERM)
        clock.wait(timeout=60)
    sent = sent_count(engine)
    print(
        f"clock process: {sent} of {items} prompts sent to the inbox in {time.perf_counter() - started:.1f} s; "
        f"peak resident memory {peak / 2**20:.1f} MB (goal < 120 MB); exit {clock.returncode}"
    )
    if clock.returncode != 0:
        print(log.read_text(encoding="utf-8"), file=sys.stderr)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=2000, help="lead-items to prompt (a multiple of 5)")
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second the fake platform allows")
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to create scratch databases on (default: SQLite files)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine_kind = "PostgreSQL" if args.database_url else "SQLite"
        print(f"{engine_kind}, {args.items} lead-items, quarterly prompts at {PROMPTS_AT.isoformat()}")
        with database(args.database_url, Path(folder), "rate") as url:
            throughput(url, args.items, args.rate)
        with database(args.database_url, Path(folder), "clock") as url:
            clock_memory(url, args.items, Path(folder))


if __name__ == "__main__":
    main()
