"""Point 11 of the trust issue, what a newcomer met (the Excel header is in
tests/returns/test_formats.py, the slipped dates in test_milestone_answers.py, the
coordinator's due list in tests/core/test_checkin.py). The clock fixture is Wed 20 Nov 2019."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from schedules.clock import ClockProcess, DueTrigger
from schedules.planner import JOBS
from storage.planfile import BUNDLED_PLAN
from tests.conftest import Chat
from tests.in_process import planbot
from tests.schedules.conftest import london

ChatFor = Callable[..., Chat]
ROOT = Path(__file__).resolve().parents[2]


def test_a_future_period_is_refused_with_the_current_one_named(chat: ChatFor, plan_engine: Engine) -> None:
    assert chat("alex").text("/plan-update 1 Q4") == (
        "Q4 2019-20 (Jan–Mar 2020) hasn't started yet (it starts 1 Jan 2020), so there's nothing to report for it. "
        "Type /plan-update 1 for Q3 2019-20 (Oct–Dec 2019)."
    )
    assert chat("alex").text("/plan-update 1 Q2").startswith("== Item 1: Increase strategy capacity to deliver the LIS, update for Q2")


def test_deputy_with_an_unknown_name_says_how_to_type_deputy(chat: ChatFor) -> None:
    reply = chat("alex").text("/deputy 1 bob")
    assert reply.startswith("I don't know anyone called “bob” in the plan.")
    assert reply.endswith("Type /deputy 1 with one of those.")
    assert "/plan-status" not in reply


def test_the_status_column_speaks_of_its_own_period(chat: ChatFor) -> None:
    text = chat("dee").text("/plan-status")
    assert "Q3 update" in text.splitlines()[2]
    row = next(line for line in text.splitlines() if line.startswith("1 "))
    assert row.endswith("due by 31 Dec 2019; no Q2 update")
    assert "overdue: no Q2" not in text


def test_the_first_scheduled_reconcile_is_never_before_now(plan_engine: Engine) -> None:
    """The start-up reconcile ran from 08:59:50 to 09:00:30; the prompts fell due at 09:00."""
    trigger = DueTrigger(plan_engine, JOBS["quarterly-prompts"], sweep=dt.timedelta(minutes=15))
    began, now = london(2019, 12, 16, 8, 59, 50), london(2019, 12, 16, 9, 0, 30)
    assert ClockProcess.first_run(trigger, began, now) == now
    assert ClockProcess.first_run(trigger, now, now) == now + dt.timedelta(minutes=15)


def test_as_refuses_a_prefix_too_short_to_pick_someone(db_url: str, plan_engine: Engine) -> None:
    short = planbot("shell", "--as", "d", database_url=db_url)
    assert short.returncode == 2
    assert short.stderr.startswith(
        "'d' is too short to pick someone (it could be dee): give a person id, a name or at least 3 letters of one."
    )
    assert short.stdout == ""
    several = planbot("shell", "--as", "ex", database_url=db_url)
    assert several.returncode == 2
    for given, who in (("dee", "Dee Demo"), ("Rob", "Robin Fictional"), ("bea sample", "Bea Sample")):
        result = planbot("shell", "--as", given, "--today", "2019-11-20", database_url=db_url)
        assert result.returncode == 0, result.stderr
        assert f"You are {who} (" in result.stdout


def test_plan_load_summarises_what_it_added(db_url: str) -> None:
    first = planbot("plan", "load", str(BUNDLED_PLAN), database_url=db_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "Loaded 'South East LEP Strategy Improvement Plan 2019-20': 7 items, 5 people, 2 meetings, 4 periods (2019-Q1 to 2019-Q4)",
        "  added 5 people, 7 items, 18 KPIs, 23 milestones, 12 monitoring lines, 2 meetings",
    ]
    again = planbot("plan", "load", str(BUNDLED_PLAN), database_url=db_url)
    assert again.stdout.splitlines()[1:] == ["  (no changes)"]


def test_docs_and_the_template_point_only_at_files_in_the_repository() -> None:
    for doc in [ROOT / "docs" / "architecture.md", BUNDLED_PLAN, ROOT / "README.md"]:
        text = doc.read_text(encoding="utf-8")
        assert "shared/DESIGN.md" not in text and "shared/seeds/selep" not in text
        for path in re.findall(r"`((?:bot|storage|schedules|plantime|docs|tests|bench)/[\w/.-]+\.\w+)`", text):
            assert (ROOT / path).exists(), f"{doc.name} names {path}"
