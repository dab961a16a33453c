"""The Teams web app (`bot.web.build_app` with Teams' mount) and the fake Bot
Connector, both on loopback, and Teams activities as a Teams client sends them.

People: the bundled plan's people, given Teams ids here as a plan file would:
cal and robin by their Entra object id (`aadObjectId`), alex by his Teams user
id (`29:...`); bea has none and is recognised by her plan email, which the
fake serves as her Teams profile.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.app import chat_port
from bot.config import Settings
from bot.core.async_boundary import AsyncPlanbot
from bot.core.clock import Clock
from bot.core.planbot import Planbot
from bot.teams.mount import mount_with
from bot.teams.port import TeamsPort
from bot.teams.sdk import Sdk
from bot.teams.setup import TeamsSetup
from bot.web import build_app
from storage.db import session_scope
from storage.models import Person
from tests.teams_fake.connector import CARD, FakeConnector, activity_problems, card_problems
from tests.teams_fake.loopback import LoopbackServer

TENANT = "72f988bf-0000-4000-8000-00000000000a"
BOT = {"id": "28:planbot-test", "name": "Planbot"}
AAD = {p: f"00000000-0000-4000-8000-{n:012d}" for n, p in enumerate(["alex", "bea", "cal", "dee", "robin", "nobody"], start=1)}
EMAILS = {p: f"{local}@example.org" for p, local in [("alex", "alex.example"), ("bea", "bea.sample"), ("cal", "cal.placeholder"), ("dee", "dee.demo"), ("robin", "robin.fictional")]}
PLAN_TEAMS = {"cal": AAD["cal"], "robin": AAD["robin"], "dee": AAD["dee"], "alex": "29:alex"}


def teams_user_id(person: str) -> str:
    return f"29:{person}"


def give_teams_ids(engine: Engine) -> None:
    """As if the plan file had `teams:` for cal, robin, dee (object ids) and alex (a Teams user id)."""
    with session_scope(engine) as session:
        for person in session.exec(select(Person)):
            if person.id in PLAN_TEAMS:
                person.teams = PLAN_TEAMS[person.id]
                session.add(person)


def anonymous_settings(service_url: str, **extra: Any) -> Settings:
    return Settings(planbot_teams_anonymous=True, teams_service_url=service_url, teams_tenant_id=TENANT, **extra)


def credential_settings(**extra: Any) -> Settings:
    return Settings(
        teams_app_id="11111111-2222-3333-4444-555555555555",
        teams_app_password=SecretStr("not-a-real-secret"),
        teams_tenant_id=TENANT,
        **extra,
    )


@dataclass
class TeamsWorld:
    """The bot's web app and the fake connector, running; `post` sends an activity."""

    engine: Engine
    clock: Clock
    exports: Path
    settings: Settings | None = None
    sdk: Sdk | None = None
    fake: FakeConnector = field(default_factory=FakeConnector)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def start(self) -> TeamsWorld:
        self.fake_server = LoopbackServer(self.fake.app).start()
        for person in ("alex", "bea", "cal", "dee", "robin"):
            self.fake.profiles[teams_user_id(person)] = {
                "id": teams_user_id(person),
                "aadObjectId": AAD[person],
                "email": EMAILS[person],
                "name": person.title(),
            }
        self.settings = self.settings or anonymous_settings(self.fake_server.url + "/")
        self.sdk = self.sdk or Sdk.build(TeamsSetup.from_settings(self.settings), backoff=0.01)
        self.port = TeamsPort(self.sdk, self.engine)
        self._start_bot()
        self.http = httpx.Client(timeout=30)
        return self

    def _start_bot(self) -> None:
        routing = chat_port(self.settings, self.engine, ports={"teams": self.port})
        bot = Planbot(self.engine, self.clock, exports_dir=self.exports, platforms=routing.platforms, port=routing)
        self.core = AsyncPlanbot(bot)
        self.bot_server = LoopbackServer(build_app(self.core, [("teams", mount_with(self.sdk, self.core))])).start()

    def restart(self) -> None:
        self.bot_server.stop()
        self.port = TeamsPort(self.sdk, self.engine)
        self._start_bot()

    def stop(self) -> None:
        self.http.close()
        self.bot_server.stop()
        self.fake_server.stop()

    # --- activities ------------------------------------------------------------------
    @property
    def service_url(self) -> str:
        return self.fake_server.url + "/"

    def conversation(self, person: str, kind: str = "personal") -> dict[str, Any]:
        if kind == "personal":
            return {"id": FakeConnector.personal_id(teams_user_id(person)), "conversationType": "personal", "tenantId": TENANT}
        return {"id": f"19:{kind}-chat@thread.v2", "conversationType": kind, "tenantId": TENANT, "isGroup": True}

    def activity(self, person: str, kind: str = "personal", **fields: Any) -> dict[str, Any]:
        return {
            "type": "message",
            "id": f"act-{uuid.uuid4().hex[:12]}",
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": {"id": teams_user_id(person), "aadObjectId": AAD[person], "name": person.title()},
            "recipient": BOT,
            "conversation": self.conversation(person, kind),
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-GB",
            **fields,
        }

    def message(self, person: str, text: str, kind: str = "personal", *, expect_replies: bool = True, mention: bool = False, **fields: Any) -> dict[str, Any]:
        activity = self.activity(person, kind, text=text, textFormat="plain", **fields)
        if mention:
            activity["text"] = f"<at>Planbot</at> {text}"
            activity["entities"] = [{"type": "mention", "text": "<at>Planbot</at>", "mentioned": BOT}]
        if expect_replies:
            activity["deliveryMode"] = "expectReplies"
        return activity

    def action(self, person: str, verb: str, data: dict[str, Any], kind: str = "personal", reply_to: str | None = None) -> dict[str, Any]:
        activity = self.activity(person, kind, name="adaptiveCard/action", value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"})
        activity["type"] = "invoke"
        if reply_to:
            activity["replyToId"] = reply_to
        return activity

    def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(self.bot_server.url + "/api/messages", json=activity, headers=headers or {})

    def say(self, person: str, text: str, kind: str = "personal", **options: Any) -> list[dict[str, Any]]:
        """A message in expect-replies mode: the bot's answers, from the HTTP response
        (each checked as the fake connector checks what is posted to it)."""
        response = self.post(self.message(person, text, kind, **options))
        assert response.status_code == 200, response.text
        answers = [a for a in response.json().get("activities", []) if a.get("type") == "message"]
        check_answers(answers)
        return answers


def check_answers(answers: list[dict[str, Any]]) -> None:
    """Answers returned in an HTTP response meet the rules posted messages meet."""
    for answer in answers:
        problems = activity_problems(answer, json.dumps(answer).encode("utf-8"))
        assert problems == [], problems


def check_invoke_card(body: Any) -> None:
    """An invoke answer that replaces the card: a valid Adaptive Card 1.5."""
    if isinstance(body, dict) and body.get("type") == CARD:
        assert card_problems(body.get("value")) == []


def text_of(activity: dict[str, Any]) -> str:
    """What a person reads in a message: its text, or every TextRun and input label of its cards."""
    parts = [activity.get("text") or ""]
    for attachment in activity.get("attachments") or []:
        parts.extend(card_texts(attachment.get("content")))
    return "\n".join(p for p in parts if p)


def card_texts(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "TextRun":
            out.append(node.get("text", ""))
        if node.get("type", "").startswith("Input.") and node.get("label"):
            out.append(node["label"])
        if node.get("type") == "Action.Execute":
            out.append(f"[{node.get('title')}]")
        for key, value in node.items():
            if key != "text":
                out.extend(card_texts(value))
    elif isinstance(node, list):
        for item in node:
            out.extend(card_texts(item))
    return out


def buttons(activity: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(activity.get("attachments") or [])
    return found


def inputs(card: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found
