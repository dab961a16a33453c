"""Shared fixtures: real databases (SQLite and PostgreSQL), the bundled plan, a
settable clock and a core bot to talk to.

The suite runs in parallel (pytest-xdist, one worker per core) unless `-n` says
otherwise (`-n0`, or `-p no:xdist`, runs it in this process). Each worker has
its own databases: PostgreSQL tests use a database per worker, created on the
server named by PLANBOT_TEST_POSTGRES_URL (default: the local `test` server) and
dropped at the end. If it is unreachable they are skipped, unless
PLANBOT_REQUIRE_POSTGRES=1 (CI) makes that a failure.

Expensive state is made once per worker and copied per test: a migrated SQLite
file, and database contents such as the loaded bundled plan (DatabaseStates).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings
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
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

# Property tests: modest example counts keep the suite fast; HYPOTHESIS_PROFILE=thorough searches harder.
hypothesis_settings.register_profile("planbot", max_examples=40, deadline=None)
hypothesis_settings.register_profile("thorough", max_examples=2000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "planbot"))


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
        # A throwaway database: commits need not wait for the disk (the same SQL, the
        # same locking and isolation; only durability after a power cut is given up).
        conn.execute(sa.text(f'alter database "{name}" set synchronous_commit to off'))
    url = sa.engine.make_url(admin.url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


def _reset_postgres(engine: Engine, *, copy_from: str | None = None) -> None:
    """Empty every table, then copy rows back from a saved schema, in one round
    trip. DELETE, child tables first: on tables this small it is ten times faster
    than TRUNCATE. Sequences are never reset, so the ids a test makes stay above
    any id in a saved state."""
    tables = [f'"{t.name}"' for t in SQLModel.metadata.sorted_tables]
    statements = [f"delete from public.{table}" for table in reversed(tables)]
    if copy_from is not None:
        statements += [f'insert into public.{table} select * from "{copy_from}".{table}' for table in tables]
    with engine.begin() as conn:
        conn.exec_driver_sql(";\n".join(statements))


@pytest.fixture(scope="session")
def postgres_resetter(postgres_url: str) -> Iterator[Engine]:
    """One engine per worker for emptying its database before each test."""
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


class DatabaseStates:
    """Database contents built once per worker and copied into each test's database
    after that: a SQLite file copied over the test's file; on PostgreSQL, the rows
    kept in a schema of their own and copied back. The first test to ask builds the
    state in its own database, so the building itself is still run and checked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.saved: dict[tuple[str, str], str] = {}

    def apply(self, engine: Engine, name: str, build: Callable[[Engine], None]) -> Engine:
        """The test's database (holding what the state was built on) now holds the state `name`."""
        key = (engine.dialect.name, name)
        if key not in self.saved:
            build(engine)
            self.saved[key] = self._save(engine, name)
        elif engine.dialect.name == "sqlite":
            self._sqlite_file(engine, self.saved[key])
        else:
            _reset_postgres(engine, copy_from=self.saved[key])
        return engine

    def _save(self, engine: Engine, name: str) -> str:
        if engine.dialect.name == "sqlite":
            engine.dispose()  # every change checkpointed into the file, which is then copied
            target = self.folder / f"{name}.db"
            shutil.copy(str(engine.url.database), target)
            return str(target)
        schema = f"state_{name}".replace("-", "_")
        with engine.begin() as conn:
            conn.execute(sa.text(f'create schema "{schema}"'))
            for table in SQLModel.metadata.sorted_tables:
                conn.execute(sa.text(f'create table "{schema}"."{table.name}" as table public."{table.name}"'))
        return schema

    @staticmethod
    def _sqlite_file(engine: Engine, saved: str) -> None:
        engine.dispose()  # no connection may hold the file while it is replaced
        path = Path(str(engine.url.database))
        for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copy(saved, path)


@pytest.fixture(scope="session")
def database_states(tmp_path_factory: pytest.TempPathFactory) -> DatabaseStates:
    return DatabaseStates(tmp_path_factory.mktemp("states"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "planbot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    _reset_postgres(request.getfixturevalue("postgres_resetter"))
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def sqlite_db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty SQLite file. A module whose subject does not depend on the engine
    (the ledger, the core and storage run on both elsewhere) overrides `db_url` with it."""
    path = tmp_path / "planbot.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def load_bundled_plan(engine: Engine) -> None:
    with session_scope(engine) as session:
        load_plan(session, read_plan(BUNDLED_PLAN), source=str(BUNDLED_PLAN))


@pytest.fixture
def plan_engine(engine: Engine, database_states: DatabaseStates) -> Engine:
    """A database with the bundled SELEP plan loaded (once per worker and engine, then copied)."""
    return database_states.apply(engine, "plan", load_bundled_plan)


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
