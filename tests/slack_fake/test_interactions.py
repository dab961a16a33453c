"""What a person does in the fake Slack reaches a real slack-bolt app as Slack would send it,
signed over HTTP or through Socket Mode, and what the app does comes back to the fake."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack_fake import (
    FakeSlack,
    event_body,
    event_payload,
    interaction_body,
    new_trigger_id,
    signed_headers,
    slash_command_body,
    slash_command_fields,
    view_ack_problems,
)

TOKEN = "xoxb-test"
SECRET = "signing-secret"


def prompt_blocks() -> list[dict[str, Any]]:
    return [
        {"type": "section", "block_id": "item", "text": {"type": "mrkdwn", "text": "*Item 1*: skills plan"}},
        {
            "type": "actions",
            "block_id": "rag",
            "elements": [
                {"type": "button", "action_id": "rag_green", "value": "G", "text": {"type": "plain_text", "text": "Green"}},
                {"type": "button", "action_id": "open_form", "value": "1", "text": {"type": "plain_text", "text": "Open the form"}},
            ],
        },
    ]


def update_modal() -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "update",
        "title": {"type": "plain_text", "text": "Item 1 update"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "rag",
                "label": {"type": "plain_text", "text": "Status"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": "choice",
                    "options": [
                        {"text": {"type": "plain_text", "text": w}, "value": w[0]} for w in ("Green", "Amber", "Red")
                    ],
                },
            },
            {
                "type": "input",
                "block_id": "progress",
                "label": {"type": "plain_text", "text": "Progress"},
                "element": {"type": "plain_text_input", "action_id": "text", "multiline": True},
            },
            {
                "type": "input",
                "block_id": "risks",
                "optional": True,
                "label": {"type": "plain_text", "text": "Risks"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            },
        ],
    }


@pytest.fixture
def lead(fake_slack: FakeSlack) -> str:
    fake_slack.add_user("U0LEAD", email="ann@example.org", real_name="Ann Lead")
    return "U0LEAD"


def bolt_app(fake: FakeSlack) -> AsyncApp:
    return AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=fake.url))


async def send(app: AsyncApp, body: bytes) -> Any:
    request = AsyncBoltRequest(body=body.decode(), headers=signed_headers(SECRET, body))
    return await app.async_dispatch(request)


async def test_a_signed_slash_command_answered_through_response_url(fake_slack: FakeSlack, lead: str) -> None:
    app = bolt_app(fake_slack)

    @app.command("/plan-status")
    async def status(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(f"Status for {command['text'] or 'all items'}: on track")

    body = slash_command_body(
        "/plan-status", "", user_id=lead, team_id="T0PLAN", channel_id="C0GEN",
        response_url=fake_slack.response_url("status"),
    )
    response = await send(app, body)
    assert response.status == 200
    [answer] = await fake_slack.await_until(lambda: fake_slack.responses("status"))
    assert answer["text"] == "Status for all items: on track"
    assert [c.method for c in fake_slack.calls] == ["auth.test"]


async def test_a_tampered_body_is_refused_by_bolt(fake_slack: FakeSlack, lead: str) -> None:
    app = bolt_app(fake_slack)
    body = slash_command_body(
        "/plan-status", "", user_id=lead, team_id="T0PLAN", channel_id="C0GEN", response_url=fake_slack.response_url("s")
    )
    headers = signed_headers(SECRET, body)
    response = await app.async_dispatch(AsyncBoltRequest(body=body.decode().replace("lead", "boss"), headers=headers))
    assert response.status == 401
    stale = signed_headers(SECRET, body, timestamp=1_600_000_000)
    response = await app.async_dispatch(AsyncBoltRequest(body=body.decode(), headers=stale))
    assert response.status == 401


async def test_button_then_modal_then_submission(fake_slack: FakeSlack, lead: str) -> None:
    app = bolt_app(fake_slack)
    saved: list[dict[str, Any]] = []

    @app.action("open_form")
    async def open_form(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=update_modal())

    @app.view("update")
    async def submitted(ack: Any, view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        if len(values["progress"]["text"]["value"]) < 5:
            await ack(response_action="errors", errors={"progress": "Say a little more"})
            return
        await ack()
        saved.append(values)

    sync = WebClient(token=TOKEN, base_url=fake_slack.url)
    posted = sync.chat_postMessage(channel=lead, text="Item 1: time for an update", blocks=prompt_blocks())

    await send(app, interaction_body(fake_slack.press_button(lead, posted["ts"], "open_form", user_id=lead)))
    # bolt runs the rest of a listener after its ack, so the modal opens a moment later
    [opened] = await fake_slack.await_until(lambda: [v for v in fake_slack.views if v["method"] == "views.open"])

    short = fake_slack.submit_view(opened["view_id"], {"rag": "A", "progress": "ok"}, user_id=lead)
    response = await send(app, interaction_body(short))
    assert response.status == 200
    assert response.body and "Say a little more" in response.body
    assert view_ack_problems(json.loads(response.body), short["view"]) == []
    assert saved == []

    assert opened["user_id"] == lead
    full = fake_slack.submit_view(opened["view_id"], {"rag": "A", "progress": "Hired two trainers"})
    assert full["user"]["id"] == lead
    await send(app, interaction_body(full))
    await fake_slack.await_until(lambda: saved)
    assert saved[0]["rag"]["choice"]["selected_option"]["value"] == "A"
    assert saved[0]["progress"]["text"]["value"] == "Hired two trainers"
    assert saved[0]["risks"]["text"]["value"] is None


def test_submissions_slack_would_not_send_are_refused(fake_slack: FakeSlack, lead: str) -> None:
    client = WebClient(token=TOKEN, base_url=fake_slack.url)
    view_id = client.views_open(trigger_id=new_trigger_id(), view=update_modal())["view"]["id"]
    with pytest.raises(ValueError, match="required"):
        fake_slack.submit_view(view_id, {"rag": "G"}, user_id=lead)
    with pytest.raises(ValueError, match="no option"):
        fake_slack.submit_view(view_id, {"rag": "Purple", "progress": "x"}, user_id=lead)
    with pytest.raises(ValueError, match="no input block"):
        fake_slack.submit_view(view_id, {"rag": "G", "progress": "x", "budget": "1"}, user_id=lead)


async def test_replace_original_through_a_buttons_response_url_edits_the_message(
    fake_slack: FakeSlack, lead: str
) -> None:
    app = bolt_app(fake_slack)

    @app.action("rag_green")
    async def green(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text="Saved: Green", replace_original=True)

    sync = WebClient(token=TOKEN, base_url=fake_slack.url)
    posted = sync.chat_postMessage(channel=lead, text="Item 1", blocks=prompt_blocks())
    await send(app, interaction_body(fake_slack.press_button(lead, posted["ts"], "rag_green", user_id=lead, response_name="rag")))
    await fake_slack.await_until(lambda: fake_slack.responses("rag"))
    message = fake_slack.message(lead, posted["ts"])
    assert message is not None and message["text"] == "Saved: Green" and message.get("blocks") is None


async def test_a_dm_reaches_the_app_and_its_reply_lands_in_the_thread(fake_slack: FakeSlack, lead: str) -> None:
    app = bolt_app(fake_slack)

    @app.event("message")
    async def reply(event: dict[str, Any], say: Any) -> None:
        await say(text=f"Got it: {event['text']}", thread_ts=event["ts"])

    event = fake_slack.user_message(lead, "Progress: hired two trainers")
    response = await send(app, event_body(event, event_id="Ev0001", team_id="T0PLAN"))
    assert response.status == 200
    await fake_slack.await_until(lambda: len(fake_slack.messages(lead)) == 2)
    mine, answer = fake_slack.messages(lead)
    assert (mine["user"], mine["text"]) == (lead, "Progress: hired two trainers")
    assert (answer["thread_ts"], answer["text"]) == (mine["ts"], "Got it: Progress: hired two trainers")


def test_the_bot_cannot_edit_a_persons_message(fake_slack: FakeSlack, lead: str) -> None:
    client = WebClient(token=TOKEN, base_url=fake_slack.url)
    event = fake_slack.user_message(lead, "hello")
    with pytest.raises(SlackApiError) as raised:
        client.chat_update(channel=event["channel"], ts=event["ts"], text="edited")
    assert raised.value.response["error"] == "cant_update_message"


def test_an_everyone_mention_is_reported(fake_slack: FakeSlack, lead: str) -> None:
    client = WebClient(token=TOKEN, base_url=fake_slack.url)
    client.chat_postMessage(channel=lead, text="Update from Ann: <!channel> look")
    client.chat_postMessage(channel=lead, text="Update from Ann: &lt;!channel&gt; look")
    [problem] = fake_slack.take_problems()
    assert "<!channel> would notify everyone" in problem


def test_a_slow_slack_times_the_client_out(fake_slack: FakeSlack, lead: str) -> None:
    fake_slack.delay("chat.postMessage", 0.3)
    client = WebClient(token=TOKEN, base_url=fake_slack.url, timeout=0.1)
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel=lead, text="slow")
    fake_slack.wait_until(lambda: fake_slack.messages(lead))


def test_a_method_rate_limit(fake_slack: FakeSlack) -> None:
    fake_slack.method_rate_per_minute = {"conversations.open": 50}
    for user in ("U0A", "U0B"):
        fake_slack.add_user(user)
    client = WebClient(token=TOKEN, base_url=fake_slack.url)
    client.conversations_open(users="U0A")
    with pytest.raises(SlackApiError) as raised:
        client.conversations_open(users="U0B")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "2"


async def test_bolt_over_socket_mode(fake_slack: FakeSlack, lead: str) -> None:
    app = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=fake_slack.url))
    seen: list[str] = []

    @app.command("/plan-status")
    async def status(ack: Any) -> None:
        await ack(text="All on track")

    @app.event("message")
    async def message(event: dict[str, Any]) -> None:
        seen.append(event["text"])

    handler = AsyncSocketModeHandler(app, app_token="xapp-test", web_client=AsyncWebClient(base_url=fake_slack.url))
    await handler.connect_async()
    try:
        await fake_slack.await_until(lambda: fake_slack.socket_connected)
        fields = slash_command_fields(
            "/plan-status", "", user_id=lead, team_id="T0PLAN", channel_id="C0GEN",
            response_url=fake_slack.response_url("s"),
        )
        ack = await fake_slack.asocket_send("slash_commands", fields)
        assert ack is not None and ack["payload"]["text"] == "All on track"
        event = event_payload(fake_slack.user_message(lead, "hi there"), event_id="Ev1", team_id="T0PLAN")
        await fake_slack.asocket_send("events_api", event)
        await fake_slack.await_until(lambda: seen)
        assert seen == ["hi there"]

        fake_slack.socket_disconnect()
        await fake_slack.await_until(lambda: fake_slack.socket_connections == 2 and fake_slack.socket_connected)
        ack = await fake_slack.asocket_send("slash_commands", fields)
        assert ack is not None and ack["payload"]["text"] == "All on track"
    finally:
        await handler.close_async()
    assert len(fake_slack.calls_to("apps.connections.open")) == 2
    await asyncio.sleep(0)


def test_a_button_inside_a_modal(fake_slack: FakeSlack, lead: str) -> None:
    client = WebClient(token=TOKEN, base_url=fake_slack.url)
    modal = update_modal()
    modal["blocks"].append(
        {
            "type": "actions",
            "block_id": "more",
            "elements": [{"type": "button", "action_id": "add_risk", "text": {"type": "plain_text", "text": "Add a risk"}}],
        }
    )
    view_id = client.views_open(trigger_id=fake_slack.trigger_id(lead), view=modal)["view"]["id"]
    pressed = fake_slack.press_view_button(view_id, "add_risk", values={"progress": "half done"})
    assert pressed["user"]["id"] == lead
    assert pressed["container"] == {"type": "view", "view_id": view_id}
    assert pressed["view"]["state"]["values"]["progress"]["text"]["value"] == "half done"
    assert pressed["actions"][0]["block_id"] == "more"
    client.views_push(trigger_id=pressed["trigger_id"], view=update_modal())
    assert [v["method"] for v in fake_slack.views] == ["views.open", "views.push"]


async def test_acks_are_checked_against_the_request_they_answer(fake_slack: FakeSlack, lead: str) -> None:
    command = slash_command_body(
        "/plan-status", "", user_id=lead, team_id="T0PLAN", channel_id="C0GEN", response_url=fake_slack.response_url("s")
    )
    assert fake_slack.check_ack(command, 200, b'{"response_type": "ephemeral", "text": "All on track"}') == []
    assert fake_slack.check_ack(command, 200, b"All on track") == []
    assert fake_slack.check_ack(command, 500, b"") == ["slash_command answered with HTTP 500: Slack shows the person an error"]
    assert "would notify everyone" in fake_slack.check_ack(command, 200, {"text": "ping <!here>"})[0]

    client = WebClient(token=TOKEN, base_url=fake_slack.url)
    view_id = client.views_open(trigger_id=fake_slack.trigger_id(lead), view=update_modal())["view"]["id"]
    submission = interaction_body(fake_slack.submit_view(view_id, {"rag": "G", "progress": "x"}))
    assert fake_slack.check_ack(submission, 200, {"response_action": "errors", "errors": {"progress": "Too short"}}) == []
    [wrong] = fake_slack.check_ack(submission, 200, {"response_action": "errors", "errors": {"budget": "No"}})
    assert "not an input block" in wrong
    assert len(fake_slack.take_problems()) == 3


def test_an_old_trigger_id_can_be_allowed_more_time(fake_slack: FakeSlack, lead: str) -> None:
    client = WebClient(token=TOKEN, base_url=fake_slack.url)
    stale = f"{int((time.time() - 4) * 1000)}.1.abc"
    fake_slack.trigger_lifetime = 10  # put back by the fixture's reset
    assert client.views_open(trigger_id=stale, view=update_modal())["ok"]


def test_a_persons_time_zone(fake_slack: FakeSlack) -> None:
    fake_slack.add_user("U0NYC", tz="America/New_York")
    user = WebClient(token=TOKEN, base_url=fake_slack.url).users_info(user="U0NYC")["user"]
    assert user["tz"] == "America/New_York"
    assert user["tz_offset"] in (-5 * 3600, -4 * 3600)
