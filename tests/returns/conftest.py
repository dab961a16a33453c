"""A plan year with updates in it: what the return tests export.

Q1: items 1 (On track) and 2 (At risk). Q2: item 1 At risk (written twice: the
second version counts), item 2 On track written by a coordinator on the lead's
behalf, item 3 Off track with a slipped milestone, item 5 Complete; items 4, 6
and 7 have no Q2 update, and item 4's lead was chased three times, item 6's once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.models import MilestoneState, Rag, Send, SendStatus
from storage.queries import MilestoneAnswer
from tests.conftest import LONDON, DatabaseStates
from tests.factories import save

PRODUCED = dt.date(2019, 10, 2)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=LONDON)


def chased(engine: Engine, item: int, person: str, period: str, times: int) -> None:
    """Chasers the clock sent, as the send ledger records them."""
    with session_scope(engine) as session:
        for seq in range(1, times + 1):
            session.add(
                Send(
                    key=f"chaser|{person}|{item}|{period}|{seq}",
                    kind="chaser",
                    person_id=person,
                    item_number=item,
                    occurrence=period,
                    due=at("2019-09-20"),
                    status=SendStatus.SENT,
                    claimed_at=at("2019-09-20"),
                    sent_at=at("2019-09-20"),
                )
            )


@pytest.fixture
def year_engine(plan_engine: Engine, database_states: DatabaseStates) -> Engine:
    """The bundled plan with Q1 and Q2 updates and Q2 chasers (see the module docstring),
    written once per worker and engine, then copied."""
    return database_states.apply(plan_engine, "returns-year", write_year)


def write_year(plan_engine: Engine) -> None:
    save(plan_engine, 1, "2019-Q1", Rag.ON_TRACK, at("2019-06-20"), summary="Team appointed.",
         milestones={"m1": MilestoneAnswer(MilestoneState.DONE)})
    save(plan_engine, 2, "2019-Q1", Rag.AT_RISK, at("2019-06-21"), summary="Evidence base tender late.")
    save(plan_engine, 1, "2019-Q2", Rag.ON_TRACK, at("2019-09-24"), summary="First draft of this update.")
    save(
        plan_engine, 1, "2019-Q2", Rag.AT_RISK, at("2019-09-25"),
        summary="Consultant procurement delayed by a re-tender.",
        blockers="Need the Board to agree the sponsor in September.",
        kpis={"kpi1": "Three of four posts filled", "kpi2": "Re-tender issued 2 Sep"},
        milestones={
            "m1": MilestoneAnswer(MilestoneState.DONE),
            "m2": MilestoneAnswer(MilestoneState.SLIPPED, dt.date(2019, 10, 31)),
        },
    )
    save(
        plan_engine, 2, "2019-Q2", Rag.ON_TRACK, at("2019-09-26"), summary="Project plan agreed.",
        kpis={"kpi1": "Agreed at the June Board", "kpi2": "Draft reviewed"},
        milestones={"m2": MilestoneAnswer(MilestoneState.DONE)}, author="dee", on_behalf_of="alex",
    )
    save(
        plan_engine, 3, "2019-Q2", Rag.OFF_TRACK, at("2019-09-27"), summary="Consultation postponed.",
        kpis={"kpi1": "Done"}, milestones={"m3": MilestoneAnswer(MilestoneState.SLIPPED, dt.date(2019, 11, 30))},
        author="bea",
    )
    save(plan_engine, 5, "2019-Q2", Rag.COMPLETE, at("2019-09-27"), summary="All done.", author="cal")
    chased(plan_engine, 4, "bea", "2019-Q2", 3)
    chased(plan_engine, 6, "cal", "2019-Q2", 1)
