"""'Anything to flag before Thursday's call?': the lead's answer is stored against
that call and shows in the coordinators' brief. The clock fixture is Wed 20 Nov
2019, 10:00; the next call is Thu 21 Nov at 10:00, its brief at 09:00."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.events import ChoiceMade, Sender
from bot.core.planbot import Planbot
from schedules.reconcile import Reconciler
from storage.call_notes import notes_for
from storage.conversations import get_conversation
from storage.db import session_scope
from tests.conftest import Chat
from tests.schedules.conftest import RecordingPort, london

ChatFor = Callable[..., Chat]
CALL = "clgu-weekly-call@2019-11-21"


def press(planbot: Planbot, person: str, value: str, step: str = f"flags:{CALL}") -> str:
    return "\n".join(r.text for r in planbot.handle(ChoiceMade(Sender("shell", person), value, step)))


def notes(engine: Engine, occurrence: str = CALL) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return [(n.person_id, n.text) for n in notes_for(session, occurrence=occurrence)]


def test_flag_something_asks_for_the_note_and_stores_it_against_the_call(
    chat: ChatFor, planbot: Planbot, plan_engine: Engine
) -> None:
    assert press(planbot, "alex", "/flag") == (
        "What would you like to flag for the CLGU/SELEP weekly catch-up call on Thu 21 Nov 2019, 10:00? "
        "Type it as one message (or cancel)."
    )
    assert chat("alex").text("Evidence base draft is two weeks late") == (
        "Noted for the CLGU/SELEP weekly catch-up call on Thu 21 Nov 2019, 10:00: “Evidence base draft is two weeks late”. "
        "It will be in the coordinators' brief."
    )
    assert notes(plan_engine) == [("alex", "Evidence base draft is two weeks late")]
    assert chat("alex").text("and another thing").startswith("I'm not waiting for an answer from you right now")


def test_nothing_to_flag_stores_nothing(planbot: Planbot, plan_engine: Engine) -> None:
    assert (
        press(planbot, "bea", "/flag nothing")
        == "Thanks: nothing to flag for the CLGU/SELEP weekly catch-up call on Thu 21 Nov 2019, 10:00."
    )
    assert notes(plan_engine) == []


def test_a_typed_flag_goes_to_the_next_call_and_into_its_brief(
    chat: ChatFor, clock: FixedClock, plan_engine: Engine
) -> None:
    chat("cal").text("flag Federal board moved to January")
    assert notes(plan_engine) == [("cal", "Federal board moved to January")]
    port = RecordingPort()
    clock.at = london(2019, 11, 21, 9)
    Reconciler(plan_engine, port, clock, by="test").run("pre-call")
    assert (
        "Flagged by leads for this call:\n  - Cal Placeholder: Federal board moved to January"
        in port.to("robin")[0].text
    )


def test_a_flag_after_the_brief_went_says_to_mention_it_on_the_call(chat: ChatFor, clock: FixedClock) -> None:
    clock.at = london(2019, 11, 21, 9, 30)
    assert (
        chat("dee")
        .text("/flag Budget question")
        .endswith("The coordinators' brief for it has already gone out, so please mention it on the call too.")
    )


def test_an_old_calls_button_goes_to_the_next_call(planbot: Planbot, plan_engine: Engine) -> None:
    reply = press(planbot, "alex", "/flag Late again", step="flags:clgu-weekly-call@2019-11-14")
    assert reply.startswith(
        "That call has already happened, so this goes to the next one. Noted for the CLGU/SELEP weekly catch-up call on Thu 21 Nov 2019"
    )
    assert notes(plan_engine) == [("alex", "Late again")]


def test_flag_something_does_not_interrupt_an_update_in_progress(chat: ChatFor, planbot: Planbot) -> None:
    started = chat("alex").text("/plan-update 1")
    assert "Item 1" in started
    assert press(planbot, "alex", "/flag").startswith(
        "You're in the middle of something else, so type the note in one go: /flag and your note"
    )
    with session_scope(planbot.engine) as session:
        conv = get_conversation(session, platform="shell", person_id="alex")
        assert conv is not None and conv.state.startswith("checkin")
