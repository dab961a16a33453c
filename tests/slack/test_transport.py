"""The clock's Slack client keeps a connection per thread and survives losing it."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.core.ports import PlatformAddress, Recipient
from bot.core.replies import Paragraph, Reply
from bot.slack.port import Pacer, SlackPort
from tests.slack.conftest import add_people
from tests.slack_fake import FakeSlack


def cal() -> Recipient:
    return Recipient("cal", "Cal Placeholder", address=PlatformAddress("slack", "UCAL"))


def test_calls_from_one_thread_share_a_connection_and_a_lost_one_is_replaced(fake_slack: FakeSlack, plan_engine: Engine) -> None:
    add_people(fake_slack)
    waits: list[float] = []
    port = SlackPort(plan_engine, token=fake_slack.bot_token, base_url=fake_slack.url, sleep=waits.append, pacer=Pacer(per_channel=0))
    port.send(cal(), Reply([Paragraph("one")]))
    first = port.client._local.connection  # type: ignore[attr-defined]
    port.send(cal(), Reply([Paragraph("two")]))
    assert port.client._local.connection is first, "users.info and two posts on one connection"  # type: ignore[attr-defined]

    first.sock.close()  # the server, or the network, dropped it
    port.send(cal(), Reply([Paragraph("three")]))

    assert [m["text"] for m in fake_slack.messages("UCAL")] == ["one", "two", "three"], "nothing lost, nothing twice"
    assert port.client._local.connection is not first  # type: ignore[attr-defined]
    assert len(waits) == 1, "the failed call was retried once, after the port's backoff"
