"""FakeSlack: Slack's Web API, response URLs, file upload URLs and Socket Mode, served over
real HTTP on loopback from a background thread, recording everything and every protocol
violation it sees (`FakeSlack.problems`).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import math
import secrets
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from tests.slack_fake.blockkit import message_problems, view_problems
from tests.slack_fake.spec import FORM, JSON, MethodSpec, method_spec

TRIGGER_LIFETIME = 3.0
RESPONSE_URL_USES = 5
# Calls arriving this soon after a 429 were already in flight: answered 429, not a problem.
RETRY_AFTER_GRACE = 0.25
RATE_TOLERANCE = 0.02


@dataclass
class Call:
    """One Web API call as the fake received and answered it."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int = 200
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.response is None else self.response.get("error")


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int | None
    error: str | None


@dataclass
class _User:
    id: str
    team_id: str
    email: str | None
    real_name: str | None
    deleted: bool
    is_bot: bool

    def as_slack(self) -> dict[str, Any]:
        name = (self.email or self.id).split("@")[0].lower()
        real = self.real_name or name
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": name,
            "deleted": self.deleted,
            "real_name": real,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "is_admin": False,
            "profile": {
                "real_name": real,
                "display_name": real.split(" ")[0],
                "email": self.email,
                "team": self.team_id,
            },
        }


class _ApiError(Exception):
    """Answer the call with ``{"ok": false, "error": error}``; a problem too when ``problem``."""

    def __init__(self, error: str, problem: str | None = None, status: int = 200) -> None:
        super().__init__(error)
        self.error = error
        self.problem = problem
        self.status = status


