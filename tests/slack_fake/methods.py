"""The Web API methods the fake simulates, each answering as Slack's method reference says
(including Slack's quirks: a post to a deactivated user succeeds; chat.update wants the
channel id a post returned, not the user id)."""

from __future__ import annotations

import re

import hashlib
import itertools
import secrets
import time
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.slack_fake.blockkit import mention_problems, message_problems, text_fallback_problems, view_problems
from tests.slack_fake.socket_mode import SocketModeServer

TRIGGER_LIFETIME = 3.0


class ApiError(Exception):
    """Answer the call with ``{"ok": false, "error": error}``; a problem too when ``problem``."""

    def __init__(self, error: str, problem: str | None = None, status: int = 200) -> None:
        super().__init__(error)
        self.error = error
        self.problem = problem
        self.status = status


class User:
    """A workspace member as users.info shows them."""

    def __init__(
        self,
        id: str,
        team_id: str,
        email: str | None,
        real_name: str | None,
        deleted: bool,
        is_bot: bool,
        tz: str = "Europe/London",
    ) -> None:
        self.id = id
        self.team_id = team_id
        self.email = email
        self.real_name = real_name
        self.deleted = deleted
        self.is_bot = is_bot
        self.tz = tz

    def as_slack(self) -> dict[str, Any]:
        name = (self.email or self.id).split("@")[0].lower()
        real = self.real_name or name
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": name,
            "deleted": self.deleted,
            "real_name": real,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": _utc_offset(self.tz),
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


def dm_channel_of(user_id: str) -> str:
    """The DM channel id between the bot and ``user_id``: stable per user, across resets."""
    return "D" + hashlib.sha1(user_id.encode()).hexdigest()[:10].upper()


