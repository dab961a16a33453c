"""The storage layer on SQLite and PostgreSQL: update versions, plan reloads,
failed loads, URL normalisation and two leads saving the same update at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage import plan_loader
from storage.db import normalise_url, session_scope
from storage.models import (
    Item,
    Kpi,
    MilestoneState,
    Plan,
    Rag,
    Update,
    UpdateKpi,
    UpdateMilestone,
)
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, ItemSpec, PlanDocument, read_plan
from storage.queries import (
    MilestoneAnswer,
    items,
    latest_update,
    update_history,
    update_kpis,
    update_milestones,
)
from tests.conftest import LONDON
from tests.factories import save

NOV = dt.datetime(2019, 11, 14, 9, 30, tzinfo=LONDON)
SLIPPED = MilestoneAnswer(MilestoneState.SLIPPED, dt.date(2020, 2, 1))


def stored(engine: Engine, item: int, period: str = "2019-Q3") -> list[tuple[int, bool, str, str]]:
    """(version, is_latest, rag, summary) of every stored version."""
    with session_scope(engine) as session:
        return [(u.version, u.is_latest, u.rag, u.summary) for u in update_history(session, item_number=item, period_key=period)]


def test_each_save_adds_a_version_and_only_the_newest_is_latest(plan_engine: Engine) -> None:
    for rag, summary in ((Rag.ON_TRACK, "first"), (Rag.AT_RISK, "second"), (Rag.OFF_TRACK, "third")):
        with session_scope(plan_engine) as session:
            save(
                session, 1, "2019-Q3", rag, NOV, summary=summary, kpis={"kpi1": f"progress: {summary}"},
                milestones={"m1": SLIPPED},
            )
    assert stored(plan_engine, 1) == [(1, False, "on_track", "first"), (2, False, "at_risk", "second"), (3, True, "off_track", "third")]
    with session_scope(plan_engine) as session:
        newest = latest_update(session, item_number=1, period_key="2019-Q3")
        assert newest is not None and newest.summary == "third"
        assert newest.created_at == NOV and newest.created_at.tzinfo is not None
        ids = [u.id for u in update_history(session, item_number=1, period_key="2019-Q3") if u.id is not None]
        progress = update_kpis(session, update_ids=ids)
        assert [progress[i][0].progress for i in ids] == ["progress: first", "progress: second", "progress: third"]
        assert {row.kpi_text for rows in progress.values() for row in rows} == {"Appointment of new staff members"}
        states = update_milestones(session, update_ids=ids)
        assert {(m.state, m.new_date) for rows in states.values() for m in rows} == {("slipped", dt.date(2020, 2, 1))}


def test_versions_are_counted_per_item_and_period(plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        save(session, 1, "2019-Q2", Rag.ON_TRACK, NOV, summary="q2")
        save(session, 1, "2019-Q3", Rag.ON_TRACK, NOV, summary="q3")
        save(session, 2, "2019-Q3", Rag.ON_TRACK, NOV, summary="item 2")
    assert stored(plan_engine, 1, "2019-Q2") == [(1, True, "on_track", "q2")]
    assert stored(plan_engine, 1) == [(1, True, "on_track", "q3")]
    assert stored(plan_engine, 2) == [(1, True, "on_track", "item 2")]


def edited_plan() -> PlanDocument:
    """The bundled plan with item 1's first KPI reworded, item 7 removed and an item 8 added."""
    doc = read_plan(BUNDLED_PLAN)
    doc.items[0].kpis[0].text = "Appointment of three new staff members"
    doc.items = [i for i in doc.items if i.number != 7]
    doc.items.append(ItemSpec(number=8, title="Board succession", lead="dee", kpis=["Succession plan agreed"]))
    return doc


