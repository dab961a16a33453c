"""The content of the return, before any file format: what a coordinator reads."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine

from bot.core.errors import BadInput, NotFound
from bot.returns.compose import (
    COLUMNS,
    QuarterlyReturn,
    Row,
    compose,
    pick_period,
    plain_lines,
)
from bot.returns.periods import resolve_period
from storage.db import session_scope
from storage.models import MilestoneState, Rag
from storage.queries import MilestoneAnswer, plan_periods
from tests.factories import save
from tests.returns.conftest import PRODUCED


def make(engine: Engine, period: str | None = "2019-Q2") -> QuarterlyReturn:
    with session_scope(engine) as session:
        return compose(session, period=pick_period(session, period), produced=PRODUCED)


def progress(ret: QuarterlyReturn, number: int) -> list[str]:
    row = next(r for r in ret.rows if r.number == number)
    return plain_lines(row.cells[3])


def section(ret: QuarterlyReturn, heading: str) -> list[str]:
    return plain_lines(next(s for s in ret.sections if s.heading.startswith(heading)).paras)


def test_progress_column_is_written_from_the_latest_version(year_engine: Engine) -> None:
    lines = progress(make(year_engine), 1)
    assert lines == [
        "RAG status: At risk (Amber)",
        "Consultant procurement delayed by a re-tender.",
        "Progress against KPIs:",
        "• Appointment of new staff members: Three of four posts filled",
        "• Procure consultants on evidence base work: Re-tender issued 2 Sep",
        "• Identify Board level sponsor: no progress reported",
        "Milestones:",
        "• Appoint a team to take forward LIS development (already in progress): Done",
        "• Procure consultants for the production of the evidence base (ASAP): Slipped, new date 31 Oct 2019",
        "Blockers and asks: Need the Board to agree the sponsor in September.",
        "Update by Alex Example, 25 Sep 2019 (version 2)",
    ]
    assert "First draft of this update." not in "\n".join(lines)


def test_an_update_written_for_a_lead_says_who_wrote_it_for_whom(year_engine: Engine) -> None:
    lines = progress(make(year_engine), 2)
    assert lines[0] == "RAG status: On track (Green)"
    assert lines[-1] == "Update by Dee Demo on behalf of Alex Example, 26 Sep 2019"


def test_missing_updates_say_so_with_the_chasers_and_the_last_update(year_engine: Engine) -> None:
    ret = make(year_engine)
    assert progress(ret, 4) == ["No update received - chased 3 times", "Area lead: Bea Sample"]
    assert progress(ret, 6) == ["No update received - chased once", "Area lead: Cal Placeholder"]
    assert progress(ret, 7) == ["No update received", "Area lead: Dee Demo"]
    ret_q3 = make(year_engine, "2019-Q3")
    assert progress(ret_q3, 1) == [
        "No update received",
        "Area lead: Alex Example",
        "Last update: Q2 2019-20 (Jul–Sep 2019), At risk (Amber)",
    ]


def test_the_plan_columns_hold_the_plan_as_written(year_engine: Engine) -> None:
    row: Row = make(year_engine).rows[1]
    summary, milestones, monitoring, _ = (plain_lines(cell) for cell in row.cells)
    assert summary[0] == "2. Develop the Local Industrial Strategy (LIS)"
    assert summary[1].startswith("South East LEP progresses the development of its Local Industrial Strategy")
    assert summary[2:] == ["KPIs:", "• SELEP LIS project plan", "• Evidence base production"]
    assert milestones[3:] == ["• June – review draft evidence base (due 21 Jun 2019)", "• December – review draft LIS (due 6 Dec 2019)"]
    assert monitoring[0] == "• CLGU – attend quarterly Strategic Board sessions"
    assert len(COLUMNS) == 4


def test_summary_counts_rag_lists_missing_items_and_changes(year_engine: Engine) -> None:
    ret = make(year_engine)
    facts = section(ret, "")
    assert facts == [
        "Quarterly return for Q2 2019-20 (Jul–Sep 2019)",
        "South East Local Enterprise Partnership",
        "Produced 2 October 2019",
        "Updates received: 4 of 7 items",
    ]
    assert section(ret, "RAG status") == [
        "• On track (Green): 1", "• At risk (Amber): 1", "• Off track (Red): 1", "• Complete (Blue): 1", "• No update: 3",
    ]
    assert section(ret, "No update received") == [
        "• 4. External communications plan for the LIS (Bea Sample) - chased 3 times",
        "• 6. Translate strategies into Board focus and impact (Cal Placeholder) - chased once",
        "• 7. Leadership opportunities for the LEP (Dee Demo)",
    ]
    assert section(ret, "Changes since Q1 2019-20") == [
        ("• 1. Increase strategy capacity to deliver the LIS: On track → At risk (Amber); "
        "milestone slipped to 31 Oct 2019: Procure consultants for the production of the evidence base (ASAP)"),
        ("• 2. Develop the Local Industrial Strategy (LIS): At risk → On track (Green); "
        "milestone done: Develop a project plan for the development of South East LEP's LIS"),
        ("• 3. Engage stakeholders locally and sub-regionally: Off track (Red) (no update last period); "
        "milestone slipped to 30 Nov 2019: Public consultation in summer and at as early a stage as practicable."),
        "• 5. Partnership health and shared ownership: Complete (Blue) (no update last period)",
    ]
    q3 = make(year_engine, "2019-Q3")
    assert "• 1. Increase strategy capacity to deliver the LIS: no update this period (was At risk (Amber))" in section(q3, "Changes")
    assert section(make(year_engine, "2019-Q1"), "Changes") == [
        "This is the first period of the plan year: nothing to compare with."
    ]


def test_heatmap_holds_every_item_in_every_period_so_far(year_engine: Engine) -> None:
    heatmap = make(year_engine).heatmap
    assert heatmap.periods == ("Q1", "Q2")
    assert heatmap.items[0] == "1. Increase strategy capacity to deliver the LIS"
    assert heatmap.cells[:5] == (
        (Rag.ON_TRACK, Rag.AT_RISK),
        (Rag.AT_RISK, Rag.ON_TRACK),
        (None, Rag.OFF_TRACK),
        (None, None),
        (None, Rag.COMPLETE),
    )


@pytest.mark.parametrize("text", ["2019-Q2", "2019-q2", "Q2", "q2", "q2 2019", "Q2 2019-20", "2019 Q2", "2019Q2"])
def test_periods_are_named_the_way_people_write_them(plan_engine: Engine, text: str) -> None:
    with session_scope(plan_engine) as session:
        assert resolve_period(plan_periods(session), text).key == "2019-Q2"


def test_an_unknown_period_lists_the_real_ones(plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session, pytest.raises(NotFound) as caught:
        resolve_period(plan_periods(session), "Q5")
    assert str(caught.value) == (
        "There's no period 'Q5' in this plan year. Name one of: 2019-Q1, 2019-Q2, 2019-Q3, 2019-Q4 (Q2 or q2 2019 work too)."
    )


def test_default_period_is_the_latest_with_updates(year_engine: Engine, plan_engine: Engine) -> None:
    assert make(year_engine, None).period_key == "2019-Q2"


def test_no_updates_and_no_period_asks_for_one(plan_engine: Engine) -> None:
    with pytest.raises(BadInput, match=r"No updates have been stored for this plan year yet.*\(e\.g\. 2019-Q1\)"):
        make(plan_engine, None)
    assert [plain_lines(r.cells[3])[0] for r in make(plan_engine, "Q1").rows] == ["No update received"] * 7


def test_the_same_data_composes_the_same_return(year_engine: Engine) -> None:
    assert make(year_engine) == make(year_engine)


def test_the_progress_text_gives_the_status_reason_and_milestone_notes(plan_engine: Engine) -> None:
    save(
        plan_engine,
        3,
        "2019-Q3",
        Rag.AT_RISK,
        dt.datetime(2019, 12, 18, 10, tzinfo=dt.UTC),
        summary="Consultation running late",
        rag_reason="the consultation slipped",
        milestones={"m3": MilestoneAnswer(MilestoneState.SLIPPED, dt.date(2020, 1, 31), "awaiting sign-off")},
        author="bea",
    )
    lines = progress(make(plan_engine, "2019-Q3"), 3)
    assert lines[:3] == ["RAG status: At risk (Amber)", "Why: the consultation slipped", "Consultation running late"]
    assert any(line.endswith("Slipped, new date 31 Jan 2020 (awaiting sign-off)") for line in lines)
