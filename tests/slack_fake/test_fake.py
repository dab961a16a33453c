"""The fake Slack answers slack_sdk's real clients as Slack does, and catches what Slack
would refuse."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack_fake import (
    FakeSlack,
    event_payload,
    interaction_body,
    new_trigger_id,
    signed_headers,
    slash_command_body,
    slash_command_fields,
)

TOKEN = "xoxb-test"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(label: str, action_id: str, value: str = "v") -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": action_id, "value": value}


def modal(title: str = "Update", blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "update",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": blocks
        or [
            {
                "type": "input",
                "block_id": "progress",
                "label": {"type": "plain_text", "text": "Progress"},
                "element": {"type": "plain_text_input", "action_id": "text", "multiline": True},
            }
        ],
    }


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake_slack.url)


@pytest.fixture
def lead(fake_slack: FakeSlack) -> str:
    fake_slack.add_user("U0LEAD", email="Ann.Lead@example.org", real_name="Ann Lead")
    return "U0LEAD"


def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


# ---------------------------------------------------------------- messages and users


def test_post_to_a_user_lands_in_their_dm_and_update_edits_it(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    blocks = [section("*Item 1*: skills plan"), {"type": "actions", "elements": [button("Green", "rag_green")]}]
    posted = client.chat_postMessage(channel=lead, text="Item 1: time for an update", blocks=blocks)

    assert posted["channel"] == fake_slack.dm_channel(lead)
    assert posted["channel"].startswith("D")
    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Saved", blocks=[section("Saved, thank you")])

    [message] = fake_slack.messages(lead)
    assert message["ts"] == posted["ts"]
    assert message["text"] == "Saved"
    assert message["blocks"] == [section("Saved, thank you")]
    assert message["edited"]["user"] == "UPLANBOT"
    assert fake_slack.messages(posted["channel"]) == [message]


def test_the_dm_channel_is_the_same_whichever_way_it_is_opened(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    opened = client.conversations_open(users=lead)
    posted = client.chat_postMessage(channel=lead, text="hello")
    assert opened["channel"]["id"] == posted["channel"] == fake_slack.dm_channel(lead)
    thread = client.chat_postMessage(channel=posted["channel"], text="in the thread", thread_ts=posted["ts"])
    assert [m["thread_ts"] for m in fake_slack.messages(lead)] == [None, posted["ts"]]
    assert thread["channel"] == posted["channel"]


def test_update_needs_the_channel_id_and_an_existing_message(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    posted = client.chat_postMessage(channel=lead, text="hello")
    assert error_of(lambda: client.chat_update(channel=lead, ts=posted["ts"], text="x")) == "channel_not_found"
    assert error_of(lambda: client.chat_update(channel=posted["channel"], ts="1.000009", text="x")) == "message_not_found"
    assert fake_slack.messages(lead)[0]["text"] == "hello"


def test_users_by_email_and_by_id(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    found = client.users_lookupByEmail(email="ann.lead@example.org")
    assert found["user"]["id"] == lead
    assert found["user"]["profile"]["email"] == "Ann.Lead@example.org"
    assert error_of(lambda: client.users_lookupByEmail(email="nobody@example.org")) == "users_not_found"
    assert client.users_info(user=lead)["user"]["deleted"] is False
    assert error_of(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"


def test_posting_to_a_deactivated_user_succeeds_as_slack_does(fake_slack: FakeSlack, client: WebClient) -> None:
    fake_slack.add_user("U0GONE", email="gone@example.org", deleted=True)
    posted = client.chat_postMessage(channel="U0GONE", text="your update is due")
    assert posted["ok"] and posted["channel"] == fake_slack.dm_channel("U0GONE")
    assert client.users_info(user="U0GONE")["user"]["deleted"] is True


def test_channels_must_exist_and_have_the_bot(fake_slack: FakeSlack, client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C0NONE", text="x")) == "channel_not_found"
    fake_slack.add_channel("C0OUT", is_member=False)
    assert error_of(lambda: client.chat_postMessage(channel="C0OUT", text="x")) == "not_in_channel"
    fake_slack.add_channel("C0COORD", name="coordinators")
    client.chat_postMessage(channel="C0COORD", text="Board brief")
    assert [m["text"] for m in fake_slack.messages("C0COORD")] == ["Board brief"]


def test_ephemeral_messages_are_kept_apart(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    fake_slack.add_channel("C0GEN")
    client.chat_postEphemeral(channel="C0GEN", user=lead, text="only you can see this")
    assert fake_slack.messages("C0GEN") == []
    assert [(e["user"], e["text"]) for e in fake_slack.ephemerals] == [(lead, "only you can see this")]


async def test_async_client_round_trip(fake_slack: FakeSlack, lead: str) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake_slack.url)
    posted = await client.chat_postMessage(channel=lead, text="hello from the clock")
    await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="edited")
    found = await client.users_lookupByEmail(email="ann.lead@example.org")
    assert found["user"]["id"] == lead
    assert [m["text"] for m in fake_slack.messages(lead)] == ["edited"]


# ---------------------------------------------------------------- the protocol checks


def test_a_bad_token_is_refused_and_reported(fake_slack: FakeSlack, lead: str) -> None:
    bad = WebClient(token="xoxb-wrong", base_url=fake_slack.url)
    assert error_of(lambda: bad.chat_postMessage(channel=lead, text="x")) == "invalid_auth"
    none = WebClient(base_url=fake_slack.url)
    assert error_of(lambda: none.auth_test()) == "not_authed"
    app = WebClient(token="xapp-test", base_url=fake_slack.url)
    assert error_of(lambda: app.chat_postMessage(channel=lead, text="x")) == "not_allowed_token_type"
    assert len(fake_slack.take_problems()) == 3
    assert fake_slack.messages(lead) == []


def test_unknown_and_missing_arguments_are_reported(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    client.chat_postMessage(channel=lead, text="x", colour="red")
    assert fake_slack.take_problems() == ["chat.postMessage: unknown argument(s) colour"]
    assert error_of(lambda: client.api_call("chat.update", json={"channel": "D1", "text": "x"})) == "message_not_found"
    assert fake_slack.take_problems() == ["chat.update: missing required argument(s) ts"]


def test_json_to_a_form_only_method_is_refused(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    """users.lookupByEmail does not read JSON bodies: Slack sees no email."""
    assert error_of(lambda: client.api_call("users.lookupByEmail", json={"email": "ann.lead@example.org"})) == (
        "invalid_arguments"
    )
    assert "form fields only" in fake_slack.take_problems()[0]


def test_unknown_and_retired_methods(fake_slack: FakeSlack, client: WebClient) -> None:
    assert error_of(lambda: client.api_call("chat.postMesage", json={"channel": "U1"})) == "unknown_method"
    assert error_of(lambda: client.api_call("files.upload", data={"content": "x", "channels": "C1"})) == (
        "method_deprecated"
    )
    assert len(fake_slack.take_problems()) == 2


@pytest.mark.parametrize(
    ("blocks", "complaint"),
    [
        ([section("x" * 3001)], "at most 3000"),
        ([section("x")] * 51, "at most 50"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "at most 150"),
        ([{"type": "actions", "elements": [button("b" * 76, "a")]}], "at most 75"),
        ([{"type": "actions", "elements": [button("a", "same"), button("b", "same")]}], "duplicate action_id"),
        ([section("x") | {"block_id": "b"}, section("y") | {"block_id": "b"}], "duplicate block_id"),
        ([section("x") | {"colour": "red"}], "unknown field colour"),
        ([{"type": "table"}], "table"),
        ([{"type": "sectoin", "text": {"type": "mrkdwn", "text": "x"}}], "unknown block type"),
        ([section("")], "non-empty"),
        ([{"type": "actions", "elements": [button("Red", "rag") | {"style": "red"}]}], "primary or danger"),
    ],
)
def test_invalid_blocks_are_refused_and_reported(
    fake_slack: FakeSlack, client: WebClient, lead: str, blocks: list[dict[str, Any]], complaint: str
) -> None:
    assert error_of(lambda: client.chat_postMessage(channel=lead, text="fallback", blocks=blocks)) == "invalid_blocks"
    problems = fake_slack.take_problems()
    assert any(complaint in p for p in problems), problems
    assert fake_slack.messages(lead) == []


def test_message_text_over_40000_characters(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    assert error_of(lambda: client.chat_postMessage(channel=lead, text="x" * 40_001)) == "msg_too_long"
    assert fake_slack.take_problems()
    client.chat_postMessage(channel=lead, text="x" * 40_000)
    assert len(fake_slack.messages(lead)[0]["text"]) == 40_000


def test_blocks_without_a_text_fallback_are_reported_but_sent(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    with pytest.warns(UserWarning):
        client.chat_postMessage(channel=lead, blocks=[section("hello")])
    assert len(fake_slack.messages(lead)) == 1
    assert "text fallback" in fake_slack.take_problems()[0]


# ---------------------------------------------------------------- views


def test_modal_open_update_and_home(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    opened = client.views_open(trigger_id=new_trigger_id(), view=modal("Loading"))
    view_id = opened["view"]["id"]
    client.views_update(view_id=view_id, hash=opened["view"]["hash"], view=modal("Item 1 update"))
    client.views_publish(user_id=lead, view={"type": "home", "blocks": [section("Your items")]})

    assert [(v["method"], v["view_id"]) for v in fake_slack.views][:2] == [("views.open", view_id), ("views.update", view_id)]
    assert fake_slack.view(view_id)["title"]["text"] == "Item 1 update"
    assert fake_slack.home(lead)["blocks"] == [section("Your items")]


def test_modal_limits(fake_slack: FakeSlack, client: WebClient) -> None:
    long_title = modal("An update for item 1 of 12")
    assert error_of(lambda: client.views_open(trigger_id=new_trigger_id(), view=long_title)) == "invalid_arguments"
    assert any("24" in p for p in fake_slack.take_problems())
    too_long = modal(
        blocks=[
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Progress"},
                "element": {"type": "plain_text_input", "action_id": "t", "initial_value": "x" * 3001},
            }
        ]
    )
    assert error_of(lambda: client.views_open(trigger_id=new_trigger_id(), view=too_long)) == "invalid_arguments"
    assert any("initial_value" in p for p in fake_slack.take_problems())
    no_submit = modal()
    del no_submit["submit"]
    assert error_of(lambda: client.views_open(trigger_id=new_trigger_id(), view=no_submit)) == "invalid_arguments"
    assert any("submit" in p for p in fake_slack.take_problems())


def test_trigger_ids_expire_after_3_seconds_and_work_once(fake_slack: FakeSlack, client: WebClient) -> None:
    stale = f"{int((time.time() - 4) * 1000)}.1.abc"
    assert error_of(lambda: client.views_open(trigger_id=stale, view=modal())) == "expired_trigger_id"
    assert "3 s" in fake_slack.take_problems()[0]
    trigger = new_trigger_id()
    client.views_open(trigger_id=trigger, view=modal())
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == "exchanged_trigger_id"


def test_views_update_with_a_stale_hash(fake_slack: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id=new_trigger_id(), view=modal())
    assert error_of(lambda: client.views_update(view_id=opened["view"]["id"], hash="1.stale", view=modal())) == (
        "hash_conflict"
    )
    assert error_of(lambda: client.views_update(view_id="V0NONE", view=modal())) == "not_found"


# ---------------------------------------------------------------- failures and rate limits


def test_injected_server_errors_are_served_and_retried(fake_slack: FakeSlack, lead: str) -> None:
    fake_slack.fail("chat.postMessage", 503, times=2)
    client = WebClient(token=TOKEN, base_url=fake_slack.url, retry_handlers=[
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.01))
    ])
    client.chat_postMessage(channel=lead, text="got through")
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [503, 503, 200]
    assert [m["text"] for m in fake_slack.messages(lead)] == ["got through"]


def test_injected_slack_errors(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    fake_slack.fail("users.lookupByEmail", 200, error="ratelimited")
    fake_slack.fail("chat.postMessage", 500)
    assert error_of(lambda: client.users_lookupByEmail(email="ann.lead@example.org")) == "ratelimited"
    assert client.users_lookupByEmail(email="ann.lead@example.org")["user"]["id"] == lead
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=lead, text="x")
    assert raised.value.response.status_code == 500


def test_429_retry_after_is_served_and_honoured_by_slack_sdk(fake_slack: FakeSlack, lead: str) -> None:
    fake_slack.fail("chat.postMessage", 429, retry_after=1)
    client = WebClient(token=TOKEN, base_url=fake_slack.url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    client.chat_postMessage(channel=lead, text="after the wait")
    first, second = fake_slack.calls_to("chat.postMessage")
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.0
    assert fake_slack.problems == []


def test_calling_again_under_a_retry_after_is_a_problem(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    fake_slack.fail("chat.postMessage", 429, retry_after=5)
    assert error_of(lambda: client.chat_postMessage(channel=lead, text="x")) == "ratelimited"
    time.sleep(0.3)
    assert error_of(lambda: client.chat_postMessage(channel=lead, text="x")) == "ratelimited"
    [problem] = fake_slack.take_problems()
    assert "Retry-After: 5" in problem
    assert fake_slack.calls_to("chat.postMessage")[1].response == {"ok": False, "error": "ratelimited"}


def test_per_channel_interval(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    fake_slack.add_user("U0OTHER")
    fake_slack.post_interval_per_channel = 1.0
    client.chat_postMessage(channel=lead, text="one")
    client.chat_postMessage(channel="U0OTHER", text="another channel is fine")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=lead, text="too soon")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert [m["text"] for m in fake_slack.messages(lead)] == ["one"]


def test_workspace_rate_and_the_report(fake_slack: FakeSlack, client: WebClient) -> None:
    """At 1,200 a minute (one per 50 ms), a client pacing itself at that rate is never refused."""
    users = [f"U0{n:04d}" for n in range(6)]
    for user in users:
        fake_slack.add_user(user)
    fake_slack.workspace_rate_per_minute = 1200
    start = time.monotonic()
    for n, user in enumerate(users):
        delay = start + n * 0.05 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        client.chat_postMessage(channel=user, text="prompt")
    report = fake_slack.rate_report()
    assert report["accepted"] == 6 and report["rate_limited"] == 0
    assert report["floor"] == pytest.approx(0.25)
    assert report["elapsed"] == pytest.approx(report["last"] - report["first"])
    assert report["ratio"] == pytest.approx(report["elapsed"] / 0.25)
    assert report["elapsed"] >= 0.25 - 5 * fake_slack.rate_tolerance
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=users[0], text="at once")
        client.chat_postMessage(channel=users[1], text="at once")
    assert raised.value.response.status_code == 429


# ---------------------------------------------------------------- files


def test_file_upload_flow(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    channel = client.conversations_open(users=lead)["channel"]["id"]
    content = b"item,rag\n1,green\n"
    done = client.files_upload_v2(
        channel=channel, content=content, filename="status.csv", title="Plan status", initial_comment="Here it is"
    )
    [upload] = fake_slack.uploads
    assert upload["content"] == content
    assert (upload["filename"], upload["title"], upload["channel_id"]) == ("status.csv", "Plan status", channel)
    assert upload["initial_comment"] == "Here it is"
    assert done["file"]["id"] == upload["id"]
    assert fake_slack.messages(lead)[-1]["files"][0]["name"] == "status.csv"


async def test_file_upload_flow_async(fake_slack: FakeSlack, lead: str) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake_slack.url)
    channel = fake_slack.dm_channel(lead)
    await client.files_upload_v2(channel=channel, content="a report", filename="report.txt")
    assert [u["content"] for u in fake_slack.uploads] == [b"a report"]


def test_completing_an_upload_that_was_never_sent(fake_slack: FakeSlack, client: WebClient, lead: str) -> None:
    got = client.files_getUploadURLExternal(filename="x.csv", length=3)
    files = [{"id": got["file_id"], "title": "x"}]
    assert error_of(lambda: client.files_completeUploadExternal(files=files, channel_id=fake_slack.dm_channel(lead))) == (
        "file_not_found"
    )
    assert fake_slack.take_problems()
    assert fake_slack.uploads == []


# ---------------------------------------------------------------- response_url and requests to the bot


async def test_response_url_records_what_is_posted(fake_slack: FakeSlack) -> None:
    url = fake_slack.response_url("status")
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"response_type": "ephemeral", "text": "All on track"}) as ok:
            assert ok.status == 200
        async with session.post(url, json={"text": "x", "blocks": [section("x" * 3001)]}) as bad:
            assert bad.status == 400
    assert fake_slack.responses("status") == [{"response_type": "ephemeral", "text": "All on track"}]
    assert any("3000" in p for p in fake_slack.take_problems())


def test_signed_headers_verify_with_slack_sdk(fake_slack: FakeSlack) -> None:
    body = slash_command_body(
        "/plan-status",
        "share",
        user_id="U0LEAD",
        team_id="T0PLAN",
        channel_id="C0GEN",
        response_url=fake_slack.response_url("c"),
    )
    headers = signed_headers("s3cret", body)
    verifier = SignatureVerifier("s3cret")
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert signed_headers("s3cret", b'{"type": "event_callback"}')["Content-Type"] == "application/json"
    fields = dict(parse_qsl(interaction_body({"type": "block_actions"}).decode()))
    assert json.loads(fields["payload"]) == {"type": "block_actions"}


# ---------------------------------------------------------------- Socket Mode


async def test_socket_mode_handshake_envelope_and_ack(fake_slack: FakeSlack) -> None:
    from slack_sdk.socket_mode.aiohttp import SocketModeClient
    from slack_sdk.socket_mode.request import SocketModeRequest
    from slack_sdk.socket_mode.response import SocketModeResponse

    received: list[SocketModeRequest] = []

    async def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        body = {"text": "All on track"} if request.type == "slash_commands" else None
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id, payload=body))

    web = AsyncWebClient(token=TOKEN, base_url=fake_slack.url)
    client = SocketModeClient(app_token="xapp-test", web_client=web, auto_reconnect_enabled=False)
    client.socket_mode_request_listeners.append(listener)
    await client.connect()
    try:
        await fake_slack.await_until(lambda: fake_slack.socket_connected)
        fields = slash_command_fields(
            "/plan-status", "", user_id="U0LEAD", team_id="T0PLAN", channel_id="C0GEN",
            response_url=fake_slack.response_url("s"),
        )
        ack = await fake_slack.asocket_send("slash_commands", fields)
        assert ack is not None and ack["payload"] == {"text": "All on track"}
        event = event_payload({"type": "message", "channel_type": "im", "text": "hi"}, event_id="Ev1", team_id="T0PLAN")
        ack = await fake_slack.asocket_send("events_api", event)
        assert ack is not None and "payload" not in ack
    finally:
        await client.close()
    assert [r.type for r in received] == ["slash_commands", "events_api"]
    assert received[0].payload["command"] == "/plan-status"
    [opened] = fake_slack.calls_to("apps.connections.open")
    assert opened.headers["Authorization"] == "Bearer xapp-test"


async def test_socket_mode_without_an_ack(fake_slack: FakeSlack) -> None:
    from slack_sdk.socket_mode.aiohttp import SocketModeClient

    web = AsyncWebClient(token=TOKEN, base_url=fake_slack.url)
    client = SocketModeClient(app_token="xapp-test", web_client=web, auto_reconnect_enabled=False)
    await client.connect()
    try:
        await fake_slack.await_until(lambda: fake_slack.socket_connected)
        assert await fake_slack.asocket_send("events_api", {"event": {}}, timeout=0.2) is None
    finally:
        await client.close()
    assert "no ack" in fake_slack.take_problems()[0]
    await asyncio.sleep(0)


def test_the_fixture_fails_a_test_that_broke_the_protocol() -> None:
    from tests.slack_fake.fixtures import fail_on_problems

    fail_on_problems([])
    with pytest.raises(pytest.fail.Exception, match="chat.postMessage: unknown argument"):
        fail_on_problems(["chat.postMessage: unknown argument(s) colour"])


def test_bots_cannot_be_messaged(fake_slack: FakeSlack, client: WebClient) -> None:
    fake_slack.add_user("U0BOT", is_bot=True)
    assert error_of(lambda: client.chat_postMessage(channel="U0BOT", text="x")) == "cannot_dm_bot"
    assert error_of(lambda: client.conversations_open(users="U0BOT")) == "cannot_dm_bot"


def test_a_retried_delivery_is_signed_and_marked(fake_slack: FakeSlack) -> None:
    from tests.slack_fake import event_body

    body = event_body({"type": "message", "text": "hi"}, event_id="Ev9", team_id="T0PLAN")
    headers = signed_headers("s3cret", body, retry_num=1)
    assert (headers["X-Slack-Retry-Num"], headers["X-Slack-Retry-Reason"]) == ("1", "http_timeout")
    assert SignatureVerifier("s3cret").is_valid_request(body, headers)
    assert "X-Slack-Retry-Num" not in signed_headers("s3cret", body)


async def test_socket_mode_needs_a_fresh_url_each_time(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xapp-test", base_url=fake_slack.url)
    url = client.apps_connections_open(app_token="xapp-test")["url"]
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            hello = await ws.receive_json()
            assert hello["type"] == "hello"
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await session.ws_connect(url)
    assert "single use" in fake_slack.take_problems()[0]


def test_a_slack_connect_guest_is_not_found_by_email_but_by_id(fake_slack: FakeSlack, client: WebClient) -> None:
    fake_slack.add_user("W0GUEST", email="guest@partner.example", team_id="T0PARTNER")
    assert error_of(lambda: client.users_lookupByEmail(email="guest@partner.example")) == "users_not_found"
    assert client.users_info(user="W0GUEST")["user"]["team_id"] == "T0PARTNER"
    posted = client.chat_postMessage(channel="W0GUEST", text="your update is due")
    assert posted["channel"] == fake_slack.dm_channel("W0GUEST")


def test_a_method_slack_has_but_the_fake_does_not_simulate_is_reported(fake_slack: FakeSlack, client: WebClient) -> None:
    assert error_of(lambda: client.conversations_members(channel="C0GEN")) == "unknown_method"
    [problem] = fake_slack.take_problems()
    assert "not simulated" in problem
