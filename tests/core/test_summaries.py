"""/plan-status as a coordinator reads it, on SQLite and PostgreSQL.

Updates are stored through storage.queries.save_update (several versions where
it matters), so each summary is checked against what a lead would really have
written. The clock fixture puts today at 20 November 2019: Q3 of the plan year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.planbot import Planbot
from storage.db import session_scope
from storage.models import MilestoneState, Rag
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, ItemSpec, PersonSpec, PlanDocument, read_plan
from storage.queries import MilestoneAnswer, update_history
from tests.conftest import LONDON, Chat
from tests.factories import save

Say = Callable[..., str]


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=LONDON)


def row(text: str, number: int) -> str:
    """The status table's row for an item."""
    found = [line for line in text.splitlines() if line.startswith(f"{number} ")]
    assert len(found) == 1, text
    return found[0]


def reload(engine: Engine, doc: PlanDocument) -> None:
    with session_scope(engine) as session:
        load_plan(session, doc)


@pytest.fixture
def history(plan_engine: Engine) -> Engine:
    """Item 1 updated in Q2 and twice in Q3 (the second on behalf of its lead); items 2 and 3 in Q2 only; item 2 in Q3."""
    save(plan_engine, 1, "2019-Q2", Rag.ON_TRACK, at("2019-09-20"), milestones={"m1": MilestoneAnswer(MilestoneState.ON_TRACK)}, blockers="Budget approval")
    save(plan_engine, 1, "2019-Q3", Rag.OFF_TRACK, at("2019-11-01"), summary="First go: everything is late", kpis={"kpi1": "No posts filled"})
    save(
        plan_engine,
        1,
        "2019-Q3",
        Rag.AT_RISK,
        at("2019-11-14"),
        summary="Two posts filled, one still open",
        blockers="Budget approval\nRecruitment freeze until January",
        kpis={"kpi1": "Two of three posts filled", "kpi2": "Consultants appointed"},
        milestones={"m1": MilestoneAnswer(MilestoneState.SLIPPED, dt.date(2020, 1, 15)), "m2": MilestoneAnswer(MilestoneState.DONE)},
        author="dee",
        on_behalf_of="alex",
    )
    save(plan_engine, 2, "2019-Q2", Rag.ON_TRACK, at("2019-09-25"))
    save(plan_engine, 2, "2019-Q3", Rag.ON_TRACK, at("2019-11-05"))
    save(plan_engine, 3, "2019-Q2", Rag.AT_RISK, at("2019-09-25"), author="bea")
    return plan_engine


def test_whole_plan_shows_each_items_latest_version(history: Engine, chat: Callable[..., Chat]) -> None:
    text = chat("robin").command("plan-status")
    assert "== Plan status — Q3 2019-20 (Oct–Dec 2019) ==" in text
    assert "Latest RAG: 1 On track, 2 At risk, 0 Off track, 0 Complete; 4 with no update yet." in text
    first = row(text, 1)
    assert "Alex Example" in first and "At risk" in first and "updated 14 Nov 2019" in first
    assert "Off track" not in first
    third = row(text, 3)
    assert "At risk" in third and "25 Sep 2019 (Q2)" in third and "due by 31 Dec 2019" in third
    assert "none yet" in row(text, 4) and "due by 31 Dec 2019; no Q2 update" in row(text, 4)
    assert "Q3 updates: 2 in, 5 due by 31 Dec 2019. Overdue, no Q2 2019-20 update: items 4, 5, 6, 7." in text
    with session_scope(history) as session:
        versions = update_history(session, item_number=1, period_key="2019-Q3")
        assert [(u.version, u.is_latest, Rag(u.rag)) for u in versions] == [(1, False, Rag.OFF_TRACK), (2, True, Rag.AT_RISK)]


