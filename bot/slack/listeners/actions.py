"""Buttons: an answer button is the same as typing its word; "Open the form" opens a modal.

Every press is acknowledged at once. A form button opens a loading modal first
(its trigger id lasts three seconds), then the core's form replaces it; anything
else the core says goes where the button was (the DM, or privately through the
`response_url` for a button on an ephemeral answer).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from typing import Any

from bot.core.events import ChoiceMade, Origin
from bot.core.replies import Form, Reply
from bot.slack.blocks import CHOICE_ACTION, FORM_ACTION, read_button_value
from bot.slack.listeners.commands import request_id
from bot.slack.runtime import SlackRuntime, Where
from bot.slack.views import form_view, loading_view, message_view

FORM_STEP = re.compile(r"^checkin:form:")


def where_pressed(runtime_dm: bool, body: dict[str, Any]) -> Where:
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message = body.get("message") or {}
    user = body.get("user") or {}
    ephemeral = bool(container.get("is_ephemeral"))
    return Where(
        str(user.get("id") or ""),
        team_id=user.get("team_id") or (body.get("team") or {}).get("id"),
        channel=channel,
        direct=runtime_dm and not ephemeral,
        thread_ts=message.get("thread_ts"),
        response_url=body.get("response_url") if ephemeral else None,
    )


def register(app: Any, runtime: SlackRuntime) -> None:
    @app.action(re.compile(f"^{CHOICE_ACTION}"))
    async def on_choice(ack: Any, body: dict[str, Any], action: dict[str, Any], request: Any) -> None:
        await ack()
        runtime.later(_press(runtime, body, action, request))

    @app.action(re.compile(f"^{FORM_ACTION}"))
    async def on_form_button(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any, request: Any) -> None:
        await ack()
        # the loading modal opens at once (its trigger expires in 3 s), while the press waits its turn
        opening = asyncio.ensure_future(client.views_open(trigger_id=body["trigger_id"], view=loading_view()))
        runtime.later(_press(runtime, body, action, request, opening=opening))


async def _press(
    runtime: SlackRuntime, body: dict[str, Any], action: dict[str, Any], request: Any, *, opening: Awaitable[Any] | None = None
) -> None:
    user_id = str((body.get("user") or {}).get("id") or "")
    async with runtime.turn(user_id):  # taken before anything is awaited: presses run in the order they came
        read = read_button_value(str(action.get("value") or ""))
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        in_home = (body.get("container") or {}).get("type") == "view"
        where = where_pressed(in_home or await runtime.is_dm(user_id, channel), body)
        if in_home:
            where.channel = None
        if read is None:
            return
        step, value = read
        message = body.get("message") or {}
        origin = Origin(message=(str(channel), str(message.get("ts"))) if channel and message.get("ts") else None)
        event = ChoiceMade(where.sender(), value, step, delivery_id=request_id(body, getattr(request, "headers", None)), origin=origin)
        replies = await runtime.handle(event, where)
        if opening is not None:
            await _fill_form(runtime, replies, str((await opening)["view"]["id"]), where)
            replies = [r for r in replies if not any(isinstance(b, Form) for b in r.blocks)]
        await runtime.deliver(replies, where)


async def _fill_form(runtime: SlackRuntime, replies: list[Reply], view_id: str, where: Where) -> None:
    """Replace the loading modal with the core's form, or with what it said instead."""
    forms = [b for r in replies for b in r.blocks if isinstance(b, Form)]
    if forms:
        view = form_view(forms[-1], metadata={"c": where.channel if where.direct else None})
    else:
        view = message_view(replies[0] if replies else Reply([]), "Planbot")
    await runtime.client.views_update(view_id=view_id, view=view)
