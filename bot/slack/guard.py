"""The check in front of bolt on `POST /slack/events`: size, then signature.

Bolt verifies signatures too, but answers a non-numeric timestamp with 500 and
reads any body it is given. Here a body over 1 MiB is refused with 413 before it
is read (by its Content-Length, or while reading one without), and a missing,
malformed, tampered or stale (over 5 minutes, either way) signature gets 401,
never 500; the signature itself is checked by slack_sdk's `SignatureVerifier`,
once the headers are known to be well formed. A body that is not UTF-8 text (all
Slack sends) gets 400 before any signature is computed, as the verifier reads text;
a signed body that cannot be read otherwise gets 400, one of a shape Slack does not
send 200 with nothing done (`request_shape`). Only then does bolt see the request.

Replays are the core's business: each event reaches it with a delivery id (the
Events API's `event_id`, stable across Slack's retries; for commands and
interactions, a hash of the request's signature, which a replay must reuse), and
the core drops a delivery id it has seen.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from slack_sdk.signature import Clock, SignatureVerifier

from bot.slack import request_shape
from bot.web import MAX_BODY

logger = logging.getLogger(__name__)

MAX_AGE = 5 * 60
"""Slack's own limit: a request signed more than five minutes ago (or ahead) is refused."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _Clock(Clock):
    """The guard's clock, as the verifier asks for it."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


def problem(verifier: SignatureVerifier, headers: Mapping[str, str], text: str) -> str | None:
    """What is wrong with the request's signature, or None when it is Slack's."""
    timestamp = headers.get("X-Slack-Request-Timestamp") or ""
    sent = headers.get("X-Slack-Signature") or ""
    if not timestamp or not sent:
        return "missing signature headers"
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "the timestamp is not a number"
    if abs(verifier.clock.now() - int(timestamp)) > MAX_AGE:
        return "the timestamp is more than five minutes away"
    if not verifier.is_valid(body=text, timestamp=timestamp, signature=sent):
        return "the signature does not match"
    return None


def delivery_id(signature_header: str) -> str:
    """A replay-stable id for a command or interaction: the same signed request twice has one id."""
    return "slack-sig:" + hashlib.sha256(signature_header.encode()).hexdigest()[:40]


def guarded(handler: Handler, secret: str, *, clock: Callable[[], float] = time.time) -> Handler:
    """`handler` behind the size and signature checks."""
    verifier = SignatureVerifier(secret, clock=_Clock(clock))

    async def guard(request: web.Request) -> web.StreamResponse:
        length = request.content_length
        if length is not None and length > MAX_BODY:
            return web.Response(status=413, text="request body too large")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="request body too large")
        if len(body) > MAX_BODY:
            return web.Response(status=413, text="request body too large")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            logger.info("refused a request to %s: the body is not UTF-8 text", request.path)
            return web.Response(status=400, text="unreadable request body")
        wrong = problem(verifier, request.headers, text)
        if wrong is not None:
            logger.info("refused a request to %s: %s", request.path, wrong)
            return web.Response(status=401, text="invalid request signature")
        odd = request_shape.problem(request.headers, body)
        if odd is not None:
            status, why = odd
            logger.info("%s a signed request to %s: %s", "refused" if status >= 400 else "ignored", request.path, why)
            return web.Response(status=status, text="unreadable request body" if status >= 400 else "")
        return await handler(request)

    return guard