class FakeSlack:
    """A fake Slack workspace. See the package docstring for the interface."""

    def __init__(
        self,
        *,
        team_id: str = "T0PLAN",
        bot_user_id: str = "UPLANBOT",
        bot_token: str = "xoxb-test",
        app_token: str = "xapp-test",
        bot_id: str = "B0PLANBOT",
        app_id: str = "A0PLANBOT",
        post_interval_per_channel: float | None = None,
        workspace_rate_per_minute: float | None = None,
        method_rate_per_minute: dict[str, float] | None = None,
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_token = bot_token
        self.app_token = app_token
        self.bot_id = bot_id
        self.app_id = app_id
        self._defaults = (post_interval_per_channel, workspace_rate_per_minute, dict(method_rate_per_minute or {}))
        self.post_interval_per_channel = post_interval_per_channel
        self.workspace_rate_per_minute = workspace_rate_per_minute
        self.method_rate_per_minute: dict[str, float] = dict(method_rate_per_minute or {})
        # A call this much early for its slot still passes: a client pacing itself by its
        # own clock arrives a little early or late, and Slack's limits are not that exact.
        self.rate_tolerance = RATE_TOLERANCE
        self._lock = threading.RLock()
        self._users: dict[str, _User] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._clear()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        """Serve on 127.0.0.1 on a free port from a background thread with its own loop."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-slack", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise RuntimeError("the fake Slack did not start") from errors[0]
        return self

    def stop(self) -> None:
        """Close connections and the server, and end the thread."""
        if self._thread is None or self._loop is None:
            return
        loop = self._loop
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _serve(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._port}/"

    @property
    def url(self) -> str:
        """The Web API's base URL (what SLACK_API_URL is set to); slack_sdk appends the method."""
        return f"{self.base}api/"

    # ------------------------------------------------------------------ state

    def _clear(self) -> None:
        self._calls: list[Call] = []
        self._problems: list[str] = []
        self._messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._ephemerals: list[dict[str, Any]] = []
        self._responses: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._views: list[dict[str, Any]] = []
        self._open_views: dict[str, dict[str, Any]] = {}
        self._homes: dict[str, dict[str, Any]] = {}
        self._uploads: list[dict[str, Any]] = []
        self._pending_files: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, list[_Failure]] = defaultdict(list)
        self._last_post: dict[str, float] = {}
        self._next_slot: dict[str, float] = {}
        self._blocked: dict[tuple[str, str], tuple[float, float, int]] = {}
        self._used_triggers: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = getattr(self, "_sockets", [])
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._socket_log: list[dict[str, Any]] = []

    def reset(self, *, users: bool = False) -> None:
        """Forget calls, messages, views, uploads, responses, failures and problems, and put
        the rate limits back as constructed. Users and channels stay unless ``users=True``."""
        with self._lock:
            self._clear()
            interval, rate, per_method = self._defaults
            self.post_interval_per_channel = interval
            self.workspace_rate_per_minute = rate
            self.method_rate_per_minute = dict(per_method)
            if users:
                self._users.clear()
                self._channels.clear()

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        real_name: str | None = None,
        deleted: bool = False,
        team_id: str | None = None,
        is_bot: bool = False,
    ) -> dict[str, Any]:
        """A workspace member (or, with another ``team_id``, a Slack Connect guest)."""
        user = _User(user_id, team_id or self.team_id, email, real_name, deleted, is_bot)
        with self._lock:
            self._users[user_id] = user
        return user.as_slack()

    def add_channel(self, channel_id: str, *, name: str | None = None, is_member: bool = True) -> None:
        """A public (C...) or private (G...) channel; the bot can post only where it is a member."""
        with self._lock:
            self._channels[channel_id] = {"id": channel_id, "name": name or channel_id.lower(), "is_member": is_member}

    def dm_channel(self, user_id: str) -> str:
        """The DM channel id between the bot and ``user_id``: stable per user, across resets."""
        return "D" + hashlib.sha1(user_id.encode()).hexdigest()[:10].upper()

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    @property
    def problems(self) -> list[str]:
        with self._lock:
            return list(self._problems)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages as they stand now (edits applied), oldest first; a user id
        means that user's DM."""
        if channel[:1] in ("U", "W"):
            channel = self.dm_channel(channel)
        with self._lock:
            return [json.loads(json.dumps(m)) for m in self._messages.get(channel, [])]

    @property
    def ephemerals(self) -> list[dict[str, Any]]:
        """Messages sent with chat.postEphemeral: {"channel", "user", "text", "blocks", "thread_ts"}."""
        with self._lock:
            return list(self._ephemerals)

    def response_url(self, name: str) -> str:
        """A response_url on the fake; what is POSTed to it is kept under ``name``."""
        return f"{self.base}response/{name}"

    def responses(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._responses.get(name, []))

    @property
    def views(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._views)

    def home(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._homes.get(user_id)

    def view(self, view_id: str) -> dict[str, Any] | None:
        """The modal ``view_id`` as it stands now (the last views.open/update/push)."""
        with self._lock:
            found = self._open_views.get(view_id)
            return None if found is None else dict(found)

    @property
    def uploads(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._uploads)

    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        error: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with ``status`` (429 with Retry-After,
        500, 503...) or, when ``status`` is 200, with ``{"ok": false, "error": error}``."""
        if status == 200 and not error:
            raise ValueError("a 200 failure needs the error Slack would name")
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._failures[method].append(_Failure(status, times, retry_after, error))

    def take_problems(self) -> list[str]:
        """The problems so far, forgetting them (for tests that provoke one on purpose)."""
        with self._lock:
            taken, self._problems = self._problems, []
            return taken

    def problem(self, text: str) -> None:
        """Record a protocol violation (also used by the request checks)."""
        with self._lock:
            self._problems.append(text)

    def wait_until(self, condition: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Poll ``condition`` until it is truthy (returned) or ``timeout`` passes (AssertionError)."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up after {timeout} s waiting for the fake Slack")
            time.sleep(0.005)

    async def await_until(self, condition: Callable[[], Any], timeout: float = 5.0) -> Any:
        """`wait_until` for async tests: yields to their event loop while waiting."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up after {timeout} s waiting for the fake Slack")
            await asyncio.sleep(0.005)

    # ------------------------------------------------------------------ Web API

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        at = time.monotonic()
        body = await request.read()
        headers = dict(request.headers)
        args, content_type, parse_problem = _parse_args(request, body)
        call = Call(method, dict(args), headers, at)
        with self._lock:
            self._calls.append(call)
        try:
            if parse_problem:
                raise _ApiError("invalid_arguments", f"{method}: {parse_problem}")
            spec = method_spec(method)
            if method == "files.upload":
                raise _ApiError("method_deprecated", "files.upload is retired: use files.getUploadURLExternal")
            if spec is None:
                raise _ApiError("unknown_method", f"{method}: Slack has no such method")
            self._check_token(method, args, headers, request)
            call.args.pop("token", None)
            args.pop("token", None)
            failure = self._take_failure(method)
            if failure is not None:
                return self._answer_failure(call, failure)
            limited = self._rate_limit(method, args, at)
            if limited is not None:
                return self._answer(call, {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(limited)})
            self._check_arguments(spec, args, content_type)
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                raise _ApiError("unknown_method", f"{method}: not simulated by the fake Slack (add it)")
            with self._lock:
                result = handler(args)
            return self._answer(call, {"ok": True, **result})
        except _ApiError as exc:
            if exc.problem:
                self.problem(exc.problem)
            return self._answer(call, {"ok": False, "error": exc.error}, exc.status)

    def _answer(
        self, call: Call, payload: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
    ) -> web.Response:
        call.status = status
        call.response = payload
        return web.json_response(payload, status=status, headers=headers)

    def _check_token(self, method: str, args: dict[str, Any], headers: dict[str, str], request: web.Request) -> None:
        auth = headers.get("Authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else None
        if token is None:
            token = args.get("token")
            if token is not None and "token" in request.query:
                self.problem(f"{method}: token sent in the query string (Slack refuses that for new apps)")
        if not token:
            raise _ApiError("not_authed", f"{method}: no token")
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if token == wanted:
            return
        if token in (self.app_token, self.bot_token):
            raise _ApiError("not_allowed_token_type", f"{method}: called with the wrong kind of token")
        raise _ApiError("invalid_auth", f"{method}: invalid token")

    def _check_arguments(self, spec: MethodSpec, args: dict[str, Any], content_type: str) -> None:
        if content_type == JSON and JSON not in spec.consumes:
            raise _ApiError("invalid_arguments", f"{spec.name}: sent as JSON, but the method takes form fields only")
        # slack_sdk adds team_id to every call of a client made with one (bolt's per-request client).
        unknown = sorted(set(args) - spec.known - {"team_id"})
        if unknown:
            self.problem(f"{spec.name}: unknown argument(s) {', '.join(unknown)}")
        missing = sorted(name for name in spec.required if args.get(name) in (None, ""))
        if missing:
            error = {"channel": "channel_not_found", "ts": "message_not_found"}.get(missing[0], "invalid_arguments")
            raise _ApiError(error, f"{spec.name}: missing required argument(s) {', '.join(missing)}")

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            queue = self._failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    def _answer_failure(self, call: Call, failure: _Failure) -> web.Response:
        if failure.status == 429:
            retry = int(failure.retry_after or 1)
            with self._lock:
                self._blocked[(call.method, "*")] = (call.at, call.at + retry, retry)
            return self._answer(call, {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(retry)})
        if failure.status == 200:
            return self._answer(call, {"ok": False, "error": failure.error})
        return self._answer(call, {"ok": False, "error": failure.error or "fatal_error"}, failure.status)

    # ------------------------------------------------------------------ rate limits

    def _rate_limit(self, method: str, args: dict[str, Any], at: float) -> int | None:
        """Retry-After seconds when this call is over a configured limit, else None (and the
        call takes its slot)."""
        with self._lock:
            keys: list[tuple[str, str]] = [(method, "*")]
            channel = None
            if method == "chat.postMessage" and isinstance(args.get("channel"), str):
                channel = self._resolve_channel(args["channel"])
                keys.append((method, channel))
            for key in keys:
                blocked = self._blocked.get(key)
                if blocked and at < blocked[1]:
                    since, until, retry = blocked
                    if at - since > RETRY_AFTER_GRACE:
                        self._problems.append(
                            f"{method}: called {at - since:.2f} s after a 429 with Retry-After: {retry}"
                            + (f" (channel {key[1]})" if key[1] != "*" else "")
                        )
                    return max(1, math.ceil(until - at))
            waits: list[tuple[tuple[str, str], float]] = []
            rate = self.method_rate_per_minute.get(method)
            if rate is None and method == "chat.postMessage":
                rate = self.workspace_rate_per_minute
            tolerance = self.rate_tolerance
            if rate:
                slot = self._next_slot.get(method, 0.0)
                if at < slot - tolerance:
                    waits.append(((method, "*"), slot - at))
            if channel is not None and self.post_interval_per_channel:
                last = self._last_post.get(channel)
                if last is not None and at - last < self.post_interval_per_channel - tolerance:
                    waits.append(((method, channel), self.post_interval_per_channel - (at - last)))
            if waits:
                key, wait = max(waits, key=lambda w: w[1])
                retry = max(1, math.ceil(wait))
                self._blocked[key] = (at, at + retry, retry)
                return retry
            if rate:
                self._next_slot[method] = max(self._next_slot.get(method, 0.0), at) + 60.0 / rate
            if channel is not None:
                self._last_post[channel] = at
            return None

    def rate_report(self, method: str = "chat.postMessage") -> dict[str, Any]:
        """How a fan-out of ``method`` went against the configured limits: accepted calls,
        429s, first/last accepted time, the limits' minimum time for the same calls, and
        their ratio (1.0 is as fast as the limits allow)."""
        calls = [c for c in self.calls_to(method)]
        accepted = [c for c in calls if c.ok]
        limited = [c for c in calls if c.status == 429]
        report: dict[str, Any] = {"accepted": len(accepted), "rate_limited": len(limited)}
        if not accepted:
            return report
        elapsed = accepted[-1].at - accepted[0].at
        floor = 0.0
        rate = self.method_rate_per_minute.get(method)
        if rate is None and method == "chat.postMessage":
            rate = self.workspace_rate_per_minute
        if rate:
            floor = (len(accepted) - 1) * 60.0 / rate
        if method == "chat.postMessage" and self.post_interval_per_channel:
            per_channel: dict[str, int] = defaultdict(int)
            for c in accepted:
                per_channel[str(c.response.get("channel") if c.response else "")] += 1
            floor = max(floor, (max(per_channel.values()) - 1) * self.post_interval_per_channel)
        report.update(
            first=accepted[0].at,
            last=accepted[-1].at,
            elapsed=elapsed,
            floor=floor,
            ratio=(elapsed / floor) if floor else None,
        )
        return report

    # ------------------------------------------------------------------ methods

    def _new_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _resolve_channel(self, channel: str) -> str:
        return self.dm_channel(channel) if channel[:1] in ("U", "W") else channel

    def _user(self, user_id: Any) -> _User:
        user = self._users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            raise _ApiError("user_not_found")
        return user

    def _dm_user(self, channel: str) -> _User | None:
        for user in self._users.values():
            if self.dm_channel(user.id) == channel:
                return user
        return None

    def _postable_channel(self, channel: str) -> str:
        """The channel id a post to ``channel`` lands in, or the error Slack gives."""
        if channel[:1] in ("U", "W"):
            if channel not in self._users:
                raise _ApiError("channel_not_found")
            return self.dm_channel(channel)
        if channel[:1] == "D":
            if self._dm_user(channel) is None:
                raise _ApiError("channel_not_found")
            return channel
        known = self._channels.get(channel)
        if known is None:
            raise _ApiError("channel_not_found")
        if not known["is_member"]:
            raise _ApiError("not_in_channel")
        return channel

    def _check_message(self, method: str, args: dict[str, Any], *, require_text: bool = True) -> None:
        if args.get("blocks") is None and not args.get("text") and not args.get("attachments"):
            if method != "chat.update":
                raise _ApiError("no_text", f"{method}: neither text nor blocks")
        problems = message_problems(args, require_text=require_text)
        if problems:
            error = "msg_too_long" if any("msg_too_long" in p for p in problems) else "invalid_blocks"
            for p in problems:
                self._problems.append(f"{method}: {p}")
            if not all(p.startswith("blocks without a text fallback") for p in problems):
                raise _ApiError(error)

    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://planbot-test.slack.com/",
            "team": "Planbot test",
            "user": "planbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable_channel(str(args["channel"]))
        self._check_message("chat.postMessage", args)
        thread_ts = args.get("thread_ts")
        if thread_ts and not any(m["ts"] == thread_ts for m in self._messages[channel]):
            raise _ApiError("thread_not_found")
        message = {
            "type": "message",
            "ts": self._new_ts(),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": args.get("text") or "",
            "blocks": args.get("blocks"),
            "thread_ts": thread_ts,
            "metadata": args.get("metadata"),
            "unfurl_links": _flag(args.get("unfurl_links")),
            "unfurl_media": _flag(args.get("unfurl_media")),
        }
        self._messages[channel].append(message)
        return {"channel": channel, "ts": message["ts"], "message": _public(message)}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        if channel[:1] in ("U", "W") or (channel not in self._messages and self._dm_user(channel) is None
                                         and channel not in self._channels):
            raise _ApiError("channel_not_found")
        message = next((m for m in self._messages.get(channel, []) if m["ts"] == args["ts"]), None)
        if message is None:
            raise _ApiError("message_not_found")
        if message.get("user") != self.bot_user_id:
            raise _ApiError("cant_update_message")
        self._check_message("chat.update", args)
        if "text" in args:
            message["text"] = args["text"]
        if "blocks" in args:
            message["blocks"] = args["blocks"]
        if "metadata" in args:
            message["metadata"] = args["metadata"]
        message["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
        return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": _public(message)}

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable_channel(str(args["channel"]))
        self._user(args.get("user"))
        self._check_message("chat.postEphemeral", args)
        ts = self._new_ts()
        self._ephemerals.append(
            {
                "channel": channel,
                "user": args["user"],
                "text": args.get("text") or "",
                "blocks": args.get("blocks"),
                "thread_ts": args.get("thread_ts"),
                "ts": ts,
            }
        )
        return {"message_ts": ts}

    def _m_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        messages = self._messages.get(channel, [])
        message = next((m for m in messages if m["ts"] == str(args.get("ts"))), None)
        if message is None:
            raise _ApiError("message_not_found")
        messages.remove(message)
        return {"channel": channel, "ts": message["ts"]}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if args.get("channel"):
            channel = str(args["channel"])
            if self._dm_user(channel) is None:
                raise _ApiError("channel_not_found")
            return {"channel": {"id": channel}}
        if len(users) != 1:
            raise _ApiError("invalid_arguments", "conversations.open: give one user (the fake opens DMs only)")
        user = self._user(users[0])
        if user.deleted:
            raise _ApiError("user_disabled")
        channel_id = self.dm_channel(user.id)
        if _flag(args.get("return_im")):
            return {"channel": {"id": channel_id, "is_im": True, "user": user.id}}
        return {"channel": {"id": channel_id}}

    def _m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        user = self._dm_user(channel)
        if user is not None:
            return {"channel": {"id": channel, "is_im": True, "user": user.id}}
        known = self._channels.get(channel)
        if known is None:
            raise _ApiError("channel_not_found")
        return {"channel": {"id": channel, "name": known["name"], "is_channel": True, "is_member": known["is_member"]}}

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": self._user(args.get("user")).as_slack()}

    def _m_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args["email"]).lower()
        for user in self._users.values():
            if user.email and user.email.lower() == email and user.team_id == self.team_id:
                return {"user": user.as_slack()}
        raise _ApiError("users_not_found")

    def _m_team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"team": {"id": self.team_id, "name": "Planbot test", "domain": "planbot-test"}}

    def _take_trigger(self, method: str, trigger_id: Any) -> None:
        parts = str(trigger_id or "").split(".")
        if len(parts) != 3 or not parts[0].isdigit():
            raise _ApiError("invalid_trigger_id", f"{method}: trigger_id {trigger_id!r} is not one Slack gave")
        age = time.time() - int(parts[0]) / 1000
        if age > TRIGGER_LIFETIME:
            raise _ApiError("expired_trigger_id", f"{method}: trigger_id used {age:.1f} s after it was issued (3 s)")
        if trigger_id in self._used_triggers:
            raise _ApiError("exchanged_trigger_id")
        self._used_triggers.add(str(trigger_id))

    def _check_view(self, method: str, view: Any) -> dict[str, Any]:
        problems = view_problems(view)
        if problems:
            for p in problems:
                self._problems.append(f"{method}: {p}")
            raise _ApiError("invalid_arguments")
        return view

    def _store_view(self, method: str, view_id: str, user_id: str | None, view: dict[str, Any]) -> dict[str, Any]:
        stored = {
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "hash": f"{int(time.time())}.{secrets.token_hex(6)}",
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "state": {"values": {}},
            "user_id": user_id,
        }
        self._views.append({"method": method, "view_id": view_id, "user_id": user_id, "view": view})
        return stored

    def _m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._take_trigger("views.open", args.get("trigger_id"))
        view = self._check_view("views.open", args["view"])
        if view.get("type") != "modal":
            raise _ApiError("invalid_arguments", "views.open: only a modal can be opened")
        stored = self._store_view("views.open", self._new_id("V"), None, view)
        self._open_views[stored["id"]] = stored
        return {"view": stored}

    def _m_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        self._take_trigger("views.push", args.get("trigger_id"))
        view = self._check_view("views.push", args["view"])
        stored = self._store_view("views.push", self._new_id("V"), None, view)
        self._open_views[stored["id"]] = stored
        return {"view": stored}

    def _m_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if not view_id and not external_id:
            raise _ApiError("invalid_arguments", "views.update: needs view_id or external_id")
        if "view" not in args:
            raise _ApiError("invalid_arguments", "views.update: missing view")
        current = self._open_views.get(str(view_id)) if view_id else next(
            (v for v in self._open_views.values() if v.get("external_id") == external_id), None
        )
        if current is None:
            raise _ApiError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        view = self._check_view("views.update", args["view"])
        stored = self._store_view("views.update", current["id"], current.get("user_id"), view)
        self._open_views[stored["id"]] = stored
        return {"view": stored}

    def _m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._user(args["user_id"])
        view = self._check_view("views.publish", args["view"])
        if view.get("type") != "home":
            raise _ApiError("invalid_arguments", "views.publish: only a home view can be published")
        stored = self._store_view("views.publish", self._homes.get(user.id, {}).get("id") or self._new_id("V"),
                                  user.id, view)
        self._homes[user.id] = stored
        return {"view": stored}

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(args["length"])
        except (TypeError, ValueError):
            raise _ApiError("invalid_arguments", "files.getUploadURLExternal: length must be a number") from None
        if length <= 0:
            raise _ApiError("invalid_arguments", "files.getUploadURLExternal: length must be positive")
        file_id = self._new_id("F")
        self._pending_files[file_id] = {"filename": str(args["filename"]), "length": length, "content": None}
        return {"upload_url": f"{self.base}upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args["files"]
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) and "id" in f for f in files):
            raise _ApiError("invalid_arguments", "files.completeUploadExternal: files must be [{id, title}]")
        channel_id = args.get("channel_id")
        if args.get("channels"):
            self._problems.append("files.completeUploadExternal: use channel_id (channels is for several channels)")
        channel = None
        if channel_id:
            channel_id = str(channel_id)
            if channel_id[:1] in ("U", "W"):
                raise _ApiError("invalid_channel", "files.completeUploadExternal: channel_id is a user id, not a channel")
            channel = self._postable_channel(channel_id)
        done = []
        for item in files:
            pending = self._pending_files.get(str(item["id"]))
            if pending is None:
                raise _ApiError("file_not_found", f"files.completeUploadExternal: unknown file id {item['id']}")
            if pending["content"] is None:
                raise _ApiError("file_not_found", f"files.completeUploadExternal: file {item['id']} was never uploaded")
            done.append((str(item["id"]), item.get("title") or pending["filename"], pending))
        result = []
        for file_id, title, pending in done:
            del self._pending_files[file_id]
            self._uploads.append(
                {
                    "id": file_id,
                    "filename": pending["filename"],
                    "title": title,
                    "content": pending["content"],
                    "channel_id": channel,
                    "initial_comment": args.get("initial_comment"),
                    "thread_ts": args.get("thread_ts"),
                }
            )
            result.append({"id": file_id, "title": title, "name": pending["filename"]})
        if channel is not None:
            self._messages[channel].append(
                {
                    "type": "message",
                    "ts": self._new_ts(),
                    "user": self.bot_user_id,
                    "bot_id": self.bot_id,
                    "text": args.get("initial_comment") or "",
                    "blocks": None,
                    "thread_ts": args.get("thread_ts"),
                    "files": result,
                }
            )
        return {"files": result}

    def _m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"ws://127.0.0.1:{self._port}/socket?ticket={uuid.uuid4()}&app_id={self.app_id}"}

    # ------------------------------------------------------------------ other endpoints

    async def _response_url(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        try:
            payload = json.loads(await request.read())
        except ValueError:
            self.problem(f"response_url {name}: body is not JSON")
            return web.Response(status=400, text="invalid_payload")
        if not isinstance(payload, dict):
            self.problem(f"response_url {name}: body is not a JSON object")
            return web.Response(status=400, text="invalid_payload")
        with self._lock:
            used = len(self._responses[name])
            if used >= RESPONSE_URL_USES:
                self._problems.append(f"response_url {name}: used more than {RESPONSE_URL_USES} times")
                return web.Response(status=404, text="expired_url")
            if payload.get("response_type") not in (None, "ephemeral", "in_channel"):
                self._problems.append(f"response_url {name}: response_type {payload['response_type']!r}")
            problems = [] if payload.get("delete_original") else message_problems(payload)
            if not payload.get("delete_original") and payload.get("text") is None and payload.get("blocks") is None:
                problems.append("neither text nor blocks")
            if problems:
                self._problems += [f"response_url {name}: {p}" for p in problems]
                if not all(p.startswith("blocks without a text fallback") for p in problems):
                    return web.Response(status=400, text="invalid_blocks")
            self._responses[name].append(payload)
        return web.json_response({"ok": True})

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if request.content_type.startswith("multipart/"):
            content = b""
            reader = await request.multipart()
            async for part in reader:
                content = await part.read()  # type: ignore[union-attr]
                break
        else:
            content = await request.read()
        with self._lock:
            pending = self._pending_files.get(file_id)
            if pending is None:
                self._problems.append(f"upload {file_id}: no such upload URL")
                return web.Response(status=404, text="not found")
            if len(content) != pending["length"]:
                self._problems.append(
                    f"upload {file_id}: {len(content)} bytes sent, {pending['length']} declared in getUploadURLExternal"
                )
            pending["content"] = content
        return web.Response(text=f"OK - {len(content)}")

    # ------------------------------------------------------------------ Socket Mode

    @property
    def socket_connected(self) -> bool:
        return any(not ws.closed for ws in self._sockets)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600},
                "connection_info": {"app_id": self.app_id},
            }
        )
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    ack = json.loads(message.data)
                except ValueError:
                    self.problem(f"socket mode: the client sent something that is not JSON: {message.data[:80]!r}")
                    continue
                self._socket_log.append(ack)
                envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
                future = self._acks.pop(str(envelope_id), None)
                if future is None:
                    self.problem(f"socket mode: ack for an unknown envelope {envelope_id!r}")
                elif not future.done():
                    future.set_result(ack)
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
        return ws

    async def _push(self, envelope: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        live = [ws for ws in self._sockets if not ws.closed]
        if not live:
            raise AssertionError("no Socket Mode client is connected to the fake Slack")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope["envelope_id"]] = future
        await live[-1].send_json(envelope)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._acks.pop(envelope["envelope_id"], None)
            self.problem(f"socket mode: no ack for {envelope['type']} envelope within {timeout} s")
            return None

    def _envelope(self, envelope_type: str, payload: dict[str, Any], retry_attempt: int) -> dict[str, Any]:
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
        }
        if envelope_type == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout" if retry_attempt else ""
        return envelope

    def socket_send(
        self, envelope_type: str, payload: dict[str, Any], *, timeout: float = 3.0, retry_attempt: int = 0
    ) -> dict[str, Any] | None:
        """Push an envelope (``events_api``, ``slash_commands``, ``interactive``) to the
        connected client and wait for its ack; None (and a problem) when none comes in time.
        From an async test whose loop runs the client, use `asocket_send`."""
        if self._loop is None:
            raise RuntimeError("the fake Slack is not running")
        envelope = self._envelope(envelope_type, payload, retry_attempt)
        return asyncio.run_coroutine_threadsafe(self._push(envelope, timeout), self._loop).result(timeout + 5)

    async def asocket_send(
        self, envelope_type: str, payload: dict[str, Any], *, timeout: float = 3.0, retry_attempt: int = 0
    ) -> dict[str, Any] | None:
        """`socket_send` without blocking the calling event loop."""
        if self._loop is None:
            raise RuntimeError("the fake Slack is not running")
        envelope = self._envelope(envelope_type, payload, retry_attempt)
        future = asyncio.run_coroutine_threadsafe(self._push(envelope, timeout), self._loop)
        return await asyncio.wrap_future(future)


