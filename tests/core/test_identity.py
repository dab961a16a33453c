"""Who is speaking: a Slack or Teams user is a plan person only through that
platform's id (the plan's field, or one learned from the plan's email), never a
display name and never an id from another platform. The clock fixture is
Wed 20 Nov 2019, 10:00 London."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.clock import FixedClock
from bot.core.events import Command, Sender, TextMessage
from bot.core.planbot import UNKNOWN_PLATFORM, Planbot
from storage.addresses import addresses_of
from storage.db import session_scope
from storage.models import Address, Conversation, Delivery
from storage.plan_loader import load_plan
from storage.planfile import parse_plan
from tests.schedules.conftest import bundled_yaml, load_variant

COORDINATORS = "Ask a coordinator (Dee Demo or Robin Fictional)"


def with_ids(raw: dict[str, Any]) -> None:
    """alex has a Slack id, bea a Teams id, dee both (preferring Teams); cal and robin only emails."""
    people = {p["id"]: p for p in raw["people"]}
    people["alex"]["slack"] = "U0ALEX"
    people["bea"]["teams"] = "bea-entra-id"
    people["dee"].update(slack="U0DEE", teams="dee-entra-id", chat="teams")


@pytest.fixture
def bot(planbot: Planbot, plan_engine: Engine) -> Planbot:
    load_variant(plan_engine, with_ids)
    return planbot


def said(bot: Planbot, sender: Sender, name: str = "help", **kwargs: Any) -> str:
    return "\n".join(r.text for r in bot.handle(Command(sender, name, **kwargs)))


def addresses(engine: Engine) -> list[tuple[str, str, str, str | None, str]]:
    with session_scope(engine) as session:
        rows = session.exec(select(Address).order_by(Address.person_id, Address.platform))
        return [(a.person_id, a.platform, a.user_id, a.channel, a.source) for a in rows]


def test_slack_user_is_the_person_with_that_slack_id(bot: Planbot, plan_engine: Engine, clock: FixedClock) -> None:
    text = said(bot, Sender("slack", "U0ALEX", channel="C0GENERAL", team_id="T0SELEP"))
    assert "You are Alex Example (area lead)." in text
    with session_scope(plan_engine) as session:
        row = addresses_of(session, person_id="alex")["slack"]
        assert (row.user_id, row.team_id, row.source, row.last_seen) == ("U0ALEX", "T0SELEP", "event", clock.now())
        assert row.channel is None, "a group channel is never taken for the person's direct conversation"


def test_teams_user_is_the_person_with_that_teams_id(bot: Planbot) -> None:
    assert "You are Bea Sample (area lead)." in said(bot, Sender("teams", "bea-entra-id"))


def test_an_id_learned_from_the_plans_email_identifies_on_that_platform_only(bot: Planbot, plan_engine: Engine) -> None:
    cal = bot.link_by_email(platform="slack", user_id="U0CAL", email=" Cal.Placeholder@EXAMPLE.org ", team_id="T0SELEP")
    assert cal is not None and cal.id == "cal"
    assert addresses(plan_engine) == [("cal", "slack", "U0CAL", None, "email")]
    assert "You are Cal Placeholder (area lead)." in said(bot, Sender("slack", "U0CAL"))
    assert "I don't know you yet: your Teams id (U0CAL) is not in the plan." in said(bot, Sender("teams", "U0CAL"))
    assert bot.link_by_email(platform="slack", user_id="U0NEW", email="nobody@example.org") is None


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        (Sender("slack", "U0ZED"), "I don't know you yet: your Slack id (U0ZED) is not in the plan."),
        (Sender("teams", "zed-entra-id"), "I don't know you yet: your Teams id (zed-entra-id) is not in the plan."),
    ],
    ids=["slack", "teams"],
)
def test_a_stranger_is_told_whom_to_ask_and_nothing_is_stored(
    bot: Planbot, plan_engine: Engine, sender: Sender, expected: str
) -> None:
    text = said(bot, sender, "plan-update")
    assert expected in text
    assert f"{COORDINATORS} to add `{sender.platform}: {sender.user_id}` to your entry under `people:`" in text
    assert bot.link_by_email(platform=sender.platform, user_id=sender.user_id, email="zed@example.org") is None
    assert bot.note_address(platform=sender.platform, user_id=sender.user_id, channel="D0ZED") is None
    assert addresses(plan_engine) == []
    with session_scope(plan_engine) as session:
        assert session.exec(select(Conversation)).all() == []


def test_a_person_id_on_an_unknown_platform_is_refused(
    bot: Planbot, plan_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.core.planbot"):
        text = said(bot, Sender("msteams", "alex"), delivery_id="msteams-1")
    assert text == UNKNOWN_PLATFORM
    assert "Alex" not in text
    assert "unknown platform" in caplog.text and "msteams" in caplog.text
    with session_scope(plan_engine) as session:
        assert session.exec(select(Delivery)).all() == [], "nothing changed, not even the delivery claim"
    with pytest.raises(ValueError, match="not a chat platform"):
        bot.note_address(platform="shell", user_id="alex", channel="D0")


@pytest.mark.parametrize(
    "sender",
    [
        Sender("slack", "Alex Example"),
        Sender("slack", "alex"),
        Sender("teams", "Bea Sample"),
        Sender("teams", "U0ALEX"),
        Sender("slack", "bea-entra-id"),
        Sender("teams", "alex.example@example.org"),
    ],
    ids=["slack-display-name", "slack-person-id", "teams-display-name", "slack-id-on-teams", "teams-id-on-slack", "email"],
)
def test_names_emails_and_other_platforms_ids_never_identify_anyone(bot: Planbot, sender: Sender) -> None:
    text = said(bot, sender)
    assert "You are" not in text
    assert "I don't know you yet" in text


def test_an_inactive_person_is_a_stranger_told_why(planbot: Planbot, plan_engine: Engine) -> None:
    def alex_inactive(raw: dict[str, Any]) -> None:
        with_ids(raw)
        next(p for p in raw["people"] if p["id"] == "alex")["active"] = False

    load_variant(plan_engine, alex_inactive)
    text = said(planbot, Sender("slack", "U0ALEX"))
    assert text == f"You're marked inactive in the plan, so I can't take updates from you. {COORDINATORS} if that's wrong."


def test_the_plan_wins_over_an_email(bot: Planbot, plan_engine: Engine) -> None:
    assert bot.link_by_email(platform="slack", user_id="U0OTHER", email="alex.example@example.org") is None
    person = bot.link_by_email(platform="slack", user_id="U0ALEX", email="bea.sample@example.org")
    assert person is not None and person.id == "alex"
    assert addresses(plan_engine) == []


def test_the_direct_channel_is_recorded_only_when_the_adapter_says_so(bot: Planbot, plan_engine: Engine) -> None:
    person = bot.note_address(platform="slack", user_id="U0ALEX", channel="D0ALEX", team_id="T0SELEP")
    assert person is not None and person.id == "alex"
    said(bot, Sender("slack", "U0ALEX", channel="C0GENERAL", team_id="T0SELEP"))
    bot.handle(TextMessage(Sender("slack", "U0ALEX", channel="G0PRIVATE", team_id="T0SELEP"), "status"))
    assert addresses(plan_engine) == [("alex", "slack", "U0ALEX", "D0ALEX", "event")]


def test_addresses_survive_a_plan_reload(bot: Planbot, plan_engine: Engine, clock: FixedClock) -> None:
    bot.link_by_email(platform="teams", user_id="cal-entra-id", email="cal.placeholder@example.org")
    reference = {"conversation": {"id": "a:1cal"}, "serviceUrl": "https://smba.example/emea/"}
    bot.note_address(platform="teams", user_id="cal-entra-id", channel="a:1cal", reference=reference, source="install")
    clock.at += dt.timedelta(days=1)
    load_variant(plan_engine, with_ids)
    assert "You are Cal Placeholder (area lead)." in said(bot, Sender("teams", "cal-entra-id"))
    with session_scope(plan_engine) as session:
        row = addresses_of(session, person_id="cal")["teams"]
        assert (row.user_id, row.channel, row.reference, row.source) == ("cal-entra-id", "a:1cal", reference, "email")
        assert row.last_seen == clock.now()


def test_a_platform_id_the_edited_plan_gives_someone_else_moves_to_them(bot: Planbot, plan_engine: Engine) -> None:
    bot.link_by_email(platform="slack", user_id="U0CAL", email="cal.placeholder@example.org")
    bot.note_address(platform="slack", user_id="U0CAL", channel="D0CAL")

    def give_cals_id_to_robin(raw: dict[str, Any]) -> None:
        with_ids(raw)
        next(p for p in raw["people"] if p["id"] == "robin")["slack"] = "U0CAL"

    raw = bundled_yaml()
    give_cals_id_to_robin(raw)
    with session_scope(plan_engine) as session:
        report = load_plan(session, parse_plan(yaml.safe_dump(raw)), source="edited")
    assert "slack address of cal (U0CAL): forgotten, the plan gives it to robin" in report.changed
    assert addresses(plan_engine) == []
    assert "You are Robin Fictional (coordinator)." in said(bot, Sender("slack", "U0CAL"))
