"""The update form's submission.

The core reads it inside the acknowledgement (it takes milliseconds), so a
field's problem is shown under that field (`response_action: errors`) and the
modal stays open with everything typed. A valid form closes the modal and the
review, with its Save button, goes to the DM, where the rest of the
conversation is: one place to confirm, whichever way the answers came.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

from bot.core.events import FormSubmitted
from bot.core.replies import Form, Reply, say
from bot.slack.listeners.commands import FAST, request_id
from bot.slack.runtime import SORRY, SlackRuntime, Where
from bot.slack.views import FORM_CALLBACK, form_errors, submitted_values


def register(app: Any, runtime: SlackRuntime) -> None:
    @app.view(FORM_CALLBACK)
    async def on_submit(ack: Any, body: dict[str, Any], view: dict[str, Any], request: Any) -> None:
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            metadata = {}
        user = body.get("user") or {}
        channel = metadata.get("c") if isinstance(metadata, dict) else None
        where = Where(str(user.get("id") or ""), team_id=user.get("team_id"), channel=channel, direct=True)
        event = FormSubmitted(
            where.sender(),
            submitted_values(view),
            str(metadata.get("step") or "") if isinstance(metadata, dict) else "",
            delivery_id=request_id(body, getattr(request, "headers", None)),
        )
        work = asyncio.ensure_future(runtime.handle_in_turn(event, where))
        done, _ = await asyncio.wait({work}, timeout=FAST)
        if not done:
            await ack()
            runtime.later(_later(runtime, work, where))
            return
        try:
            replies = work.result()
        except Exception:  # noqa: BLE001
            replies = [say(SORRY)]
        problems = [b for r in replies for b in r.blocks if isinstance(b, Form) and b.errors]
        errors = form_errors(problems[-1])["errors"] if problems else {}
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        runtime.later(runtime.deliver(_without_forms(replies), where))


def _without_forms(replies: list[Reply]) -> list[Reply]:
    return [dataclasses.replace(r, blocks=[b for b in r.blocks if not isinstance(b, Form)]) for r in replies if r.blocks]


async def _later(runtime: SlackRuntime, work: Any, where: Where) -> None:
    try:
        replies = await work
    except Exception:  # noqa: BLE001
        replies = [say(SORRY)]
    await runtime.deliver(_without_forms(replies), where)