def test_whole_plan_names_deputies(plan_engine: Engine, chat: Callable[..., Chat]) -> None:
    doc = read_plan(BUNDLED_PLAN)
    seventh = next(i for i in doc.items if i.number == 7)
    seventh.deputy = "bea"
    reload(plan_engine, doc)
    assert "Dee Demo, deputy Bea Sample" in row(chat("alex").command("plan-status"), 7)
    text = chat("alex").command("plan-status", "bea")
    assert [line.split()[0] for line in text.splitlines() if line[:1].isdigit()] == ["3", "4", "7"]


def test_item_detail_shows_the_latest_update_in_full(history: Engine, chat: Callable[..., Chat]) -> None:
    text = chat("bea").command("plan-status", "1")
    assert "== Item 1: Increase strategy capacity to deliver the LIS — Q3 2019-20 (Oct–Dec 2019) ==" in text
    assert "Lead: Alex Example" in text
    assert "Increase capacity on strategy to ensure focus on delivering LIS" in text
    assert "KPIs (progress from the Q3 2019-20 update):" in text
    assert "Appointment of new staff members: Two of three posts filled" in text
    assert "Procure consultants on evidence base work: Consultants appointed" in text
    assert "Identify Board level sponsor: no progress noted" in text
    assert "Appoint a team to take forward LIS development (already in progress): Slipped, new date 15 Jan 2020" in text
    assert "Procure consultants for the production of the evidence base (ASAP): Done" in text
    assert "Consider Strategic Board subgroup as per LEP Review model: no state reported" in text
    assert "  - CLGU/SELEP – continuation of weekly phone calls" in text
    assert "Blockers and asks: Budget approval; Recruitment freeze until January" in text
    assert "Update summary: Two posts filled, one still open" in text
    assert "Written by: Dee Demo, on behalf of Alex Example" in text
    assert "When: 14 Nov 2019 (Q3 2019-20 update, version 2)" in text
    assert "RAG by period: Q1 — → Q2 On track → Q3 At risk" in text
    assert "First go" not in text and "No posts filled" not in text


def test_item_detail_shows_why_the_status_and_each_milestones_note(plan_engine: Engine, chat: Callable[..., Chat]) -> None:
    save(
        plan_engine,
        3,
        "2019-Q3",
        Rag.AT_RISK,
        at("2019-11-14"),
        rag_reason="the consultation slipped",
        milestones={"m3": MilestoneAnswer(MilestoneState.SLIPPED, dt.date(2020, 1, 31), "awaiting health partners' sign-off")},
        author="bea",
    )
    text = chat("dee").command("plan-status", "3")
    assert "Why this status: the consultation slipped" in text
    assert "Slipped, new date 31 Jan 2020 (awaiting health partners' sign-off)" in text


def test_item_detail_falls_back_to_the_most_recent_period(history: Engine, chat: Callable[..., Chat]) -> None:
    text = chat("bea").command("plan-status", "#3")
    assert "When: 25 Sep 2019 (Q2 2019-20 update, version 1)" in text
    assert "Q3: no update yet; due by 31 Dec 2019" in text
    assert "RAG by period: Q1 — → Q2 At risk → Q3 —" in text


def test_item_without_updates(plan_engine: Engine, chat: Callable[..., Chat]) -> None:
    text = chat("bea").command("plan-status", "4")
    assert "KPIs (no progress reported yet):" in text
    assert "LIS stakeholder events: no progress noted" in text
    assert "Latest update: none yet" in text
    assert "RAG by period: Q1 — → Q2 — → Q3 —" in text


def test_unknown_item_lists_the_valid_numbers(plan_engine: Engine, chat: Callable[..., Chat]) -> None:
    text = chat("bea").command("plan-status", "99")
    assert text == "There is no item 99 in the plan. The items are 1, 2, 3, 4, 5, 6, 7: type /plan-status with one of those numbers."


