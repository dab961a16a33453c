"""Shared fixtures: real databases (SQLite and PostgreSQL), the bundled plan, a
settable clock and a core bot to talk to.

The suite runs in parallel (pytest-xdist, one worker per core) unless `-n` says
otherwise (`-n0`, or `-p no:xdist`, runs it in this process). Each worker has
its own databases: PostgreSQL tests use a database per worker, created on the
server named by PLANBOT_TEST_POSTGRES_URL (default: the local `test` server) and
dropped at the end. If it is unreachable they are skipped, unless
PLANBOT_REQUIRE_POSTGRES=1 (CI) makes that a failure.

Expensive state is made once per worker and copied per test: a migrated SQLite
file, and the bundled plan loaded (a SQLite file; on PostgreSQL, its rows kept
in a schema of their own).
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
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
PLAN_SNAPSHOT = "plan_snapshot"  # the PostgreSQL schema holding the loaded plan's rows


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Run in parallel unless told otherwise: `-n auto --dist load` when neither
    `-n` nor `--dist` was given. Set here rather than in addopts, so that
    `-p no:xdist` (no `-n` option at all) still runs the suite serially."""
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    if config.option.numprocesses is None and config.option.dist == "no" and not config.option.tx:
        config.option.numprocesses = "auto"
        config.option.dist = "load"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first, so parallel workers are not left waiting on one at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_plan_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated file with the bundled plan loaded, copied for each plan_engine test."""
    path = tmp_path_factory.mktemp("sqlite-plan") / "plan.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    _load_bundled_plan(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this worker's run, dropped at the end."""
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
    name = f"planbot_test_{WORKER}_{uuid.uuid4().hex[:10]}"
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


def _load_bundled_plan(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_plan(session, read_plan(BUNDLED_PLAN), source=str(BUNDLED_PLAN))


def _reset_postgres(conn: sa.Connection, *, copy_from: str | None = None) -> None:
    """Empty every table (DELETE, child tables first: on tables this small it is
    ten times faster than TRUNCATE), then copy rows back from a snapshot schema."""
    tables = [f'"{t.name}"' for t in SQLModel.metadata.sorted_tables]
    for table in reversed(tables):
        conn.execute(sa.text(f"delete from public.{table}"))
    if copy_from is not None:
        for table in tables:
            conn.execute(sa.text(f'insert into public.{table} select * from "{copy_from}".{table}'))


@pytest.fixture(scope="session")
def postgres_plan_snapshot(postgres_url: str) -> str:
    """The bundled plan loaded once per worker, its rows kept in a schema of their
    own for plan_engine to copy. Sequences are never reset, so ids made by a
    test stay above any id in the snapshot."""
    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        _reset_postgres(conn)
    _load_bundled_plan(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(f'create schema "{PLAN_SNAPSHOT}"'))
        for table in SQLModel.metadata.sorted_tables:
            conn.execute(sa.text(f'create table "{PLAN_SNAPSHOT}"."{table.name}" as table public."{table.name}"'))
    engine.dispose()
    return PLAN_SNAPSHOT


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "planbot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        _reset_postgres(conn)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def plan_engine(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    """A database with the bundled SELEP plan loaded: a copy of one loaded per worker,
    the same rows `load_plan` writes, without loading the plan for every test."""
    if engine.dialect.name == "sqlite":
        engine.dispose()  # no connection may hold the file while it is replaced
        path = Path(str(engine.url.database))
        for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copy(request.getfixturevalue("sqlite_plan_template"), path)
    else:
        snapshot = request.getfixturevalue("postgres_plan_snapshot")
        with engine.begin() as conn:
            _reset_postgres(conn, copy_from=snapshot)
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
