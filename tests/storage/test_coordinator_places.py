"""The plan's `coordinators:` place (validated, kept with the loaded plan) and the
group chat references it points at, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from schedules.world import coordinator_places
from storage.chat_references import chat_reference, note_chat
from storage.db import session_scope
from storage.plan_loader import load_plan
from storage.planfile import PlanFileError, parse_plan
from tests.schedules.conftest import bundled_yaml

AT = dt.datetime(2019, 11, 20, 10, tzinfo=dt.UTC)


def plan_with(**coordinators: Any) -> str:
    raw = bundled_yaml()
    raw["plan"]["coordinators"] = coordinators
    return yaml.safe_dump(raw, allow_unicode=True)


def problems(text: str) -> str:
    with pytest.raises(PlanFileError) as error:
        parse_plan(text)
    return str(error.value)


def test_the_coordinators_place_is_loaded_with_the_plan(plan_engine: Engine) -> None:
    doc = parse_plan(plan_with(slack="C0COORDS", teams="19:abcDEF_123-x@thread.tacv2"))
    with session_scope(plan_engine) as session:
        load_plan(session, doc, source="test")
    with session_scope(plan_engine) as session:
        assert coordinator_places(session) == {"slack": "C0COORDS", "teams": "19:abcDEF_123-x@thread.tacv2"}

    with session_scope(plan_engine) as session:
        load_plan(session, parse_plan(yaml.safe_dump(bundled_yaml())), source="test")
    with session_scope(plan_engine) as session:
        assert coordinator_places(session) == {}, "taking it out of the plan goes back to DMs"


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ({"slack": "#plan-coordinators"}, "plan.coordinators.slack: '#plan-coordinators' is not a Slack channel id"),
        ({"slack": "U0ALEX123"}, "it starts with C or G"),
        ({"teams": "29:1abc"}, "plan.coordinators.teams: '29:1abc' is not a Teams conversation id"),
        ({"teams": "19:abc@thread.tacv2 <at>x</at>"}, "is not a Teams conversation id"),
        ({}, "plan.coordinators: name the coordinators' place with slack:"),
        ({"email": "coords@example.org"}, "plan.coordinators.email: is not a field this format knows"),
    ],
)
def test_a_wrong_coordinators_place_is_explained(place: dict[str, str], expected: str) -> None:
    assert expected in problems(plan_with(**place))


def test_a_chat_reference_is_kept_by_conversation_without_the_person(engine: Engine) -> None:
    reference = {
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/uk/",
        "conversation": {"id": "19:chan@thread.tacv2;messageid=17", "conversationType": "channel", "tenantId": "t"},
        "user": {"id": "29:someone", "name": "Someone"},
        "bot": {"id": "28:planbot"},
    }
    with session_scope(engine) as session:
        note_chat(session, platform="teams", conversation_id="19:chan@thread.tacv2;messageid=17", reference=reference, at=AT)
    with session_scope(engine) as session:
        stored = chat_reference(session, platform="teams", conversation_id="19:chan@thread.tacv2")
    assert stored is not None and "user" not in stored
    assert stored["conversation"] == {"id": "19:chan@thread.tacv2", "conversationType": "channel", "tenantId": "t"}

    moved = {**reference, "serviceUrl": "https://smba.trafficmanager.net/emea/"}
    with session_scope(engine) as session:
        note_chat(session, platform="teams", conversation_id="19:chan@thread.tacv2", reference=moved, at=AT)
    with session_scope(engine) as session:
        assert chat_reference(session, platform="teams", conversation_id="19:chan@thread.tacv2")["serviceUrl"].endswith("/emea/")
        assert chat_reference(session, platform="slack", conversation_id="19:chan@thread.tacv2") is None


def test_migration_0006_makes_the_table_the_model_describes(plan_engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with plan_engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert [d for d in diffs if "chatreference" in str(d)] == []
