"""Personal data on both databases: every table is classified; an export holds every
row about one person and nothing about anyone else; erasure leaves no trace of the
person's name, email or platform ids in any column of any table, keeps the
organisation's updates, and a plan naming them again is refused."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import JSON, String, or_, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col, func
from sqlmodel import select as sqlselect

from storage.call_notes import add_note
from storage.db import compact, make_engine, session_scope
from storage.erasure import ErasureRefused, erase_person
from storage.models import Person, Update
from storage.personal_data import TABLES, OnErase
from storage.plan_loader import PlanConflict
from storage.subject_access import ANOTHER, export_person
from tests.conftest import DatabaseStates
from tests.people_data import WHEN, WREN, YARA, build, load, plan_yaml

ERASED_AT = dt.datetime(2019, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def people_engine(engine: Engine, database_states: DatabaseStates) -> Engine:
    """wren and yara in every table (built once per worker and engine, then copied)."""
    return database_states.apply(engine, "people", build)


def rows_naming(engine: Engine, table_name: str, person_id: str) -> list[dict]:
    table = SQLModel.metadata.tables[table_name]
    columns = TABLES[table_name].person_columns
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table).where(or_(*[table.c[c] == person_id for c in columns]))).mappings()]


def every_value(engine: Engine) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every value in every table."""
    out = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is not None:
                        text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
                        out.append((table.name, column, text))
    return out


def test_every_table_is_classified_and_every_person_column_is_covered() -> None:
    """A table added later without a line in storage.personal_data fails here, as
    does a new column pointing at a person that export and erasure do not know."""
    assert set(TABLES) == set(SQLModel.metadata.tables)
    for name, table in SQLModel.metadata.tables.items():
        to_person = {c.name for c in table.columns if any(fk.column.table.name == "person" for fk in c.foreign_keys)}
        if name == "person":
            continue
        assert to_person <= set(TABLES[name].person_columns), f"{name}: {to_person - set(TABLES[name].person_columns)} not classified"
        for column in TABLES[name].person_columns:
            assert column in table.c, f"{name}.{column} is classified but is not a column"


def test_the_fixture_gives_both_people_rows_in_every_table_that_names_people(people_engine: Engine) -> None:
    for name, rule in TABLES.items():
        if rule.personal:
            for who in (WREN, YARA):
                assert rows_naming(people_engine, name, who.id), f"no {name} row for {who.id}"


def test_export_holds_every_row_about_the_person_and_nothing_about_anyone_else(people_engine: Engine) -> None:
    with session_scope(people_engine) as session:
        data = export_person(session, person_id=WREN.id, at=WHEN)
        others = list(session.exec(sqlselect(Person).where(Person.id != WREN.id)))
    sections = {s["table"]: s for s in data["sections"]}
    assert set(sections) == {name for name, rule in TABLES.items() if rule.personal}
    for name, section in sections.items():
        assert len(section["rows"]) == len(rows_naming(people_engine, name, WREN.id)), name
        assert section["what"] and section["why"] and section["kept"]
    text = json.dumps(data, ensure_ascii=False)
    # Theirs, as stored: their details, their flagged note, their inbox, their platform ids.
    for value in (*WREN.identifiers(), "off sick next week", "half-done"):
        assert value in text
    assert sections["person"]["rows"][0]["email"] == WREN.email
    updates = sections["update"]["rows"]
    assert {u["version"] for u in updates} == {1, 2}
    first = next(u for u in updates if u["version"] == 1)
    assert first["summary"] == f"{WREN.name} here: I spoke with {ANOTHER} ({ANOTHER}) about funding."
    assert first["updatekpi"][0]["progress"] == f"{WREN.name} reports progress"
    assert first["updatemilestone"][0]["state"] == "slipped"
    on_behalf = next(u for u in updates if u["version"] == 2)
    assert on_behalf["author_id"] == ANOTHER and on_behalf["on_behalf_of_id"] == WREN.id
    # Nobody else: not yara, nor the coordinator who wrote on their behalf.
    for other in others:
        for value in (other.name, other.email, other.slack, other.teams):
            if value:
                assert value not in text, (other.id, value)
    assert not YARA.id_pattern().search(text)
    assert YARA.dm not in text


def test_erasure_leaves_no_trace_keeps_the_updates_and_refuses_the_plan_again(people_engine: Engine) -> None:
    with session_scope(people_engine) as session:
        wrens_updates = session.exec(sqlselect(func.count()).select_from(Update).where(Update.item_number == WREN.item)).one()
        with pytest.raises(ErasureRefused, match="still in the plan. Remove them from the plan file"):
            erase_person(session, person_id=WREN.id, at=ERASED_AT)
    before_yara = {name: len(rows_naming(people_engine, name, YARA.id)) for name, rule in TABLES.items() if rule.personal}
    load(people_engine, plan_yaml(with_wren=False))
    with session_scope(people_engine) as session:
        report = erase_person(session, person_id=WREN.id, at=ERASED_AT)
    assert report.label == "former lead (erased 2019-12-02)"

    found = [
        (table, column, value)
        for table, column, value in every_value(people_engine)
        if any(x.lower() in value.lower() for x in WREN.identifiers()) or WREN.id_pattern().search(value)
    ]
    assert found == []

    with session_scope(people_engine) as session:
        kept = list(session.exec(sqlselect(Update).where(Update.item_number == WREN.item).order_by(col(Update.version))))
        assert len(kept) == wrens_updates == 2
        assert kept[0].author_id == report.stand_in and kept[1].on_behalf_of_id == report.stand_in
        assert kept[0].summary.startswith("former lead (erased 2019-12-02) here: I spoke with Yara Quillfeather")
        assert session.get(Person, report.stand_in).name == "former lead (erased 2019-12-02)"
        yaras = session.exec(sqlselect(Update).where(Update.item_number == YARA.item, Update.version == 1)).one()
        assert yaras.summary == "Yara Quillfeather here: I spoke with former lead (erased 2019-12-02) (former lead (erased 2019-12-02)) about funding."
    # Yara keeps every row of hers, except her naming wren as item 7's deputy (she stays item 6's deputy).
    after_yara = {name: len(rows_naming(people_engine, name, YARA.id)) for name in before_yara}
    assert before_yara["itemdeputy"] == 2
    assert {k: v for k, v in after_yara.items() if v != before_yara[k]} == {"itemdeputy": 1}

    with pytest.raises(PlanConflict, match=r"people\[5\] \(wren\): this names a person whose data was erased on 2 Dec 2019"):
        load(people_engine, plan_yaml())
    returning = plan_yaml()
    returning["people"][5]["id"] = "wren-2"
    returning["items"][5]["lead"] = "wren-2"
    with pytest.raises(PlanConflict, match=r"email 'wren.fairweather@example.org'"):
        load(people_engine, returning)
    load(people_engine, plan_yaml(with_wren=False))  # the plan without them still loads


