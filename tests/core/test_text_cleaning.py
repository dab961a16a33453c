"""Point 10 of the trust issue: a lone carriage return is a line break inside one
answer, and characters that reorder or hide text are removed from notes and names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.text import clean
from storage.db import session_scope
from storage.models import CallNote, Person
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, parse_plan
from tests.conftest import Chat

ChatFor = Callable[..., Chat]
RLO, PDF, ZWSP, ZWJ = "\u202e", "\u202c", "\u200b", "\u200d"


def test_clean_keeps_words_and_drops_what_reorders_or_hides_them() -> None:
    assert clean(f"on{ZWSP}e\rtwo\r\nthree") == "one\ntwo\nthree"
    assert clean(f"pay {RLO}gpj.exe{PDF} now") == "pay gpj.exe now"
    assert clean(f"family 👨{ZWJ}👩{ZWJ}👧 and سلام") == f"family 👨{ZWJ}👩{ZWJ}👧 and سلام"


def test_a_note_with_a_lone_carriage_return_is_one_note(chat: ChatFor, plan_engine: Engine) -> None:
    reply = chat("alex").text(f"/flag Board papers late\rsee {RLO}email{PDF}")
    assert reply.startswith("Noted for the CLGU/SELEP weekly catch-up call on Thu 21 Nov 2019, 10:00: “Board papers late see email”.")
    with session_scope(plan_engine) as session:
        assert [n.text for n in session.exec(select(CallNote))] == ["Board papers late\nsee email"]


def test_names_in_the_plan_lose_bidi_overrides_and_zero_width_characters(engine: Engine) -> None:
    text = BUNDLED_PLAN.read_text(encoding="utf-8").replace("name: Dee Demo", f"name: {RLO}omeD eeD{PDF}{ZWSP}")
    with session_scope(engine) as session:
        load_plan(session, parse_plan(text, source="plan.yaml"), source="plan.yaml")
    with session_scope(engine) as session:
        dee = session.get(Person, "dee")
        assert dee is not None and dee.name == "omeD eeD"


def test_the_shell_reads_a_lone_carriage_return_as_part_of_its_line(db_url: str, plan_engine: Engine) -> None:
    """A pasted line with a lone CR is one input line, so one answer (it was two)."""
    from tests.in_process import planbot

    result = planbot(
        "shell", "--as", "alex", "--today", "2019-11-20", database_url=db_url, stdin="/flag first\rsecond\r\n/quit\n"
    )
    assert result.returncode == 0, result.stderr
    assert "“first second”" in result.stdout
    assert "I'm not waiting for an answer" not in result.stdout
    with session_scope(plan_engine) as session:
        assert [n.text for n in session.exec(select(CallNote))] == ["first\nsecond"]
