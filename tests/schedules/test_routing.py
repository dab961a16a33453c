"""The routing port: each scheduled message goes to the platform where the person
can be reached (the plan's preferred one first), else the terminal inbox; a
platform that says the person is gone is marked and the next route is tried.
The clock fixture is Wed 20 Nov 2019, 10:00 London (before Thursday's call)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.events import Sender, TextMessage
from bot.core.identity import link_by_email, note_address
from bot.core.planbot import Planbot
from bot.core.ports import PlatformAddress, Recipient, RecipientGone, SentMessage
from bot.core.replies import Reply, say
from bot.shell.inbox_port import InboxPort, take_unread
from schedules.reconcile import Reconciler
from schedules.routing import RoutingPort
from storage.addresses import addresses_of
from storage.db import session_scope
from tests.core.test_identity import with_ids
from tests.schedules.conftest import ledger, load_variant


class FakePlatform:
    """A chat platform that records each send with the address it was given;
    people in `gone` have left it."""

    def __init__(self, platform: str, *, gone: set[str] | None = None) -> None:
        self.platform = platform
        self.gone = gone or set()
        self.sent: list[tuple[str, PlatformAddress | None, str]] = []
        self.updated: list[tuple[SentMessage, str]] = []

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        if recipient.person_id in self.gone:
            raise RecipientGone("account_inactive")
        self.sent.append((recipient.person_id, recipient.address, reply.text))
        return SentMessage(self.platform, f"{self.platform}-{recipient.person_id}", str(len(self.sent)))

    def update(self, sent: SentMessage, reply: Reply) -> None:
        self.updated.append((sent, reply.text))

    def to(self, person_id: str) -> list[PlatformAddress | None]:
        return [address for who, address, _ in self.sent if who == person_id]


@pytest.fixture
def platforms(plan_engine: Engine) -> dict[str, FakePlatform]:
    load_variant(plan_engine, with_ids)
    return {"slack": FakePlatform("slack"), "teams": FakePlatform("teams")}


def router(engine: Engine, ports: dict[str, Any], clock: FixedClock) -> RoutingPort:
    return RoutingPort(engine, ports, InboxPort(engine), now=clock.now)


def recipient(person_id: str) -> Recipient:
    return Recipient(person_id, person_id.title())


def test_the_preferred_platform_comes_first(plan_engine: Engine, platforms: dict[str, FakePlatform], clock: FixedClock) -> None:
    sent = router(plan_engine, platforms, clock).send(recipient("dee"), say("Anything to flag?"))
    assert sent.platform == "teams"
    assert platforms["teams"].to("dee") == [PlatformAddress("teams", "dee-entra-id")]
    assert platforms["slack"].sent == []


def test_a_preferred_platform_that_is_not_configured_is_passed_over(
    plan_engine: Engine, platforms: dict[str, FakePlatform], clock: FixedClock
) -> None:
    sent = router(plan_engine, {"slack": platforms["slack"]}, clock).send(recipient("dee"), say("Anything to flag?"))
    assert (sent.platform, platforms["slack"].to("dee")) == ("slack", [PlatformAddress("slack", "U0DEE")])


def test_a_recorded_address_travels_to_the_port(plan_engine: Engine, platforms: dict[str, FakePlatform], clock: FixedClock) -> None:
    with session_scope(plan_engine) as session:
        link_by_email(session, platform="slack", user_id="U0CAL", email="cal.placeholder@example.org", at=clock.now())
        note_address(session, platform="slack", user_id="U0CAL", channel="D0CAL", team_id="T0SELEP", at=clock.now())
    router(plan_engine, platforms, clock).send(recipient("cal"), say("Your update for item 5 is due."))
    assert platforms["slack"].to("cal") == [PlatformAddress("slack", "U0CAL", "T0SELEP", "D0CAL")]


def test_nobody_reachable_in_chat_gets_the_terminal_inbox(
    plan_engine: Engine, platforms: dict[str, FakePlatform], clock: FixedClock
) -> None:
    sent = router(plan_engine, platforms, clock).send(recipient("robin"), say("The brief for Thursday's call."))
    assert (sent.platform, sent.channel) == ("shell", "robin")
    with session_scope(plan_engine) as session:
        assert [r.text for r in take_unread(session, person_id="robin")] == ["The brief for Thursday's call."]
    assert platforms["slack"].sent == platforms["teams"].sent == []


def test_a_platform_that_lost_the_person_is_marked_and_the_next_route_taken(
    plan_engine: Engine, platforms: dict[str, FakePlatform], clock: FixedClock
) -> None:
    platforms["teams"].gone.add("dee")
    route = router(plan_engine, platforms, clock)
    assert route.send(recipient("dee"), say("first")).platform == "slack"
    with session_scope(plan_engine) as session:
        row = addresses_of(session, person_id="dee")["teams"]
        assert (row.user_id, row.unreachable, row.unreachable_at) == ("dee-entra-id", "account_inactive", clock.now())
    platforms["teams"].gone.clear()
    assert route.send(recipient("dee"), say("second")).platform == "slack", "a marked address is not tried again"
    assert [text for _, _, text in platforms["slack"].sent] == ["first", "second"]

    platforms["slack"].gone.add("alex")
    sent = route.send(recipient("alex"), say("to the inbox"))
    assert sent.platform == "shell"


def test_speaking_again_clears_the_mark(
    plan_engine: Engine, platforms: dict[str, FakePlatform], clock: FixedClock, planbot: Planbot
) -> None:
    platforms["slack"].gone.add("alex")
    route = router(plan_engine, platforms, clock)
    assert route.send(recipient("alex"), say("to the inbox")).platform == "shell"
    platforms["slack"].gone.clear()
    planbot.handle(TextMessage(Sender("slack", "U0ALEX", channel="D0ALEX"), "hello"))
    assert route.send(recipient("alex"), say("back on Slack")).platform == "slack"
    with session_scope(plan_engine) as session:
        row = addresses_of(session, person_id="alex")["slack"]
        assert (row.unreachable, row.unreachable_at, row.last_seen) == ("", None, clock.now())


def test_an_update_goes_to_the_platform_the_message_went_to(
    plan_engine: Engine, platforms: dict[str, FakePlatform], clock: FixedClock
) -> None:
    route = router(plan_engine, platforms, clock)
    sent = route.send(recipient("bea"), say("Your update is due."))
    route.update(sent, say("Thanks: saved."))
    assert platforms["teams"].updated == [(sent, "Thanks: saved.")]
    assert platforms["slack"].updated == []


def test_the_clock_records_where_each_prompt_went(
    plan_engine: Engine, platforms: dict[str, FakePlatform], clock: FixedClock
) -> None:
    Reconciler(plan_engine, router(plan_engine, platforms, clock), clock, by="test").run("pre-call")
    went = {row.person_id: (row.status, row.platform) for row in ledger(plan_engine, kind="pre-call-prompt")}
    assert went == {
        "alex": ("sent", "slack"),
        "bea": ("sent", "teams"),
        "cal": ("sent", "shell"),
        "dee": ("sent", "teams"),
    }
