"""Messages in the DM with the bot, in or out of a thread: the same conversation.

Events are acknowledged at once and handled after; Slack's retries of the same
event carry the same `event_id`, which is the core's delivery id, so a retry
changes nothing twice. Only the person's own messages in the bot's DM are read
(no bot posts or channel chatter); an edit of one (`message_changed`) goes to the
core, which replaces its answer while it is the last one given. A reply in a
thread names the thread's parent, so a reply under a prompt answers that prompt.
The DM channel is recorded, so the clock's prompts and the person's slash
commands know it.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.events import Origin, TextEdited, TextMessage
from bot.slack.people import PLATFORM
from bot.slack.runtime import SlackRuntime, Where

_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_BARE = re.compile(r"<((?:https?|mailto):[^<>|]+)>")
READ_SUBTYPES = {None, "", "thread_broadcast", "file_share"}


def typed_text(text: str) -> str:
    """Slack's encoding of what the person typed, back to their words: links to their text,
    entities to characters (mentions stay as Slack wrote them; the bot never echoes them raw)."""
    text = _LINK.sub(lambda m: m[2] if m[2] == m[1] or m[1].endswith(m[2]) else f"{m[2]} ({m[1]})", text)
    text = _BARE.sub(lambda m: m[1].removeprefix("mailto:"), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def register(app: Any, runtime: SlackRuntime) -> None:
    @app.event("message")
    async def on_message(body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id"):
            return
        if event.get("subtype") == EDITED:
            if _edit_of_own_words(event):
                runtime.later(_read_edit(runtime, body, event))
        elif event.get("subtype") in READ_SUBTYPES:
            runtime.later(_read(runtime, body, event))


EDITED = "message_changed"


def _edit_of_own_words(event: dict[str, Any]) -> bool:
    """A person changed the words of a message they wrote (not a bot's post, nor an unfurl
    that only added a preview to the same words)."""
    message, before = event.get("message"), event.get("previous_message")
    if not isinstance(message, dict) or message.get("bot_id") or not message.get("user") or not message.get("ts"):
        return False
    return not isinstance(before, dict) or before.get("text") != message.get("text")


async def _read_edit(runtime: SlackRuntime, body: dict[str, Any], event: dict[str, Any]) -> None:
    message: dict[str, Any] = event["message"]
    user_id = str(message["user"])
    channel = str(event.get("channel") or "")
    team_id = message.get("user_team") or message.get("team") or body.get("team_id")
    where = Where(user_id, team_id=team_id, channel=channel, direct=True, thread_ts=message.get("thread_ts"))
    edit = TextEdited(
        where.sender(),
        typed_text(str(message.get("text") or "")),
        str(message["ts"]),
        delivery_id=f"slack-event:{body.get('event_id')}" if body.get("event_id") else None,
        origin=Origin(message=(channel, str(message["ts"]))),
    )
    async with runtime.turn(user_id):
        await runtime.deliver(await runtime.handle(edit, where), where)


async def _read(runtime: SlackRuntime, body: dict[str, Any], event: dict[str, Any]) -> None:
    user_id = str(event.get("user") or "")
    channel = str(event.get("channel") or "")
    team_id = event.get("user_team") or event.get("team") or body.get("team_id")
    if not user_id:
        return
    where = Where(user_id, team_id=team_id, channel=channel, direct=True, thread_ts=event.get("thread_ts"))
    ts, thread = str(event.get("ts") or ""), event.get("thread_ts")
    message = TextMessage(
        where.sender(),
        typed_text(str(event.get("text") or "")),
        delivery_id=f"slack-event:{body.get('event_id')}" if body.get("event_id") else None,
        origin=Origin(message=(channel, ts)),
        message_id=ts or None,
        reply_to=(channel, str(thread)) if thread and thread != ts else None,
    )
    async with runtime.turn(user_id):
        await runtime.people.prepare(user_id, team_id)
        await runtime.core.call(runtime.core.bot.note_address, platform=PLATFORM, user_id=user_id, channel=channel, team_id=team_id)
        replies = await runtime.handle(message, where)
        await runtime.deliver(replies, where)
