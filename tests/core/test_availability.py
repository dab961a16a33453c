"""`away until DATE`, `snooze 2d`, `back` and `deputy`: what people see, what is
stored, and that the clock respects it. The clock fixture is Wed 20 Nov 2019, 10:00."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.planbot import Planbot
from schedules.reconcile import Reconciler
from storage import away
from storage.db import session_scope
from storage.models import Item
from tests.conftest import LONDON, Chat
from tests.schedules.conftest import RecordingPort, ledger, london

ChatFor = Callable[..., Chat]


def absence(engine: Engine, person_id: str) -> tuple[str, object] | None:
    with session_scope(engine) as session:
        row = away.get_absence(session, person_id=person_id)
        return (row.kind, row.until.astimezone(LONDON)) if row else None


def test_away_until_a_date_holds_prompts_and_names_the_deputies(chat: ChatFor, plan_engine: Engine) -> None:
    reply = chat("alex").text("/away until 28 Nov")
    assert reply.splitlines() == [
        "Got it: you're away until Thu 28 Nov 2019. I'll hold your scheduled prompts until then; what falls due "
        "meanwhile reaches you at 09:00 that day. Type /back if you return sooner.",
        "Item 1 has no deputy; name one with /deputy 1 NAME.",
        "Item 2 has no deputy; name one with /deputy 2 NAME.",
    ]
    assert absence(plan_engine, "alex") == ("away", london(2019, 11, 28, 9))


def test_away_takes_plain_words_and_weekdays(chat: ChatFor, plan_engine: Engine) -> None:
    assert "you're away until Fri 22 Nov 2019" in chat("bea").text("away until friday")
    assert absence(plan_engine, "bea") == ("away", london(2019, 11, 22, 9))


def test_away_refuses_unreadable_and_past_dates(chat: ChatFor, plan_engine: Engine) -> None:
    assert chat("alex").text("/away until whenever").startswith("I couldn't read “whenever” as a date.")
    assert chat("alex").text("/away until 1 Nov 2019").startswith("Fri 1 Nov 2019 isn't in the future.")
    assert absence(plan_engine, "alex") is None


def test_snooze_and_back(chat: ChatFor, plan_engine: Engine) -> None:
    assert chat("cal").text("/snooze 2d").startswith("Snoozed until Fri 22 Nov 2019, 10:00")
    assert absence(plan_engine, "cal") == ("snooze", london(2019, 11, 22, 10))
    assert chat("cal").text("/snooze 3 weeks").startswith("A snooze can last up to two weeks.")
    assert chat("cal").text("/snooze soon").startswith("I couldn't read “soon” as a length of time.")
    assert chat("cal").text("/back") == "Welcome back. Anything held for you goes out at the clock's next run."
    assert absence(plan_engine, "cal") is None
    assert chat("cal").text("/back") == "You weren't marked away or snoozed, so nothing changed."


def test_a_lead_names_a_deputy_and_others_cannot(chat: ChatFor, plan_engine: Engine) -> None:
    assert chat("alex").text("/deputy 1 bea") == (
        "Bea Sample is now the deputy for item 1: while the lead is away, that item's prompts and reminders go to them."
    )
    assert chat("cal").text("/deputy 1 cal") == "Only item 1's lead or a coordinator can name its deputy."
    assert (
        chat("alex").text("/deputy all alex")
        == "Alex Example leads item 1, so they can't also be its deputy. Choose someone else."
    )
    assert chat("robin").text("/deputy 2 cal").startswith("Cal Placeholder is now the deputy for item 2")
    assert chat("robin").text("/deputy") == (
        "Deputies (they stand in while the lead is away):\nItem 1: Bea Sample (named in chat)\nItem 2: Cal Placeholder (named in chat)"
    )
    assert chat("alex").text("/deputy 2 none") == "Item 2: no deputy named in chat now."
    with session_scope(plan_engine) as session:
        assert [away.deputy_of(session, item=session.get(Item, n)) for n in (1, 2)] == ["bea", None]


def test_the_clock_sends_an_away_leads_items_to_the_deputy_and_coordinators_see_it(
    chat: ChatFor, planbot: Planbot, clock: FixedClock, plan_engine: Engine
) -> None:
    chat("alex").text("/deputy 1 bea")
    chat("alex").text("/away until 25 Nov")
    port = RecordingPort()
    Reconciler(plan_engine, port, clock, by="test").run("pre-call")  # Wed 20 Nov, 10:00: before Thursday's call

    assert sorted(r.person_id for r in ledger(plan_engine, kind="pre-call-prompt")) == ["bea", "cal", "dee"]
    assert "Item 1: Increase strategy capacity to deliver the LIS" in port.to("bea")[0].text
    view = chat("robin").text("/plan-schedule")
    assert "Alex Example: away until Mon 25 Nov 2019, 09:00" in view
    assert "Item 1: deputy Bea Sample (lead Alex Example)" in view
    assert "Thu 21 Nov 2019, 09:00  pre-call-brief" in view
    assert chat("alex").text("/plan-schedule").startswith("/plan-schedule is for coordinators.")