def _parse_args(request: web.Request, body: bytes) -> tuple[dict[str, Any], str, str | None]:
    """The call's arguments from the query string and the body (form, JSON or multipart),
    with JSON-valued form fields (blocks, view, files, attachments, metadata) decoded."""
    args: dict[str, Any] = dict(request.query)
    content_type = request.content_type
    problem = None
    if body:
        if content_type == JSON:
            try:
                data = json.loads(body)
            except ValueError:
                return args, content_type, "the JSON body does not parse"
            if not isinstance(data, dict):
                return args, content_type, "the JSON body is not an object"
            args.update(data)
        elif content_type == FORM:
            args.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        elif content_type.startswith("multipart/"):
            content_type = "multipart/form-data"
        else:
            problem = f"unexpected Content-Type {content_type!r}"
    for key in ("blocks", "view", "files", "attachments", "metadata"):
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                problem = problem or f"{key} is not valid JSON"
    return args, content_type, problem


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true")


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if v is not None and k not in ("unfurl_links", "unfurl_media")}


def iter_blocks_text(blocks: list[dict[str, Any]] | None) -> Iterator[str]:
    """Every piece of text in ``blocks`` (for assertions on what a user sees)."""
    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
                yield node["text"]
            else:
                for value in node.values():
                    yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    yield from walk(blocks or [])