class WebApiMethods:
    """The ``_m_<method>`` handlers; FakeSlack holds the state they read and change, and
    calls them under its lock."""

    team_id: str
    bot_user_id: str
    bot_id: str
    app_id: str
    _users: dict[str, User]
    _dm_index: dict[str, str]
    _channels: dict[str, dict[str, Any]]
    _messages: defaultdict[str, list[dict[str, Any]]]
    _ephemerals: list[dict[str, Any]]
    _views: list[dict[str, Any]]
    _open_views: dict[str, dict[str, Any]]
    _homes: dict[str, dict[str, Any]]
    _uploads: list[dict[str, Any]]
    _pending_files: dict[str, dict[str, Any]]
    _used_triggers: set[str]
    _trigger_users: dict[str, str]
    trigger_lifetime: float
    _problems: list[str]
    _ts: itertools.count[int]
    _ids: itertools.count[int]

    base: str
    ws_url: str
    _socket: SocketModeServer

    def dm_channel(self, user_id: str) -> str:
        return dm_channel_of(user_id)

    def _new_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _resolve_channel(self, channel: str) -> str:
        return self.dm_channel(channel) if channel[:1] in ("U", "W") else channel

    def _user(self, user_id: Any) -> User:
        user = self._users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            raise ApiError("user_not_found")
        return user

    def _dm_user(self, channel: str) -> User | None:
        """The person whose DM with the bot ``channel`` is."""
        user = self._users.get(self._dm_index.get(channel, ""))
        return user if user is not None and self.dm_channel(user.id) == channel else None

    def _postable_channel(self, channel: str) -> str:
        """The channel id a post to ``channel`` lands in, or the error Slack gives."""
        if channel[:1] in ("U", "W"):
            user = self._users.get(channel)
            if user is None:
                raise ApiError("channel_not_found")
            if user.is_bot:
                raise ApiError("cannot_dm_bot")
            return self.dm_channel(channel)
        if channel[:1] == "D":
            if self._dm_user(channel) is None:
                raise ApiError("channel_not_found")
            return channel
        known = self._channels.get(channel)
        if known is None:
            raise ApiError("channel_not_found")
        if not known["is_member"]:
            raise ApiError("not_in_channel")
        return channel

    def _check_message(self, method: str, args: dict[str, Any], *, require_text: bool = True) -> None:
        """Refuse what Slack refuses (no content, bad blocks, text too long); report what it
        accepts but should not be sent (no text fallback, an @channel-style mention)."""
        if args.get("blocks") is None and not args.get("text") and not args.get("attachments"):
            if method != "chat.update":
                raise ApiError("no_text", f"{method}: neither text nor blocks")
        refused = message_problems(args, require_text=False)  # the blocks are checked once: the costly part
        reported = [p for p in text_fallback_problems(args) if require_text and p not in refused]
        reported += mention_problems(args)
        self._problems.extend(f"{method}: {p}" for p in refused + reported)
        if refused:
            raise ApiError("msg_too_long" if any("msg_too_long" in p for p in refused) else "invalid_blocks")

    def _check_metadata(self, metadata: Any) -> None:
        """Message metadata as Slack takes it: an event_type of letters, digits and underscores
        and an event_payload object (Slack refuses anything else with invalid_metadata_format)."""
        if metadata is None:
            return
        if (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not re.fullmatch(r"[A-Za-z0-9_]{1,255}", metadata["event_type"])
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise ApiError("invalid_metadata_format", f"chat.postMessage: metadata {metadata!r} is not an event_type and an event_payload")

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
        self._check_metadata(args.get("metadata"))
        thread_ts = args.get("thread_ts")
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
            raise ApiError("channel_not_found")
        message = next((m for m in self._messages.get(channel, []) if m["ts"] == args["ts"]), None)
        if message is None:
            raise ApiError("message_not_found")
        if message.get("user") != self.bot_user_id:
            raise ApiError("cant_update_message")
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
            raise ApiError("message_not_found")
        messages.remove(message)
        return {"channel": channel, "ts": message["ts"]}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if args.get("channel"):
            channel = str(args["channel"])
            if self._dm_user(channel) is None:
                raise ApiError("channel_not_found")
            return {"channel": {"id": channel}}
        if len(users) != 1:
            raise ApiError("invalid_arguments", "conversations.open: give one user (the fake opens DMs only)")
        user = self._user(users[0])
        if user.deleted:
            raise ApiError("user_disabled")
        if user.is_bot:
            raise ApiError("cannot_dm_bot")
        channel_id = self.dm_channel(user.id)
        if _flag(args.get("return_im")):
            return {"channel": {"id": channel_id, "is_im": True, "user": user.id}}
        return {"channel": {"id": channel_id}}

    def _m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first, after `oldest` (exclusive unless `inclusive`), `limit` a page (default
        100, at most 999) with a cursor; message metadata only with `include_all_metadata`,
        as Slack gives it. A user id is not a conversation (Slack says channel_not_found)."""
        channel = str(args.get("channel") or "")
        if not channel or channel[:1] in ("U", "W"):
            raise ApiError("channel_not_found", None if channel else "conversations.history: no channel")
        if channel[:1] == "D":
            if self._dm_user(channel) is None:
                raise ApiError("channel_not_found")
        elif channel not in self._channels:
            raise ApiError("channel_not_found")
        elif not self._channels[channel]["is_member"]:
            raise ApiError("not_in_channel")
        try:
            oldest = float(args.get("oldest") or 0)
            limit = min(999, max(1, int(args.get("limit") or 100)))
            start = int(args.get("cursor") or 0)
        except ValueError:
            raise ApiError("invalid_arguments", "conversations.history: oldest, limit and cursor are numbers") from None
        inclusive = bool(_flag(args.get("inclusive")))
        metadata = bool(_flag(args.get("include_all_metadata")))
        newest_first = [
            m for m in reversed(self._messages.get(channel, [])) if float(m["ts"]) > oldest or (inclusive and float(m["ts"]) == oldest)
        ]
        page = newest_first[start : start + limit]
        shown = [{k: v for k, v in _public(m).items() if metadata or k != "metadata"} for m in page]
        more = start + limit < len(newest_first)
        return {"messages": shown, "has_more": more, "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        user = self._dm_user(channel)
        if user is not None:
            return {"channel": {"id": channel, "is_im": True, "user": user.id}}
        known = self._channels.get(channel)
        if known is None:
            raise ApiError("channel_not_found")
        return {"channel": {"id": channel, "name": known["name"], "is_channel": True, "is_member": known["is_member"]}}

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": self._user(args.get("user")).as_slack()}

    def _m_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args["email"]).lower()
        for user in self._users.values():
            if user.email and user.email.lower() == email and user.team_id == self.team_id:
                return {"user": user.as_slack()}
        raise ApiError("users_not_found")

    def _m_team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"team": {"id": self.team_id, "name": "Planbot test", "domain": "planbot-test"}}

    def _take_trigger(self, method: str, trigger_id: Any) -> str | None:
        """Use up ``trigger_id`` (once, within 3 s); the person it was issued for, if known."""
        parts = str(trigger_id or "").split(".")
        if len(parts) != 3 or not parts[0].isdigit():
            raise ApiError("invalid_trigger_id", f"{method}: trigger_id {trigger_id!r} is not one Slack gave")
        age = time.time() - int(parts[0]) / 1000
        if age > self.trigger_lifetime:
            raise ApiError(
                "expired_trigger_id", f"{method}: trigger_id used {age:.1f} s after it was issued ({self.trigger_lifetime:g} s)"
            )
        if trigger_id in self._used_triggers:
            raise ApiError("exchanged_trigger_id")
        self._used_triggers.add(str(trigger_id))
        return self._trigger_users.get(str(trigger_id))

    def _check_view(self, method: str, view: Any) -> dict[str, Any]:
        problems = view_problems(view)
        if problems:
            for p in problems:
                self._problems.append(f"{method}: {p}")
            raise ApiError("invalid_arguments")
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
        user_id = self._take_trigger("views.open", args.get("trigger_id"))
        view = self._check_view("views.open", args["view"])
        if view.get("type") != "modal":
            raise ApiError("invalid_arguments", "views.open: only a modal can be opened")
        stored = self._store_view("views.open", self._new_id("V"), user_id, view)
        self._open_views[stored["id"]] = stored
        return {"view": stored}

    def _m_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = self._take_trigger("views.push", args.get("trigger_id"))
        view = self._check_view("views.push", args["view"])
        stored = self._store_view("views.push", self._new_id("V"), user_id, view)
        self._open_views[stored["id"]] = stored
        return {"view": stored}

    def _m_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if not view_id and not external_id:
            raise ApiError("invalid_arguments", "views.update: needs view_id or external_id")
        if "view" not in args:
            raise ApiError("invalid_arguments", "views.update: missing view")
        current = self._open_views.get(str(view_id)) if view_id else next(
            (v for v in self._open_views.values() if v.get("external_id") == external_id), None
        )
        if current is None:
            raise ApiError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        view = self._check_view("views.update", args["view"])
        stored = self._store_view("views.update", current["id"], current.get("user_id"), view)
        self._open_views[stored["id"]] = stored
        return {"view": stored}

    def _m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._user(args["user_id"])
        view = self._check_view("views.publish", args["view"])
        if view.get("type") != "home":
            raise ApiError("invalid_arguments", "views.publish: only a home view can be published")
        stored = self._store_view("views.publish", self._homes.get(user.id, {}).get("id") or self._new_id("V"),
                                  user.id, view)
        self._homes[user.id] = stored
        return {"view": stored}

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(args["length"])
        except (TypeError, ValueError):
            raise ApiError("invalid_arguments", "files.getUploadURLExternal: length must be a number") from None
        if length <= 0:
            raise ApiError("invalid_arguments", "files.getUploadURLExternal: length must be positive")
        file_id = self._new_id("F")
        self._pending_files[file_id] = {"filename": str(args["filename"]), "length": length, "content": None}
        return {"upload_url": f"{self.base}upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args["files"]
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) and "id" in f for f in files):
            raise ApiError("invalid_arguments", "files.completeUploadExternal: files must be [{id, title}]")
        channel_id = args.get("channel_id")
        if args.get("channels"):
            self._problems.append("files.completeUploadExternal: use channel_id (channels is for several channels)")
        channel = None
        if channel_id:
            channel_id = str(channel_id)
            if channel_id[:1] in ("U", "W"):
                raise ApiError("invalid_channel", "files.completeUploadExternal: channel_id is a user id, not a channel")
            channel = self._postable_channel(channel_id)
        done = []
        for item in files:
            pending = self._pending_files.get(str(item["id"]))
            if pending is None:
                raise ApiError("file_not_found", f"files.completeUploadExternal: unknown file id {item['id']}")
            if pending["content"] is None:
                raise ApiError("file_not_found", f"files.completeUploadExternal: file {item['id']} was never uploaded")
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
        return {"url": f"{self.ws_url}?ticket={self._socket.issue_ticket()}&app_id={self.app_id}"}


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true")


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if v is not None and k not in ("unfurl_links", "unfurl_media")}


def _utc_offset(tz: str) -> int:
    """Seconds east of UTC now in ``tz``, as users.info gives ``tz_offset``."""
    offset = datetime.now(ZoneInfo(tz)).utcoffset()
    return int(offset.total_seconds()) if offset else 0
