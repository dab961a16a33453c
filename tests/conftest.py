"""Shared fixtures: real databases (SQLite and PostgreSQL), the bundled plan, a
settable clock and a core bot to talk to.

PostgreSQL tests use a database of their own per test run, created on the server
named by PLANBOT_TEST_POSTGRES_URL (default: the local `test` server). If it is
unreachable they are skipped, unless PLANBOT_REQUIRE_POSTGRES=1 (CI) makes that
a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import bot.app  # noqa: F401  (the assembly registers /plan-schedule and /plan-status export)
from bot.core.clock import FixedClock
from bot.core.events import Command, Sender, TextMessage
from bot.core.planbot import Planbot
from bot.core.replies import Reply
from storage.db import make_engine, session_scope, upgrade
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, read_plan

PG_URL = os.environ.get("PLANBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("PLANBOT_REQUIRE_POSTGRES") == "1"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    admin = make_engine(PG_URL)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {PG_URL}: {exc.orig}"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    name = f"planbot_test_{uuid.uuid4().hex[:10]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    url = sa.engine.make_url(admin.url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


def _truncate_postgres(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"truncate {tables} cascade"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "planbot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    _truncate_postgres(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def plan_engine(engine: Engine) -> Engine:
    """A database with the bundled SELEP plan loaded."""
    with session_scope(engine) as session:
        load_plan(session, read_plan(BUNDLED_PLAN), source=str(BUNDLED_PLAN))
    return engine


@pytest.fixture
def clock() -> FixedClock:
    """10:00 on 20 November 2019, London: inside Q3 of the bundled plan year."""
    return FixedClock(dt.datetime(2019, 11, 20, 10, 0, tzinfo=LONDON))


@pytest.fixture
def planbot(plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> Planbot:
    return Planbot(plan_engine, clock, exports_dir=tmp_path / "exports")


class Chat:
    """Talk to the core as one person over the shell platform, like errbot's testbot."""

    def __init__(self, bot: Planbot, person_id: str, platform: str = "shell") -> None:
        self.bot = bot
        self.sender = Sender(platform, person_id)

    def say(self, text: str) -> list[Reply]:
        return self.bot.handle(TextMessage(self.sender, text))

    def text(self, text: str) -> str:
        """What the person would read after typing `text`."""
        return "\n".join(r.text for r in self.say(text))

    def command(self, name: str, args: str = "") -> str:
        return "\n".join(r.text for r in self.bot.handle(Command(self.sender, name, args)))


@pytest.fixture
def chat(planbot: Planbot):  # type: ignore[no-untyped-def]
    """`chat("person-id")` gives a Chat as that person."""
    return lambda person_id, platform="shell": Chat(planbot, person_id, platform)
