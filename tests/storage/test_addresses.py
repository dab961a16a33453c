"""The address table: one address per person and platform, one person per
platform id, unreachable marks, and the plan file's `chat:` preference."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from sqlalchemy.engine import Engine

from storage import addresses
from storage.db import session_scope
from storage.plan_loader import load_plan
from storage.planfile import PlanFileError, parse_plan
from tests.schedules.conftest import bundled_yaml

AT = dt.datetime(2019, 11, 20, 10, tzinfo=dt.UTC)


def test_an_address_is_upserted_and_keeps_how_it_was_learned(plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        addresses.record_address(session, person_id="cal", platform="slack", user_id="U0CAL", source="email", at=AT)
        later = AT + dt.timedelta(hours=1)
        addresses.record_address(
            session, person_id="cal", platform="slack", user_id="U0CAL", channel="D0CAL", team_id="T0", source="event", at=later
        )
        addresses.record_address(session, person_id="cal", platform="slack", user_id="U0CAL", source="event", at=later)
    with session_scope(plan_engine) as session:
        row = addresses.address_for_user(session, platform="slack", user_id="U0CAL")
        assert row is not None
        assert (row.person_id, row.channel, row.team_id, row.source, row.last_seen) == ("cal", "D0CAL", "T0", "email", later)


def test_a_platform_id_belongs_to_one_person(plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        addresses.record_address(session, person_id="cal", platform="slack", user_id="U0X", channel="D0X", source="email", at=AT)
        addresses.record_address(session, person_id="bea", platform="slack", user_id="U0X", source="email", at=AT)
    with session_scope(plan_engine) as session:
        assert list(addresses.addresses_of(session, person_id="cal")) == []
        row = addresses.addresses_of(session, person_id="bea")["slack"]
        assert (row.user_id, row.channel) == ("U0X", None)


def test_unreachable_is_marked_then_cleared_by_a_successful_send(plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        addresses.mark_unreachable(
            session, person_id="bea", platform="teams", user_id="bea-id", reason="the app was uninstalled", at=AT
        )
    with session_scope(plan_engine) as session:
        row = addresses.addresses_of(session, person_id="bea")["teams"]
        assert (row.user_id, row.unreachable, row.unreachable_at, row.source) == (
            "bea-id", "the app was uninstalled", AT, "plan",
        )
        addresses.mark_reachable(session, person_id="bea", platform="teams")
    with session_scope(plan_engine) as session:
        row = addresses.addresses_of(session, person_id="bea")["teams"]
        assert (row.unreachable, row.unreachable_at) == ("", None)


def test_the_plan_wins_over_a_recorded_address(plan_engine: Engine) -> None:
    raw = bundled_yaml()
    next(p for p in raw["people"] if p["id"] == "alex")["slack"] = "U0ALEX"
    with session_scope(plan_engine) as session:
        load_plan(session, parse_plan(yaml.safe_dump(raw)), source="ids")
    with session_scope(plan_engine) as session:
        assert addresses.record_address(session, person_id="bea", platform="slack", user_id="U0ALEX", source="email", at=AT) is None
        assert addresses.record_address(session, person_id="alex", platform="slack", user_id="U0OLD", source="email", at=AT) is None
        assert addresses.addresses_of(session, person_id="bea") == {}
        assert addresses.addresses_of(session, person_id="alex") == {}


def people_with(**changes: object) -> str:
    raw = bundled_yaml()
    next(p for p in raw["people"] if p["id"] == "alex").update(changes)
    return yaml.safe_dump(raw)


def test_a_preferred_chat_platform_is_validated() -> None:
    doc = parse_plan(people_with(chat=" Slack "))
    assert addresses.preferred_platforms(doc.model_dump(mode="json")) == {"alex": "slack"}
    with pytest.raises(PlanFileError) as error:
        parse_plan(people_with(chat="email"))
    assert "people[0].chat: Input should be 'slack' or 'teams' (got 'email')" in str(error.value)


def test_emails_differing_only_in_case_are_one_email() -> None:
    with pytest.raises(PlanFileError) as error:
        parse_plan(people_with(email="Bea.Sample@example.org"))
    assert "people[1].email: 'bea.sample@example.org' is also alex's email" in str(error.value)
