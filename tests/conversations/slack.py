"""Slack's driver: the shared scenarios as Slack delivers them, against the fake Slack.

The bot is the application `planbot serve` builds (`build_app` with Slack's mount),
served on loopback from a thread of its own; the driver sends it what Slack would,
signed: a message in the DM is an Events API callback; a line starting with a slash
is a slash command typed in the DM (as Slack's client runs it); a button is a
`block_actions` payload built from the button as the fake holds it; a form is a
`view_submission` of the modal as the bot last drew it. What a person sees after
each request is read back from the fake: new DM messages, messages edited in
place, private answers (the acknowledgement and the response_url), and modals.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import threading
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.app import chat_port, platform_mounts
from bot.config import Settings
from bot.core.async_boundary import AsyncPlanbot
from bot.core.clock import Clock
from bot.core.planbot import Planbot
from bot.slack.port import Pacer
from bot.slack.syntax import SLACK
from bot.slack.web import slack_runtime
from bot.web import build_app
from schedules.reconcile import Reconciler
from storage.db import make_engine, session_scope
from storage.models import Send
from tests.conversations.driver import Seen
from tests.slack_fake import FakeSlack, event_body, interaction_body, iter_blocks_text, new_trigger_id, signed_headers, slash_command_body

SECRET = "conversation-suite-secret"
TEAM = "T0PLAN"
PEOPLE = {
    "alex": ("UALEX", "alex.example@example.org"),
    "bea": ("UBEA", "bea.sample@example.org"),
    "cal": ("UCAL", "cal.placeholder@example.org"),
    "dee": ("UDEE", "dee.demo@example.org"),
    "robin": ("UROBIN", "robin.fictional@example.org"),
}
STRANGER = "USTRANGER"
_BOLD = re.compile(r"\*([^*\n]+)\*")


def readable(text: str) -> str:
    """Slack's mrkdwn as a person reads it: entities as characters, bold without its stars."""
    return html.unescape(_BOLD.sub(r"\1", text))


def message_text(message: dict[str, Any]) -> str:
    blocks = message.get("blocks") or []
    return readable("\n".join(iter_blocks_text(blocks)) if blocks else str(message.get("text") or ""))


def message_buttons(blocks: list[dict[str, Any]] | None) -> list[str]:
    return [
        e["text"]["text"]
        for b in blocks or []
        if b.get("type") == "actions"
        for e in b.get("elements", [])
        if e.get("type") == "button"
    ]


def view_seen(view: dict[str, Any], errors: dict[str, str] | None = None) -> Seen:
    fields = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]
    text = readable("\n".join(iter_blocks_text(view.get("blocks") or [])))
    if errors:
        text = "\n".join([text, *errors.values()])
    return Seen(text, form_fields=fields, errors=dict(errors or {}), handle={"view_id": view["id"]})