def test_erasure_redacts_other_spellings_it_is_given(people_engine: Engine) -> None:
    load(people_engine, plan_yaml(with_wren=False))
    with session_scope(people_engine) as session:
        add_note(session, occurrence="2019-11-28", person_id=YARA.id, text="Wrenny is back on Monday", at=WHEN)
    with session_scope(people_engine) as session:
        erase_person(session, person_id=WREN.id, at=ERASED_AT, also=("Wrenny",))
    assert not [v for _, _, v in every_value(people_engine) if "Wrenny" in v]


def test_an_unknown_person_is_refused_with_what_ids_are(people_engine: Engine) -> None:
    with session_scope(people_engine) as session, pytest.raises(ErasureRefused, match="there is no person 'nobody'"):
        erase_person(session, person_id="nobody", at=ERASED_AT)


def test_the_registry_says_what_erasure_does_with_each_person_column() -> None:
    assert TABLES["update"].person_columns == {"author_id": OnErase.REASSIGN, "on_behalf_of_id": OnErase.REASSIGN}
    assert TABLES["address"].person_columns == {"person_id": OnErase.DELETE}
    text_tables = [n for n, t in SQLModel.metadata.tables.items() if any(isinstance(c.type, String | JSON) for c in t.columns)]
    assert "callnote" in text_tables


ROOT = Path(__file__).resolve().parents[2]


def test_data_protection_notes_name_every_table() -> None:
    notes = (ROOT / "docs" / "data-protection.md").read_text(encoding="utf-8")
    assert [name for name in TABLES if f"`{name}`" not in notes] == []


def test_only_the_audit_module_writes_the_audit_trail() -> None:
    """Append-only: no module but storage.audit (which only inserts) names the audit
    table; erasure reaches it only through the registry, to redact (docs say so)."""
    allowed = {"storage/audit.py", "storage/models.py", "storage/personal_data.py"}
    naming = {
        str(path.relative_to(ROOT))
        for package in ("bot", "storage", "schedules", "plantime")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and re.search(r"AuditEntry|\bauditentry\b", path.read_text(encoding="utf-8"))
    }
    assert naming <= allowed
    source = (ROOT / "storage" / "audit.py").read_text(encoding="utf-8")
    assert "session.add(" in source and not re.search(r"\b(update|delete)\(", source)


def test_a_reload_that_changes_nothing_adds_no_audit_row_and_one_that_does_says_what(people_engine: Engine) -> None:
    from storage.audit import entries

    with session_scope(people_engine) as session:
        before = len(entries(session))
    load(people_engine, plan_yaml())
    with session_scope(people_engine) as session:
        assert len(entries(session)) == before
    load(people_engine, plan_yaml(with_wren=False))
    with session_scope(people_engine) as session:
        new = [(e.action, e.detail) for e in entries(session)[before:]]
    assert ("role", "wren: no longer in the plan (plan file)") in new
    assert new[-1][0] == "plan-load" and new[-1][1].endswith("from people.yaml: 0 added, 1 changed, 1 no longer in the plan")


def test_migration_0005_makes_the_tables_the_models_describe(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert [d for d in diffs if any(t in str(d) for t in ("auditentry", "tombstone"))] == []


def test_compacting_after_an_erasure_leaves_no_deleted_row_in_the_sqlite_file(tmp_path: Path) -> None:
    """Rows deleted while secure_delete was off (an older Planbot, another tool, a build with it
    off by default) stay in the file's free pages until it is compacted."""
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA secure_delete=OFF")
    raw.execute("CREATE TABLE note (text TEXT)")
    raw.executemany("INSERT INTO note VALUES (?)", [(f"kept {n}",) for n in range(200)] + [("wren.fairweather@example.org",)])
    raw.execute("DELETE FROM note WHERE text LIKE 'wren%'")
    raw.close()
    assert b"wren.fairweather@example.org" in path.read_bytes(), "the deleted row is still in a free page"

    engine = make_engine(f"sqlite:///{path}")
    compact(engine)
    engine.dispose()
    assert b"wren.fairweather@example.org" not in path.read_bytes()
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM note").fetchone() == (200,), "nothing else is lost"


def test_every_planbot_connection_to_sqlite_deletes_securely(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def test_redaction_reaches_the_keys_of_stored_json() -> None:
    from storage.redaction import Needles, redact

    pattern = Needles(("Wren Fairweather",), ("wren",)).pattern()
    assert pattern is not None
    assert redact({"wren": {"Wren Fairweather said": ["wren"]}}, pattern, "X") == {"X": {"X said": ["X"]}}
