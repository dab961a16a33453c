"""Engines and sessions for SQLite (the embedded default) and PostgreSQL.

SQLite runs in WAL mode with a busy timeout, and every writing transaction takes
the write lock when it begins, so the shell, the web process and the clock can
share one file without a transaction failing half-way; the database is migrated
on first start.

Callers say what they need: `session_scope` writes (on SQLite it begins with the
write lock), `read_scope` only reads (it never takes the write lock, so any number
of readers run beside a writer, and it works on a read-only database). A reader
that tries to write is refused by the database (`is_write_refused`), on both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine


MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept Heroku's postgres:// form and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages (erasure)
    cursor.close()


READ_ONLY = "planbot_read_only"
"""Execution option marking a reader's connection (see `read_scope`)."""


def _begin(connection: Any) -> None:
    """Writers begin IMMEDIATE (the write lock up front); readers begin deferred with
    `query_only` set, so a write in a reader fails at once instead of taking the lock."""
    reader = bool(connection.get_execution_options().get(READ_ONLY))
    if connection.info.get("query_only", False) != reader:
        connection.exec_driver_sql(f"PRAGMA query_only={int(reader)}")
        connection.info["query_only"] = reader
    connection.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None hands transaction control to SQLAlchemy, which then
        # begins each one IMMEDIATE: writers queue on the busy timeout up front
        # instead of failing mid-transaction when another process wrote first.
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 10, "isolation_level": None}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin)
        return engine
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
    # LIFO: a quiet process keeps reusing its most recent connection (warm in PostgreSQL's
    # caches), and the pool's spare connections can time out instead of being cycled.
    engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_use_lifo=True, connect_args=connect_args)
    return engine


_STARTUP_LOCK = 0x504C414E  # any constant shared by every Planbot process


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Serialise migrations and plan loads between processes that start together.

    PostgreSQL gets a session advisory lock; SQLite needs none, as every
    transaction there already begins with the write lock.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("select pg_advisory_lock(:key)"), {"key": _STARTUP_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("select pg_advisory_unlock(:key)"), {"key": _STARTUP_LOCK})
            conn.commit()


def upgrade(engine: Engine) -> None:
    """Apply every Alembic migration (idempotent; safe to run at each start).

    A database already at the newest revision is only read (no lock, no write), so
    commands that only read work on a read-only database."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection_engine"] = engine
    with reader(engine).connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == set(ScriptDirectory.from_config(config).get_heads()):
        return
    with startup_lock(engine):
        command.upgrade(config, "head")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One writing session per handler or job: commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


_READER = "_planbot_reader"


def reader(engine: Engine) -> Engine:
    """The same engine for sessions that only read: on SQLite they never take the write
    lock; on PostgreSQL their transactions are READ ONLY. Made once per engine (a
    derived engine costs a few dozen microseconds, and readers are the hot path)."""
    made: Engine | None = engine.__dict__.get(_READER)
    if made is None:
        made = engine.execution_options(**{READ_ONLY: True, "postgresql_readonly": engine.dialect.name == "postgresql"})
        engine.__dict__[_READER] = made
    return made


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A session that only reads: it waits for no writer and works on a read-only database.
    Closing it ends the transaction and leaves what it loaded readable."""
    with Session(reader(engine), expire_on_commit=False) as session:
        yield session


SQLITE_READONLY = 8
PG_READ_ONLY_TRANSACTION = "25006"
PG_INSUFFICIENT_PRIVILEGE = "42501"


def is_write_refused(exc: BaseException) -> bool:
    """The database refused a write: a reader's transaction, a read-only SQLite file,
    or a PostgreSQL user without write permission."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlite_errorcode", None) is not None:
        return (orig.sqlite_errorcode & 0xFF) == SQLITE_READONLY
    return getattr(orig, "sqlstate", None) in {PG_READ_ONLY_TRANSACTION, PG_INSUFFICIENT_PRIVILEGE}


def compact(engine: Engine) -> None:
    """After an erasure: on SQLite, rewrite the file without its free pages (rows deleted before
    secure_delete was on could still be read there) and empty the write-ahead log. PostgreSQL
    reclaims dead rows by its own vacuum; what backups hold is docs/data-protection.md's."""
    if engine.dialect.name != "sqlite":
        return
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
