"""The data version: every committed write moves it on, from any connection or process;
reads, rolled-back writes and a database without the table leave it alone."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.data_version import Watch
from storage.db import make_engine, read_scope, session_scope
from storage.models import Person, Rag
from tests.factories import save

NOV = dt.datetime(2019, 11, 20, 10, 0, tzinfo=dt.UTC)


def version(engine: Engine) -> int | None:
    return Watch.of(engine).current()


def test_every_committed_write_moves_it_on_and_reads_do_not(plan_engine: Engine) -> None:
    start = version(plan_engine)
    assert start is not None
    with read_scope(plan_engine) as session:
        assert session.exec(select(Person)).first() is not None
    assert version(plan_engine) == start
    save(plan_engine, 3, "2019-Q3", Rag.ON_TRACK, NOV)  # the ORM
    after_orm = version(plan_engine)
    assert after_orm is not None and after_orm > start
    with plan_engine.begin() as conn:  # raw SQL, as a maintenance script would
        conn.exec_driver_sql("UPDATE person SET name = name")
    after_raw = version(plan_engine)
    assert after_raw is not None and after_raw > after_orm


def test_a_write_rolled_back_leaves_it(plan_engine: Engine) -> None:
    start = version(plan_engine)
    with pytest.raises(RuntimeError), session_scope(plan_engine) as session:
        person = session.get(Person, "alex")
        assert person is not None
        person.name = "Someone Else"
        session.flush()
        raise RuntimeError("the handler failed")
    assert version(plan_engine) == start
    with read_scope(plan_engine) as session:
        alex = session.get(Person, "alex")
        assert alex is not None and alex.name != "Someone Else"


def test_another_process_sees_the_write_at_once(plan_engine: Engine) -> None:
    """A second engine on the same database stands for the clock or the shell."""
    other = make_engine(str(plan_engine.url.render_as_string(hide_password=False)))
    try:
        start = version(plan_engine)
        save(other, 3, "2019-Q3", Rag.AT_RISK, NOV)
        moved = version(plan_engine)
        assert start is not None and moved is not None and moved > start
    finally:
        other.dispose()


def test_a_database_without_the_table_keeps_nothing(engine: Engine) -> None:
    """As while a database is being migrated: nothing is kept, and writes still commit."""
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE dataversion RENAME TO dataversion_away"))
    try:
        fresh = make_engine(engine.url.render_as_string(hide_password=False))
        try:
            assert version(fresh) is None
            with session_scope(fresh) as session:
                session.add(Person(id="zed", name="Zed", email="zed@example.org"))
            with read_scope(fresh) as session:
                assert session.get(Person, "zed") is not None
        finally:
            fresh.dispose()
    finally:
        with engine.begin() as conn:  # the worker's database is shared with later tests
            conn.execute(sa.text("ALTER TABLE dataversion_away RENAME TO dataversion"))


def test_the_watch_reconnects_after_its_connection_is_lost(plan_engine: Engine) -> None:
    watch = Watch.of(plan_engine)
    before = watch.current()
    watch._dbapi.close()  # noqa: SLF001  (the server went away under it)
    assert watch.current() is None  # this check keeps nothing...
    save(plan_engine, 3, "2019-Q3", Rag.ON_TRACK, NOV)
    again = watch.current()  # ...and the next one is back, with the write
    assert before is not None and again is not None and again > before
