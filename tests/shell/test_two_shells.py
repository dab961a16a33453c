"""Two terminal shells on one SQLite file (point 5 of the trust issue): a pasted
megabyte in one does not hold the database, and /plan-status in a shell answers while
another process holds the write lock. Real processes: the test is about them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.db import session_scope
from storage.models import CallNote
from tests.processes import ROOT, child_env

pytestmark = pytest.mark.slow
TODAY = ["--today", "2019-11-20"]


def shell(db_url: str, person: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "shell", "--as", person, *TODAY],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=child_env(db_url),
        cwd=ROOT,
    )


def test_a_pasted_megabyte_does_not_hold_up_another_shell(plan_engine: Engine, db_url: str) -> None:
    first, second = shell(db_url, "alex"), shell(db_url, "bea")
    out_first, err_first = first.communicate("/away until " + "1" * 1_000_000 + "\n/flag from alex\n", timeout=120)
    out_second, err_second = second.communicate("/plan-status\n/flag from bea\n", timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), err_first + err_second
    assert "database is locked" not in err_first + err_second + out_first + out_second
    assert "That's 1,000,006 characters after /away; it takes at most 200" in out_first
    assert "== Plan status — Q3 2019-20" in out_second
    with session_scope(plan_engine) as session:
        assert sorted(n.text for n in session.exec(select(CallNote))) == ["from alex", "from bea"]


def test_plan_status_answers_while_another_process_holds_the_write_lock(plan_engine: Engine, db_url: str) -> None:
    if plan_engine.dialect.name != "sqlite":
        pytest.skip("the write lock is SQLite's; PostgreSQL readers never wait for writers")
    with plan_engine.connect() as writer:
        writer.begin()  # BEGIN IMMEDIATE: the write lock, held until the shell has answered
        writer.exec_driver_sql("update plan set title = title")
        reader = shell(db_url, "dee")
        out, err = reader.communicate("/plan-status\n/plan-status 3\n", timeout=120)
        writer.rollback()
    assert reader.returncode == 0, err
    assert "== Plan status — Q3 2019-20" in out and "== Item 3" in out
    assert "something went wrong" not in out and "database is locked" not in err
