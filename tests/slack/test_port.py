"""Slack's sending port against the fake: retries, Retry-After, people who are gone, the DM
channel stored, the ledger and /plan-schedule after a send that finally fails."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.events import Command, Sender
from bot.core.planbot import Planbot
from bot.core.ports import PlatformAddress, Recipient, RecipientGone, SendFailed
from bot.core.replies import Paragraph, Reply
from bot.slack.port import Lookups, Pacer, SlackPort
from schedules.reconcile import Reconciler
from schedules.routing import RoutingPort
from bot.shell.inbox_port import InboxPort
from storage.addresses import addresses_of
from storage.db import session_scope
from tests.schedules.conftest import london
from tests.slack.conftest import add_people
from tests.slack_fake import FakeSlack


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def port(fake_slack: FakeSlack, plan_engine: Engine, waits: list[float]) -> SlackPort:
    add_people(fake_slack)
    return SlackPort(plan_engine, token=fake_slack.bot_token, base_url=fake_slack.url, sleep=waits.append, pacer=Pacer(per_channel=0))


def cal(channel: str | None = None) -> Recipient:
    return Recipient("cal", "Cal Placeholder", address=PlatformAddress("slack", "UCAL", channel=channel))


def test_a_send_posts_to_the_user_and_stores_the_dm_channel(port: SlackPort, fake_slack: FakeSlack, plan_engine: Engine) -> None:
    assert port.prepare() == 5, "every plan person was found by their email"
    sent = port.send(cal(), Reply([Paragraph("Hello <@U1>")]))

    assert sent.channel == fake_slack.dm_channel("UCAL")
    assert [m["text"] for m in fake_slack.messages("UCAL")] == ["Hello &lt;@U1&gt;"]
    with session_scope(plan_engine) as session:
        assert addresses_of(session, person_id="cal")["slack"].channel == sent.channel


def test_a_short_retry_after_is_waited_out(port: SlackPort, fake_slack: FakeSlack, waits: list[float]) -> None:
    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    port.sleep = sleep
    fake_slack.fail("chat.postMessage", 429, retry_after=1)
    port.send(cal(), Reply([Paragraph("Hello")]))

    assert waits == [1.0]
    assert len(fake_slack.messages("UCAL")) == 1


def test_a_long_retry_after_goes_back_to_the_clock(port: SlackPort, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", 429, retry_after=30)
    with pytest.raises(SendFailed) as failed:
        port.send(cal(), Reply([Paragraph("Hello")]))

    assert failed.value.retryable and failed.value.retry_after == 30
    fake_slack.take_problems()


def test_server_errors_are_retried_with_backoff(port: SlackPort, fake_slack: FakeSlack, waits: list[float]) -> None:
    fake_slack.fail("chat.postMessage", 500, times=2)
    port.send(cal(), Reply([Paragraph("Hello")]))

    assert waits == [0.5, 1.0]
    assert len(fake_slack.messages("UCAL")) == 1


def test_server_errors_that_persist_are_retryable_failures(port: SlackPort, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", 503, times=10)
    with pytest.raises(SendFailed) as failed:
        port.send(cal(), Reply([Paragraph("Hello")]))

    assert failed.value.retryable
    assert fake_slack.messages("UCAL") == []


def test_a_deactivated_user_is_gone(port: SlackPort, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("UCAL", email="cal.placeholder@example.org", deleted=True)
    with pytest.raises(RecipientGone):
        port.send(cal(), Reply([Paragraph("Hello")]))

    assert fake_slack.calls_to("chat.postMessage") == [], "nothing is posted to a deactivated account"


def test_pacing_waits_only_as_long_as_the_limits_need() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = Pacer(per_channel=1.0, per_minute=120, clock=lambda: now[0], sleep=sleep)
    for channel in ["A", "B", "A", "C"]:
        pacer.wait(channel)

    assert slept == [0.5, 0.5, 0.5], "one a second per channel, two a second across the workspace"


def test_a_thread_waiting_for_its_channel_holds_no_other_channel_up() -> None:
    """The clock's senders share one pacer: while one waits out a channel's second,
    the others post to other channels at the workspace's rate."""
    pacer = Pacer(per_channel=1.0, per_minute=6000)
    done: list[str] = []
    first_posted = threading.Event()

    def busy_channel() -> None:
        pacer.wait("A")
        first_posted.set()
        pacer.wait("A")
        done.append("A again")

    def other_channels() -> None:
        first_posted.wait(5)
        for channel in ["B", "C", "D"]:
            pacer.wait(channel)
            done.append(channel)

    threads = [threading.Thread(target=busy_channel), threading.Thread(target=other_channels)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert done == ["B", "C", "D", "A again"]
    assert time.monotonic() - started >= 0.95, "channel A still waited its second"


def test_a_429_holds_every_sender_and_the_retry_keeps_the_first_slot() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = Pacer(per_channel=1.0, per_minute=120, clock=lambda: now[0], sleep=sleep)
    pacer.wait("A")
    pacer.hold(2.0)  # Slack answered A's post with Retry-After: 2; A retries at 2.0
    pacer.wait("B")

    assert sum(slept) == 2.5, "B goes half a second (the workspace's spacing) after A's retry"


def coordinator_schedule(engine: Engine, clock: FixedClock, routing: RoutingPort) -> str:
    bot = Planbot(engine, clock, platforms=routing.platforms, port=routing)
    return "\n".join(r.text for r in bot.handle(Command(Sender("shell", "robin"), "plan-schedule")))


def test_a_send_that_finally_fails_is_in_the_ledger_and_plan_schedule(
    port: SlackPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock
) -> None:
    routing = RoutingPort(plan_engine, {"slack": port}, InboxPort(plan_engine))
    port.prepare()
    port.lookups = Lookups(per_minute=10_000)  # this test's sleeps are not waited: keep the budget out of it
    fake_slack.fail("chat.postMessage", 500, times=1000)
    clock.at = london(2019, 12, 16, 9)
    outcomes = Reconciler(plan_engine, routing, clock, by="test").run("quarterly-prompts")

    assert outcomes and all(o.status == "failed" for o in outcomes)
    assert len(fake_slack.calls_to("conversations.history")) >= len(outcomes), "each 500 was looked up before a retry"
    schedule = coordinator_schedule(plan_engine, clock, routing)
    assert "Not sent in the last 14 days" in schedule and "500" in schedule
    fake_slack.take_problems()


def test_a_deactivated_lead_is_shown_to_coordinators(port: SlackPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock) -> None:
    routing = RoutingPort(plan_engine, {"slack": port}, InboxPort(plan_engine))
    port.prepare()
    fake_slack.add_user("UCAL", email="cal.placeholder@example.org", deleted=True)
    clock.at = london(2019, 12, 16, 9)
    Reconciler(plan_engine, routing, clock, by="test").run("quarterly-prompts")

    assert not [m for m in fake_slack.messages("UCAL")]
    clock.at = london(2019, 12, 16, 10)
    schedule = coordinator_schedule(plan_engine, clock, routing)
    assert "Cal Placeholder: Slack refused: deactivated in Slack" in schedule
