"""A plan that is not the bundled one reads as its own: the Dublin plan (six-month
periods, a Steering Group, no CLGU) never shows CLGU, 2019 quarters or "the Board",
and a lead's /help lists only what a lead can do. The bundled plan keeps its CLGU
wording, now from its `asks_of` field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.events import Command, Sender, TextMessage
from bot.core.planbot import Planbot
from bot.core.replies import File
from bot.returns.importer import ImportedItem, ImportResult
from schedules.reconcile import Reconciler
from storage.db import session_scope
from storage.models import Rag
from storage.plan_loader import load_plan
from storage.planfile import parse_plan
from tests.cli.dublin_plan import DUBLIN_PLAN
from tests.factories import save
from tests.schedules.conftest import RecordingPort

DUBLIN = ZoneInfo("Europe/Dublin")


class Person:
    """One person of the Dublin plan talking to the bot over the shell platform."""

    def __init__(self, bot: Planbot, person_id: str) -> None:
        self.bot = bot
        self.sender = Sender("shell", person_id)

    def text(self, text: str) -> str:
        return "\n".join(r.text for r in self.bot.handle(TextMessage(self.sender, text)))

    def command(self, name: str, args: str = "") -> str:
        return "\n".join(r.text for r in self.bot.handle(Command(self.sender, name, args)))


@pytest.fixture
def dublin_engine(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        load_plan(session, parse_plan(DUBLIN_PLAN, "dia.yaml"), source="dia.yaml")
    return engine


@pytest.fixture
def dublin_clock() -> FixedClock:
    """20 August 2025 in Dublin: inside the first half-year, 2025-H1 (Apr-Sep)."""
    return FixedClock(dt.datetime(2025, 8, 20, 10, 0, tzinfo=DUBLIN))


@pytest.fixture
def dublin(dublin_engine: Engine, dublin_clock: FixedClock, tmp_path: Path):  # type: ignore[no-untyped-def]
    bot = Planbot(dublin_engine, dublin_clock, exports_dir=tmp_path / "exports")
    return lambda person_id: Person(bot, person_id)


def test_update_conversation_names_no_clgu_and_the_half_year_return(dublin) -> None:  # type: ignore[no-untyped-def]
    sean = dublin("seanr")
    opening = sean.text("/plan-update")
    assert "Item 1: Free public Wi-Fi in every library branch" in opening
    assert "each milestone's state, blockers or asks, and a one-line summary" in opening
    sean.text("green")
    sean.text("9 of 14 branches live")
    asked_date = sean.text("slipped")
    assert "For example 31/10/2025, 2025-10-31, 31 Oct 2025, Oct 2025 or end of Oct." in asked_date
    blockers = sean.text("end of Oct")
    assert "Any blockers or asks? Type them, or none." in blockers
    assert "blockers or asks: anything in the way, or anything you need?" not in blockers.lower()
    assert "Anything in the way, or anything you need? Type it, or none." in sean.text("help")
    summary = sean.text("none")
    assert "Last question: a one-line summary of progress, for the half-year return." in summary
    review = sean.text("Wi-Fi in 9 branches")
    assert "4. Blockers or asks: none" in review
    everything = "\n".join([opening, asked_date, blockers, summary, review])
    assert "CLGU" not in everything
    assert "2020" not in everything


def test_bundled_plan_still_asks_of_clgu(chat) -> None:  # type: ignore[no-untyped-def]
    bea = chat("bea")
    opening = bea.text("/plan-update 3")
    assert "each milestone's state, blockers or asks of CLGU, and a one-line summary" in opening
    for answer in ["amber", "skip", "skip", "skip", "skip", "done", "done", "done"]:
        bea.text(answer)
    assert "Any blockers, or asks of CLGU? Type them, or none." in bea.text("done")
    assert "Last question: a one-line summary of progress, for the quarterly return." in bea.text("none")


def test_unknown_period_is_answered_with_this_plans_periods(dublin) -> None:  # type: ignore[no-untyped-def]
    reply = dublin("seanr").text("/plan-update 1 Q3")
    assert reply == (
        'I don\'t know the period "Q3". The periods of this plan are: 2025-H1 (H1 2025-26 (Apr–Sep 2025)); '
        "2025-H2 (H2 2025-26 (Oct–Mar 2026)). Name one like 2025-H2 or just H2."
    )
    assert dublin("seanr").text("/plan-update 9").endswith(
        "The items are 1, 2. Write /plan-update for your items due now, /plan-update 3 for item 3, "
        "or /plan-update 3 2025-H2 for an earlier period."
    )


def test_help_for_a_lead_has_no_coordinator_commands(dublin) -> None:  # type: ignore[no-untyped-def]
    lead = dublin("karim").command("help")
    assert "You are Karim Haddad (area lead)." in lead
    assert "(PERIOD like 2025-H2 or just H2 for an earlier one)" in lead
    assert "/plan-schedule" not in lead
    assert "export" not in lead
    assert "2019" not in lead
    coordinator = dublin("niamh.o").command("help")
    assert "/plan-schedule: what the clock sends in the next 7 days" in coordinator
    assert (
        "/plan-status export [PERIOD] [FORMAT]: the half-year return as a file (docx, xlsx, csv or md; "
        "PERIOD like 2025-H2 or just H2)."
    ) in coordinator
    assert "Coordinators:" not in coordinator


def test_export_of_an_unknown_word_lists_formats_and_periods(dublin) -> None:  # type: ignore[no-untyped-def]
    assert dublin("niamh.o").command("plan-status", "export pdf") == (
        "I don't know 'pdf' as a period or a file format. Formats: docx, xlsx, csv or md. "
        "Periods: 2025-H1 or 2025-H2. For example: /plan-status export 2025-H2 xlsx."
    )
    assert dublin("niamh.o").command("plan-status", "export H3") == (
        "There's no period 'H3' in this plan year. Name one of: 2025-H1, 2025-H2 (H2 or h2 2025 work too)."
    )
    assert dublin("karim").command("plan-status", "export") == (
        "Only coordinators can export the half-year return. Ask Aoife Murphy or Niamh O'Brien for it."
    )


def test_export_says_half_year_return_and_has_for_one_update(
    dublin_engine: Engine, dublin_clock: FixedClock, tmp_path: Path
) -> None:
    save(
        dublin_engine, 1, "2025-H1", Rag.ON_TRACK, dt.datetime(2025, 8, 1, 9, tzinfo=dt.UTC), summary="Wi-Fi in 9 branches",
        author="seanr",
    )
    bot = Planbot(dublin_engine, dublin_clock, exports_dir=tmp_path / "exports")
    replies = bot.handle(Command(Sender("shell", "aoife-m"), "plan-status", "export 2025-H1 md"))
    assert replies[0].text.startswith(
        "The half-year return for H1 2025-26 (Apr–Sep 2025): 1 of 2 items has an update, 1 without."
    )
    file = next(b for b in replies[0].blocks if isinstance(b, File))
    assert file.title == "Half-year return 2025-H1 (Markdown file)"
    assert Path(file.path).name == "half-year-return-2025-H1.md"
    written = Path(file.path).read_text(encoding="utf-8")
    assert "Half-year return for H1 2025-26 (Apr–Sep 2025)" in written
    assert "Updates received: 1 of 2 items" in written
    assert "uarterly" not in written


def test_board_reminder_names_the_steering_group(dublin_engine: Engine) -> None:
    port = RecordingPort()
    clock = FixedClock(dt.datetime(2025, 9, 18, 12, 0, tzinfo=DUBLIN))
    Reconciler(dublin_engine, port, clock, by="test-clock").run("board")
    reminder = "\n".join(r.text for r in port.to("karim"))
    assert "The Digital Inclusion Steering Group meets on Thu 25 Sep 2025, 10:00." in reminder
    assert "please write it before then so the Digital Inclusion Steering Group sees it." in reminder
    assert "Board" not in reminder


def test_milestone_due_example_follows_the_due_date(dublin_engine: Engine) -> None:
    port = RecordingPort()
    clock = FixedClock(dt.datetime(2025, 6, 30, 12, 0, tzinfo=DUBLIN))
    Reconciler(dublin_engine, port, clock, by="test-clock").run("milestones-due")
    asked = "\n".join(r.text for r in port.to("seanr"))
    assert "was due on Mon 30 Jun 2025" in asked
    assert "(or type /milestone 1 m1 slipped 31/07/2025)" in asked
    assert "2020" not in asked


def test_import_counts_agree_with_their_numbers() -> None:
    item = ImportedItem(1, "Wi-Fi", None, "row 2", kpis=["Branches live"], milestones=[("Tender", None)], monitoring=["Monthly report"])
    result = ImportResult("", [item], [], [], [])
    assert result.counts() == "1 item, 1 KPI, 1 milestone, 1 monitoring line"
