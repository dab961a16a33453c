"""The whole 2019-20 plan year, simulated on a settable clock, with nobody answering.

Expected counts come from the bundled plan and its (default) schedule section:
- 7 lead-items (items 1-7), 4 leads (alex, bea, cal, dee), 2 coordinators (dee, robin);
- 4 quarterly periods; a prompt 10 working days before each ends, then 3 chasers
  3 working days apart, then one escalation 3 working days after the last chaser;
- 52 Thursdays from 4 Apr 2019 to 26 Mar 2020, less the 2 cancelled (26 Dec, 2 Jan): 50 calls;
- 4 Strategic Board meetings; 3 milestones with due dates (item 2 x2, item 3 x1).
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from schedules.reconcile import Reconciler
from storage.models import MilestoneState, Rag, SendStatus
from storage.queries import MilestoneAnswer
from tests.factories import save
from tests.schedules.conftest import RecordingPort, ledger, london, simulate

LEAD_ITEMS, LEADS, COORDINATORS = 7, 4, 2
PERIODS, CHASERS, CALLS, BOARDS, DATED_MILESTONES = 4, 3, 50, 4, 3

EXPECTED = {
    "quarterly-prompt": LEAD_ITEMS * PERIODS,  # 28
    "chaser": LEAD_ITEMS * PERIODS * CHASERS,  # 84: Q4's third chaser is on 31 Mar 2020, the year's last day
    "escalation": (PERIODS - 1) * COORDINATORS,  # 6: Q4's would be on 3 Apr 2020, after the plan year
    "pre-call-prompt": CALLS * LEADS,  # 200
    "pre-call-brief": CALLS * COORDINATORS,  # 100
    "board-reminder": BOARDS * LEAD_ITEMS,  # 28
    "board-summary": BOARDS * COORDINATORS,  # 8
    "milestone-due": DATED_MILESTONES,  # 3
}
YEAR_START, YEAR_END = london(2019, 4, 1), london(2020, 4, 1)


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    """SQLite only: a simulated year is the planner's and the reconcile's arithmetic (the
    ledger runs on both engines in test_two_clocks and test_kill_mid_fanout)."""
    return sqlite_db_url


@pytest.mark.slow
def test_a_year_with_nobody_answering_sends_each_kind_the_expected_number_of_times(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    clock.at = YEAR_START
    outcomes = simulate(reconciler, clock, london(2020, 6, 30))

    assert Counter(o.send.kind for o in outcomes) == EXPECTED
    assert {o.status for o in outcomes} == {SendStatus.SENT}
    rows = ledger(plan_engine)
    assert Counter(r.kind for r in rows) == EXPECTED
    assert len({r.key for r in rows}) == len(rows) == len(port.sent) == sum(EXPECTED.values())
    assert all(YEAR_START <= r.due < YEAR_END and r.sent_at == r.due for r in rows)
    assert Counter(who for who, _ in port.sent)["robin"] == CALLS + BOARDS + PERIODS - 1

    # Bank holidays shift the working-day counts: Q3 ends Tue 31 Dec 2019, and
    # 25 Dec, 26 Dec and 1 Jan are bank holidays in England.
    item1_q3 = [(r.kind, r.due) for r in rows if r.occurrence == "2019-Q3" and r.item_number in (1, None)]
    assert item1_q3 == [
        ("quarterly-prompt", london(2019, 12, 16, 9)),  # 18 Dec without the Christmas bank holidays
        ("chaser", london(2019, 12, 19, 9)),
        ("chaser", london(2019, 12, 24, 9)),
        ("chaser", london(2019, 12, 31, 9)),  # skips 25 and 26 Dec
        ("escalation", london(2020, 1, 6, 9)),  # skips 1 Jan
        ("escalation", london(2020, 1, 6, 9)),
    ]
    summer = [(r.occurrence, r.due) for r in rows if r.kind == "milestone-due" and r.item_number == 3]
    assert summer == [("m3@2019-08-31", london(2019, 9, 2, 9))]  # due on a Saturday: asked on Monday


def test_cancelled_calls_get_no_prompt_or_brief(reconciler: Reconciler, clock: FixedClock, plan_engine: Engine) -> None:
    clock.at = london(2019, 12, 18, 9)
    simulate(reconciler, clock, london(2020, 1, 9, 10))
    calls = sorted({r.occurrence for r in ledger(plan_engine) if r.kind.startswith("pre-call")})
    assert calls == ["clgu-weekly-call@2019-12-19", "clgu-weekly-call@2020-01-09"]


def test_nothing_goes_out_after_the_plan_year(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    """Q4's last chaser (31 Mar 2020, 09:00) is inside the grace window on 1 Apr, but the year is over."""
    for day in (london(2020, 4, 1, 9), london(2020, 4, 3, 9), london(2020, 6, 1, 9)):
        clock.at = day
        assert {o.status for o in reconciler.run("all")} <= {SendStatus.MISSED}
    assert port.sent == []
    assert {(r.kind, r.status) for r in ledger(plan_engine)} == {("chaser", SendStatus.MISSED)}


def test_an_update_stops_the_chasing_and_leaves_the_item_off_the_escalation(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    clock.at = london(2019, 9, 17, 8)
    simulate(reconciler, clock, london(2019, 9, 18, 12))  # the Q2 prompt went out on Tue 17 Sep
    save(
        plan_engine, 3, "2019-Q2", Rag.ON_TRACK, london(2019, 9, 18, 12), summary="Consultation plan agreed",
        milestones={"m3": MilestoneAnswer(MilestoneState.DONE)}, author="bea",
    )
    simulate(reconciler, clock, london(2019, 10, 4))

    q2 = ledger(plan_engine, occurrence="2019-Q2")
    assert [r.kind for r in q2 if r.item_number == 3] == ["quarterly-prompt"]
    assert Counter(r.kind for r in q2)["chaser"] == (LEAD_ITEMS - 1) * CHASERS
    escalations = [r.text for r in port.to("robin") if "Missing updates" in r.text]
    assert len(escalations) == 1
    escalation = escalations[0]
    assert "Missing updates: Q2 2019-20" in escalation
    assert "Engage stakeholders" not in escalation
    assert "Increase strategy capacity to deliver the LIS" in escalation and "3 times" in escalation
