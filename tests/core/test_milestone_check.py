"""When a milestone falls due its lead is asked: done, slipped (new date) or on
track. The answer is stored, and a slipped milestone is asked about again on its
new date. Item 2's milestone m5 ('December – review draft LIS') is due Fri 6 Dec 2019."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.clock import FixedClock
from bot.core.events import ChoiceMade, Sender
from bot.core.planbot import Planbot
from schedules.reconcile import Reconciler
from storage.db import session_scope
from storage.models import MilestoneCheck, MilestoneState
from tests.conftest import Chat
from tests.schedules.conftest import RecordingPort, ledger, london

ChatFor = Callable[..., Chat]
STEP = "milestone:2:m5@2019-12-06"


def checks(engine: Engine) -> list[tuple[int, str, str, object]]:
    with session_scope(engine) as session:
        return [(c.item_number, c.milestone_key, c.state, c.new_date) for c in session.exec(select(MilestoneCheck))]


def press(planbot: Planbot, value: str, person: str = "alex") -> str:
    return "\n".join(r.text for r in planbot.handle(ChoiceMade(Sender("shell", person), value, STEP)))


def test_the_question_and_a_done_answer(clock: FixedClock, planbot: Planbot, plan_engine: Engine) -> None:
    port = RecordingPort()
    clock.at = london(2019, 12, 6, 9)
    Reconciler(plan_engine, port, clock, by="test").run("milestones-due")
    question = port.to("alex")[0].text
    assert question.startswith(
        "== Milestone due: item 2 ==\nThis milestone of item 2 (Develop the Local Industrial Strategy (LIS)) was due on Fri 6 Dec 2019:\n"
        "  - December – review draft LIS"
    )
    assert (
        press(planbot, "/milestone 2 m5 done")
        == "Recorded: item 2's milestone “December – review draft LIS” is done. Thank you."
    )
    assert checks(plan_engine) == [(2, "m5", MilestoneState.DONE, None)]


def test_slipped_asks_for_the_new_date_and_the_clock_asks_again_then(
    chat: ChatFor, clock: FixedClock, planbot: Planbot, plan_engine: Engine
) -> None:
    clock.at = london(2019, 12, 6, 9, 30)
    assert press(planbot, "/milestone 2 m5 slipped") == (
        "What's the new date for “December – review draft LIS”? Like 31/01/2020, 2020-01-31, 31 Jan 2020, Jan 2020 or end of Jan (or cancel)."
    )
    assert chat("alex").text("sometime").startswith("I couldn't read “sometime” as a date.")
    assert chat("alex").text("31/01/2020") == (
        "Recorded: item 2's milestone “December – review draft LIS” has slipped to Fri 31 Jan 2020. I'll ask about it again then."
    )
    assert checks(plan_engine) == [(2, "m5", MilestoneState.SLIPPED, london(2020, 1, 31).date())]

    port = RecordingPort()
    reconciler = Reconciler(plan_engine, port, clock, by="test")
    for at in (london(2019, 12, 6, 10), london(2020, 1, 31, 9)):
        clock.at = at
        reconciler.run("milestones-due")
    assert [r.occurrence for r in ledger(plan_engine, kind="milestone-due")] == ["m5@2020-01-31"]
    assert "was due on Fri 31 Jan 2020" in port.to("alex")[0].text


def test_an_answer_given_early_means_no_question(chat: ChatFor, clock: FixedClock, plan_engine: Engine) -> None:
    assert chat("alex").text("/milestone 2 m5 on track").endswith("is on track. Thank you.")
    assert chat("alex").text("/milestone 2 m5 done").endswith("is done. Thank you.")
    clock.at = london(2019, 12, 6, 9)
    assert Reconciler(plan_engine, RecordingPort(), clock, by="test").run("milestones-due") == []


def test_wrong_milestone_or_person_is_explained(chat: ChatFor) -> None:
    assert chat("alex").text("/milestone 2 m9 done").startswith("Item 2 has no milestone m9. Its milestones are: m1 (")
    assert (
        chat("bea")
        .text("/milestone 2 m5 done")
        .startswith("Item 2 (Develop the Local Industrial Strategy (LIS)) is led by Alex Example")
    )
    assert (
        chat("alex").text("/milestone 2 m5 maybe").startswith("I couldn't read “maybe” as done, on track or slipped.")
    )
