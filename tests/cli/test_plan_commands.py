"""`planbot plan template | check | load` and `planbot db upgrade`: what each prints,
returns and stores (in-process), and a bad setting stopping a real process at start-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.models import Item, Kpi, Rag, Update
from storage.planfile import BUNDLED_PLAN
from tests import processes
from tests.factories import save
from tests.in_process import planbot


@pytest.fixture
def bundled() -> dict:
    return yaml.safe_load(BUNDLED_PLAN.read_text(encoding="utf-8"))


def write(tmp_path: Path, doc: dict | str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_template_prints_the_bundled_plan_which_checks_clean(tmp_path: Path, db_url: str) -> None:
    result = planbot("plan", "template", database_url=db_url)
    assert result.returncode == 0
    assert "Strategy Improvement Plan 2019-20" in result.stdout
    path = write(tmp_path, result.stdout)
    check = planbot("plan", "check", str(path), database_url=db_url)
    assert check.returncode == 0, check.stderr
    assert "7 items" in check.stdout and "2019-Q1 to 2019-Q4" in check.stdout


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["items"][2].__setitem__("lead", "jo"), "items[2].lead: no person 'jo' (people are: "),
        (lambda d: d["items"][3].__setitem__("number", d["items"][0]["number"]), "items[3].number: item 1 appears twice"),
        (lambda d: d["items"][1].__setitem__("kpis", "Appointments"), "items[1].kpis: Input should be a valid list"),
        (lambda d: d["items"][0].__setitem__("number", "one"), "items[0].number: Input should be a valid integer"),
        (lambda d: d.pop("people"), "people: is missing"),
        (lambda d: d["plan"].__setitem__("timezone", "Mars/Olympus"), "plan.timezone: unknown timezone 'Mars/Olympus'"),
        (lambda d: d["items"][0].__setitem__("owner", "alex"), "items[0].owner: is not a field this format knows"),
    ],
    ids=["missing-lead", "duplicate-number", "kpis-not-a-list", "number-not-int", "no-people", "bad-timezone", "unknown-field"],
)
def test_check_names_the_place_and_the_fix(tmp_path: Path, db_url: str, bundled: dict, edit, expected: str) -> None:
    edit(bundled)
    result = planbot("plan", "check", str(write(tmp_path, bundled)), database_url=db_url)
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_check_reports_broken_yaml_with_its_line(tmp_path: Path, db_url: str) -> None:
    path = write(tmp_path, "plan:\n  title: x\nitems: [\n  - number: 1\n")
    result = planbot("plan", "check", str(path), database_url=db_url)
    assert result.returncode == 1
    assert "not valid YAML" in result.stderr and "line " in result.stderr


def test_check_missing_file(tmp_path: Path, db_url: str) -> None:
    result = planbot("plan", "check", str(tmp_path / "nope.yaml"), database_url=db_url)
    assert result.returncode == 1
    assert "no such file" in result.stderr


def test_failed_load_changes_nothing_and_reload_keeps_updates(tmp_path: Path, db_url: str, bundled: dict) -> None:
    assert planbot("plan", "load", str(BUNDLED_PLAN), database_url=db_url).returncode == 0
    engine = make_engine(db_url)
    save(
        engine, 3, "2019-Q2", Rag.AT_RISK, dt.datetime(2019, 9, 20, 9, tzinfo=dt.UTC), summary="Consultation slipped",
        kpis={"kpi1": "Board briefed"}, author="bea",
    )
    broken = dict(bundled, items=[dict(bundled["items"][0], lead="nobody")] + bundled["items"][1:])
    result = planbot("plan", "load", str(write(tmp_path, broken, "broken.yaml")), database_url=db_url)
    assert result.returncode == 1 and "Nothing was loaded" in result.stderr
    with session_scope(engine) as session:
        assert session.get(Item, 1).lead_id == bundled["items"][0]["lead"]

    edited = yaml.safe_load(BUNDLED_PLAN.read_text(encoding="utf-8"))
    edited["items"][2]["title"] = "Stakeholder engagement (renamed)"
    edited["items"][2]["kpis"][0] = "Board engagement, reworded"
    edited["items"] = [i for i in edited["items"] if i["number"] != 7]
    result = planbot("plan", "load", str(write(tmp_path, edited, "edited.yaml")), database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "changed item 3" in result.stdout and "no longer in the plan (history kept): item 7" in result.stdout
    with session_scope(engine) as session:
        updates = session.exec(select(Update).where(Update.item_number == 3)).all()
        assert [(u.period_key, u.summary) for u in updates] == [("2019-Q2", "Consultation slipped")]
        assert session.get(Item, 3).title == "Stakeholder engagement (renamed)"
        assert session.get(Kpi, (3, "kpi1")).text == "Board engagement, reworded"
        assert session.get(Item, 7).in_plan is False
    engine.dispose()


def test_db_upgrade_is_repeatable(db_url: str) -> None:
    first = planbot("db", "upgrade", database_url=db_url)
    second = planbot("db", "upgrade", database_url=db_url)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "schema revision" in second.stdout


def test_bad_setting_stops_with_its_name(db_url: str) -> None:
    result = processes.planbot("db", "upgrade", database_url=db_url, extra_env={"PLANBOT_TIMEZONE": "Nowhere/Town"})
    assert result.returncode == 2
    assert "PLANBOT_TIMEZONE" in result.stderr and "Traceback" not in result.stderr
