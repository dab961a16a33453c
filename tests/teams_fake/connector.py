"""The fake Bot Connector: what Teams' service URL answers to a bot.

It receives proactive sends, replies and card updates (`POST`/`PUT
/v3/conversations/...`), creates 1:1 conversations, serves member profiles and
file uploads, and checks every activity the bot posts: a message has text or
attachments, text is sent with `textFormat: plain`, the JSON fits Teams' ~28 KB,
and every Adaptive Card validates against the shipped Adaptive Cards 1.5 schema.
Anything wrong is answered 400 and kept in `problems`, which the tests assert
is empty. `fail(status, ...)` makes the next calls answer 403, 429, 502...
"""

from __future__ import annotations

import itertools
import os
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from aiohttp import web



def reference_dir() -> Path:
    """The Teams schemas the suite validates against: PLANBOT_TEAMS_REFERENCE, else the copies
    kept beside this file (with their licences), so a clone alone runs the suite."""
    configured = os.environ.get("PLANBOT_TEAMS_REFERENCE")
    folder = Path(configured) if configured else Path(__file__).resolve().parent / "reference"
    if not (folder / "adaptive-card-1.5.schema.json").is_file():
        raise FileNotFoundError(f"the Teams schemas are not in {folder}: set PLANBOT_TEAMS_REFERENCE")
    return folder


REFERENCE = reference_dir()
CARD = "application/vnd.microsoft.card.adaptive"
MAX_BYTES = 28 * 1024


def card_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((REFERENCE / "adaptive-card-1.5.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


_VALIDATOR: jsonschema.protocols.Validator | None = None


def card_problems(card: Any) -> list[str]:
    """Why `card` is not a valid Adaptive Card 1.5 (empty when it is)."""
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = card_validator()
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _VALIDATOR.iter_errors(card)]
    if isinstance(card, dict) and card.get("version") != "1.5":
        problems.append(f"version {card.get('version')!r}, not 1.5")
    return problems


def activity_problems(activity: Any, raw: bytes) -> list[str]:
    if not isinstance(activity, dict):
        return ["not a JSON object"]
    problems = []
    if len(raw) > MAX_BYTES:
        problems.append(f"{len(raw)} bytes: over Teams' message limit")
    if activity.get("type") != "message":
        problems.append(f"type {activity.get('type')!r}")
    attachments = activity.get("attachments") or []
    if not activity.get("text") and not attachments:
        problems.append("neither text nor attachments")
    if activity.get("text") and activity.get("textFormat") != "plain":
        problems.append(f"text sent as {activity.get('textFormat')!r}, not plain")
    for attachment in attachments:
        if attachment.get("contentType") == CARD:
            problems += [f"card: {p}" for p in card_problems(attachment.get("content"))]
            if activity.get("text"):
                problems.append("a card sent with text beside it")
    return problems


@dataclass
class Posted:
    """One message as Teams holds it (updates replace `activity`)."""

    id: str
    conversation: str
    activity: dict[str, Any]
    versions: list[dict[str, Any]] = field(default_factory=list)
    reply_to: str | None = None


@dataclass
class Failure:
    status: int
    times: int
    retry_after: float | None
    method: str | None
    path_contains: str | None


class FakeConnector:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: dict[str, Posted] = {}
        self.order: list[str] = []
        self.created: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.profiles: dict[str, dict[str, Any]] = {}
        self.not_installed: set[str] = set()
        self.uploads: dict[str, bytes] = {}
        self.auth_headers: list[str | None] = []
        self._failures: list[Failure] = []
        self._ids = itertools.count(1)
        self.app = web.Application(client_max_size=4 * MAX_BYTES)
        self.app.router.add_post("/v3/conversations", self._create)
        self.app.router.add_post("/v3/conversations/{conv}/activities", self._send)
        self.app.router.add_post("/v3/conversations/{conv}/activities/{id}", self._send)
        self.app.router.add_put("/v3/conversations/{conv}/activities/{id}", self._update)
        self.app.router.add_get("/v3/conversations/{conv}/members/{member}", self._member)
        self.app.router.add_put("/upload/{name}", self._upload)
        self.app.middlewares.append(self._inject)

    # --- what tests set and read ---------------------------------------------------
    def fail(self, status: int, *, times: int = 1, retry_after: float | None = None, method: str | None = None, path_contains: str | None = None) -> None:
        with self.lock:
            self._failures.append(Failure(status, times, retry_after, method, path_contains))

    def in_conversation(self, conversation: str) -> list[Posted]:
        with self.lock:
            return [self.messages[i] for i in self.order if self.messages[i].conversation == conversation]

    def all(self) -> list[Posted]:
        with self.lock:
            return [self.messages[i] for i in self.order]

    @staticmethod
    def personal_id(user_id: str) -> str:
        return f"a:personal-{user_id}"

    # --- the routes ----------------------------------------------------------------
    @web.middleware
    async def _inject(self, request: web.Request, handler: Any) -> web.StreamResponse:
        with self.lock:
            self.requests.append((request.method, request.path))
            self.auth_headers.append(request.headers.get("Authorization"))
            for failure in self._failures:
                if failure.times > 0 and (failure.method in (None, request.method)) and (
                    failure.path_contains is None or failure.path_contains in request.path
                ):
                    failure.times -= 1
                    headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after is not None else {}
                    return web.json_response({"error": {"code": str(failure.status)}}, status=failure.status, headers=headers)
        return await handler(request)

    async def _json(self, request: web.Request) -> tuple[Any, bytes]:
        raw = await request.read()
        try:
            return json.loads(raw), raw
        except ValueError:
            return None, raw

    async def _create(self, request: web.Request) -> web.Response:
        body, _ = await self._json(request)
        members = (body or {}).get("members") or []
        if not isinstance(body, dict) or len(members) != 1 or not members[0].get("id") or not body.get("tenantId"):
            with self.lock:
                self.problems.append(f"create conversation without one member and a tenant: {body}")
            return web.json_response({"error": "bad request"}, status=400)
        user = members[0]["id"]
        user = next((p["id"] for p in self.profiles.values() if p.get("aadObjectId") == user), user)  # one chat per person
        if user in self.not_installed:
            return web.json_response({"error": {"code": "Forbidden", "message": "bot not installed"}}, status=403)
        with self.lock:
            self.created.append(body)
        return web.json_response({"id": self.personal_id(user)}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        body, raw = await self._json(request)
        problems = activity_problems(body, raw)
        conversation = request.match_info["conv"]
        with self.lock:
            if problems:
                self.problems += [f"POST {request.path}: {p}" for p in problems]
                return web.json_response({"error": problems}, status=400)
            message_id = f"msg-{next(self._ids)}"
            self.messages[message_id] = Posted(message_id, conversation, body, [body], request.match_info.get("id"))
            self.order.append(message_id)
        return web.json_response({"id": message_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        body, raw = await self._json(request)
        problems = activity_problems(body, raw)
        message_id = request.match_info["id"]
        with self.lock:
            posted = self.messages.get(message_id)
            if posted is None or posted.conversation != request.match_info["conv"]:
                return web.json_response({"error": "no such message"}, status=404)
            if problems:
                self.problems += [f"PUT {request.path}: {p}" for p in problems]
                return web.json_response({"error": problems}, status=400)
            posted.activity = body
            posted.versions.append(body)
        return web.json_response({"id": message_id})

    async def _member(self, request: web.Request) -> web.Response:
        profile = self.profiles.get(request.match_info["member"])
        if profile is None:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(profile)

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        with self.lock:
            self.uploads[request.match_info["name"]] = data
        return web.json_response({"id": "file"}, status=201)
