"""Point 5 of the trust issue: huge command arguments are refused before any parsing,
replies quote at most a short excerpt, and commands that only read run beside a
writer that holds SQLite's write lock."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage import away
from storage.db import read_scope, session_scope
from storage.addresses import get_address
from storage.models import CallNote, Person
from sqlmodel import select
from tests.conftest import Chat

ChatFor = Callable[..., Chat]
HUGE = "A" * 1_000_000
LONG = "B" * 300


def test_a_megabyte_after_away_is_refused_at_once_and_changes_nothing(chat: ChatFor, plan_engine: Engine) -> None:
    started = time.perf_counter()
    reply = chat("alex").text("/away until " + HUGE)
    elapsed = time.perf_counter() - started
    assert reply == (
        "That's 1,000,006 characters after /away; it takes at most 200, so I haven't read it and nothing was changed."
    )
    assert elapsed < 5  # dateutil on a megabyte took 20 s; the cap stops it before parsing
    with session_scope(plan_engine) as session:
        assert away.get_absence(session, person_id="alex") is None


@pytest.mark.parametrize(
    "line",
    [
        "/away until {}",
        "/snooze {}",
        "/deputy {} bea",
        "/deputy 1 {}",
        "/plan-status {}",
        "/plan-update {}",
        "/plan-update 1 {}",
        "/milestone 1 m1 {}",
        "/milestone 2 m1 slipped {}",
        "/plan-status export {}",
        "/{}",
        "status {}",
    ],
)
def test_replies_quote_at_most_a_short_excerpt(chat: ChatFor, line: str) -> None:
    reply = chat("dee").text(line.format(LONG))
    assert "B" * 40 not in reply
    assert len(reply) < 1500


def test_a_flag_note_is_an_answer_and_takes_up_to_3000_characters(chat: ChatFor, plan_engine: Engine) -> None:
    assert chat("alex").text("/flag " + "n" * 3001).startswith("That's 3,001 characters after /flag; it takes at most 3,000")
    assert chat("alex").text("/flag " + "n" * 2999).startswith("Noted for the CLGU/SELEP weekly catch-up call")
    with session_scope(plan_engine) as session:
        assert [len(f.text) for f in session.exec(select(CallNote))] == [2999]


def test_plan_status_runs_while_another_process_holds_the_write_lock(chat: ChatFor, plan_engine: Engine) -> None:
    """A writer holds its transaction open (on SQLite: the write lock); readers are not held up."""
    with plan_engine.connect() as writer:
        writer.begin()
        writer.execute(text("update plan set title = title"))
        started = time.perf_counter()
        replies = [chat(who).text(line) for who in ("dee", "alex") for line in ("/plan-status", "/plan-status 3", "/help")]
        elapsed = time.perf_counter() - started
        writer.rollback()
    assert all("something went wrong" not in r for r in replies)
    assert replies[0].startswith("== Plan status — Q3 2019-20")
    assert "KPIs" in replies[1]
    assert elapsed < 5  # a writer would wait out the 10 s busy timeout here


def test_a_reader_session_cannot_write(plan_engine: Engine) -> None:
    from storage.db import is_write_refused

    with read_scope(plan_engine) as session:
        assert session.execute(text("select title from plan")).scalar() == "South East LEP Strategy Improvement Plan 2019-20"
        with pytest.raises(Exception) as raised:
            session.execute(text("update plan set title = 'x'"))
    assert is_write_refused(raised.value)
    with read_scope(plan_engine) as session:
        assert session.execute(text("select title from plan")).scalar() == "South East LEP Strategy Improvement Plan 2019-20"


def test_a_command_that_writes_on_the_reader_path_runs_again_as_a_writer(chat: ChatFor, plan_engine: Engine) -> None:
    """/plan-status over a chat platform notes where the person was seen: that write happens."""
    with session_scope(plan_engine) as session:
        alex = session.get(Person, "alex")
        assert alex is not None
        alex.slack = "U0ALEX0001"
        session.add(alex)
    assert chat("U0ALEX0001", "slack").text("/plan-status 3").startswith("== Item 3")
    with session_scope(plan_engine) as session:
        address = get_address(session, person_id="alex", platform="slack")
        assert address is not None and address.user_id == "U0ALEX0001"


def test_a_flag_receipt_quotes_the_start_of_a_long_note(chat: ChatFor, plan_engine: Engine) -> None:
    reply = chat("alex").text("/flag " + "word " * 500)
    assert reply.startswith("Noted for the CLGU/SELEP weekly catch-up call on Thu 21 Nov 2019, 10:00: “word word")
    assert "word " * 30 not in reply
    with session_scope(plan_engine) as session:
        assert [f.text.count("word") for f in session.exec(select(CallNote))] == [500]
