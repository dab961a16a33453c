"""Reloading a plan: what may change in place, and what is refused so no update is lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.db import session_scope
from storage.models import Period, Rag, Update
from storage.plan_loader import PlanConflict, load_plan
from storage.planfile import BUNDLED_PLAN, parse_plan
from storage.queries import plan_periods
from tests.factories import save
from tests.in_process import planbot


def bundled(**plan_changes: object) -> dict:
    raw = yaml.safe_load(BUNDLED_PLAN.read_text(encoding="utf-8"))
    raw["plan"].update(plan_changes)
    return raw


def load(engine: Engine, raw: dict, *, force: bool = False):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return load_plan(session, parse_plan(yaml.safe_dump(raw, allow_unicode=True)), source="test", force=force)


def write_update(engine: Engine, period_key: str) -> None:
    save(engine, 2, period_key, Rag.ON_TRACK, dt.datetime(2019, 6, 20, 9, tzinfo=dt.UTC), summary="Project plan agreed")


def keys(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return [p.key for p in plan_periods(session)]


def test_new_period_length_replaces_empty_periods(plan_engine: Engine) -> None:
    report = load(plan_engine, bundled(period_months=6))
    assert keys(plan_engine) == ["2019-H1", "2019-H2"]
    assert "period 2019-Q1 (replaced by the new period length)" in report.retired
    assert "plan period_months -> 6" in report.changed


def test_new_period_length_is_refused_when_updates_use_the_old_periods(plan_engine: Engine) -> None:
    write_update(plan_engine, "2019-Q1")
    with pytest.raises(PlanConflict) as refused:
        load(plan_engine, bundled(period_months=6))
    assert "plan.period_months: the stored updates use other periods (1 in 2019-Q1)" in str(refused.value)
    assert keys(plan_engine) == ["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4"]
    with session_scope(plan_engine) as session:
        assert [u.period_key for u in session.exec(select(Update))] == ["2019-Q1"]
        assert session.get(Period, "2019-H1") is None


def test_another_plan_is_refused_unless_forced_and_plan_settings_changes_are_reported(plan_engine: Engine) -> None:
    write_update(plan_engine, "2019-Q1")
    other = bundled(title="Digital Inclusion Action Plan 2025-26", year_start="2025-04-01", year_end="2026-03-31")
    with pytest.raises(PlanConflict) as refused:
        load(plan_engine, other)
    message = str(refused.value)
    assert "already holds another plan, 'South East LEP Strategy Improvement Plan 2019-20'" in message
    assert "1 stored update)" in message
    renamed = load(plan_engine, bundled(title="SELEP Strategy Improvement Plan 2019-20 (revised)"))
    assert "plan title: South East LEP Strategy Improvement Plan 2019-20 -> SELEP Strategy Improvement Plan 2019-20 (revised)" in renamed.changed
    forced = load(plan_engine, other, force=True)
    assert "plan year_start: 2019-04-01 -> 2025-04-01" in forced.changed


def test_a_plan_file_for_another_plan_stops_start_up_with_the_reason(db_url: str, tmp_path: Path) -> None:
    assert planbot("plan", "load", str(BUNDLED_PLAN), database_url=db_url).returncode == 0
    other = tmp_path / "other.yaml"
    other.write_text(
        yaml.safe_dump(bundled(title="Digital Inclusion Action Plan 2025-26", year_start="2025-04-01", year_end="2026-03-31")),
        encoding="utf-8",
    )
    result = planbot("shell", "--as", "robin", database_url=db_url, stdin="/plan-status\n", extra_env={"PLAN_FILE": str(other)})
    assert result.returncode == 1
    assert "this database already holds another plan" in result.stderr
    assert "Traceback" not in result.stderr
