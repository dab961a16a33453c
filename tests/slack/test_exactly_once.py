"""Slack, exactly once: every scheduled message carries its ledger key in its metadata,
and a post whose outcome is unknown (a timeout or a 500 after Slack took it, a claim
left by a dead clock) is looked for in the conversation's history before anything is
posted again. What cannot be looked up is reported, never doubled; an error code
Slack will not pass is never retried."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections import Counter

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.clock import FixedClock
from bot.shell.inbox_port import InboxPort
from bot.slack.port import SEND_EVENT, Lookups, Pacer, SlackPort
from schedules.reconcile import Reconciler
from schedules.routing import RoutingPort
from storage.db import session_scope
from storage.models import Send, SendStatus
from storage.sends import beat, claim
from tests.schedules.conftest import london
from tests.slack.conftest import PEOPLE, add_people
from tests.slack.test_port import coordinator_schedule
from tests.slack_fake import FakeSlack

KEY = "quarterly-prompt|*|5|2019-Q3"
"""Cal's prompt for item 5."""


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    """SQLite only: the ledger's takeovers run on both engines in tests/schedules (the
    dead-clock and kill tests), and what is checked here is the port's part."""
    return sqlite_db_url


@pytest.fixture
def routing(fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock) -> RoutingPort:
    add_people(fake_slack)
    port = SlackPort(plan_engine, token=fake_slack.bot_token, base_url=fake_slack.url, pacer=Pacer(per_channel=0), timeout=1, backoff=0.01)
    port.prepare()
    clock.at = london(2019, 12, 16, 9)
    return RoutingPort(plan_engine, {"slack": port}, InboxPort(plan_engine))


def run(engine: Engine, routing: RoutingPort, clock: FixedClock, *, by: str = "test") -> list:
    return Reconciler(engine, routing, clock, by=by).run("quarterly-prompts")


def keys_posted(fake: FakeSlack) -> Counter[str]:
    """How many times each ledger key was posted, read back from every DM."""
    found: Counter[str] = Counter()
    for user_id, *_ in PEOPLE.values():
        for message in fake.messages(user_id):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == SEND_EVENT:
                found[metadata["event_payload"]["key"]] += 1
    return found


