"""Requests as Slack sends them to the bot: signed headers and the three kinds of body
(slash command, interactive payload, Events API callback).

Kept apart from the fake Web API because a test signs requests it sends *to* the bot,
while the fake answers requests the bot sends *to* Slack.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """Slack's v0 signature: HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    body: bytes,
    *,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> dict[str, str]:
    """Headers Slack sends with ``body``: timestamp, signature and a Content-Type
    guessed from the body (JSON for events, form for commands and interactions). With
    ``retry_num``, the headers of Slack's retried delivery of the same event."""
    ts = int(time.time()) if timestamp is None else timestamp
    content_type = JSON if body.lstrip()[:1] in (b"{", b"[") else FORM
    headers = {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(secret, ts, body),
        "Content-Type": content_type,
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers


def new_trigger_id() -> str:
    """A trigger id shaped like Slack's, carrying its issue time (milliseconds) so the fake
    can tell when one is used after its 3 seconds."""
    return f"{int(time.time() * 1000)}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"


def slash_command_fields(
    command: str,
    text: str,
    *,
    user_id: str,
    team_id: str,
    channel_id: str,
    response_url: str,
    trigger_id: str | None = None,
    user_name: str = "lead",
    team_domain: str = "planbot",
    channel_name: str = "directmessage",
    api_app_id: str = "A0PLANBOT",
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> dict[str, str]:
    """The fields of a slash command request (the Socket Mode ``slash_commands`` payload)."""
    fields = {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "true" if is_enterprise_install else "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    if enterprise_id:
        fields["enterprise_id"] = enterprise_id
    return fields


def slash_command_body(command: str, text: str, **kwargs: Any) -> bytes:
    """A slash command body as Slack POSTs it (form-encoded); keywords as `slash_command_fields`."""
    return urlencode(slash_command_fields(command, text, **kwargs)).encode()


def interaction_body(payload: dict[str, Any]) -> bytes:
    """An interactivity request body: form-encoded ``payload=<json>``."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def event_payload(
    event: dict[str, Any],
    *,
    event_id: str,
    team_id: str,
    api_app_id: str = "A0PLANBOT",
    event_time: int | None = None,
    authorized_user_id: str = "UPLANBOT",
    context_team_id: str | None = None,
) -> dict[str, Any]:
    """An ``event_callback`` envelope (the Socket Mode ``events_api`` payload)."""
    now = int(time.time()) if event_time is None else event_time
    return {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "context_team_id": context_team_id or team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": authorized_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_hex(20)}",
    }


def event_body(event: dict[str, Any], **kwargs: Any) -> bytes:
    """An Events API request body (JSON); keywords as `event_payload`."""
    return json.dumps(event_payload(event, **kwargs)).encode()


def url_verification_body(challenge: str = "challenge-token") -> bytes:
    """The request Slack sends when the Request URL is saved in the app's settings."""
    return json.dumps({"token": "legacy-verification-token", "challenge": challenge, "type": "url_verification"}).encode()