def test_reloading_an_edited_plan_keeps_every_update(plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        for number, rag, summary in ((1, Rag.ON_TRACK, "before the edit"), (7, Rag.AT_RISK, "item 7's last word")):
            save(
                session, number, "2019-Q3", rag, NOV, summary=summary, kpis={"kpi1": f"progress: {summary}"},
                milestones={"m1": SLIPPED},
            )
    with session_scope(plan_engine) as session:
        report = load_plan(session, edited_plan())
    assert "item 7" in report.retired and "item 8" in report.added and "item 1 KPI kpi1" in report.changed
    assert stored(plan_engine, 1) == [(1, True, "on_track", "before the edit")]
    assert stored(plan_engine, 7) == [(1, True, "at_risk", "item 7's last word")]
    with session_scope(plan_engine) as session:
        assert [i.number for i in items(session)] == [1, 2, 3, 4, 5, 6, 8]
        seventh = session.get(Item, 7)
        assert seventh is not None and seventh.in_plan is False
        kpi = session.get(Kpi, (1, "kpi1"))
        assert kpi is not None and kpi.text == "Appointment of three new staff members"
        kept = session.exec(
            select(UpdateKpi).join(Update, col(Update.id) == col(UpdateKpi.update_id)).where(Update.item_number == 1)
        ).all()
        assert {k.kpi_text for k in kept} == {"Appointment of new staff members"}
        save(session, 8, "2019-Q3", Rag.ON_TRACK, NOV, summary="new item's first update")
    assert stored(plan_engine, 8) == [(1, True, "on_track", "new item's first update")]


def _snapshot(engine: Engine) -> tuple:
    with session_scope(engine) as session:
        return (
            [(i.number, i.title, i.in_plan) for i in session.exec(select(Item).order_by(col(Item.number)))],
            [(k.item_number, k.key, k.text) for k in session.exec(select(Kpi).order_by(col(Kpi.item_number), col(Kpi.key)))],
            [(u.item_number, u.version, u.is_latest) for u in session.exec(select(Update).order_by(col(Update.id)))],
            len(session.exec(select(UpdateMilestone)).all()),
        )


def test_a_failed_load_changes_nothing(plan_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with session_scope(plan_engine) as session:
        save(session, 7, "2019-Q3", Rag.AT_RISK, NOV, summary="kept")
    before = _snapshot(plan_engine)

    def broken(*_args: object, **_kwargs: object) -> list:
        raise RuntimeError("disk full")

    monkeypatch.setattr(plan_loader, "plan_periods", broken)
    with pytest.raises(RuntimeError, match="disk full"), session_scope(plan_engine) as session:
        load_plan(session, edited_plan())
    assert _snapshot(plan_engine) == before
    assert before[0][-1] == (7, "Leadership opportunities for the LEP", True)


def test_a_failed_first_load_leaves_no_plan(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> list:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(plan_loader, "plan_periods", broken)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        load_plan(session, read_plan(BUNDLED_PLAN))
    with session_scope(engine) as session:
        assert session.get(Plan, 1) is None
        assert session.exec(select(Item)).all() == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example:5432/planbot", "postgresql+psycopg://u:p@db.example:5432/planbot"),
        ("postgresql://u@localhost/planbot", "postgresql+psycopg://u@localhost/planbot"),
        ("postgresql+psycopg://u@localhost/planbot", "postgresql+psycopg://u@localhost/planbot"),
        ("sqlite:///planbot.db", "sqlite:///planbot.db"),
    ],
)
def test_database_urls_are_normalised(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_two_saves_at_once_get_versions_one_and_two(plan_engine: Engine) -> None:
    """The first save holds its transaction open while the second starts; the
    second must wait for it and number itself after it, on both engines."""
    second_started = threading.Event()
    errors: list[Exception] = []

    def second() -> None:
        try:
            with session_scope(plan_engine) as session:
                second_started.set()
                save(session, 1, "2019-Q3", Rag.AT_RISK, NOV, summary="second")
        except Exception as exc:  # noqa: BLE001 (the thread's error is asserted on below)
            errors.append(exc)

    with session_scope(plan_engine) as session:
        save(session, 1, "2019-Q3", Rag.ON_TRACK, NOV, summary="first")
        thread = threading.Thread(target=second)
        thread.start()
        second_started.wait(5)
        thread.join(0.5)
    thread.join(20)
    assert not thread.is_alive()
    assert errors == []
    assert stored(plan_engine, 1) == [(1, False, "on_track", "first"), (2, True, "at_risk", "second")]
