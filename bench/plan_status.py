"""How /plan-status scales with history: SQL statements and time per call.

Builds a generated plan of 50 items whose plan year is ten years long
(2010-04-01 to 2020-03-31 with period_months=3, so the loader makes 40
quarterly periods) in two databases that differ only in history:

  1 period     one update (one version) per item, in the current period;
  40 x 5       five versions per item in every one of the 40 periods
               (10,000 updates, 30,000 KPI and 30,000 milestone rows,
               bulk-inserted with Core executemany).

"Today" is 14 Feb 2020, inside the last period. Each /plan-status form is sent
through Planbot.handle as a coordinator would; statements are counted with a
`before_cursor_execute` listener and the median time is taken over repeated
calls. The goal: the same statement count on both, and a time ratio <= 2x.

    /tmp/venv/bin/python bench/plan_status.py                      # SQLite files in a temp dir
    /tmp/venv/bin/python bench/plan_status.py --database-url postgresql://postgres@127.0.0.1:5432/test

With a PostgreSQL URL two scratch databases are created on that server and
dropped afterwards; with a SQLite URL two files are made beside the one named.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic_plan import ITEMS, KPIS, MILESTONES, lead_of, plan_document
from bot.core.clock import FixedClock
from bot.core.events import Command, Sender
from bot.core.planbot import Planbot
from storage.db import make_engine, normalise_url, session_scope, upgrade
from storage.plan_loader import load_plan
from storage.queries import plan_periods

VERSIONS = 5
LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2020, 2, 14, 10, 0, tzinfo=LONDON)
FORMS = [("", "/plan-status"), ("7", "/plan-status 7"), ("lead-03", "/plan-status lead-03"), ("overdue", "/plan-status overdue"), ("changes", "/plan-status changes")]
RAGS = ["on_track", "at_risk", "off_track", "complete"]
STATES = ["done", "on_track", "slipped", "not_started"]


def history_rows(period_keys: list[str], period_ends: list[dt.date], versions: int) -> dict[str, list[dict[str, Any]]]:
    """Rows for update, updatekpi and updatemilestone: `versions` per item per period, the last one latest."""
    updates, kpis, milestones = [], [], []
    next_id = 1
    for key, end in zip(period_keys, period_ends, strict=True):
        for item in range(1, ITEMS + 1):
            for version in range(1, versions + 1):
                written = dt.datetime.combine(end - dt.timedelta(days=10 - version), dt.time(9, 0), LONDON)
                updates.append(
                    {
                        "id": next_id,
                        "item_number": item,
                        "period_key": key,
                        "version": version,
                        "is_latest": version == versions,
                        "rag": RAGS[(item + version) % len(RAGS)],
                        "summary": f"Progress on item {item} in {key}, version {version}.",
                        "blockers": f"Blocker {version}" if version % 2 else "",
                        "author_id": lead_of(item),
                        "on_behalf_of_id": None,
                        "created_at": written,
                        "source": "bench",
                    }
                )
                kpis += [
                    {"update_id": next_id, "kpi_key": f"kpi{k}", "kpi_text": f"KPI {k} of item {item}: a measurable thing", "progress": f"v{version} progress"}
                    for k in range(1, KPIS + 1)
                ]
                milestones += [
                    {
                        "update_id": next_id,
                        "milestone_key": f"m{m}",
                        "milestone_text": f"Milestone {m} of item {item}",
                        "state": STATES[(item + m + version) % len(STATES)],
                        "new_date": None,
                    }
                    for m in range(1, MILESTONES + 1)
                ]
                next_id += 1
    return {"update": updates, "updatekpi": kpis, "updatemilestone": milestones}


def build(engine: Engine, *, all_periods: bool) -> tuple[int, float]:
    """Migrate, load the plan, bulk-insert the history; returns (updates, seconds)."""
    started = time.perf_counter()
    upgrade(engine)
    with session_scope(engine) as session:
        load_plan(
            session,
            plan_document(title="Benchmark plan", year_start="2010-04-01", year_end="2020-03-31", deputy_every=5),
            source="bench",
        )
        periods = plan_periods(session)
    assert len(periods) == 40, f"expected 40 periods, got {len(periods)}"
    chosen = periods if all_periods else periods[-1:]
    rows = history_rows([p.key for p in chosen], [p.end for p in chosen], VERSIONS if all_periods else 1)
    tables = SQLModel.metadata.tables
    with engine.begin() as conn:
        for name in ("update", "updatekpi", "updatemilestone"):
            for start in range(0, len(rows[name]), 5000):
                conn.execute(tables[name].insert(), rows[name][start : start + 5000])
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("select setval(pg_get_serial_sequence('\"update\"', 'id'), (select max(id) from \"update\"))"))
            conn.execute(sa.text('analyze "update", updatekpi, updatemilestone, period, item'))
    return len(rows["update"]), time.perf_counter() - started


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def statements_per_call(bot: Planbot, engine: Engine, command: Command) -> int:
    replies = bot.handle(command)
    text = "\n".join(r.text for r in replies)
    if "went wrong" in text:
        raise SystemExit(f"/plan-status {command.args} failed: {text}")
    with counting(engine) as statements:
        bot.handle(command)
    return len(statements)


def measure(small: Engine, large: Engine, args: str, repeats: int) -> tuple[int, int, float, float]:
    """Statements per call and median milliseconds on each database.

    Calls alternate between the two databases, so a busy machine slows both
    alike and the ratio stays meaningful.
    """
    command = Command(Sender("shell", "coord"), "plan-status", args)
    bots = [Planbot(engine, FixedClock(TODAY), exports_dir=Path(tempfile.gettempdir())) for engine in (small, large)]
    counts = [statements_per_call(bot, engine, command) for bot, engine in zip(bots, (small, large), strict=True)]
    timings: list[list[float]] = [[], []]
    for _ in range(repeats):
        for index, bot in enumerate(bots):
            started = time.perf_counter()
            bot.handle(command)
            timings[index].append((time.perf_counter() - started) * 1000)
    return counts[0], counts[1], statistics.median(timings[0]), statistics.median(timings[1])


@contextmanager
def scratch_databases(url: str | None) -> Iterator[tuple[str, str]]:
    """Two empty databases (1 period, 40 x 5) on the engine the URL names, removed afterwards."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="planbot-bench-") as folder:
            yield f"sqlite:///{folder}/one-period.db", f"sqlite:///{folder}/forty-periods.db"
        return
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        base = Path(parsed.database or "bench.db")
        paths = [base.with_name(f"{base.stem}-{tag}{base.suffix or '.db'}") for tag in ("one-period", "forty-periods")]
        for path in paths:
            for extra in ("", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        try:
            yield f"sqlite:///{paths[0]}", f"sqlite:///{paths[1]}"
        finally:
            for path in paths:
                for extra in ("", "-wal", "-shm"):
                    Path(f"{path}{extra}").unlink(missing_ok=True)
        return
    tag = uuid.uuid4().hex[:8]
    names = [f"planbot_bench_{tag}_one", f"planbot_bench_{tag}_forty"]
    admin = make_engine(url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in names:
            conn.execute(sa.text(f'create database "{name}"'))
    try:
        yield tuple(parsed.set(database=n).render_as_string(hide_password=False) for n in names)  # type: ignore[misc]
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in names:
                conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server or SQLite file to build the two databases on (default: temp SQLite files)")
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per form (default 30)")
    options = parser.parse_args()

    with scratch_databases(options.database_url) as (small_url, large_url):
        small, large = make_engine(small_url), make_engine(large_url)
        try:
            small_updates, small_secs = build(small, all_periods=False)
            large_updates, large_secs = build(large, all_periods=True)
            engine_name = small.dialect.name
            print(f"/plan-status on {engine_name}: {ITEMS} items, 40 quarterly periods, today {TODAY:%d %b %Y}")
            print(f"  1 period: {small_updates:,} updates (built in {small_secs:.1f} s)")
            print(f"  40 x 5:   {large_updates:,} updates, {large_updates * KPIS:,} KPI rows, {large_updates * MILESTONES:,} milestone rows (built in {large_secs:.1f} s)")
            print(f"  median of {options.repeats} calls each, through Planbot.handle\n")
            print(f"{'':<24}{'statements per call':^27}{'median ms per call':^28}")
            print(f"{'form':<24}{'1 period':>12}{'40 x 5':>8}{'ratio':>7}{'1 period':>12}{'40 x 5':>9}{'ratio':>7}")
            worst = 0.0
            for args, label in FORMS:
                s_count, l_count, s_ms, l_ms = measure(small, large, args, options.repeats)
                ratio = l_ms / s_ms
                worst = max(worst, ratio)
                print(f"{label:<24}{s_count:>12}{l_count:>8}{l_count / s_count:>7.2f}{s_ms:>12.2f}{l_ms:>9.2f}{ratio:>7.2f}")
            print(f"\nworst time ratio {worst:.2f}x (goal <= 2x)")
        finally:
            small.dispose()
            large.dispose()


if __name__ == "__main__":
    main()