class _Server:
    """The web application in a thread with its own event loop, on a free loopback port."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner = web.AppRunner(app, access_log=None)
        self.port = self.run(self._start())

    async def _start(self) -> int:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return int(self.runner.addresses[0][1])

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def settle(self) -> None:
        self.run(slack_runtime(self.app).settle())

    def stop(self) -> None:
        self.run(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


class SlackDriver:
    name = "slack"

    def __init__(self, engine: Engine, clock: Clock, exports: Path, fake: FakeSlack) -> None:
        self.url = engine.url.render_as_string(hide_password=False)
        self.clock = clock
        self.exports = exports
        self.fake = fake
        self.ids = itertools.count(1)
        self.last: tuple[bytes, dict[str, str]] | None = None
        self.http = httpx.Client(timeout=30)
        self._said: dict[str, dict[str, Any]] = {}
        """The last message each user wrote, as Slack holds it (for an edit of it)."""
        for user_id, email in PEOPLE.values():
            fake.add_user(user_id, email=email)
        fake.add_user(STRANGER, email="someone@elsewhere.example")
        self._start()

    def _start(self) -> None:
        self.engine = make_engine(self.url)
        settings = Settings(
            database_url=self.url,
            slack_bot_token=SecretStr(self.fake.bot_token),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=self.fake.url,
            planbot_exports_dir=self.exports,
        )
        self.port = chat_port(settings, self.engine)
        self.port.ports["slack"].pacer = Pacer(per_channel=0)  # type: ignore[attr-defined]  # pacing has tests of its own
        bot = Planbot(self.engine, self.clock, exports_dir=self.exports, platforms=self.port.platforms, port=self.port)
        self.core = AsyncPlanbot(bot)
        self.server = _Server(build_app(self.core, platform_mounts(settings, self.core)))

    def close(self) -> None:
        self.server.stop()
        self.http.close()
        self.engine.dispose()

    def restart(self) -> None:
        self.server.stop()
        self.engine.dispose()
        self._start()

    # ---------------------------------------------------------------- what a person sees

    def typed(self, command: str) -> str:
        return SLACK.typed(command)

    def run_job(self, job: str) -> None:
        Reconciler(self.engine, self.port, self.clock, by="slack-driver").run(job)

    def inbox(self, person: str) -> list[Seen]:
        user_id = PEOPLE[person][0]
        with session_scope(self.engine) as session:
            query = select(Send.message_id).where(Send.person_id == person, Send.platform == "slack").order_by(col(Send.sent_at))
            sent = [ts for ts in session.exec(query) if ts]
        by_ts = {m["ts"]: m for m in self.fake.messages(user_id)}
        return [self._message_seen(by_ts[ts]) for ts in sent if ts in by_ts]

    def _message_seen(self, message: dict[str, Any]) -> Seen:
        return Seen(message_text(message), buttons=message_buttons(message.get("blocks")), handle={"message": message})

    def _snapshot(self, user_id: str) -> dict[str, Any]:
        return {
            "messages": {m["ts"]: json.dumps(m, sort_keys=True) for m in self.fake.messages(user_id)},
            "views": len(self.fake.views),
        }

    def _post(self, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        headers = headers or signed_headers(SECRET, body)
        self.last = (body, headers)
        answer = self.http.post(f"http://127.0.0.1:{self.server.port}/slack/events", content=body, headers=headers)
        self.server.settle()
        try:
            return answer.status_code, answer.json() if answer.content else None
        except ValueError:
            return answer.status_code, None

    def _exchange(self, user_id: str, body: bytes, *, headers: dict[str, str] | None = None, responses: str | None = None) -> list[Seen]:
        """Send one request; everything the person sees because of it, in order."""
        before = self._snapshot(user_id)
        status, ack = self._post(body, headers)
        assert status == 200, f"the bot answered {status}"
        seen: list[Seen] = []
        if isinstance(ack, dict) and ack.get("response_action") == "errors":
            view = self.fake.view(self._last_view_id)
            assert view is not None
            seen.append(view_seen(view, ack.get("errors")))
        elif isinstance(ack, dict) and (ack.get("text") or ack.get("blocks")):
            seen.append(Seen(message_text(ack), buttons=message_buttons(ack.get("blocks")), handle={"ephemeral": ack}))
        if responses:
            for answer in self.fake.responses(responses):
                seen.append(Seen(message_text(answer), buttons=message_buttons(answer.get("blocks")), handle={"ephemeral": answer}))
        for message in self.fake.messages(user_id):
            was = before["messages"].get(message["ts"])
            if was is None:
                seen.append(self._message_seen(message))
            elif was != json.dumps(message, sort_keys=True):
                edited = self._message_seen(message)
                edited.text = "(updated)\n" + edited.text
                seen.append(edited)
        for view in self.fake.views[before["views"] :]:
            if view["method"] in ("views.open", "views.update", "views.push"):
                self._last_view_id = view["view_id"]
        if len(self.fake.views) > before["views"]:
            current = self.fake.view(self._last_view_id)
            if current is not None and any(b.get("type") == "input" for b in current.get("blocks", [])):
                seen.append(view_seen(current))
        return seen

    _last_view_id = ""

    # ---------------------------------------------------------------- what a person does

    def say(self, person: str, text: str, *, delivery_id: str | None = None, under: Seen | None = None) -> list[Seen]:
        user_id = PEOPLE[person][0]
        thread = str((under.handle or {})["message"]["ts"]) if under is not None else None
        return self._say(user_id, text, delivery_id=delivery_id, thread=thread)

    def edit_last(self, person: str, text: str) -> list[Seen]:
        """A `message_changed` event for the person's last message, as Slack sends when they edit it."""
        user_id = PEOPLE[person][0]
        before = self._said[user_id]
        channel = self.fake.dm_channel(user_id)
        message = {**before, "text": html.escape(text, quote=False), "edited": {"user": user_id, "ts": f"{1700000000 + next(self.ids)}.000900"}}
        event = {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": channel,
            "channel_type": "im",
            "message": message,
            "previous_message": before,
            "event_ts": message["edited"]["ts"],
            "ts": message["edited"]["ts"],
        }
        self._said[user_id] = message
        return self._exchange(user_id, event_body(event, event_id=f"Ev{next(self.ids):010d}", team_id=TEAM))

    def _say(self, user_id: str, text: str, *, delivery_id: str | None = None, thread: str | None = None) -> list[Seen]:
        channel = self.fake.dm_channel(user_id)
        if text.startswith("/"):
            command, _, args = text.partition(" ")
            name = f"r{next(self.ids)}"
            body = slash_command_body(
                command, args, user_id=user_id, team_id=TEAM, channel_id=channel, response_url=self.fake.response_url(name)
            )
            return self._exchange(user_id, body, responses=name)
        event = {
            "type": "message",
            "channel": channel,
            "channel_type": "im",
            "user": user_id,
            "text": html.escape(text, quote=False),
            "ts": f"{1700000000 + next(self.ids)}.000200",
            "team": TEAM,
        }
        if thread:
            event["thread_ts"] = thread
        self._said[user_id] = {k: v for k, v in event.items() if k in ("type", "user", "text", "ts", "team", "thread_ts")}
        body = event_body(event, event_id=delivery_id or f"Ev{next(self.ids):010d}", team_id=TEAM)
        return self._exchange(user_id, body)

    def press(self, person: str, label: str, *, on: Seen) -> list[Seen]:
        user_id = PEOPLE[person][0]
        handle = on.handle or {}
        message = handle.get("message") or handle.get("ephemeral")
        assert message is not None, f"no buttons on {on.text!r}"
        button = next(
            (
                e
                for b in message.get("blocks") or []
                if b.get("type") == "actions"
                for e in b.get("elements", [])
                if e.get("type") == "button" and e["text"]["text"] == label
            ),
            None,
        )
        assert button is not None, f"no button {label!r} on {on.text!r}"
        channel = self.fake.dm_channel(user_id)
        ephemeral = "ephemeral" in handle
        name = f"p{next(self.ids)}"
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "team_id": TEAM, "username": person},
            "api_app_id": "A0PLANBOT",
            "team": {"id": TEAM, "domain": "planbot"},
            "container": {"type": "message", "message_ts": message.get("ts", "1.1"), "channel_id": channel, "is_ephemeral": ephemeral},
            "trigger_id": new_trigger_id(),
            "channel": {"id": channel, "name": "directmessage"},
            "message": {"type": "message", "ts": message.get("ts", "1.1"), "text": message.get("text", ""), "blocks": message.get("blocks")},
            "response_url": self.fake.response_url(name),
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": "b",
                    "text": button["text"],
                    "value": button.get("value", ""),
                    "action_ts": "1700000000.000300",
                }
            ],
        }
        return self._exchange(user_id, interaction_body(payload), responses=name)

    def submit_form(self, person: str, values: dict[str, str], *, on: Seen) -> list[Seen]:
        user_id = PEOPLE[person][0]
        view_id = (on.handle or {}).get("view_id")
        assert view_id, f"no form on {on.text!r}"
        view = self.fake.view(view_id)
        assert view is not None
        self._last_view_id = view_id
        state: dict[str, Any] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element, value = block["element"], values.get(block["block_id"], "")
            if element["type"] == "static_select":
                option = next((o for o in element["options"] if o["value"] == value), None)
                if option is None and value:
                    option = {"text": {"type": "plain_text", "text": value}, "value": value}
                state[block["block_id"]] = {"value": {"type": "static_select", "selected_option": option}}
            else:
                state[block["block_id"]] = {"value": {"type": element["type"], "value": value or None}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "planbot"},
            "user": {"id": user_id, "team_id": TEAM, "username": person},
            "api_app_id": "A0PLANBOT",
            "trigger_id": new_trigger_id(),
            "view": {**view, "state": {"values": state}},
        }
        return self._exchange(user_id, interaction_body(payload))

    def replay(self) -> list[Seen]:
        assert self.last is not None
        body, headers = self.last
        user_id = _user_of(body)
        return self._exchange(user_id, body, headers=headers)

    def stranger_says(self, text: str) -> list[Seen]:
        return self._say(STRANGER, text)


def _user_of(body: bytes) -> str:
    """The user a recorded request came from (to read their DM after a replay)."""
    text = body.decode()
    if text.startswith("{"):
        return str(json.loads(text)["event"]["user"])
    from urllib.parse import parse_qs

    fields = parse_qs(text)
    if "payload" in fields:
        return str(json.loads(fields["payload"][0])["user"]["id"])
    return fields["user_id"][0]
