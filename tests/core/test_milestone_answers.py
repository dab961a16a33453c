"""Point 8 (a deputy removed while their slipped-milestone date was asked) and point 11's
slipped dates (before today, or years ahead) of the trust issue. The clock fixture is
Wed 20 Nov 2019; item 2's milestone m5 is due 6 Dec 2019; alex leads item 2."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.db import session_scope
from storage.models import MilestoneCheck
from tests.conftest import Chat

ChatFor = Callable[..., Chat]


def checks(engine: Engine) -> list[tuple[int, str, str, object]]:
    with session_scope(engine) as session:
        return [(c.item_number, c.milestone_key, c.state, c.new_date) for c in session.exec(select(MilestoneCheck))]


def test_a_deputy_removed_while_asked_for_the_date_records_nothing(chat: ChatFor, plan_engine: Engine) -> None:
    assert chat("alex").text("/deputy 2 bea").startswith("Bea Sample is now the deputy for item 2")
    assert chat("bea").text("/milestone 2 m5 slipped").startswith("What's the new date for “December – review draft LIS”?")
    assert chat("alex").text("/deputy 2 none") == "Item 2: no deputy named in chat now."
    reply = chat("bea").text("31 Jan 2020")
    assert reply.startswith("Nothing was recorded: Item 2 (Develop the Local Industrial Strategy (LIS)) is led by Alex Example")
    assert checks(plan_engine) == []
    assert chat("bea").text("the venue moved").startswith("I'm not waiting for an answer from you right now")


def test_a_slipped_date_before_today_or_years_ahead_is_questioned(chat: ChatFor, plan_engine: Engine) -> None:
    alex = chat("alex")
    assert alex.text("/milestone 2 m5 slipped 1/10/2019") == (
        "Tue 1 Oct 2019 is before today (Wed 20 Nov 2019): a slipped milestone's new date is when it should now be "
        "done. If it's done, say done."
    )
    assert alex.text("/milestone 2 m5 slipped 31/01/2029").startswith(
        "Wed 31 Jan 2029 is more than 2 years away; please check the year."
    )
    assert alex.text("/milestone 2 m5 slipped").startswith("What's the new date")
    assert alex.text("31/01/2039").startswith("Mon 31 Jan 2039 is more than 2 years away")
    assert alex.text("31/01/2020").startswith("Recorded: item 2's milestone “December – review draft LIS” has slipped to Fri 31 Jan 2020.")
    assert [c[3].isoformat() for c in checks(plan_engine)] == ["2020-01-31"]


def test_the_update_conversation_questions_a_slipped_date_too(chat: ChatFor) -> None:
    alex = chat("alex")
    for line in ("/plan-update 2", "amber", "skip", "skip"):
        reply = alex.text(line)
    assert "Milestone 1 of 5" in reply
    reply = alex.text("slipped to 1 Jan 2019")
    assert reply.startswith(
        "Tue 1 Jan 2019 is before today (Wed 20 Nov 2019): a slipped milestone's new date is when it should now be done."
    )
    assert "Milestone 1 of 5" in reply  # the same question again
    assert "new date" in alex.text("slipped")
    assert alex.text("31/01/2032").startswith("Sat 31 Jan 2032 is more than 2 years away; please check the year.")
    assert "Milestone 2 of 5" in alex.text("31/01/2020")
