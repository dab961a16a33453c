"""What a person does in Slack, turned into the payloads Slack would send the bot, built from
what the fake holds: a DM to the bot, a button press on a message the bot posted, a modal
submitted with values typed into the view the bot opened, the Home tab opened.

The payloads go to the bot signed over HTTP (`signing.interaction_body`,
`signing.event_body`) or through Socket Mode (`FakeSlack.socket_send`).
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from tests.slack_fake.methods import User
from tests.slack_fake.signing import new_trigger_id

# What the fake keeps about a message that Slack does not echo back in a payload.
_NOT_IN_PAYLOADS = {"unfurl_links", "unfurl_media"}
_SELECTS = {"static_select", "radio_buttons", "external_select"}
_MULTI = {"checkboxes", "multi_static_select", "multi_external_select"}


class Interactions:
    """Builders of incoming payloads; FakeSlack holds the state they read."""

    team_id: str
    app_id: str
    _users: dict[str, User]
    _messages: defaultdict[str, list[dict[str, Any]]]
    _open_views: dict[str, dict[str, Any]]
    _homes: dict[str, dict[str, Any]]
    _response_bindings: dict[str, tuple[str, str]]
    _ids: itertools.count[int]
    _lock: threading.RLock
    _trigger_users: dict[str, str]

    dm_channel: Callable[[str], str]
    response_url: Callable[[str], str]
    _new_ts: Callable[[], str]

    def trigger_id(self, user_id: str) -> str:
        """A fresh trigger id for ``user_id`` (views.open with it opens the modal for them);
        pass it to `slash_command_fields` when a command opens a modal."""
        trigger = new_trigger_id()
        with self._lock:
            self._trigger_users[trigger] = user_id
        return trigger

    def _person(self, user_id: str) -> dict[str, Any]:
        user = self._users.get(user_id)
        if user is None:
            raise ValueError(f"add_user({user_id!r}) first")
        name = user.as_slack()["name"]
        return {"id": user.id, "username": name, "name": name, "team_id": user.team_id}

    def user_message(
        self, user_id: str, text: str, *, channel: str | None = None, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """``user_id`` writes ``text`` in their DM with the bot (or in ``channel``, or in the
        thread ``thread_ts``): the message is kept, and the ``message`` event Slack sends
        the bot is returned (wrap it with `event_body` or `event_payload`)."""
        user = self._users.get(user_id)
        if user is None:
            raise ValueError(f"add_user({user_id!r}) first")
        where = channel or self.dm_channel(user_id)
        ts = self._new_ts()
        message: dict[str, Any] = {
            "type": "message",
            "ts": ts,
            "user": user_id,
            "team": user.team_id,
            "text": text,
            "blocks": None,
            "thread_ts": thread_ts,
        }
        with self._lock:
            self._messages[where].append(message)
        event: dict[str, Any] = {
            "type": "message",
            "channel": where,
            "user": user_id,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "team": user.team_id,
            "user_team": user.team_id,
            "source_team": user.team_id,
            "channel_type": "im" if where.startswith("D") else "channel",
            "client_msg_id": secrets.token_hex(16),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
            event["parent_user_id"] = next(
                (m["user"] for m in self._messages[where] if m["ts"] == thread_ts), None
            )
        return event

    def app_home_opened(self, user_id: str) -> dict[str, Any]:
        """The ``app_home_opened`` event for ``user_id`` opening the bot's Home tab."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.dm_channel(user_id),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        home = self._homes.get(user_id)
        if home is not None:
            event["view"] = home
        return event

    def press_button(
        self, channel: str, ts: str, action_id: str, *, user_id: str, response_name: str | None = None
    ) -> dict[str, Any]:
        """The ``block_actions`` payload for ``user_id`` pressing the button ``action_id`` on
        message ``ts`` (a user id for ``channel`` means their DM). Its response_url is on the
        fake, named ``response_name`` (default ``action-<n>``), and tied to the message, so
        ``replace_original``/``delete_original`` sent to it change the message as Slack does."""
        if channel[:1] in ("U", "W"):
            channel = self.dm_channel(channel)
        message = next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)
        if message is None:
            raise ValueError(f"no message {ts} in {channel}")
        found = _find_element(message.get("blocks") or [], action_id)
        if found is None:
            raise ValueError(f"message {ts} has no element with action_id {action_id!r}")
        block_id, element = found
        name = response_name or f"action-{next(self._ids)}"
        self._response_bindings[name] = (channel, ts)
        action = {
            "type": element.get("type"),
            "action_id": action_id,
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
        }
        for key in ("text", "value", "style", "url"):
            if key in element:
                action[key] = element[key]
        return {
            "type": "block_actions",
            "user": self._person(user_id),
            "api_app_id": self.app_id,
            "token": "legacy-verification-token",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": self.trigger_id(user_id),
            "team": {"id": self.team_id, "domain": "planbot-test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "directmessage" if channel.startswith("D") else channel.lower()},
            "message": {k: v for k, v in message.items() if v is not None and k not in _NOT_IN_PAYLOADS},
            "state": {"values": {}},
            "response_url": self.response_url(name),
            "actions": [action],
        }

    def submit_view(self, view_id: str, values: dict[str, Any], *, user_id: str | None = None) -> dict[str, Any]:
        """The ``view_submission`` payload for ``user_id`` (default: whoever the modal was
        opened for) submitting modal ``view_id`` with ``values`` keyed by input block_id:
        text for text inputs, an option value for a select or radio buttons, a list of
        option values for checkboxes, YYYY-MM-DD for a date picker. Refuses (ValueError)
        what Slack's client would not let through: a required input left empty, an option
        the view does not offer."""
        view = self._open_views.get(view_id)
        if view is None:
            raise ValueError(f"no open view {view_id}")
        user_id = user_id or view.get("user_id")
        if user_id is None:
            raise ValueError("whose submission? pass user_id (the view was opened without a known trigger)")
        submitted = {**view, "state": {"values": _view_state(view, values, require=True)}}
        return {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "planbot-test"},
            "user": self._person(user_id),
            "api_app_id": self.app_id,
            "token": "legacy-verification-token",
            "trigger_id": self.trigger_id(user_id),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def press_view_button(
        self, view_id: str, action_id: str, *, user_id: str | None = None, values: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The ``block_actions`` payload for a button pressed inside modal ``view_id``, with
        whatever has been typed so far (``values``, as for `submit_view`) in its state."""
        view = self._open_views.get(view_id)
        if view is None:
            raise ValueError(f"no open view {view_id}")
        user_id = user_id or view.get("user_id")
        if user_id is None:
            raise ValueError("whose press? pass user_id (the view was opened without a known trigger)")
        found = _find_element(view.get("blocks") or [], action_id)
        if found is None:
            raise ValueError(f"view {view_id} has no element with action_id {action_id!r}")
        block_id, element = found
        state = {"values": _view_state(view, values or {}, require=False)}
        action = {"type": element.get("type"), "action_id": action_id, "block_id": block_id,
                  "action_ts": f"{time.time():.6f}"}
        for key in ("text", "value", "style"):
            if key in element:
                action[key] = element[key]
        return {
            "type": "block_actions",
            "user": self._person(user_id),
            "api_app_id": self.app_id,
            "token": "legacy-verification-token",
            "container": {"type": "view", "view_id": view_id},
            "trigger_id": self.trigger_id(user_id),
            "team": {"id": self.team_id, "domain": "planbot-test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "view": {**view, "state": state},
            "state": state,
            "actions": [action],
        }


def _view_state(view: dict[str, Any], values: dict[str, Any], *, require: bool) -> dict[str, Any]:
    """state.values as Slack fills it from what the person entered in the view's inputs."""
    state: dict[str, dict[str, Any]] = {}
    inputs = [b for b in view.get("blocks") or [] if b.get("type") == "input"]
    unknown = set(values) - {b.get("block_id") for b in inputs}
    if unknown:
        raise ValueError(f"the view has no input block {sorted(unknown)}")
    for block in inputs:
        block_id = block.get("block_id")
        if block_id is None:
            raise ValueError("give every input block a block_id, or its value cannot be found")
        element = block["element"]
        value = values.get(block_id)
        if require and value in (None, "", []) and not block.get("optional"):
            raise ValueError(f"Slack would not submit: {block_id!r} is required")
        state[block_id] = {element.get("action_id", "input"): _element_state(element, value)}
    return state


def _find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[str | None, dict[str, Any]] | None:
    for block in blocks:
        candidates = list(block.get("elements") or [])
        if "accessory" in block:
            candidates.append(block["accessory"])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None


def _element_state(element: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = element.get("type")
    state: dict[str, Any] = {"type": kind}
    options = list(element.get("options") or []) + [
        o for g in element.get("option_groups") or [] for o in g.get("options") or []
    ]

    def option(wanted: str) -> dict[str, Any]:
        for candidate in options:
            if candidate.get("value") == wanted:
                return candidate
        raise ValueError(f"{element.get('action_id')!r} offers no option {wanted!r}")

    if kind in _SELECTS:
        state["selected_option"] = option(value) if value else None
    elif kind in _MULTI:
        state["selected_options"] = [option(v) for v in value or []]
    elif kind == "datepicker":
        state["selected_date"] = value or None
    elif kind == "timepicker":
        state["selected_time"] = value or None
    elif kind in ("users_select",):
        state["selected_user"] = value or None
    elif kind in ("conversations_select", "channels_select"):
        state["selected_conversation" if kind == "conversations_select" else "selected_channel"] = value or None
    else:
        state["value"] = value if value not in ("", []) else None
    return state
