"""Commands that only read carry a delivery id from Slack and Teams but store no delivery
row: they run in a reader session (no write lock, a handful of statements), while a
replay of anything that writes is still dropped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.clock import FixedClock
from bot.core.events import Command, Sender, TextMessage
from bot.core.planbot import Planbot
from storage.addresses import get_address
from storage.db import session_scope
from storage.models import CallNote, Delivery, Person
from tests.conftest import Chat


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def deliveries(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).select_from(Delivery)).one())


def text_of(replies: list) -> str:  # type: ignore[type-arg]
    return "\n".join(r.text for r in replies)


STATEMENTS = {"": 8, "3": 10, "alex": 9, "overdue": 11, "changes": 5}
"""SELECTs per form, on both engines (before: eight more, for the delivery row and savepoints)."""
FORMS = list(STATEMENTS)


def only_reads(statements: list[str]) -> bool:
    """SELECTs in a transaction that cannot write (SQLite's reader sets query_only)."""
    return all(s.startswith("SELECT") or s in {"BEGIN", "PRAGMA query_only=1"} for s in statements)
OFFER = "so I've put it aside with your answers kept"


def test_every_plan_status_form_with_a_delivery_id_only_reads(planbot: Planbot, plan_engine: Engine) -> None:
    """The same answer as without a delivery id, in a few SELECTs: no delivery row, no savepoint."""
    sender = Sender("shell", "dee")
    counts = {}
    for form in FORMS:
        plain = text_of(planbot.handle(Command(sender, "plan-status", form)))
        with counted(plan_engine) as statements:
            answer = text_of(planbot.handle(Command(sender, "plan-status", form, delivery_id=f"slack-sig:{form}")))
        assert answer == plain and answer.startswith("==")
        assert only_reads(statements), statements
        counts[form] = len([s for s in statements if s.startswith("SELECT")])
    assert counts == STATEMENTS
    assert deliveries(plan_engine) == 0


def test_plan_status_typed_without_the_slash_only_reads(planbot: Planbot, plan_engine: Engine) -> None:
    """Teams sends 'plan-status' as words: it reads too, and its replay answers again, changing nothing."""
    message = TextMessage(Sender("shell", "robin"), "plan-status", delivery_id="teams-1")
    with counted(plan_engine) as statements:
        first = text_of(planbot.handle(message))
    assert first.startswith("== Plan status — Q3 2019-20")
    assert only_reads(statements), statements
    assert text_of(planbot.handle(message)) == first
    assert deliveries(plan_engine) == 0


def test_a_replayed_writing_command_is_applied_once(planbot: Planbot, plan_engine: Engine) -> None:
    flag = Command(Sender("shell", "alex"), "flag", "Funding letter is late", delivery_id="slack-sig:flag")
    assert text_of(planbot.handle(flag)).startswith("Noted for the CLGU/SELEP weekly catch-up call")
    assert planbot.handle(flag) == []
    with session_scope(plan_engine) as session:
        assert [n.text for n in session.exec(select(CallNote))] == ["Funding letter is late"]
    assert deliveries(plan_engine) == 1


def test_a_read_that_sets_an_idle_update_aside_does_it_once(
    planbot: Planbot, chat: type[Chat], plan_engine: Engine, clock: FixedClock
) -> None:
    """An idle update closes when /plan-status arrives (a write): the event runs as a writer
    and claims its delivery; its replay finds the draft already set aside, so it only reads."""
    cal = chat("cal")
    cal.command("plan-update", "5")
    cal.text("amber")
    clock.advance(hours=30)
    status = Command(cal.sender, "plan-status", "5", delivery_id="slack-sig:idle")
    first = text_of(planbot.handle(status))
    assert first.startswith("== Item 5")
    assert OFFER in first
    assert deliveries(plan_engine) == 1
    again = text_of(planbot.handle(status))
    assert again.startswith("== Item 5") and OFFER not in again
    assert deliveries(plan_engine) == 1


def test_a_read_that_notes_an_address_writes_it_once(planbot: Planbot, plan_engine: Engine) -> None:
    """/plan-status from a platform id not yet seen stores the address (the reader is refused
    and the event runs as a writer); the replay answers again and changes nothing."""
    with session_scope(plan_engine) as session:
        alex = session.get(Person, "alex")
        assert alex is not None
        alex.slack = "U0ALEX0001"
        session.add(alex)
    status = Command(Sender("slack", "U0ALEX0001"), "plan-status", "3", delivery_id="slack-sig:seen")
    assert text_of(planbot.handle(status)).startswith("== Item 3")
    with session_scope(plan_engine) as session:
        address = get_address(session, person_id="alex", platform="slack")
        assert address is not None and address.user_id == "U0ALEX0001"
    assert deliveries(plan_engine) == 1
    assert text_of(planbot.handle(status)).startswith("== Item 3")
    assert deliveries(plan_engine) == 1


def test_a_person_seen_again_within_a_minute_is_not_written_again(
    planbot: Planbot, plan_engine: Engine, clock: FixedClock
) -> None:
    """`last_seen` is kept to the minute, so a chat platform's /plan-status only reads."""
    with session_scope(plan_engine) as session:
        alex = session.get(Person, "alex")
        assert alex is not None
        alex.slack = "U0ALEX0001"
        session.add(alex)
    sender = Sender("slack", "U0ALEX0001")
    planbot.handle(Command(sender, "plan-status", "3"))
    first = clock.now()
    clock.advance(seconds=50)
    with counted(plan_engine) as statements:
        assert text_of(planbot.handle(Command(sender, "plan-status", "3", delivery_id="slack-sig:again"))).startswith("== Item 3")
    assert only_reads(statements), statements
    clock.advance(seconds=20)
    planbot.handle(Command(sender, "plan-status", "3", delivery_id="slack-sig:later"))
    with session_scope(plan_engine) as session:
        address = get_address(session, person_id="alex", platform="slack")
        assert address is not None and address.last_seen == first + dt.timedelta(seconds=70)