def test_removed_item_keeps_its_history(history: Engine, chat: Callable[..., Chat]) -> None:
    doc = read_plan(BUNDLED_PLAN)
    doc.items = [i for i in doc.items if i.number != 3]
    reload(history, doc)
    assert all(not line.startswith("3 ") for line in chat("robin").command("plan-status").splitlines())
    text = chat("robin").command("plan-status", "3")
    assert "This item is no longer in the plan; its history is kept." in text
    assert "RAG by period: Q1 — → Q2 At risk → Q3 —" in text


@pytest.mark.parametrize("who", ["bea", "Bea Sample", "BEA SAMPLE", "Bea", "samp", "@Be"])
def test_person_by_id_name_first_name_or_prefix(history: Engine, chat: Callable[..., Chat], who: str) -> None:
    text = chat("robin").command("plan-status", who)
    assert "== Bea Sample's items — Q3 2019-20 (Oct–Dec 2019) ==" in text
    assert "At risk" in row(text, 3) and "due by 31 Dec 2019; no Q2 update" in row(text, 4)
    assert all(not line.startswith(("1 ", "2 ")) for line in text.splitlines())
    assert "Q3 updates: 0 in, 2 due by 31 Dec 2019. Overdue, no Q2 2019-20 update: item 4." in text


def test_person_without_items(plan_engine: Engine, chat: Callable[..., Chat]) -> None:
    text = chat("alex").command("plan-status", "robin")
    assert "Robin Fictional leads no items in the plan." in text


def test_unknown_person_lists_people(plan_engine: Engine, chat: Callable[..., Chat]) -> None:
    text = chat("alex").command("plan-status", "Zed")
    assert text.startswith("I don't know anyone called “Zed” in the plan. The people are: Alex Example (alex), Bea Sample (bea),")
    assert "Robin Fictional (robin)" in text


def test_ambiguous_name_lists_the_candidates(plan_engine: Engine, chat: Callable[..., Chat]) -> None:
    doc = read_plan(BUNDLED_PLAN)
    doc.people += [PersonSpec(id="sam-one", name="Sam One", roles=["lead"]), PersonSpec(id="sam-two", name="Sam Two", roles=["lead"])]
    doc.items.append(ItemSpec(number=8, title="Shared item", lead="sam-one", deputy="sam-two"))
    reload(plan_engine, doc)
    text = chat("alex").command("plan-status", "sam")
    assert text == "“sam” could be Sam One (sam-one), Sam Two (sam-two). Type more of the name, or the id, e.g. /plan-status sam-one."
    assert "Sam Two's items" in chat("alex").command("plan-status", "Sam Two")
    assert "Sam One, deputy Sam Two" in row(chat("alex").command("plan-status", "sam-two"), 8)


def test_overdue_lists_the_ended_periods_gaps(history: Engine, chat: Callable[..., Chat]) -> None:
    text = chat("robin").command("plan-status", "overdue")
    assert text.splitlines() == [
        "== Overdue — Q3 2019-20 (Oct–Dec 2019) ==",
        "No Q2 2019-20 update (the period ended 30 Sep 2019):",
        "  - 4. External communications plan for the LIS — Bea Sample",
        "  - 5. Partnership health and shared ownership — Cal Placeholder",
        "  - 6. Translate strategies into Board focus and impact — Cal Placeholder",
        "  - 7. Leadership opportunities for the LEP — Dee Demo",
    ]


def test_overdue_near_the_periods_end(plan_engine: Engine, clock: FixedClock, chat: Callable[..., Chat]) -> None:
    """Friday 20 September 2019: Q2 ends on Monday 30th, 7 working days away (the plan prompts at 10)."""
    clock.at = at("2019-09-20", 10)
    for item in (1, 2, 3, 4, 5, 6):
        save(plan_engine, item, "2019-Q1", Rag.ON_TRACK, at("2019-06-20"))
    save(plan_engine, 1, "2019-Q2", Rag.ON_TRACK, at("2019-09-18"))
    text = chat("robin").command("plan-status", "overdue")
    assert "No Q1 2019-20 update (the period ended 30 Jun 2019):\n  - 7. Leadership opportunities for the LEP — Dee Demo" in text
    assert "No Q2 2019-20 update yet, due by 30 Sep 2019 (7 working days left):" in text
    due = text.split("working days left):\n")[1].splitlines()
    assert [line.split(".")[0].strip(" -") for line in due] == ["2", "3", "4", "5", "6", "7"]


