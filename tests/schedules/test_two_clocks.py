"""Two clock processes on one database (SQLite file or PostgreSQL) at once send
every message exactly once: the send ledger's unique key decides, not the
scheduler. Real OS processes, as deployed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.db import session_scope
from storage.inbox import messages
from storage.models import Send, SendStatus
from tests.processes import ROOT
from tests.schedules.conftest import big_plan, ledger, load_text

LEADS, ITEMS_EACH = 150, 4  # 600 lead-items: long enough a send phase for the two processes to overlap
LEAD_ITEMS = LEADS * ITEMS_EACH

pytestmark = pytest.mark.slow


def _start(*args: str, database_url: str, output: Path) -> subprocess.Popen[bytes]:
    """A `planbot` process writing to files (a pipe nobody reads mid-run would fill and stall it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAN_FILE", "SLACK_", "TEAMS_"))}
    env.update({"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"})
    with output.with_suffix(".out").open("w") as out, output.with_suffix(".err").open("w") as err:
        return subprocess.Popen([sys.executable, "-m", "bot", *args], stdout=out, stderr=err, env=env, cwd=ROOT)


def _finish(process: subprocess.Popen[bytes], output: Path) -> tuple[str, str]:
    process.wait(timeout=300)
    return output.with_suffix(".out").read_text(encoding="utf-8"), output.with_suffix(".err").read_text(encoding="utf-8")


def _sent_count(engine: Engine) -> int:
    """How many sends went out so far: a count, as the test polls it while the clocks work."""
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(Send).where(Send.status == SendStatus.SENT)).one()


def _inbox_keys(engine: Engine) -> Counter[tuple[str, str]]:
    with session_scope(engine) as session:
        return Counter((m.person_id, m.reply["blocks"][0]["text"]) for m in messages(session))


def test_two_run_jobs_at_once_send_each_prompt_once(db_url: str, engine: Engine, tmp_path: Path) -> None:
    load_text(engine, big_plan(LEADS, ITEMS_EACH))
    outputs = [tmp_path / f"run{n}" for n in range(2)]
    runs = [_start("run-job", "all", "--at", "2019-12-16T09:00", "--json", database_url=db_url, output=o) for o in outputs]
    results = [_finish(run, o) for run, o in zip(runs, outputs, strict=True)]

    assert [run.returncode for run in runs] == [0, 0], [err for _, err in results]
    made = [(s["kind"], s["person"], s["item"], s["occurrence"]) for out, _ in results for s in json.loads(out)]
    assert len(made) == len(set(made)) == LEAD_ITEMS
    rows = ledger(engine)
    assert len(rows) == LEAD_ITEMS and {r.status for r in rows} == {SendStatus.SENT}
    assert len({r.claimed_by for r in rows}) == 2  # both processes really did send
    inbox = _inbox_keys(engine)
    assert sum(inbox.values()) == LEAD_ITEMS and max(inbox.values()) == 1


def test_two_clock_processes_at_once_send_each_prompt_once(db_url: str, engine: Engine, tmp_path: Path) -> None:
    """Both clocks start three seconds before Mon 16 Dec 2019 09:00 (`--at`) and
    fire the quarterly prompts at 09:00 by their schedule."""
    load_text(engine, big_plan(LEADS, ITEMS_EACH))
    logs = [tmp_path / f"clock{n}" for n in range(2)]
    clocks = [_start("clock", "--at", "2019-12-16T08:59:57", database_url=db_url, output=log) for log in logs]
    try:
        deadline = time.monotonic() + 300
        while _sent_count(engine) < LEAD_ITEMS and time.monotonic() < deadline:
            assert all(c.poll() is None for c in clocks), [_finish(c, log)[1] for c, log in zip(clocks, logs, strict=True)]
            time.sleep(0.5)
    finally:
        for c in clocks:
            c.send_signal(signal.SIGTERM)
        outputs = [_finish(c, log) for c, log in zip(clocks, logs, strict=True)]

    assert [c.returncode for c in clocks] == [0, 0], [err for _, err in outputs]
    for _, err in outputs:
        assert "planbot clock: timezone Europe/London, grace 24h, sending via shell" in err
        assert "next quarterly-prompts reconcile at 2019-12-16T09:00:00+00:00" in err
    rows = ledger(engine)
    assert len(rows) == LEAD_ITEMS and {(r.kind, r.status) for r in rows} == {("quarterly-prompt", SendStatus.SENT)}
    assert all(r.sent_at is not None and r.sent_at >= r.due for r in rows)  # fired by the schedule, never early
    inbox = _inbox_keys(engine)
    assert sum(inbox.values()) == LEAD_ITEMS and max(inbox.values()) == 1
