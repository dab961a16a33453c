"""The update conversation end to end through `planbot shell`. Answers are piped
into a real process, and a conversation a real process left half-way is finished
after it has gone; the rest of what the shell prints and stores is checked with
the command run in-process."""

from __future__ import annotations

from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.models import Conversation, Update, UpdateKpi, UpdateMilestone
from tests import processes
from tests.in_process import planbot

TODAY = ["--today", "2019-11-20"]

FULL_UPDATE = [
    "/plan-update 3",
    "amber",
    "Board briefed at the October meeting 👍",
    "skip",
    "Met Kent & Medway LEP <officers>",
    "skip",
    "done",
    "on track",
    "slipped to 31/01/2020",
    "not started",
    "Need CLGU to confirm consultation dates",
    "Consultation slips to January; engagement otherwise on track",
]


def stored(db_url: str, item: int) -> list[Update]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        rows = list(session.exec(select(Update).where(Update.item_number == item).order_by(Update.version)))
    engine.dispose()
    return rows


def test_lead_writes_an_update_by_answering_questions(db_url: str) -> None:
    result = processes.planbot("shell", "--as", "bea", *TODAY, database_url=db_url, stdin="\n".join([*FULL_UPDATE, "yes", ""]))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "You are Bea Sample (area lead); today is Wed 20 Nov 2019, in Q3 2019-20" in out
    assert "What is the overall RAG status of item 3" in out
    assert "Saved: item 3, Q3 2019-20 (version 1). RAG: Amber (at risk)." in out
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        update = session.exec(select(Update).where(Update.item_number == 3)).one()
        assert (update.period_key, update.rag, update.author_id, update.on_behalf_of_id) == ("2019-Q3", "at_risk", "bea", None)
        assert update.summary == "Consultation slips to January; engagement otherwise on track"
        assert update.blockers == "Need CLGU to confirm consultation dates"
        kpis = {k.kpi_key: k.progress for k in session.exec(select(UpdateKpi).where(UpdateKpi.update_id == update.id))}
        assert kpis["kpi1"] == "Board briefed at the October meeting 👍"
        assert kpis["kpi3"] == "Met Kent & Medway LEP <officers>"
        states = {
            m.milestone_key: (m.state, m.new_date and m.new_date.isoformat())
            for m in session.exec(select(UpdateMilestone).where(UpdateMilestone.update_id == update.id))
        }
        assert states == {
            "m1": ("done", None),
            "m2": ("on_track", None),
            "m3": ("slipped", "2020-01-31"),
            "m4": ("not_started", None),
        }
    engine.dispose()
    status = planbot("shell", "--as", "robin", *TODAY, database_url=db_url, stdin="/plan-status 3\n")
    assert "Met Kent & Medway LEP <officers>" in status.stdout
    assert "Slipped, new date 31 Jan 2020" in status.stdout


def test_restart_mid_conversation_loses_no_answer(db_url: str) -> None:
    first = processes.planbot("shell", "--as", "bea", *TODAY, database_url=db_url, stdin="\n".join(FULL_UPDATE[:5]) + "\n")
    assert first.returncode == 0, first.stderr
    assert stored(db_url, 3) == []
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        conv = session.exec(select(Conversation).where(Conversation.person_id == "bea")).one()
        assert conv.state.startswith("checkin:")
    engine.dispose()
    second = planbot("shell", "--as", "bea", *TODAY, database_url=db_url, stdin="\n".join([*FULL_UPDATE[5:], "yes", ""]))
    assert second.returncode == 0, second.stderr
    assert "Saved: item 3, Q3 2019-20 (version 1)" in second.stdout
    [update] = stored(db_url, 3)
    assert update.rag == "at_risk"
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        kpis = {k.kpi_key: k.progress for k in session.exec(select(UpdateKpi).where(UpdateKpi.update_id == update.id))}
    engine.dispose()
    assert kpis["kpi1"] == "Board briefed at the October meeting 👍"


