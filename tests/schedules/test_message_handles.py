"""Message handles: a prompt the clock sent is edited in place, wherever it went,
when its update is saved, by whoever saves it, from any process.

The Q3 prompts go out on Mon 16 Dec 2019 at 09:00; cal leads items 5 and 6,
bea item 3; robin is a coordinator.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.ports import SentMessage
from bot.core.planbot import Planbot
from bot.core.replies import Choices, Reply
from bot.shell.inbox_port import InboxPort, take_unread
from schedules.reconcile import Reconciler
from storage.db import make_engine, session_scope
from storage.handles import handles_for
from tests.conftest import Chat
from tests.schedules.conftest import RecordingPort, london

Q3_PROMPTS = london(2019, 12, 16, 9)
ITEM5 = ["green", "Board endorsed the LIS draft", "skip", "done", "on track", "none", "Federal boards on board", "yes"]
ITEM3_ANSWERS = ["amber", "Survey out", "skip", "skip", "skip", "done", "on track", "skip", "skip", "none", "Evidence base drafted", "yes"]


class EditablePort(RecordingPort):
    """Remembers every in-place edit with the message it replaced."""

    def __init__(self) -> None:
        super().__init__()
        self.edits: list[tuple[SentMessage, Reply]] = []

    def update(self, sent: SentMessage, reply: Reply) -> None:
        self.edits.append((sent, reply))


def _write(bot: Planbot, person: str, item: int, answers: list[str]) -> str:
    chat = Chat(bot, person)
    chat.text(f"/plan-update {item}")
    return "\n".join(chat.text(a) for a in answers)


def test_the_leads_prompt_is_marked_done_in_place_when_they_save(
    plan_engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    port = EditablePort()
    clock.at = Q3_PROMPTS
    Reconciler(plan_engine, port, clock, by="clock").run("quarterly-prompts")
    prompt_number = next(i for i, (who, r) in enumerate(port.sent, start=1) if who == "cal" and "Item 5" in r.text)

    clock.at = london(2019, 12, 16, 14, 3)
    receipt = _write(Planbot(plan_engine, clock, exports_dir=tmp_path, port=port), "cal", 5, ITEM5)

    assert "version 1" in receipt
    assert len(port.edits) == 1
    sent, done = port.edits[0]
    assert (sent.channel, sent.message_id) == ("D-cal", str(prompt_number))
    assert "Done: version 1 of the Q3 2019-20 update saved 16 Dec 2019 14:03 by Cal Placeholder." in done.text
    assert "Status: Green (on track)." in done.text
    assert not any(isinstance(b, Choices) for b in done.blocks), "a done prompt keeps no buttons to press"
    assert done.key == "prompt:5:2019-Q3"


def test_a_coordinator_saving_on_behalf_edits_the_leads_prompt_and_its_chaser(
    plan_engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    port = EditablePort()
    reconciler = Reconciler(plan_engine, port, clock, by="clock")
    clock.at = Q3_PROMPTS
    reconciler.run("quarterly-prompts")
    clock.at = london(2019, 12, 19, 9)  # three working days on
    reconciler.run("chasers")
    to_bea = [(n, r) for n, (who, r) in enumerate(port.sent, start=1) if who == "bea" and "item 3" in r.text.lower()]
    assert len(to_bea) == 2, "the prompt and one chaser about item 3"

    clock.at = london(2019, 12, 19, 11)
    # A second process (the web one) with its own engine and port: handles come from the database.
    other_engine = make_engine(str(plan_engine.url.render_as_string(hide_password=False)))
    other_port = EditablePort()
    _write(Planbot(other_engine, clock, exports_dir=tmp_path, port=other_port), "robin", 3, ITEM3_ANSWERS)
    other_engine.dispose()

    assert port.edits == []
    assert sorted(int(sent.message_id) for sent, _ in other_port.edits) == sorted(n for n, _ in to_bea)
    for _, done in other_port.edits:
        assert "by Robin" in done.text and "on behalf of Bea" in done.text


def test_a_failed_edit_loses_nothing(plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    class BrokenEdits(EditablePort):
        def update(self, sent: SentMessage, reply: Reply) -> None:
            raise RuntimeError("platform down")

    port = BrokenEdits()
    clock.at = Q3_PROMPTS
    Reconciler(plan_engine, port, clock, by="clock").run("quarterly-prompts")
    clock.at = london(2019, 12, 16, 10)
    receipt = _write(Planbot(plan_engine, clock, exports_dir=tmp_path, port=port), "cal", 5, ITEM5)

    assert "version 1" in receipt and "went wrong" not in receipt
    with session_scope(plan_engine) as session:
        assert [h.message_id for h in handles_for(session, key="prompt:5:2019-Q3")]


def test_the_terminal_inbox_shows_a_waiting_prompt_as_done(plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    inbox = InboxPort(plan_engine)
    clock.at = Q3_PROMPTS
    Reconciler(plan_engine, inbox, clock, by="clock").run("quarterly-prompts")
    clock.at = london(2019, 12, 16, 10)
    _write(Planbot(plan_engine, clock, exports_dir=tmp_path, port=inbox), "robin", 5, ITEM5)

    with session_scope(plan_engine) as session:
        waiting = [r.text for r in take_unread(session, person_id="cal")]
    about_5 = [t for t in waiting if "Item 5" in t]
    assert len(about_5) == 1 and "Done: version 1" in about_5[0] and "on behalf of Cal" in about_5[0]
    assert any("Item 6" in t and "Write the update" in t for t in waiting), "item 6's prompt still waits as sent"


def test_an_adapter_remembers_a_keyed_reply_it_posted(planbot: Planbot) -> None:
    sent = SentMessage("slack", "D123", "1576486800.000100")
    planbot.remember_sent("prompt:5:2019-Q3", sent, person_id="cal")
    planbot.remember_sent("prompt:5:2019-Q3", sent, person_id="cal")  # a retried post records it once
    with session_scope(planbot.engine) as session:
        rows = handles_for(session, key="prompt:5:2019-Q3")
    assert [(r.platform, r.channel, r.message_id, r.person_id) for r in rows] == [
        ("slack", "D123", "1576486800.000100", "cal")
    ]