def statuses(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return {s.key: s.status for s in session.exec(select(Send))}


def test_every_scheduled_message_carries_its_ledger_key(routing: RoutingPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock) -> None:
    run(plan_engine, routing, clock)

    posted = keys_posted(fake_slack)
    assert posted and set(posted.values()) == {1}
    assert set(posted) == {k for k, s in statuses(plan_engine).items() if s == SendStatus.SENT}


@pytest.mark.parametrize("fault", ["timeout", "500"])
def test_a_post_slack_took_but_never_answered_is_found_not_doubled(
    routing: RoutingPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock, fault: str
) -> None:
    if fault == "timeout":
        fake_slack.fail_after_accepting("chat.postMessage", None, seconds=1.5)
    else:
        fake_slack.fail_after_accepting("chat.postMessage", 500)

    run(plan_engine, routing, clock)

    assert set(keys_posted(fake_slack).values()) == {1}, "nothing posted twice"
    assert set(statuses(plan_engine).values()) == {SendStatus.SENT}
    assert fake_slack.calls_to("conversations.history"), "the unknown outcome was looked up"
    with session_scope(plan_engine) as session:
        rows = {s.key: s for s in session.exec(select(Send))}
    for key, row in rows.items():  # every handle names the message that is really there
        assert fake_slack.message(row.channel or "", row.message_id or "") is not None, key


def test_a_post_that_cannot_be_looked_up_is_reported_and_never_resent(
    routing: RoutingPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock
) -> None:
    fake_slack.fail_after_accepting("chat.postMessage", 500)
    fake_slack.fail("conversations.history", 500, times=100)

    run(plan_engine, routing, clock)
    run(plan_engine, routing, clock)  # the next sweep

    unknown = [k for k, s in statuses(plan_engine).items() if s == SendStatus.UNKNOWN]
    assert len(unknown) == 1
    assert keys_posted(fake_slack)[unknown[0]] == 1, "it did arrive, and was not posted again"
    schedule = coordinator_schedule(plan_engine, clock, routing)
    assert "may not have arrived" in schedule
    fake_slack.take_problems()


@pytest.mark.parametrize("code", ["invalid_blocks", "invalid_arguments", "some_new_error"])
def test_an_error_code_slack_will_not_pass_is_not_retried_and_shown(
    routing: RoutingPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock, code: str
) -> None:
    fake_slack.fail("chat.postMessage", 200, error=code)

    outcomes = run(plan_engine, routing, clock)
    tried = len(fake_slack.calls_to("chat.postMessage"))
    clock.at += dt.timedelta(minutes=20)
    run(plan_engine, routing, clock)

    [refused] = [o for o in outcomes if code in o.error]
    assert refused.status == SendStatus.SKIPPED, "a refusal is final, not a failure to retry"
    assert len(fake_slack.calls_to("chat.postMessage")) == tried, "never tried again"
    assert code in coordinator_schedule(plan_engine, clock, routing)


def _orphan(engine: Engine, *, by: str, beat_ago: dt.timedelta | None, clock: FixedClock) -> None:
    with session_scope(engine) as session:
        claim(session, key=KEY, kind="quarterly-prompt", person_id="cal", item_number=5, occurrence="2019-Q3",
              due=clock.now(), by=by, at=clock.now())
        if beat_ago is not None:
            beat(session, by=by, at=dt.datetime.now(dt.UTC) - beat_ago)


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


@pytest.mark.parametrize("posted_before_dying", [True, False])
def test_a_claim_left_by_a_dead_clock_on_this_host_is_resolved_at_once(
    routing: RoutingPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock, posted_before_dying: bool
) -> None:
    dead = f"{socket.gethostname()}:{_dead_pid()}:abc123"
    _orphan(plan_engine, by=dead, beat_ago=dt.timedelta(seconds=1), clock=clock)
    if posted_before_dying:
        port = routing.ports["slack"]
        port.send_to_place(fake_slack.dm_channel(PEOPLE["cal"][0]), _prompt(), key=KEY)

    run(plan_engine, routing, clock)

    assert keys_posted(fake_slack)[KEY] == 1
    assert statuses(plan_engine)[KEY] == SendStatus.SENT


def test_a_claim_by_a_clock_elsewhere_is_taken_over_once_it_stops_beating(
    routing: RoutingPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock
) -> None:
    _orphan(plan_engine, by="elsewhere:17:live", beat_ago=dt.timedelta(seconds=5), clock=clock)
    run(plan_engine, routing, clock)
    assert statuses(plan_engine)[KEY] == SendStatus.CLAIMED, "a clock still beating keeps its claim"
    assert keys_posted(fake_slack)[KEY] == 0

    with session_scope(plan_engine) as session:
        beat(session, by="elsewhere:17:live", at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61))
    run(plan_engine, routing, clock)

    assert statuses(plan_engine)[KEY] == SendStatus.SENT
    assert keys_posted(fake_slack)[KEY] == 1


def test_look_ups_share_one_read_per_conversation_and_keep_to_a_budget() -> None:
    waited: list[float] = []
    lookups = Lookups(per_minute=6, burst=3, clock=lambda: 0.0)  # three at once, then one each 10 s

    assert all(lookups.slot(waited.append) for _ in range(4))
    assert waited == [10.0], "the burst went at once, the fourth waited its turn"
    assert not lookups.slot(waited.append), "a fifth at the same moment would wait too long: reported instead"
    lookups.keep("D1", read_at=100.0, since=50.0, found={"k": {0: "1.0"}})
    assert lookups.kept("D1", since=60.0, after=90.0) == {"k": {0: "1.0"}}
    assert lookups.kept("D1", since=60.0, after=101.0) is None, "read before the outcome in question"
    assert lookups.kept("D1", since=40.0, after=90.0) is None, "read from too late a start"
    lookups.new_sweep()
    assert lookups.kept("D1", since=60.0, after=90.0) is None


def _prompt():  # type: ignore[no-untyped-def]
    from bot.core.replies import Paragraph, Reply

    return Reply([Paragraph("Item 5: Partnership health and shared ownership (posted by the clock that died)")])
