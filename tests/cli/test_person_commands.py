"""`planbot person export | erase` and `planbot audit`, run in-process on both
databases: what each prints, returns and stores. One test runs a real process on
a pseudo-terminal, as only a terminal gets erasure's question."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.clock import FixedClock
from bot.core.planbot import Planbot
from storage.db import make_engine, session_scope
from storage.models import AuditEntry, Person, Rag
from tests.factories import save
from tests.conftest import Chat, DatabaseStates
from tests.in_process import planbot
from tests.people_data import WHEN, build, plan_yaml
from tests.processes import ROOT, child_env


@pytest.fixture
def people_db(db_url: str, engine: Engine, database_states: DatabaseStates) -> str:
    """wren and yara in every table (built once per worker and engine, then copied)."""
    database_states.apply(engine, "people", build)
    engine.dispose()
    return db_url


@pytest.fixture
def sqlite_people_db(tmp_path: Path, sqlite_template: Path) -> str:
    """The same on SQLite only, for the test about a terminal (the database plays no part in it)."""
    path = tmp_path / "people.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    build(engine)
    engine.dispose()
    return f"sqlite:///{path}"


def write_plan(tmp_path: Path, *, with_wren: bool) -> Path:
    path = tmp_path / ("with-wren.yaml" if with_wren else "without-wren.yaml")
    path.write_text(yaml.safe_dump(plan_yaml(with_wren=with_wren), allow_unicode=True), encoding="utf-8")
    return path


def people(db_url: str) -> set[str]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        ids = set(session.exec(select(Person.id)))
    engine.dispose()
    return ids


def test_export_writes_readable_json_to_the_file(people_db: str, tmp_path: Path) -> None:
    out = tmp_path / "wren.json"
    result = planbot("person", "export", "wren", "-o", str(out), database_url=people_db)
    assert result.returncode == 0, result.stderr
    assert f"Wrote everything held about wren to {out}:" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["about"].startswith("Everything Planbot holds about Wren Fairweather (wren)")
    sections = {s["table"]: s for s in data["sections"]}
    assert sections["callnote"]["rows"][0]["text"] == "Wren Fairweather: off sick next week, ask [another person]"
    assert sections["address"]["what"].startswith("How to reach you")


def test_export_of_an_unknown_person_or_to_a_missing_folder_says_so(people_db: str, tmp_path: Path) -> None:
    result = planbot("person", "export", "nobody", "-o", str(tmp_path / "x.json"), database_url=people_db)
    assert result.returncode == 2
    assert "planbot person export: there is no person 'nobody' in this database" in result.stderr
    missing = planbot("person", "export", "wren", "-o", str(tmp_path / "no" / "x.json"), database_url=people_db)
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr


def test_erase_refuses_someone_still_in_the_plan(people_db: str) -> None:
    result = planbot("person", "erase", "wren", "--yes", database_url=people_db)
    assert result.returncode == 2
    assert "wren (Wren Fairweather) is still in the plan. Remove them from the plan file" in result.stderr
    assert "wren" in people(people_db)


def test_erase_without_a_terminal_or_yes_asks_for_yes_and_erases_nothing(people_db: str, tmp_path: Path) -> None:
    planbot("plan", "load", str(write_plan(tmp_path, with_wren=False)), database_url=people_db)
    result = planbot("person", "erase", "wren", database_url=people_db, stdin="wren\n")
    assert result.returncode == 2
    assert "standard input is not a terminal" in result.stderr and "planbot person erase wren --yes" in result.stderr
    assert "wren" in people(people_db)


def test_erase_with_yes_then_a_plan_naming_them_is_refused(people_db: str, tmp_path: Path) -> None:
    assert planbot("plan", "load", str(write_plan(tmp_path, with_wren=False)), database_url=people_db).returncode == 0
    result = planbot("person", "erase", "wren", "--yes", database_url=people_db)
    assert result.returncode == 0, result.stderr
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"Erased wren: their records that stay now read former lead (erased {today})" in result.stdout
    assert "deleted 1 person row" in result.stdout and "kept 2 update rows as former lead" in result.stdout
    assert "wren" not in people(people_db)
    again = planbot("plan", "load", str(write_plan(tmp_path, with_wren=True)), database_url=people_db)
    assert again.returncode == 1
    assert "people[5] (wren): this names a person whose data was erased on" in again.stderr
    assert "Nothing was loaded." in again.stderr
    twice = planbot("person", "erase", "wren", "--yes", database_url=people_db)
    assert twice.returncode == 2 and "there is no person 'wren'" in twice.stderr
    audit = planbot("audit", database_url=people_db)
    erasure = [line for line in audit.stdout.splitlines() if "  erasure " in line]
    assert len(erasure) == 1 and "command line     a person's data was erased; their records are kept as erased-" in erasure[0]
    assert "Wren" not in audit.stdout and " wren" not in audit.stdout


@pytest.mark.slow
def test_at_a_terminal_erase_asks_and_only_the_id_typed_back_erases(sqlite_people_db: str, tmp_path: Path) -> None:
    people_db = sqlite_people_db
    assert planbot("plan", "load", str(write_plan(tmp_path, with_wren=False)), database_url=people_db).returncode == 0

    def at_terminal(answer: str) -> tuple[int, str]:
        leader, follower = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "person", "erase", "wren"],
            stdin=follower, stdout=follower, stderr=follower, env=child_env(people_db), cwd=ROOT, close_fds=True,
        )
        os.close(follower)
        seen = b""
        while b"anything else to stop: " not in seen:
            seen += os.read(leader, 4096)
        os.write(leader, answer.encode() + b"\n")
        code = proc.wait(timeout=60)
        try:
            while chunk := os.read(leader, 4096):
                seen += chunk
        except OSError:
            pass
        os.close(leader)
        return code, seen.decode(errors="replace")

    code, shown = at_terminal("yes")
    assert code == 1 and "Erase wren (Wren Fairweather)? Held about them:" in shown and "Nothing was erased." in shown
    assert "wren" in people(people_db)
    code, shown = at_terminal("wren")
    assert code == 0 and "Erased wren" in shown
    assert "wren" not in people(people_db)


def test_audit_lists_plan_loads_roles_deputies_absences_and_on_behalf_edits(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    build(engine)
    save(engine, 3, "2019-Q3", Rag.ON_TRACK, WHEN + dt.timedelta(days=1), author="dee", on_behalf_of="cal")
    with session_scope(engine) as session:
        stored = list(session.exec(select(AuditEntry)))
    engine.dispose()
    assert {r.action for r in stored} == {"plan-load", "role", "deputy", "absence", "on-behalf"}
    result = planbot("audit", database_url=db_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Audit trail (times in Europe/London):"
    assert any("role       plan file        wren: added to the plan as lead (plan file)" in line for line in lines)
    assert "2019-11-20 10:00  deputy     wren             item 6: deputy yara (named in chat by wren)" in lines
    assert any("absence    yara             yara: away until 2019-11-27T10:00" in line for line in lines)
    assert "2019-11-21 10:00  on-behalf  dee              item 3 2019-Q3 version 1: saved by dee on behalf of cal" in lines
    # Plan loads are stamped with the real time; the chat changes with the test's 2019 clock.
    since = [line for line in planbot("audit", "--since", "2019-11-21", database_url=db_url).stdout.splitlines() if line.startswith("2019")]
    assert since == ["2019-11-21 10:00  on-behalf  dee              item 3 2019-Q3 version 1: saved by dee on behalf of cal"]
    as_json = json.loads(planbot("audit", "--since", "2019-11-21", "--json", database_url=db_url).stdout)
    assert [row for row in as_json if row["at"].startswith("2019")] == [
        {"at": "2019-11-21T10:00:00+00:00", "action": "on-behalf", "by": "dee", "about": "cal",
         "detail": "item 3 2019-Q3 version 1: saved by dee on behalf of cal"}
    ]
    bad = planbot("audit", "--since", "last week", database_url=db_url)
    assert bad.returncode == 2 and "'last week' is not a date; write it like 2026-12-01" in bad.stderr


def test_a_retention_below_the_minimum_stops_with_the_setting_named(db_url: str) -> None:
    result = planbot("audit", database_url=db_url, extra_env={"PLANBOT_RETENTION_DAYS": "7"})
    assert result.returncode == 2
    assert "PLANBOT_RETENTION_DAYS: must be at least 30 days" in result.stderr


def test_after_erasure_the_plan_shows_the_updates_by_the_anonymised_author(people_db: str, tmp_path: Path) -> None:
    planbot("plan", "load", str(write_plan(tmp_path, with_wren=False)), database_url=people_db)
    assert planbot("person", "erase", "wren", "--yes", database_url=people_db).returncode == 0
    engine = make_engine(people_db)
    shown = Chat(Planbot(engine, FixedClock(WHEN), exports_dir=tmp_path), "dee").command("plan-status", "6")
    engine.dispose()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"Written by: Dee Demo, on behalf of former lead (erased {today})" in shown
    assert "Wren" not in shown


def test_a_plan_file_naming_an_erased_person_stops_the_process_with_the_reason(people_db: str, tmp_path: Path) -> None:
    planbot("plan", "load", str(write_plan(tmp_path, with_wren=False)), database_url=people_db)
    assert planbot("person", "erase", "wren", "--yes", database_url=people_db).returncode == 0
    result = planbot("shell", "--as", "dee", database_url=people_db, stdin="/quit\n",
                     extra_env={"PLAN_FILE": str(write_plan(tmp_path, with_wren=True))})
    assert result.returncode == 1
    assert "people[5] (wren): this names a person whose data was erased on" in result.stderr
    assert "Traceback" not in result.stderr


def test_after_an_erasure_nothing_of_the_person_is_left_in_the_sqlite_files(sqlite_people_db: str, tmp_path: Path) -> None:
    path = Path(sqlite_people_db.removeprefix("sqlite:///"))
    assert planbot("plan", "load", str(write_plan(tmp_path, with_wren=False)), database_url=sqlite_people_db).returncode == 0
    assert b"wren.fairweather@example.org" in path.read_bytes() + _wal(path), "the fixture really holds the email"

    result = planbot("person", "erase", "wren", "--yes", database_url=sqlite_people_db)
    assert result.returncode == 0, result.stderr

    held = path.read_bytes() + _wal(path)
    for trace in (b"wren.fairweather@example.org", b"Wren Fairweather", b"U0WREN001", b"DWREN0001"):
        assert trace not in held, f"{trace!r} is still readable in the database's pages"


def _wal(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return wal.read_bytes() if wal.exists() else b""
