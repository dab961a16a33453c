"""What people read: the prompts, reminders, briefs and summaries the clock sends,
composed from the plan and the stored updates."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.replies import Choices
from schedules.reconcile import Reconciler
from storage import away
from storage.call_notes import add_note
from storage.db import session_scope
from storage.models import MilestoneState, Rag
from storage.queries import MilestoneAnswer
from tests.factories import save
from tests.schedules.conftest import RecordingPort, london


def test_the_quarterly_prompt_shows_kpis_milestones_and_the_last_update(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    save(
        plan_engine,
        3,
        "2019-Q2",
        Rag.AT_RISK,
        london(2019, 10, 7, 14),
        summary="Consultation slipped to the autumn",
        kpis={"kpi1": "Two Board sessions held"},
        milestones={"m3": MilestoneAnswer(MilestoneState.SLIPPED)},
        author="bea",
    )
    clock.at = london(2019, 12, 16, 9)
    reconciler.run("quarterly-prompts")

    prompt = port.to("bea")[0]
    text = prompt.text
    assert text.startswith("== Item 3: Engage stakeholders locally and sub-regionally ==\n")
    assert "Time for the Q3 2019-20 progress update on item 3. The period closes on Tue 31 Dec 2019" in text
    assert "Board engagement: Two Board sessions held" in text
    assert "Engagement with relevant LEPs: nothing reported yet" in text
    assert (
        "Public consultation in summer and at as early a stage as practicable. (due Sat 31 Aug 2019): Slipped" in text
    )
    assert "Last update: Q2 2019-20, At risk, written Mon 7 Oct 2019: Consultation slipped to the autumn" in text
    buttons = next(b for b in prompt.blocks if isinstance(b, Choices))
    assert [c.value for c in buttons.choices] == ["/plan-update 3 2019-Q3", "/plan-update 3 2019-Q3 form", "/snooze 2d"]
    assert buttons.step == "prompt:quarterly-prompt:3:2019-Q3"


def test_a_chaser_says_which_reminder_it_is(reconciler: Reconciler, clock: FixedClock, port: RecordingPort) -> None:
    for day in (16, 19, 24):
        clock.at = london(2019, 12, day, 9)
        reconciler.run("quarterly-prompts")
        reconciler.run("chasers")
    text = port.to("cal")[-1].text
    assert text.startswith(
        "== Reminder 2 of 3: item 6 ==\nThe Q3 2019-20 update for item 6 (Translate strategies into Board focus and impact) isn't in yet. The period closes on Tue 31 Dec 2019."
    )


def test_the_pre_call_brief_has_changes_risks_milestones_flags_and_absences(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    save(
        plan_engine,
        2,
        "2019-Q3",
        Rag.OFF_TRACK,
        london(2019, 11, 25, 14),
        summary="LIS draft late",
        blockers="Waiting for the evidence base",
    )
    save(
        plan_engine, 4, "2019-Q2", Rag.ON_TRACK, london(2019, 10, 1, 14), summary="Comms plan agreed", author="bea"
    )  # before the last call: not a change
    with session_scope(plan_engine) as session:
        add_note(
            session,
            occurrence="clgu-weekly-call@2019-11-28",
            person_id="cal",
            text="Federal board moved to January",
            at=london(2019, 11, 27, 11),
        )
        away.set_absence(session, person_id="bea", kind="away", until=london(2019, 12, 2, 9), at=london(2019, 11, 26))
    clock.at = london(2019, 11, 28, 9)
    reconciler.run("pre-call")

    brief = port.to("robin")[0].text
    assert brief.startswith("== Brief for the CLGU/SELEP weekly catch-up call, Thu 28 Nov 2019, 10:00 ==")
    assert (
        "Updates since the last call (Thu 21 Nov 2019):\n  - Item 2 (Develop the Local Industrial Strategy (LIS)): Q3 2019-20 update v1 by Alex Example, Off track: LIS draft late"
        in brief
    )
    assert "Comms plan agreed" not in brief
    assert (
        "At risk or off track:\n  - Item 2 (Develop the Local Industrial Strategy (LIS)): Off track in Q3 2019-20, Waiting for the evidence base"
        in brief
    )
    assert "Milestones due in the next 14 days:\n  - Item 2: December – review draft LIS, due Fri 6 Dec 2019" in brief
    assert "Flagged by leads for this call:\n  - Cal Placeholder: Federal board moved to January" in brief
    assert "Away:\n  - Bea Sample: away until Mon 2 Dec 2019, 09:00" in brief


def test_the_board_summary_has_the_rag_table_and_the_agenda(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    save(plan_engine, 2, "2019-Q3", Rag.AT_RISK, london(2019, 11, 25, 14), summary="LIS draft late")
    clock.at = london(2019, 12, 4, 9)  # two working days before the Board on Fri 6 Dec
    reconciler.run("board")

    summary = port.to("dee")[-1].text
    assert summary.startswith(
        "== Summary for the SELEP Strategic Board, Fri 6 Dec 2019, 10:00 ==\nAgenda: Review draft LIS\nQ3 2019-20 progress"
    )
    assert (
        "2     Develop the Local Industrial Strategy (LIS)       Alex Example     Amber (At risk)  Mon 25 Nov 2019"
        in summary
    )
    assert "1     Increase strategy capacity to deliver the LIS     Alex Example     No update" in summary
    assert "Q3 2019-20 updates still missing:\n  - Item 1 (Alex Example)\n  - Item 3 (Bea Sample)" in summary


def test_the_board_reminder_goes_only_to_leads_whose_update_is_missing(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    save(plan_engine, 2, "2019-Q3", Rag.AT_RISK, london(2019, 11, 25, 14), summary="LIS draft late")
    clock.at = london(2019, 11, 29, 9)  # five working days before the Board
    reconciler.run("board")

    reminders = [r.text for r in port.to("alex")]
    assert len(reminders) == 1
    assert reminders[0].startswith(
        "== SELEP Strategic Board: item 1's update is missing ==\nThe SELEP Strategic Board meets on Fri 6 Dec 2019, 10:00 "
        "(agenda: Review draft LIS). The Q3 2019-20 update for item 1"
    )
