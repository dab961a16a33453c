"""Point 9 of the trust issue: the terminal inbox writes its message and the ledger's
mark in one transaction, so a process killed between the two never repeats the
message; sends to chat platforms keep the ledger's claim-then-send order."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy import update
from sqlmodel import select

import schedules.reconcile as reconcile
from bot.core.clock import FixedClock
from bot.shell.inbox_port import InboxPort
from schedules.reconcile import Reconciler
from schedules.routing import RoutingPort
from storage.db import session_scope
from storage.models import ClockBeat, InboxMessage, Send, SendStatus
from tests.schedules.conftest import RecordingPort, london

DUE = london(2019, 11, 20, 10, 0)  # Wednesday: the prompts before Thursday's call fall due


class Killed(BaseException):
    """Stands in for kill -9: nothing after it runs, and no handler catches it."""


def inbox(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return sorted(m.person_id for m in session.exec(select(InboxMessage)))


def statuses(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return {s.key: s.status for s in session.exec(select(Send).where(Send.kind == "pre-call-prompt"))}


def test_a_kill_between_the_message_and_the_mark_never_repeats_it(
    plan_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = RoutingPort(plan_engine, {}, InboxPort(plan_engine))

    def killed_before_marking(*args: object, **kwargs: object) -> bool:
        raise Killed

    monkeypatch.setattr(reconcile, "finish", killed_before_marking)
    with pytest.raises(Killed):
        Reconciler(plan_engine, port, FixedClock(DUE), by="first").run("pre-call")
    assert inbox(plan_engine) == []  # the message went with the mark it never reached
    # each sender thread's claim, then the kill: none marked sent, no message without its mark
    assert statuses(plan_engine) and set(statuses(plan_engine).values()) == {SendStatus.CLAIMED}
    monkeypatch.undo()
    with session_scope(plan_engine) as session:  # the first clock stopped beating two minutes ago
        session.execute(update(ClockBeat).values(beat_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)))

    later = DUE + dt.timedelta(minutes=1)
    outcomes = Reconciler(plan_engine, port, FixedClock(later), by="second").run("pre-call")
    assert inbox(plan_engine) == ["alex", "bea", "cal", "dee"]  # each lead once: the dead clock's claim taken over
    assert set(statuses(plan_engine).values()) == {SendStatus.SENT}
    assert len(outcomes) == 4


def test_a_chat_platform_is_sent_to_after_the_claim_commits(plan_engine: Engine) -> None:
    """A platform is another system: its claim is committed before the send, as ever."""
    seen: list[str] = []

    class Watching(RecordingPort):
        platform = "slack"

        def send(self, recipient, reply):  # type: ignore[no-untyped-def]
            seen.append(statuses(plan_engine)[recipient.send_key])
            return super().send(recipient, reply)

    port = RoutingPort(plan_engine, {"slack": Watching()}, InboxPort(plan_engine))
    from storage.models import Person

    with session_scope(plan_engine) as session:
        for person in session.exec(select(Person)):
            person.slack = f"U{person.id.upper()}"
            session.add(person)
    Reconciler(plan_engine, port, FixedClock(DUE), by="clock").run("pre-call")
    assert seen and set(seen) == {SendStatus.CLAIMED}
    assert inbox(plan_engine) == []
    assert set(statuses(plan_engine).values()) == {SendStatus.SENT}
