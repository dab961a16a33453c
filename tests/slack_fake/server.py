"""FakeSlack: Slack's Web API, response URLs, file upload URLs and Socket Mode, served over
real HTTP on loopback from a background thread with its own event loop, recording every
call and every protocol violation it sees (`FakeSlack.problems`).

Each Web API call goes through the checks Slack makes, in Slack's order: the method exists,
the token is right for it, an injected failure or a rate limit, the arguments (against the
published description, `spec.py`), then the method itself (`methods.py`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.slack_fake.acks import ack_problems, request_kind
from tests.slack_fake.blockkit import mention_problems, message_problems
from tests.slack_fake.interactions import Interactions
from tests.slack_fake.methods import TRIGGER_LIFETIME, ApiError, User, WebApiMethods
from tests.slack_fake.rate_limits import RateLimits
from tests.slack_fake.socket_mode import SocketModeServer
from tests.slack_fake.spec import FORM, JSON, MethodSpec, method_spec

# Slack lets an app use a response_url five times within 30 minutes.
RESPONSE_URL_USES = 5


@dataclass
class Call:
    """One Web API call as the fake received and answered it (``at`` is time.monotonic())."""

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
    status: int | None
    times: int
    retry_after: int | None
    error: str | None
    delay: float = 0.0
    after: bool = False
    """The call takes effect first (a message is posted), then the failure or the delay."""


class FakeSlack(WebApiMethods, Interactions):
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
        self.limits = RateLimits(
            post_interval_per_channel=post_interval_per_channel,
            workspace_rate_per_minute=workspace_rate_per_minute,
            method_rate_per_minute=method_rate_per_minute,
        )
        # Slack's trigger ids last 3 s from the click; a test that builds a request long
        # before sending it may allow more.
        self.trigger_lifetime = TRIGGER_LIFETIME
        self._lock = threading.RLock()
        self._users: dict[str, User] = {}
        self._dm_index: dict[str, str] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._socket = SocketModeServer(app_id, self.problem)
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
        app.router.add_get("/socket", self._socket.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        await self._socket.close_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:  # type: ignore[override]
        return f"http://127.0.0.1:{self._port}/"

    @property
    def url(self) -> str:
        """The Web API's base URL (what SLACK_API_URL is set to); slack_sdk appends the method."""
        return f"{self.base}api/"

    @property
    def ws_url(self) -> str:  # type: ignore[override]
        return f"ws://127.0.0.1:{self._port}/socket"

    # ------------------------------------------------------------------ state

    def _clear(self) -> None:
        self._calls: list[Call] = []
        self._problems: list[str] = []
        self._messages: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self._ephemerals: list[dict[str, Any]] = []
        self._responses: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self._response_bindings: dict[str, tuple[str, str]] = {}
        self._views: list[dict[str, Any]] = []
        self._open_views: dict[str, dict[str, Any]] = {}
        self._homes: dict[str, dict[str, Any]] = {}
        self._uploads: list[dict[str, Any]] = []
        self._pending_files: dict[str, dict[str, Any]] = {}
        self._failures: defaultdict[str, list[_Failure]] = defaultdict(list)
        self._used_triggers: set[str] = set()
        self._trigger_users: dict[str, str] = {}
        self.limits.clear()
        self._socket.clear()

    def reset(self, *, users: bool = False) -> None:
        """Forget calls, messages, views, uploads, responses, failures and problems, and put
        the rate limits and trigger lifetime back as constructed. Users and channels stay
        unless ``users=True``."""
        with self._lock:
            self._clear()
            interval, rate, per_method = self._defaults
            self.limits.post_interval_per_channel = interval
            self.limits.workspace_rate_per_minute = rate
            self.limits.method_rate_per_minute = dict(per_method)
            self.trigger_lifetime = TRIGGER_LIFETIME
            if users:
                self._users.clear()
                self._dm_index.clear()
                self._channels.clear()

    @property
    def post_interval_per_channel(self) -> float | None:
        return self.limits.post_interval_per_channel

    @post_interval_per_channel.setter
    def post_interval_per_channel(self, seconds: float | None) -> None:
        self.limits.post_interval_per_channel = seconds

    @property
    def workspace_rate_per_minute(self) -> float | None:
        return self.limits.workspace_rate_per_minute

    @workspace_rate_per_minute.setter
    def workspace_rate_per_minute(self, rate: float | None) -> None:
        self.limits.workspace_rate_per_minute = rate

    @property
    def method_rate_per_minute(self) -> dict[str, float]:
        return self.limits.method_rate_per_minute

    @method_rate_per_minute.setter
    def method_rate_per_minute(self, rates: dict[str, float]) -> None:
        self.limits.method_rate_per_minute = dict(rates)

    @property
    def rate_tolerance(self) -> float:
        return self.limits.tolerance

    def rate_report(self, method: str = "chat.postMessage") -> dict[str, Any]:
        """How a fan-out of ``method`` went against the limits (see `RateLimits.report`)."""
        return self.limits.report(method, self.calls_to(method))

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        real_name: str | None = None,
        deleted: bool = False,
        team_id: str | None = None,
        is_bot: bool = False,
        tz: str = "Europe/London",
    ) -> dict[str, Any]:
        """A workspace member (or, with another ``team_id``, a Slack Connect guest, whom
        users.lookupByEmail does not find); returns their users.info object."""
        user = User(user_id, team_id or self.team_id, email, real_name, deleted, is_bot, tz)
        with self._lock:
            self._users[user_id] = user
            self._dm_index[self.dm_channel(user_id)] = user_id
        return user.as_slack()

    def add_channel(self, channel_id: str, *, name: str | None = None, is_member: bool = True) -> None:
        """A public (C...) or private (G...) channel; the bot can post only where it is a member."""
        with self._lock:
            self._channels[channel_id] = {"id": channel_id, "name": name or channel_id.lower(), "is_member": is_member}

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

    def take_problems(self) -> list[str]:
        """The problems so far, forgetting them (for tests that provoke one on purpose)."""
        with self._lock:
            taken, self._problems = self._problems, []
            return taken

    def problem(self, text: str) -> None:
        """Record a protocol violation (also used by the request checks)."""
        with self._lock:
            self._problems.append(text)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages as they stand now (edits applied), oldest first; a user id
        means that user's DM."""
        if channel[:1] in ("U", "W"):
            channel = self.dm_channel(channel)
        with self._lock:
            return [json.loads(json.dumps(m)) for m in self._messages.get(channel, [])]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """One message as it stands now, or None (deleted or never posted)."""
        return next((m for m in self.messages(channel) if m["ts"] == ts), None)

    @property
    def ephemerals(self) -> list[dict[str, Any]]:
        """Messages sent with chat.postEphemeral: {"channel", "user", "text", "blocks", "thread_ts", "ts"}."""
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
        """The Home tab last published for ``user_id``."""
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
        default 1 s; 500, 503...) or, when ``status`` is 200, with ``{"ok": false, "error": error}``."""
        if status == 200 and not error:
            raise ValueError("a 200 failure needs the error Slack would name")
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._failures[method].append(_Failure(status, times, retry_after, error))

    def check_ack(self, request_body: bytes, status: int, ack: Any) -> list[str]:
        """Check the bot's HTTP answer to a request a test sent it (see `acks.ack_problems`);
        what Slack would refuse is recorded as a problem, and returned."""
        problems = ack_problems(request_body, status, ack)
        kind, _ = request_kind(request_body)
        with self._lock:
            self._problems.extend(f"ack to {kind}: {p}" for p in problems)
        return problems

    def fail_after_accepting(self, method: str, status: int | None = 500, *, seconds: float = 0.0, times: int = 1) -> None:
        """The next ``times`` calls to ``method`` take effect (the message is posted), then are
        answered with ``status`` (500, 503...), or, with ``status=None``, only after ``seconds``
        (past the client's timeout): the caller cannot tell whether its call worked."""
        with self._lock:
            self._failures[method].append(_Failure(status, times, None, None, delay=seconds, after=True))

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next ``times`` calls to ``method`` only after ``seconds`` (a slow Slack,
        for client timeouts); the calls then go through as usual."""
        with self._lock:
            self._failures[method].append(_Failure(None, times, None, None, delay=seconds))

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
                raise ApiError("invalid_arguments", f"{method}: {parse_problem}")
            if method == "files.upload":
                raise ApiError("method_deprecated", "files.upload is retired: use files.getUploadURLExternal")
            spec = method_spec(method)
            if spec is None:
                raise ApiError("unknown_method", f"{method}: Slack has no such method")
            self._check_token(method, args, headers, request)
            call.args.pop("token", None)
            args.pop("token", None)
            failure = self._take_failure(method)
            later = failure if failure is not None and failure.after else None
            if later is not None:
                failure = None
            if failure is not None and failure.delay:
                await asyncio.sleep(failure.delay)
            elif failure is not None:
                return self._answer_failure(call, failure)
            channel = None
            if method == "chat.postMessage" and isinstance(args.get("channel"), str) and args["channel"]:
                channel = self._resolve_channel(args["channel"])
            with self._lock:
                retry_after, problem = self.limits.check(method, channel, at)
                if problem:
                    self._problems.append(problem)
            if retry_after is not None:
                return self._answer(call, {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(retry_after)})
            self._check_arguments(spec, args, content_type)
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                raise ApiError("unknown_method", f"{method}: not simulated by the fake Slack (add it to methods.py)")
            with self._lock:
                result = handler(args)
            if later is not None and later.status is not None:
                return self._answer_failure(call, later)
            if later is not None:
                await asyncio.sleep(later.delay)
            return self._answer(call, {"ok": True, **result})
        except ApiError as exc:
            if exc.problem:
                self.problem(exc.problem)
            return self._answer(call, {"ok": False, "error": exc.error}, exc.status)
        except Exception as exc:  # noqa: BLE001 - a fault in the fake must fail the test by name
            self.problem(f"{method}: the fake Slack failed on this call: {type(exc).__name__}: {exc}")
            return self._answer(call, {"ok": False, "error": "fatal_error"}, 500)

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
            raise ApiError("not_authed", f"{method}: no token")
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if token == wanted:
            return
        if token in (self.app_token, self.bot_token):
            raise ApiError("not_allowed_token_type", f"{method}: called with the wrong kind of token")
        raise ApiError("invalid_auth", f"{method}: invalid token")

    def _check_arguments(self, spec: MethodSpec, args: dict[str, Any], content_type: str) -> None:
        if content_type == JSON and JSON not in spec.consumes:
            raise ApiError("invalid_arguments", f"{spec.name}: sent as JSON, but the method takes form fields only")
        # slack_sdk adds team_id to every call of a client made with one (bolt's per-request
        # client, from the request's team, which for a Slack Connect guest is their own);
        # Slack reads it only for org-wide tokens.
        unknown = sorted(set(args) - spec.known - {"team_id"})
        if unknown:
            self.problem(f"{spec.name}: unknown argument(s) {', '.join(unknown)}")
        missing = sorted(name for name in spec.required if args.get(name) in (None, ""))
        if missing:
            error = {"channel": "channel_not_found", "ts": "message_not_found"}.get(missing[0], "invalid_arguments")
            raise ApiError(error, f"{spec.name}: missing required argument(s) {', '.join(missing)}")

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
                self.limits.block(call.method, call.at, retry)
            return self._answer(call, {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(retry)})
        if failure.status == 200:
            return self._answer(call, {"ok": False, "error": failure.error})
        return self._answer(call, {"ok": False, "error": failure.error or "fatal_error"}, failure.status or 500)

    # ------------------------------------------------------------------ response_url and uploads

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
            if len(self._responses[name]) >= RESPONSE_URL_USES:
                self._problems.append(f"response_url {name}: used more than {RESPONSE_URL_USES} times")
                return web.Response(status=404, text="used_url")
            if payload.get("response_type") not in (None, "ephemeral", "in_channel"):
                self._problems.append(f"response_url {name}: response_type {payload['response_type']!r}")
            deleting = bool(payload.get("delete_original"))
            problems = [] if deleting else message_problems(payload)
            if not deleting and payload.get("text") is None and payload.get("blocks") is None:
                problems.append("neither text nor blocks")
            problems += mention_problems(payload)
            if problems:
                self._problems += [f"response_url {name}: {p}" for p in problems]
                if any("text fallback" not in p and "would notify" not in p for p in problems):
                    return web.Response(status=400, text="invalid_blocks")
            self._responses[name].append(payload)
            self._apply_to_original(name, payload)
        return web.json_response({"ok": True})

    def _apply_to_original(self, name: str, payload: dict[str, Any]) -> None:
        """replace_original / delete_original on a button's response_url change the message
        the button was on, as Slack does."""
        bound = self._response_bindings.get(name)
        if bound is None:
            return
        channel, ts = bound
        messages = self._messages.get(channel, [])
        original = next((m for m in messages if m["ts"] == ts), None)
        if original is None:
            return
        if payload.get("delete_original"):
            messages.remove(original)
        elif payload.get("replace_original"):
            original["text"] = payload.get("text") or ""
            original["blocks"] = payload.get("blocks")
            original["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}

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
        """Whether a Socket Mode client is connected now."""
        return self._socket.connected

    @property
    def socket_connections(self) -> int:
        """How many times a Socket Mode client has connected since the last reset
        (reconnections count)."""
        return self._socket.connections

    @property
    def socket_acks(self) -> list[dict[str, Any]]:
        """Every ack received, in order."""
        return list(self._socket.acks)

    def socket_send(
        self, envelope_type: str, payload: dict[str, Any], *, timeout: float = 3.0, retry_attempt: int = 0
    ) -> dict[str, Any] | None:
        """Push an envelope (``events_api``, ``slash_commands``, ``interactive``) to the
        connected client and wait for its ack; None (and a problem) when none comes within
        ``timeout`` (Slack's 3 s). From an async test whose loop runs the client, use
        `asocket_send`."""
        loop = self._running_loop()
        envelope = self._socket.envelope(envelope_type, payload, retry_attempt)
        return asyncio.run_coroutine_threadsafe(self._socket.push(envelope, timeout), loop).result(timeout + 5)

    async def asocket_send(
        self, envelope_type: str, payload: dict[str, Any], *, timeout: float = 3.0, retry_attempt: int = 0
    ) -> dict[str, Any] | None:
        """`socket_send` without blocking the calling event loop."""
        loop = self._running_loop()
        envelope = self._socket.envelope(envelope_type, payload, retry_attempt)
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._socket.push(envelope, timeout), loop))

    def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Tell connected clients to reconnect (Slack does this every few hours)."""
        asyncio.run_coroutine_threadsafe(self._socket.disconnect(reason), self._running_loop()).result(5)

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("the fake Slack is not running: call start()")
        return self._loop


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