def test_overdue_counts_working_days_without_bank_holidays(history: Engine, clock: FixedClock, chat: Callable[..., Chat]) -> None:
    """Wednesday 18 December 2019: ten weekdays to 31 December, but Christmas and Boxing Day are bank holidays."""
    clock.at = at("2019-12-18", 10)
    text = chat("robin").command("plan-status", "overdue")
    assert "No Q3 2019-20 update yet, due by 31 Dec 2019 (8 working days left):\n  - 3. Engage stakeholders" in text


def test_nothing_overdue(plan_engine: Engine, clock: FixedClock, chat: Callable[..., Chat]) -> None:
    """Wednesday 28 August 2019: every Q1 update is in, and Q2 ends 24 working days later."""
    clock.at = at("2019-08-28", 10)
    for item in range(1, 8):
        save(plan_engine, item, "2019-Q1", Rag.ON_TRACK, at("2019-06-20"))
    text = chat("robin").command("plan-status", "overdue")
    assert text.splitlines() == [
        "== Overdue — Q2 2019-20 (Jul–Sep 2019) ==",
        "Nothing is overdue.",
        "7 Q2 2019-20 updates are due by 30 Sep 2019 (24 working days left).",
    ]


def test_after_the_plan_year_the_last_period_is_current(history: Engine, clock: FixedClock, chat: Callable[..., Chat]) -> None:
    clock.at = at("2020-05-04", 10)
    text = chat("robin").command("plan-status")
    assert "== Plan status — Q4 2019-20 (Jan–Mar 2020), the plan year's last period (the year ended 31 Mar 2020) ==" in text
    assert "14 Nov 2019 (Q3)" in row(text, 1) and "overdue (period ended 31 Mar 2020)" in row(text, 1)
    overdue = chat("robin").command("plan-status", "overdue")
    assert "No Q4 2019-20 update (the period ended 31 Mar 2020):\n  - 1. Increase strategy capacity" in overdue


def test_changes_between_the_previous_and_current_period(history: Engine, chat: Callable[..., Chat]) -> None:
    text = chat("robin").command("plan-status", "changes")
    lines = text.splitlines()
    assert lines[0] == "== Changes from Q2 2019-20 to Q3 2019-20 (Oct–Dec 2019) =="
    first = next(line for line in lines if line.startswith("  - 1. "))
    assert "RAG On track → At risk" in first
    assert "milestone “Appoint a team to take forward LIS development (already in…” On track → Slipped (new date 15 Jan 2020)" in first
    assert "milestone “Procure consultants for the production of the evidence base…” Done (not reported before)" in first
    assert "new blocker: “Recruitment freeze until January”" in first
    assert "Budget approval" not in first
    assert "  - 3. Engage stakeholders locally and sub-regionally: no Q3 update yet (was At risk in Q2)" in lines
    assert "  - 4. External communications plan for the LIS: no update in Q2 or Q3" in lines
    assert lines[-1] == "No change: item 2."


def test_changes_without_current_updates_compares_the_last_two_periods(plan_engine: Engine, chat: Callable[..., Chat]) -> None:
    save(plan_engine, 1, "2019-Q1", Rag.ON_TRACK, at("2019-06-20"))
    save(plan_engine, 1, "2019-Q2", Rag.OFF_TRACK, at("2019-09-20"))
    save(plan_engine, 2, "2019-Q1", Rag.AT_RISK, at("2019-06-20"))
    text = chat("robin").command("plan-status", "changes")
    lines = text.splitlines()
    assert lines[0] == "== Changes from Q1 2019-20 to Q2 2019-20 (Jul–Sep 2019) =="
    assert lines[1] == "Nothing has been written for Q3 2019-20 yet, so this compares the two most recent periods with updates."
    assert "  - 1. Increase strategy capacity to deliver the LIS: RAG On track → Off track" in lines
    assert "  - 2. Develop the Local Industrial Strategy (LIS): no Q2 update (was At risk in Q1)" in lines


