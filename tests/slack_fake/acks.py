"""What Slack makes of the bot's HTTP acknowledgement, given the request it answers: a
slash command's answer is a message (ephemeral unless ``in_channel``); a modal submission's
answer is a ``response_action``; for events and button presses Slack reads only the status.

The fake never sees these answers (they go straight back to the test that sent the
request), so tests pass them to `ack_problems` or `FakeSlack.check_ack`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from tests.slack_fake.blockkit import mention_problems, message_problems, view_ack_problems

def request_kind(body: bytes) -> tuple[str, dict[str, Any]]:
    """("slash_command" | "block_actions" | "view_submission" | "view_closed" | "event" |
    "url_verification" | other interaction type, the parsed request)."""
    text = body.decode("utf-8", "replace")
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        return ("url_verification" if data.get("type") == "url_verification" else "event"), data
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        payload = json.loads(fields["payload"])
        return str(payload.get("type")), payload
    return "slash_command", fields


def ack_problems(request_body: bytes, status: int, ack: Any) -> list[str]:
    """Problems Slack would have with ``ack`` (the HTTP status and body the bot answered
    ``request_body`` with); ``ack`` may be bytes, text, a parsed object or None."""
    kind, request = request_kind(request_body)
    if status != 200:
        return [f"{kind} answered with HTTP {status}: Slack shows the person an error"]
    parsed = _parse(ack)
    if parsed is _UNPARSED:
        if kind == "slash_command":
            return []  # a plain-text body is shown as the message
        return [f"{kind} answered with a body that is not JSON"]
    if kind == "slash_command":
        if not parsed:
            return []
        if not isinstance(parsed, dict):
            return ["a slash command's answer must be a JSON object"]
        problems = message_problems(parsed, require_text=False)
        if parsed.get("response_type") not in (None, "ephemeral", "in_channel"):
            problems.append(f"response_type {parsed['response_type']!r}")
        problems += mention_problems(parsed)
        return problems
    if kind == "view_submission":
        return view_ack_problems(parsed, request.get("view") or {})
    if kind == "url_verification":
        if not isinstance(parsed, dict) or parsed.get("challenge") != request.get("challenge"):
            return ["url_verification must echo the challenge"]
        return []
    return []


_UNPARSED = object()


def _parse(ack: Any) -> Any:
    if ack is None or isinstance(ack, (dict, list)):
        return ack
    text = ack.decode("utf-8", "replace") if isinstance(ack, bytes) else str(ack)
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return _UNPARSED
