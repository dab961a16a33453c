"""Processes that start together on a new database (web, clock, release) must not
trip over each other migrating it or loading PLAN_FILE."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage.db import make_engine
from storage.planfile import BUNDLED_PLAN
from tests.conftest import PG_URL
from tests.processes import ROOT


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody has migrated yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips or fails the way the other PostgreSQL tests do
    admin = make_engine(PG_URL)
    name = f"planbot_start_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    yield sa.engine.make_url(admin.url).set(database=name).render_as_string(hide_password=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


@pytest.mark.slow
def test_four_processes_starting_at_once_all_come_up(empty_database: str) -> None:
    env = dict(os.environ, DATABASE_URL=empty_database, PLAN_FILE=str(BUNDLED_PLAN), PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "shell", "--as", "robin", "--today", "2019-11-20"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        )
        for _ in range(4)
    ]
    results = [p.communicate("/plan-status 1\n", timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "Item 1: Increase strategy capacity to deliver the LIS" in out
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from item")).scalar() == 7
    engine.dispose()
