"""The Slack adapter as `planbot serve` builds it (`build_app` with Slack's mount), served on
loopback by aiohttp's test server, talking to the fake Slack over real HTTP.

`SlackWorld` sends what Slack would send (signed slash commands, button presses, form
submissions, DM events) and waits until the work started after each acknowledgement
is done, so a test reads the fake's state after the bot has finished answering.
"""

from __future__ import annotations

import itertools
import json
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from bot.app import chat_port, platform_mounts
from bot.slack.port import Pacer
from bot.config import Settings
from bot.core.async_boundary import AsyncPlanbot
from bot.core.clock import FixedClock
from bot.core.planbot import Planbot
from bot.slack.web import slack_runtime
from bot.web import build_app
from tests.slack_fake import FakeSlack, event_body, interaction_body, new_trigger_id, signed_headers, slash_command_body
from tests.slack_fake.fixtures import fake_slack, fake_slack_server  # noqa: F401

SECRET = "test-signing-secret"
TEAM = "T0PLAN"
PEOPLE = {
    "alex": ("UALEX", "alex.example@example.org", "Alex Example"),
    "bea": ("UBEA", "bea.sample@example.org", "Bea Sample"),
    "cal": ("UCAL", "cal.placeholder@example.org", "Cal Placeholder"),
    "dee": ("UDEE", "dee.demo@example.org", "Dee Demo"),
    "robin": ("UROBIN", "robin.fictional@example.org", "Robin Fictional"),
}
"""The bundled plan's people as Slack users with the plan's emails (the plan has no Slack ids)."""


def slack_settings(fake: FakeSlack, database_url: str, exports: Path) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token=SecretStr(fake.bot_token),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=fake.url,
        planbot_exports_dir=exports,
    )


def add_people(fake: FakeSlack) -> None:
    for user_id, email, name in PEOPLE.values():
        fake.add_user(user_id, email=email, real_name=name)


def texts_of(blocks: list[dict[str, Any]] | None) -> str:
    from tests.slack_fake import iter_blocks_text

    return "\n".join(iter_blocks_text(blocks or []))


@dataclass
class Answer:
    status: int
    body: Any
    text: str