def test_numbered_choice_and_edit_creates_a_new_version(db_url: str) -> None:
    planbot("shell", "--as", "bea", *TODAY, database_url=db_url, stdin="\n".join([*FULL_UPDATE, "yes", ""]))
    edit = ["/plan-update 3", "1", "same", "same", "same", "same", "same", "same", "same", "same", "same",
            "Consultation date agreed; back on track", "yes", ""]
    result = planbot("shell", "--as", "bea", *TODAY, database_url=db_url, stdin="\n".join(edit))
    assert result.returncode == 0, result.stderr
    assert "(version 2)" in result.stdout
    versions = stored(db_url, 3)
    assert [(u.version, u.rag, u.is_latest) for u in versions] == [(1, "at_risk", False), (2, "on_track", True)]


def test_cancel_stores_nothing(db_url: str) -> None:
    result = planbot("shell", "--as", "bea", *TODAY, database_url=db_url, stdin="/plan-update 3\nred\ncancel\n")
    assert result.returncode == 0
    assert "nothing" in result.stdout.lower().split("cancel")[-1]
    assert stored(db_url, 3) == []


def test_bad_input_gets_clear_answers_and_stores_nothing_half_way(db_url: str) -> None:
    huge = "x" * 40_000
    lines = [
        "",
        "yes",
        "/plan-update 42",
        "/plan-update 1",
        "/plan-update 3",
        "purple",
        "amber",
        huge,
        "Progress with a NUL\x00 and عربى and עברית ✅",
    ]
    result = planbot("shell", "--as", "bea", *TODAY, database_url=db_url, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert "I'm not waiting for an answer from you right now" in out
    assert "There's no item 42 in the plan. The items are 1, 2, 3, 4, 5, 6, 7." in out
    assert "Item 1 (Increase strategy capacity to deliver the LIS) is led by Alex Example" in out
    assert "Your items are 3, 4." in out
    assert 'I couldn\'t read "purple" as a RAG status' in out
    assert "40,000 characters" in out
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        conv = session.exec(select(Conversation).where(Conversation.person_id == "bea")).one()
        assert conv.data["answers"]["rag"] == "at_risk"
        progress = [v for k, v in conv.data["answers"].items() if k.startswith("kpi:")]
    engine.dispose()
    assert "Progress with a NUL and عربى and עברית ✅" in progress
    assert all("x" * 3001 not in v for v in progress)
    assert stored(db_url, 3) == []


def test_unknown_person_is_told_who_is_in_the_plan(db_url: str) -> None:
    result = planbot("shell", "--as", "mallory", database_url=db_url, stdin="/help\n")
    assert result.returncode == 2
    assert "There is no 'mallory' in the plan" in result.stderr and "bea (Bea Sample)" in result.stderr


def test_default_day_is_the_same_point_in_the_plan_year(db_url: str) -> None:
    result = planbot("shell", database_url=db_url, stdin="/quit\n")
    assert result.returncode == 0
    assert "the same point in the plan year" in result.stdout
    assert "(coordinator" in result.stdout


def test_shell_opens_with_what_the_clock_sent_and_its_buttons_work(db_url: str) -> None:
    sent = planbot("run-job", "pre-call", "--at", "2019-12-18T12:00:00+00:00", database_url=db_url)
    assert sent.returncode == 0, sent.stderr
    result = planbot("shell", "--as", "bea", "--today", "2019-12-18", database_url=db_url, stdin="1\n")
    assert result.returncode == 0, result.stderr
    head, _, answer = result.stdout.partition("-- Planbot sent you 1 message while no chat platform was connected --")
    assert "Anything to flag before the CLGU/SELEP weekly catch-up call on Thu 19 Dec 2019" in answer
    assert "Thanks: nothing to flag" in answer
    again = planbot("shell", "--as", "bea", "--today", "2019-12-18", database_url=db_url, stdin="/quit\n")
    assert "Planbot sent you" not in again.stdout
