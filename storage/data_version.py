"""A counter that every committed write moves on, whichever process made it.

Answers kept in memory (a `/plan-status` summary asked again and again) stay valid
only while nothing they were built from has changed; the web process cannot see the
clock's or the shell's writes, but it can read this counter in a single small
query and drop what it kept when the number moved.

How it moves: every statement that writes (INSERT, UPDATE, DELETE) marks its
connection; when that transaction commits, the counter is bumped in the same
transaction, so a reader never sees the new number without the data behind it
(an answer built from newer data than its number is harmless; it is replaced at the
next bump). Done at the connection level, it covers ORM sessions, bulk statements and
raw SQL alike, and costs nothing in transactions that only read. The counter is the
sum of `SHARDS` rows and each commit bumps one picked at random: on PostgreSQL, writers
running side by side (the clock's senders) would otherwise queue on one row's lock
through each other's commits; the sum still grows with every commit. Until the table
exists (a database still being migrated) nothing is bumped and `Watch.current` is None,
which callers take as "keep nothing".
"""

from __future__ import annotations

import random
import threading
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool

TABLE = "dataversion"
SHARDS = 16
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE")
_WROTE = "planbot_wrote"
_EXISTS = {
    True: f"SELECT to_regclass('{TABLE}') IS NOT NULL",
    False: f"SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '{TABLE}'",
}
_WATCH = "_planbot_data_version_watch"
_ready_pools: weakref.WeakSet[Pool] = weakref.WeakSet()


def install(engine: Engine) -> None:
    """Bump the counter at every commit of a transaction that wrote (once per engine)."""
    if event.contains(engine, "commit", _bump):
        return
    event.listen(engine, "begin", _forget)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "after_cursor_execute", _mark)
    event.listen(engine, "commit", _bump)


def _forget(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


def _mark(conn: Connection, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
    if not conn.info.get(_WROTE) and statement.lstrip()[:7].upper().startswith(_WRITES):
        conn.info[_WROTE] = True


def _bump(conn: Connection) -> None:
    """In the committing transaction, on the driver's cursor (no events, no recursion)."""
    if not conn.info.pop(_WROTE, None):
        return
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if not _ready(conn, cursor):
            return
        cursor.execute(f"UPDATE {TABLE} SET n = n + 1 WHERE id = {random.randint(1, SHARDS)}")
    finally:
        cursor.close()


def _ready(conn: Connection, cursor: Any) -> bool:
    """Does the table exist yet? Remembered per connection pool (an engine and the
    reader engines made from it share one) once it does."""
    if conn.engine.pool in _ready_pools:
        return True
    cursor.execute(_EXISTS[conn.dialect.name == "postgresql"])
    row = cursor.fetchone()
    if row and row[0]:
        _ready_pools.add(conn.engine.pool)
        return True
    return False


class Watch:
    """Reads the counter as cheaply as the database allows, for the check made before
    every kept answer: one statement on a connection of its own, kept open and in
    autocommit (no pool checkout, no ping, no BEGIN or ROLLBACK round trips). One per
    engine (`Watch.of`), shared by its threads; closed when the engine is disposed.
    Any failure reads as None (keep nothing) and drops the connection; the next check
    opens a new one, and the caller's full path meets the database properly."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._dbapi: Any = None
        self._sql = f"SELECT sum(n) FROM {TABLE}"
        self._exists = _EXISTS[engine.dialect.name == "postgresql"]
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    @classmethod
    def of(cls, engine: Engine) -> Watch:
        made: Watch | None = engine.__dict__.get(_WATCH)
        if made is None:
            made = engine.__dict__[_WATCH] = cls(engine)
        return made

    def current(self) -> int | None:
        with self._lock:
            try:
                if self._dbapi is None:
                    self._dbapi = self._open()
                    if self._dbapi is None:
                        return None
                cursor = self._dbapi.cursor()
                try:
                    cursor.execute(self._sql)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
                return int(row[0]) if row and row[0] is not None else None
            except Exception:  # noqa: BLE001  (see the class note)
                self._close()
                return None

    def _open(self) -> Any:
        """A connection of the engine's own making (its pragmas and options), taken out of
        its pool; None while the table does not exist yet."""
        fairy = self._engine.raw_connection()
        fairy.detach()
        dbapi = fairy.dbapi_connection
        if self._engine.dialect.name == "postgresql":
            dbapi.rollback()
            dbapi.autocommit = True
        cursor = dbapi.cursor()
        try:
            cursor.execute(self._exists)
            row = cursor.fetchone()
        finally:
            cursor.close()
        if not (row and row[0]):
            dbapi.close()
            return None
        return dbapi

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        dbapi, self._dbapi = self._dbapi, None
        if dbapi is not None:
            try:
                dbapi.close()
            except Exception:  # noqa: BLE001  (already gone)
                pass