def test_changes_with_no_updates_at_all(plan_engine: Engine, chat: Callable[..., Chat]) -> None:
    text = chat("robin").command("plan-status", "changes")
    assert text.splitlines()[1] == "No updates have been written yet, so nothing has changed."


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


FORMS = ["", "1", "3", "alex", "overdue", "changes"]


def _statement_counts(engine: Engine, clock: FixedClock, tmp_path: Path) -> dict[str, int]:
    bot = Chat(Planbot(engine, clock, exports_dir=tmp_path), "robin")
    counts = {}
    for form in FORMS:
        with counted(engine) as statements:
            text = bot.command("plan-status", form)
        assert "went wrong" not in text
        counts[form] = len(statements)
    return counts


def test_statement_count_does_not_grow_with_history(plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    """The same number of SQL statements per /plan-status form with one version as with many,
    and with more items: nothing is loaded per version, per period or per item."""
    save(plan_engine, 1, "2019-Q2", Rag.ON_TRACK, at("2019-09-20"), milestones={"m1": MilestoneAnswer(MilestoneState.ON_TRACK)})
    save(plan_engine, 1, "2019-Q3", Rag.AT_RISK, at("2019-11-01"), kpis={"kpi1": "one"})
    save(plan_engine, 3, "2019-Q3", Rag.AT_RISK, at("2019-11-01"), author="bea")
    few = _statement_counts(plan_engine, clock, tmp_path)
    for period, month in (("2019-Q1", 6), ("2019-Q2", 9), ("2019-Q3", 11)):
        for item in range(1, 8):
            for version in range(4):
                save(
                    plan_engine,
                    item,
                    period,
                    list(Rag)[version],
                    at(f"2019-{month:02d}-{version + 1:02d}"),
                    kpis={"kpi1": f"v{version}", "kpi2": "more"},
                    milestones={"m1": MilestoneAnswer(MilestoneState.ON_TRACK), "m2": MilestoneAnswer(MilestoneState.DONE)},
                    blockers=f"blocker {version}",
                )
    many = _statement_counts(plan_engine, clock, tmp_path)
    assert many == few
    doc = read_plan(BUNDLED_PLAN)
    doc.items += [ItemSpec(number=n, title=f"Extra item {n}", lead="alex", kpis=["A KPI"], milestones=["A milestone"]) for n in range(8, 20)]
    reload(plan_engine, doc)
    for n in range(8, 20):
        save(plan_engine, n, "2019-Q2", Rag.AT_RISK, at("2019-09-02"), milestones={"m1": MilestoneAnswer(MilestoneState.SLIPPED)})
        save(plan_engine, n, "2019-Q3", Rag.ON_TRACK, at("2019-11-02"), kpis={"kpi1": "done"}, milestones={"m1": MilestoneAnswer(MilestoneState.DONE)})
    assert _statement_counts(plan_engine, clock, tmp_path) == few


def test_a_persons_status_includes_items_they_deputise_for_when_named_in_chat(chat) -> None:  # type: ignore[no-untyped-def]
    before = chat("robin").command("plan-status", "bea")
    assert "Increase strategy capacity" not in before
    assert chat("alex").text("/deputy 1 bea").startswith("Bea Sample is now the deputy for item 1")
    after = chat("robin").command("plan-status", "bea")
    assert "Increase strategy capacity to deliver the LIS" in after
    assert "Engage stakeholders locally and sub-regionally" in after
