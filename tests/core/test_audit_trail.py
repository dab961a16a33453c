"""What people do in chat that changes who does what leaves an audit row, written
with the change: deputies, absences and updates on someone else's behalf; a change
refused in chat leaves none."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from storage.audit import entries
from storage.db import session_scope
from tests.conftest import Chat
from tests.core.test_checkin import ITEM5, answer_all

ChatFor = Callable[..., Chat]


def trail(engine: Engine) -> list[tuple[str, str | None, str | None, str]]:
    with session_scope(engine) as session:
        return [(e.action, e.actor_id, e.subject_id, e.detail) for e in entries(session) if e.action != "plan-load" and e.action != "role"]


def test_deputies_absences_and_on_behalf_updates_are_recorded(chat: ChatFor, plan_engine: Engine) -> None:
    alex, robin = chat("alex"), chat("robin")
    alex.text("/deputy 1 bea")
    alex.text("/deputy 1 none")
    alex.text("/away until 28 Nov")
    alex.text("/back")
    robin.command("plan-update", "5")
    answer_all(robin, ITEM5)
    robin.text("submit")
    assert trail(plan_engine) == [
        ("deputy", "alex", "bea", "item 1: deputy bea (named in chat by alex)"),
        ("deputy", "alex", "bea", "item 1: deputy bea cleared by alex"),
        ("absence", "alex", "alex", "alex: away until 2019-11-28T09:00+00:00"),
        ("absence", "alex", "alex", "alex: back (the away until 2019-11-28T09:00+00:00 ended)"),
        ("on-behalf", "robin", "cal", "item 5 2019-Q3 version 1: saved by robin on behalf of cal"),
    ]


def test_a_change_refused_in_chat_leaves_no_row(chat: ChatFor, plan_engine: Engine) -> None:
    assert "Only item 1's lead or a coordinator" in chat("bea").text("/deputy 1 cal")
    assert "isn't in the future" in chat("alex").text("/away until 1 Nov 2019")
    assert trail(plan_engine) == []
