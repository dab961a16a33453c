"""The adapters' own reads (is this the bot's DM, who is this user for the App Home, where
does a Teams chat live) open no writing transaction: on SQLite, where a writing one
begins IMMEDIATE and waits for the write lock, they answer while another process holds
that lock (a long fan-out, a plan load) instead of waiting out the busy timeout."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.slack.listeners.home import _person
from bot.slack.people import _known, dm_channel
from bot.teams.agent import _address, _known_id
from storage.addresses import record_address
from storage.db import session_scope
from tests.schedules.conftest import london


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    """SQLite: PostgreSQL readers never wait for writers."""
    return sqlite_db_url


@contextmanager
def write_lock_held(engine: Engine) -> Iterator[None]:
    """Another process in the middle of a write transaction."""
    other = sqlite3.connect(engine.url.database or "", isolation_level=None, timeout=1)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE plan SET loaded_at = loaded_at")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


READS: dict[str, Callable[[Engine], Any]] = {
    "slack: is the user known": lambda e: _known(e, "UCAL"),
    "slack: the bot's DM with a user": lambda e: dm_channel(e, "UCAL"),
    "slack: the App Home's person": lambda e: _person(e, "UCAL"),
    "teams: which id the plan knows": lambda e: _known_id(e, ["29:cal"]),
    "teams: a person's personal chat": lambda e: _address(e, "29:cal"),
}


@pytest.mark.parametrize("read", list(READS))
def test_an_adapters_read_waits_for_no_writer(plan_engine: Engine, read: str) -> None:
    with session_scope(plan_engine) as session:
        record_address(session, person_id="cal", platform="slack", user_id="UCAL", source="event", at=london(2019, 12, 16, 9), channel="D0CAL")
        record_address(session, person_id="cal", platform="teams", user_id="29:cal", source="install", at=london(2019, 12, 16, 9), channel="a:cal")
    expected = READS[read](plan_engine)
    assert expected, "the read finds what was recorded"

    with write_lock_held(plan_engine):
        started = time.monotonic()
        answer = READS[read](plan_engine)
        waited = time.monotonic() - started

    assert answer == expected
    assert waited < 5, f"waited {waited:.1f} s for the write lock (the busy timeout is 10 s)"
