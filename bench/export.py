"""How long the quarterly return takes, and how much memory, for a big plan.

Builds a generated plan of 50 items over 8 quarterly periods (a two-year plan,
2018-04-01 to 2020-03-31), each item with 3 KPIs, 3 milestones and 2 monitoring
lines, and stores two versions of an update per item per period through
storage.queries.save_update (every seventh item skips a period and is chased
instead). Then the return for the last period is exported to docx and xlsx:

  cold   the first export in the process (imports python-docx, openpyxl and
         matplotlib on the way), as `planbot export` run once would pay;
  warm   the median of repeated exports, as a long-running bot would pay.

Time is wall-clock around compose + write (database reads included), with the
process's CPU time beside it (less swayed by other work on the machine). Memory is
the process's peak resident size after the timed exports (ru_maxrss: the
interpreter, every library and the database included), and the peak of Python
allocations during one export (tracemalloc, measured last: tracing inflates both
time and resident size). The goal: under
2 s and 200 MB per export.

    /tmp/venv/bin/python bench/export.py                        # SQLite in a temp dir
    /tmp/venv/bin/python bench/export.py --keep /tmp/bench-out  # keep the files to look at
    /tmp/venv/bin/python bench/export.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic_plan import ITEMS, lead_of, plan_document
from bot.returns.export import export_return
from storage.db import make_engine, normalise_url, session_scope, upgrade
from storage.models import MilestoneState, Rag, Send, SendStatus
from storage.plan_loader import load_plan
from storage.queries import MilestoneAnswer, plan_periods, save_update

LONDON = ZoneInfo("Europe/London")
RAGS = list(Rag)
STATES = list(MilestoneState)
PRODUCED = dt.date(2020, 4, 3)


def build(engine: Engine) -> tuple[int, float]:
    """Migrate, load the plan, store the updates; returns (updates stored, seconds)."""
    started = time.perf_counter()
    upgrade(engine)
    with session_scope(engine) as session:
        load_plan(
            session,
            plan_document(title="Benchmark plan 2018-20", year_start="2018-04-01", year_end="2020-03-31"),
            source="bench",
        )
        periods = plan_periods(session)
    assert len(periods) == 8, f"expected 8 periods, got {len(periods)}"
    stored = 0
    for index, period in enumerate(periods):
        with session_scope(engine) as session:
            for item in range(1, ITEMS + 1):
                lead = lead_of(item)
                if (item + index) % 7 == 0:
                    for seq in (1, 2):
                        session.add(
                            Send(
                                key=f"chaser|{lead}|{item}|{period.key}|{seq}", kind="chaser", person_id=lead,
                                item_number=item, occurrence=period.key, due=dt.datetime.combine(period.end, dt.time(9), LONDON),
                                status=SendStatus.SENT, claimed_at=dt.datetime.combine(period.end, dt.time(9), LONDON),
                            )
                        )
                    continue
                for version in (1, 2):
                    save_update(
                        session,
                        item_number=item,
                        period_key=period.key,
                        rag=RAGS[(item + index + version) % len(RAGS)],
                        summary=f"Progress on item {item} in {period.key}, version {version}: " + "words " * 30,
                        blockers="Waiting for a Board decision." if item % 3 == 0 else "",
                        kpi_progress={f"kpi{k}": f"Progress on KPI {k}, version {version}" for k in (1, 2, 3)},
                        milestone_states={
                            f"m{m}": MilestoneAnswer(STATES[(item + m) % len(STATES)], period.end + dt.timedelta(days=30))
                            for m in (1, 2, 3)
                        },
                        author_id=lead,
                        on_behalf_of_id=None,
                        at=dt.datetime.combine(period.end - dt.timedelta(days=5 - version), dt.time(9), LONDON),
                    )
                    stored += 1
    return stored, time.perf_counter() - started


def export_once(engine: Engine, fmt: str, folder: Path) -> tuple[float, float, Path]:
    """One export: (wall seconds, CPU seconds of this process, the file)."""
    started, cpu = time.perf_counter(), time.process_time()
    with session_scope(engine) as session:
        _, paths = export_return(session, period=None, fmt=fmt, produced=PRODUCED, path=None, folder=folder)
    return time.perf_counter() - started, time.process_time() - cpu, paths[0]


def peak_allocated(engine: Engine, fmt: str, folder: Path) -> float:
    """MB allocated by Python at the peak of one export (timed apart: tracing slows it)."""
    tracemalloc.start()
    export_once(engine, fmt, folder)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def scratch_database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory(prefix="planbot-export-bench-") as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    admin = make_engine(url)
    name = f"planbot_export_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    try:
        yield make_url(normalise_url(url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to make a scratch database on (default: SQLite)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the exported files here")
    args = parser.parse_args()

    with scratch_database(args.database_url) as url, tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        stored, seconds = build(engine)
        print(f"database: {engine.dialect.name}; {ITEMS} items x 8 periods, {stored} update versions stored in {seconds:.1f} s")
        print(f"resident size before any export: {rss_mb():.0f} MB")
        print(f"{'format':<6} {'cold s':>7} {'(cpu)':>6} {'warm s':>7} {'(cpu)':>6} {'file KB':>8}")
        worst = {"cold": 0.0, "warm": 0.0}
        for fmt in ("docx", "xlsx"):
            cold, cold_cpu, path = export_once(engine, fmt, folder)
            runs = [export_once(engine, fmt, folder) for _ in range(args.repeats)]
            warm, warm_cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            worst["cold"], worst["warm"] = max(worst["cold"], cold), max(worst["warm"], warm)
            print(f"{fmt:<6} {cold:>7.2f} {cold_cpu:>6.2f} {warm:>7.2f} {warm_cpu:>6.2f} {path.stat().st_size / 1024:>8.0f}")
        total = rss_mb()
        print(f"process peak resident size after both: {total:.0f} MB (interpreter, libraries and database included)")
        peaks = ", ".join(f"{fmt} {peak_allocated(engine, fmt, folder):.0f} MB" for fmt in ("docx", "xlsx"))
        print(f"peak Python allocation during one export (tracemalloc): {peaks}")
        verdict = {True: "met", False: "NOT met"}
        print(
            f"goal, each export under 2 s: warm {verdict[worst['warm'] < 2]} ({worst['warm']:.2f} s), "
            f"cold {verdict[worst['cold'] < 2]} ({worst['cold']:.2f} s, library imports included)"
        )
        print(f"goal, under 200 MB resident: {verdict[total < 200]} ({total:.0f} MB)")
        print(f"load average while measuring: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
        if args.keep:
            print(f"files kept in {folder}")
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
