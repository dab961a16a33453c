"""`planbot shell` with a newcomer's own plan: finding people the way they are
typed, the default person, a --today outside the plan year, and replies printed
without chat-platform edit marks."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.models import Update, UpdateKpi
from tests.cli.dublin_plan import write_plan
from tests.in_process import planbot


def loaded(tmp_path: Path, db_url: str) -> None:
    result = planbot("plan", "load", str(write_plan(tmp_path)), database_url=db_url)
    assert result.returncode == 0, result.stderr


def test_as_finds_a_name_typed_without_accents(tmp_path: Path, db_url: str) -> None:
    loaded(tmp_path, db_url)
    result = planbot("shell", "--as", "sean", "--today", "2025-09-20", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "You are Seán Ó Ruairc (area lead); today is Sat 20 Sep 2025, in H1 2025-26 (Apr–Sep 2025)." in result.stdout


def test_as_empty_asks_for_a_person(tmp_path: Path, db_url: str) -> None:
    loaded(tmp_path, db_url)
    result = planbot("shell", "--as", " ", database_url=db_url)
    assert result.returncode == 2
    assert "--as needs a person id or name. People: niamh.o (Niamh O'Brien), seanr (Seán Ó Ruairc)" in result.stderr


def test_default_person_is_the_first_coordinator_in_the_plan_file(tmp_path: Path, db_url: str) -> None:
    loaded(tmp_path, db_url)
    result = planbot("shell", "--today", "2025-09-20", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "You are Niamh O'Brien (coordinator)" in result.stdout


def test_today_outside_the_plan_year_is_explained(tmp_path: Path, db_url: str) -> None:
    loaded(tmp_path, db_url)
    result = planbot("shell", "--as", "karim", "--today", "2030-01-01", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert (
        "1 Jan 2030 is after the plan year ends (1 Apr 2025 to 31 Mar 2026), so updates and /plan-status use "
        "the year's last period." in result.stdout
    )


def test_saved_update_prints_without_an_updated_mark(tmp_path: Path, db_url: str) -> None:
    loaded(tmp_path, db_url)
    answers = ["/plan-update 2", "amber-ish", "2", "تمت ترجمة ١٢ نموذجًا", "on track", "none", "Aistriúcháin ar siúl", "yes", ""]
    result = planbot("shell", "--as", "karim", "--today", "2025-09-20", database_url=db_url, stdin="\n".join(answers))
    assert result.returncode == 0, result.stderr
    assert 'I couldn\'t read "amber-ish" as a RAG status.' in result.stdout
    assert "Saved: item 2, H1 2025-26 (version 1). RAG: Amber (at risk). Summary: Aistriúcháin ar siúl" in result.stdout
    assert "(updated)" not in result.stdout
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        update = session.exec(select(Update).where(Update.item_number == 2)).one()
        assert (update.period_key, update.author_id, update.summary) == ("2025-H1", "karim", "Aistriúcháin ar siúl")
        progress = session.exec(select(UpdateKpi.progress).where(UpdateKpi.update_id == update.id)).one()
        assert progress == "تمت ترجمة ١٢ نموذجًا"
    engine.dispose()
