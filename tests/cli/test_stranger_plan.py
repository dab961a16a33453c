"""A newcomer's own plan through `planbot plan check | load`: the mistakes a
coordinator makes are named with their place and fix, never a traceback, and
loading a different plan over the example does not graft one onto the other."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from storage.db import make_engine, session_scope
from storage.models import Item, Rag
from storage.planfile import BUNDLED_PLAN
from tests.cli.dublin_plan import DUBLIN_PLAN, write_plan
from tests.factories import save
from tests.in_process import planbot
from tests.processes import ROOT, child_env


def check(tmp_path: Path, path: Path) -> subprocess.CompletedProcess[str]:
    """`plan check` touches no database; a SQLite URL keeps settings happy."""
    return planbot("plan", "check", str(path), database_url=f"sqlite:///{tmp_path / 'unused.db'}")


def test_own_plan_checks_clean(tmp_path: Path) -> None:
    result = check(tmp_path, write_plan(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "2 items, 4 people, 2 meetings, 2 periods (2025-H1 to 2025-H2)" in result.stdout


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("        due: 2025-06-30", "        due: 2025-06-31", "items[0].milestones[0].due: write dates as YYYY-MM-DD, e.g. 2026-03-31 (got '2025-06-31')"),
        ("  year_end: 2026-03-31", "  year_end: 31/03/2026", "plan.year_end: write dates as YYYY-MM-DD, e.g. 2026-03-31 (got '31/03/2026')"),
        ('    time: "14:30"', '    time: "2.30pm"', 'meetings[0].time: write times as "HH:MM" (24-hour clock, in quotes), e.g. "14:30" (got \'2.30pm\')'),
        ("    lead: karim", "    lead: kareem", "items[1].lead: no person 'kareem' (people are: niamh.o, seanr, aoife-m, karim); did you mean 'karim'?"),
        ("      - Forms translated (target 20)", "      - 20", "items[1].kpis[0]: write a KPI as text (in quotes if it is only a number)"),
        ("      - Forms translated (target 20)", "      -", "items[1].kpis[0]: is empty: write the text after the colon or dash"),
        ("    roles: [lead]\n  - id: aoife-m", "    roles: lead\n  - id: aoife-m", "people[1].roles: Input should be a valid list: write one '- ' line per entry, or [first, second] (got 'lead')"),
        ("  - id: karim", "  - id: seanr", "people[3].id: 'seanr' is already used by people[1]; give each person their own id"),
        ("    title: Multilingual online council services\n", "    title: Multilingual online council services\n    title: Online services\n", "not valid YAML ('title' is given twice in the same section; keep one of them)"),
        ("    title: Free public Wi-Fi in every library branch\n", "\ttitle: Free public Wi-Fi in every library branch\n", "not valid YAML (found character '\\t' that cannot start any token; indent with spaces, not tabs)"),
        ("    title: Multilingual online council services", "    title: Services: multilingual", "if the text on this line contains ': ', put the text in quotes"),
    ],
    ids=["impossible-date", "day-first-date", "twelve-hour-time", "typo-lead", "kpi-number", "kpi-blank", "roles-not-list", "duplicate-person", "key-twice", "tab", "colon-in-title"],
)
def test_coordinator_mistakes_are_named_with_the_fix(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in DUBLIN_PLAN
    result = check(tmp_path, write_plan(tmp_path, DUBLIN_PLAN.replace(old, new, 1)))
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Fix these and run planbot plan check again." in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_items_and_empty_file(tmp_path: Path) -> None:
    head = DUBLIN_PLAN[: DUBLIN_PLAN.index("items:")]
    no_items = check(tmp_path, write_plan(tmp_path, head + "items:\n", "no-items.yaml"))
    assert "items: has nothing under it: list its entries, one '- ' line each" in no_items.stderr
    for text in ("", "# nothing yet\n"):
        empty = check(tmp_path, write_plan(tmp_path, text, "empty.yaml"))
        assert empty.returncode == 1
        assert "the file is empty; a plan needs the sections plan, people and items" in empty.stderr
        assert "NoneType" not in empty.stderr


def test_word_document_renamed_yaml_points_to_import(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Digital Inclusion Action Plan 2025-26")
    path = tmp_path / "plan.yaml"
    document.save(str(path))
    result = check(tmp_path, path)
    assert result.returncode == 1
    assert "this is a Word or Excel file, not YAML text" in result.stderr
    assert "planbot plan import TABLE.docx -o plan.yaml" in result.stderr


def test_utf16_file_from_notepad_is_read(tmp_path: Path) -> None:
    path = tmp_path / "notepad.yaml"
    path.write_text(DUBLIN_PLAN, encoding="utf-16")
    result = check(tmp_path, path)
    assert result.returncode == 0, result.stderr
    assert "Digital Inclusion Action Plan 2025-26" in result.stdout


def test_loading_another_plan_over_the_example_is_refused(tmp_path: Path, db_url: str) -> None:
    assert planbot("plan", "load", str(BUNDLED_PLAN), database_url=db_url).returncode == 0
    engine = make_engine(db_url)
    save(engine, 1, "2019-Q3", Rag.OFF_TRACK, dt.datetime(2019, 11, 20, 9, tzinfo=dt.UTC), summary="LEP recruitment paused")
    path = write_plan(tmp_path)

    refused = planbot("plan", "load", str(path), database_url=db_url)
    assert refused.returncode == 1
    assert "already holds another plan, 'South East LEP Strategy Improvement Plan 2019-20'" in refused.stderr
    assert "1 stored update" in refused.stderr
    assert f"DATABASE_URL=sqlite:///my-plan.db planbot plan load {path}" in refused.stderr
    with session_scope(engine) as session:
        assert session.get(Item, 1).title == "Increase strategy capacity to deliver the LIS"

    forced = planbot("plan", "load", "--force", str(path), database_url=db_url)
    assert forced.returncode == 0, forced.stderr
    with session_scope(engine) as session:
        assert session.get(Item, 1).title == "Free public Wi-Fi in every library branch"
    engine.dispose()


def test_reloading_own_plan_with_new_title_is_not_refused(tmp_path: Path, db_url: str) -> None:
    assert planbot("plan", "load", str(write_plan(tmp_path)), database_url=db_url).returncode == 0
    renamed = DUBLIN_PLAN.replace("title: Digital Inclusion Action Plan 2025-26", "title: Digital Inclusion Plan 2025-26")
    result = planbot("plan", "load", str(write_plan(tmp_path, renamed, "renamed.yaml")), database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "Loaded 'Digital Inclusion Plan 2025-26'" in result.stdout


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    env = child_env(f"sqlite:///{tmp_path / 'unused.db'}")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "plan", "template"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
