"""Point 6 of the trust issue: every database setting a newcomer gets wrong is one
line naming DATABASE_URL and the fix, never a traceback and never a password; an
in-memory SQLite database is refused; commands that only read work on a read-only
database (a read-only SQLite file, a PostgreSQL user that may only SELECT)."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from storage.database_url import check_database_url, explain, mask
from storage.db import make_engine
from tests.in_process import planbot

PASSWORD = "s3cr3t-pw"


def one_line_error(result_stderr: str) -> str:
    lines = [line for line in result_stderr.splitlines() if line.strip()]
    assert "Traceback" not in result_stderr
    assert PASSWORD not in result_stderr
    assert len(lines) == 1, result_stderr
    return lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("foo://x", "planbot: setting DATABASE_URL: 'foo://x' is not a kind of database Planbot knows; Planbot uses SQLite or PostgreSQL:"),
        (f"mysql://me:{PASSWORD}@db/plan", "planbot: setting DATABASE_URL: 'mysql://me:***@db/plan' is a MySQL URL; Planbot uses SQLite or PostgreSQL:"),
        (f"postgresql://me:{PASSWORD}@db:five/plan", "planbot: setting DATABASE_URL: 'postgresql://me:***@db:five/plan' is malformed (is the port a number?)"),
        ("planbot.db", "planbot: setting DATABASE_URL: 'planbot.db' is not a database URL; use sqlite:///planbot.db for a file here"),
        ("sqlite:///", "planbot: setting DATABASE_URL: 'sqlite:///' is an in-memory database, which keeps nothing once the command ends; give a file, e.g. sqlite:///planbot.db"),
        ("sqlite://", "planbot: setting DATABASE_URL: 'sqlite://' is an in-memory database"),
        ("sqlite:///:memory:", "planbot: setting DATABASE_URL: 'sqlite:///:memory:' is an in-memory database"),
        (
            f"postgresql+psycopg2://me:{PASSWORD}@db/plan",
            "planbot: setting DATABASE_URL: 'postgresql+psycopg2://me:***@db/plan' asks for the driver 'psycopg2', "
            "which Planbot does not use (it connects with psycopg 3); write postgresql://me:***@db/plan",
        ),
        (f"postgresql+asyncpg://me:{PASSWORD}@db/plan", "planbot: setting DATABASE_URL: 'postgresql+asyncpg://me:***@db/plan' asks for the driver 'asyncpg'"),
        (f"sqlite://me:{PASSWORD}@/x.db", "planbot: setting DATABASE_URL: 'sqlite://me:***@/x.db' names a user, password or host"),
        (f"postgresql//me:{PASSWORD}@db/plan", "planbot: setting DATABASE_URL: 'postgresql//me:***@db/plan' is not a database URL"),
        (f"postgres:{PASSWORD}@db/plan", "planbot: setting DATABASE_URL: 'postgres:***@db/plan' is not a database URL"),
        (f"postgresql://me:ab@{PASSWORD}@db/plan", "planbot: setting DATABASE_URL: 'postgresql://me:***@db/plan' has an @ or a space"),
        (f"postgresql://me:ab {PASSWORD}@db/plan", "planbot: setting DATABASE_URL: 'postgresql://me:***@db/plan' has an @ or a space"),
    ],
)
def test_a_url_planbot_cannot_use_is_named_before_anything_runs(url: str, expected: str) -> None:
    result = planbot("schedule", database_url=url)
    assert result.returncode == 2
    assert one_line_error(result.stderr).startswith(expected)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://me:{PASSWORD}@db/plan",
        f"postgresql//me:{PASSWORD}@db/plan",
        f"postgres:{PASSWORD}@db/plan",
        f"postgresql://me@db/plan?sslmode=require&password={PASSWORD}",
        f"postgresql://me:a {PASSWORD}@db/plan",
        f"postgresql://me:a@{PASSWORD}@db/plan",
        f"DATABASE_URL (postgresql://me:{PASSWORD}@db:5432/plan): refused",
    ],
)
def test_a_password_is_masked_whatever_the_shape_of_the_url(url: str) -> None:
    assert PASSWORD not in mask(url) and "***" in mask(url)


def test_a_sqlite_file_in_a_folder_that_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    url = f"sqlite:///{blocker}/planbot.db"
    result = planbot("schedule", database_url=url)
    assert result.returncode == 1
    assert one_line_error(result.stderr) == (
        f"planbot: DATABASE_URL ({url}): can't create {blocker} (File exists); point DATABASE_URL at a file in a folder "
        "you can write to."
    )


def _pg(server: str, **parts: object) -> str:
    return sa.engine.make_url(server).set(**parts).render_as_string(hide_password=False)


@pytest.mark.postgres
def test_postgresql_settings_that_cannot_connect(postgres_url: str) -> None:
    cases = {
        _pg(postgres_url, port=1): "nothing is listening on 127.0.0.1 port 1; is PostgreSQL running there, and is the port right?",
        _pg(postgres_url, database="no_such_planbot_db"): (
            "the database 'no_such_planbot_db' does not exist on 127.0.0.1; create it (createdb no_such_planbot_db) or fix its name."
        ),
        _pg(postgres_url, username="no_such_planbot_user", password=PASSWORD): "127.0.0.1 refused the user name or password;",
        _pg(postgres_url, host="no-such-host.invalid"): "the host 'no-such-host.invalid' is unknown; check its spelling.",
    }
    for url, expected in cases.items():
        result = planbot("schedule", database_url=url)
        assert result.returncode == 1
        line = one_line_error(result.stderr)
        assert line.startswith(f"planbot: DATABASE_URL ({mask(url)}): {expected}"), line


def test_commands_that_only_read_work_on_a_read_only_sqlite_file(plan_engine: Engine, db_url: str, tmp_path: Path) -> None:
    if plan_engine.dialect.name != "sqlite":
        pytest.skip("the PostgreSQL case is a read-only user, below")
    plan_engine.dispose()
    read_only = f"sqlite:///file:{plan_engine.url.database}?mode=ro&uri=true"
    _reads_work_and_writes_say_why(read_only, tmp_path, "the database")


@pytest.mark.postgres
def test_commands_that_only_read_work_for_a_read_only_postgresql_user(
    plan_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    if plan_engine.dialect.name != "postgresql":
        pytest.skip("the SQLite case is a read-only file, above")
    role = f"planbot_reader_{uuid.uuid4().hex[:8]}"
    database = plan_engine.url.database
    with plan_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'create role "{role}" login')
        conn.exec_driver_sql(f'grant connect on database "{database}" to "{role}"')
        conn.exec_driver_sql(f'grant usage on schema public to "{role}"')
        conn.exec_driver_sql(f'grant select on all tables in schema public to "{role}"')
    try:
        _reads_work_and_writes_say_why(_pg(db_url, username=role), tmp_path, "the database user")
    finally:
        with plan_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'drop owned by "{role}"')
            conn.exec_driver_sql(f'drop role "{role}"')


def _reads_work_and_writes_say_why(url: str, tmp_path: Path, who: str) -> None:
    schedule = planbot("schedule", "--from", "2019-11-20", "--to", "2019-11-21", database_url=url)
    assert schedule.returncode == 0, schedule.stderr
    assert "pre-call-prompt  Alex Example" in schedule.stdout
    out = tmp_path / "return.md"
    export = planbot("export", "--period", "q2", "-o", str(out), database_url=url)
    assert export.returncode == 0, export.stderr
    assert out.read_text(encoding="utf-8").startswith("# ")
    shell = planbot("shell", "--as", "alex", "--today", "2019-11-20", database_url=url, stdin="/plan-status 3\n/flag papers late\n")
    assert shell.returncode == 0, shell.stderr
    assert "Traceback" not in shell.stderr
    assert "== Item 3" in shell.stdout
    assert (
        "The database is read-only just now, so I can't store anything and nothing was changed." in shell.stdout
    )
    job = planbot("run-job", "all", "--at", "2019-11-20T10:00", database_url=url)
    assert job.returncode == 1
    assert one_line_error(job.stderr).startswith(f"planbot: DATABASE_URL ({mask(url)}): {who}")


def test_a_full_disk_is_named(tmp_path: Path) -> None:
    """SQLite's 'database or disk is full', made real by capping the file's pages."""
    url = f"sqlite:///{tmp_path / 'full.db'}"
    engine = make_engine(url)
    with pytest.raises(sa.exc.OperationalError) as raised:
        with engine.begin() as conn:
            conn.exec_driver_sql("create table t (x text)")
            conn.exec_driver_sql("pragma max_page_count = 3")
            for _ in range(50):
                conn.exec_driver_sql("insert into t values (?)", ("x" * 4000,))
    engine.dispose()
    assert isinstance(raised.value.orig, sqlite3.OperationalError)
    assert explain(raised.value, url) == (
        f"DATABASE_URL ({url}): the disk holding {tmp_path / 'full.db'} is full, so nothing was saved; "
        "free some space and run the command again."
    )


def test_passwords_are_masked_even_in_malformed_urls() -> None:
    assert mask(f"postgresql://me:{PASSWORD}@db:five/plan and postgres://x:{PASSWORD}@h/d") == (
        "postgresql://me:***@db:five/plan and postgres://x:***@h/d"
    )
    assert check_database_url("postgres://me:pw@db.example/plan") == "postgres://me:pw@db.example/plan"


@settings(max_examples=200, deadline=None)
@given(
    password=st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="'\"/?#&"), min_size=6, max_size=20),
    shape=st.sampled_from(
        [
            "postgresql://me:{pw}@db/plan",
            "postgresql//me:{pw}@db/plan",
            "postgres:{pw}@db/plan",
            "postgresql://me:a {pw}@db:5432/plan",
            "postgresql://me@db/plan?sslmode=require&password={pw}",
            "DATABASE_URL (postgresql+psycopg2://me:{pw}@db/plan): refused",
        ]
    ),
)
def test_no_password_survives_masking(password: str, shape: str) -> None:
    assume(password not in shape.replace("{pw}", ""))
    assert password not in mask(shape.format(pw=password))