@dataclass
class SlackWorld:
    fake: FakeSlack
    client: TestClient
    core: AsyncPlanbot
    engine: Engine
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    last: tuple[bytes, dict[str, str]] | None = None

    @property
    def runtime(self) -> Any:
        return slack_runtime(self.client.server.app)

    async def post(self, body: bytes, headers: dict[str, str] | None = None) -> Answer:
        headers = headers if headers is not None else signed_headers(SECRET, body)
        self.last = (body, headers)
        answer = await self.client.post("/slack/events", data=body, headers=headers)
        raw = await answer.text()
        await self.runtime.settle()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        text = ""
        if isinstance(parsed, dict):
            text = "\n".join(filter(None, [parsed.get("text", ""), texts_of(parsed.get("blocks"))]))
        return Answer(answer.status, parsed, text)

    async def replay(self, *, retry: bool = False) -> Answer:
        assert self.last is not None
        body, headers = self.last
        if retry:
            body_headers = signed_headers(SECRET, body)
            body_headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
            return await self.post(body, body_headers)
        return await self.post(body, headers)

    async def command(self, person: str, command: str, text: str = "", *, channel: str = "C0GENERAL") -> Answer:
        user_id = PEOPLE[person][0] if person in PEOPLE else person
        name = f"cmd{next(self._ids)}"
        body = slash_command_body(
            command,
            text,
            user_id=user_id,
            team_id=TEAM,
            channel_id=channel,
            channel_name="general" if channel.startswith("C") else "directmessage",
            response_url=self.fake.response_url(name),
        )
        answer = await self.post(body)
        answer.response_name = name  # type: ignore[attr-defined]
        return answer

    async def dm(self, person: str, text: str, *, event_id: str | None = None, thread_ts: str | None = None, team: str = TEAM) -> Answer:
        user_id = PEOPLE[person][0] if person in PEOPLE else person
        event: dict[str, Any] = {
            "type": "message",
            "channel": self.fake.dm_channel(user_id),
            "channel_type": "im",
            "user": user_id,
            "text": text,
            "ts": f"{1700000000 + next(self._ids)}.000100",
            "team": team,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        body = event_body(event, event_id=event_id or f"Ev{next(self._ids):08d}", team_id=TEAM)
        return await self.post(body)

    async def post_event(self, event: dict[str, Any]) -> Answer:
        return await self.post(event_body(event, event_id=f"Ev{next(self._ids):08d}", team_id=TEAM))

    def dm_messages(self, person: str) -> list[dict[str, Any]]:
        return self.fake.messages(PEOPLE[person][0] if person in PEOPLE else person)

    async def press(self, person: str, label: str, message: dict[str, Any], *, channel: str | None = None) -> Answer:
        """Press the button labelled `label` on a message in the person's DM."""
        user_id = PEOPLE[person][0]
        button = find_button(message.get("blocks"), label)
        channel = channel or self.fake.dm_channel(user_id)
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "team_id": TEAM, "username": person},
            "api_app_id": "A0PLANBOT",
            "team": {"id": TEAM, "domain": "planbot"},
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
            "trigger_id": new_trigger_id(),
            "channel": {"id": channel, "name": "directmessage"},
            "message": {"type": "message", "ts": message["ts"], "text": message.get("text", ""), "blocks": message.get("blocks")},
            "response_url": self.fake.response_url(f"press{next(self._ids)}"),
            "actions": [{**button, "block_id": "b", "action_ts": "1700000000.1"}],
        }
        return await self.post(interaction_body(payload))

    async def submit(self, person: str, view_id: str, values: dict[str, str]) -> Answer:
        """Submit the modal `view_id` (as it stands in the fake) with `values` by field name."""
        user_id = PEOPLE[person][0]
        view = self.fake.view(view_id)
        assert view is not None, f"no view {view_id}"
        state: dict[str, Any] = {}
        for block in view["view"]["blocks"] if "view" in view else view["blocks"]:
            if block.get("type") != "input":
                continue
            element = block["element"]
            value = values.get(block["block_id"], "")
            if element["type"] == "static_select":
                chosen = next((o for o in element["options"] if o["value"] == value), None)
                state[block["block_id"]] = {"value": {"type": "static_select", "selected_option": chosen}}
            else:
                state[block["block_id"]] = {"value": {"type": element["type"], "value": value or None}}
        shown = view["view"] if "view" in view else view
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "planbot"},
            "user": {"id": user_id, "team_id": TEAM, "username": person},
            "api_app_id": "A0PLANBOT",
            "trigger_id": new_trigger_id(),
            "view": {**shown, "id": view_id, "state": {"values": state}, "team_id": TEAM, "app_id": "A0PLANBOT"},
        }
        return await self.post(interaction_body(payload))


def find_button(blocks: list[dict[str, Any]] | None, label: str) -> dict[str, Any]:
    for block in blocks or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return {"action_id": element["action_id"], "value": element.get("value"), "type": "button", "text": element["text"]}
    raise AssertionError(f"no button {label!r} in {texts_of(blocks)!r}")


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        e["text"]["text"]
        for b in message.get("blocks") or []
        if b.get("type") == "actions"
        for e in b.get("elements", [])
        if e.get("type") == "button"
    ]


def shown(message: dict[str, Any]) -> str:
    return texts_of(message.get("blocks")) or message.get("text", "")


@pytest.fixture
async def slack(fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> AsyncIterator[SlackWorld]:  # noqa: F811
    add_people(fake_slack)
    settings = slack_settings(fake_slack, plan_engine.url.render_as_string(hide_password=False), tmp_path / "exports")
    port = chat_port(settings, plan_engine)
    port.ports["slack"].pacer = Pacer(per_channel=0)  # type: ignore[attr-defined]  # pacing has tests of its own (test_fanout)
    bot = Planbot(plan_engine, clock, exports_dir=tmp_path / "exports", platforms=port.platforms, port=port)
    core = AsyncPlanbot(bot)
    app = build_app(core, platform_mounts(settings, core))
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield SlackWorld(fake_slack, client, core, plan_engine)
    finally:
        await client.close()


def parse_form(body: bytes) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(body.decode()))
