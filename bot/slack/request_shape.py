"""Whether a signed request's body is one Slack sends, before bolt reads it.

Bolt trusts the shape of what Slack sends: a JSON array, a `payload` of `null`, an
`actions` that is not a list or a view without a `type` make it raise, which became
a 500 (and Slack retries every 500). A body that cannot be read at all (not UTF-8,
not JSON, nested past reason) is the client's error: 400. A body that reads but is
not a request Slack sends is answered 200 with nothing done: Slack expects a 200
for interactivity it sent, and nothing here came from a person.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

UNREADABLE = 400
IGNORED = 200
_USER_TYPES = {"block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion"}


class Unreadable(ValueError):
    """The body cannot be read as what it claims to be."""


def problem(headers: Mapping[str, str], body: bytes) -> tuple[int, str] | None:
    """(400, why) for a body that cannot be read, (200, why) for one of a shape Slack does not
    send, None for one bolt can take."""
    try:
        text = body.decode("utf-8")
        if "json" in (headers.get("Content-Type") or "").lower() or text.lstrip()[:1] in ("{", "["):
            return _event(_json(text))
        fields = parse_qs(text, keep_blank_values=True)
        if "payload" in fields:
            return _interaction(_json(fields["payload"][0]))
        if "command" in fields:
            return None if (fields.get("user_id") or [""])[0] else (IGNORED, "a slash command with no user")
        if "ssl_check" in fields:
            return None
        return IGNORED, "a form that is no command, interaction or check"
    except UnicodeDecodeError:
        return UNREADABLE, "the body is not UTF-8"
    except Unreadable as exc:
        return UNREADABLE, str(exc)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise Unreadable("the JSON is nested too deeply") from None
    except ValueError:
        raise Unreadable("the body is not JSON") from None


def _event(data: Any) -> tuple[int, str] | None:
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return IGNORED, "an Events API body that is not an object with a type"
    if data["type"] == "event_callback" and not (isinstance(data.get("event"), dict) and isinstance(data["event"].get("type"), str)):
        return IGNORED, "an event callback without an event"
    return None


def _interaction(data: Any) -> tuple[int, str] | None:
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return IGNORED, "an interaction payload that is not an object with a type"
    kind = data["type"]
    if kind in _USER_TYPES and not (isinstance(data.get("user"), dict) and isinstance(data["user"].get("id"), str)):
        return IGNORED, f"a {kind} payload without a user"
    if kind == "block_actions":
        actions = data.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            return IGNORED, "block_actions whose actions are not a list of objects"
    if kind in ("view_submission", "view_closed"):
        view = data.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("type"), str):
            return IGNORED, f"a {kind} without a view type"
        state = view.get("state", {})
        values = state.get("values", {}) if isinstance(state, dict) else None
        if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
            return IGNORED, f"a {kind} whose view state is not blocks of values"
    return None
