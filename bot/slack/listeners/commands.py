"""Slash commands: `/plan-status`, `/plan-update` and the rest, each under its `plan-` name.

The answer goes in the acknowledgement itself when the core has it in time (a
`/plan-status` takes milliseconds): the coordinator sees it as soon as Slack gets
our 200, sooner than a bare acknowledgement followed by a post. Work that can take
longer (an export) is acknowledged at once and answered through the
`response_url`, or the DM for a file; so is any command the core has not answered
within `FAST` seconds. Answers are private unless the core marks them shared (`bot.core.privacy`).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from bot.core.events import Command, Origin
from bot.core.replies import Reply, say
from bot.slack.blocks import messages
from bot.slack.guard import delivery_id
from bot.slack.runtime import SORRY, SlackRuntime, Where, response_type
from bot.slack.syntax import SLASH_COMMANDS, core_name

FAST = 2.0
"""Seconds the acknowledgement may wait for the core's answer (Slack allows 3)."""
_SLOW = re.compile(r"^\s*export\b", re.IGNORECASE)


def request_id(body: dict[str, Any], headers: dict[str, Any] | None) -> str | None:
    """Replay-stable: Slack's trigger id is unique per invocation and is carried again by a
    replayed request; without one, the signature (which a replay must reuse)."""
    trigger = body.get("trigger_id")
    if trigger:
        return f"slack-trigger:{trigger}"
    signature = (headers or {}).get("x-slack-signature")
    if isinstance(signature, list):
        signature = signature[0] if signature else None
    return delivery_id(signature) if signature else None


def register(app: Any, runtime: SlackRuntime) -> None:
    for slash in SLASH_COMMANDS:
        app.command(slash)(_listener(runtime))


def _listener(runtime: SlackRuntime) -> Any:
    async def on_command(ack: Any, body: dict[str, Any], request: Any) -> None:
        name = core_name(str(body.get("command", "")))
        args = str(body.get("text") or "")
        user_id = str(body.get("user_id") or "")
        channel = str(body.get("channel_id") or "") or None
        where = Where(
            user_id,
            team_id=body.get("team_id"),
            channel=channel,
            direct=await runtime.is_dm(user_id, channel),
            response_url=body.get("response_url"),
        )
        event = Command(
            where.sender(),
            name,
            args,
            delivery_id=request_id(body, getattr(request, "headers", None)),
            origin=Origin(data={"response_url": where.response_url}),
        )
        if _SLOW.match(args):
            await ack(text="Working on it: the file will be in your direct messages shortly.", response_type="ephemeral")
            runtime.later(_answer_later(runtime, runtime.handle_in_turn(event, where), where))
            return
        work = asyncio.ensure_future(runtime.handle_in_turn(event, where))
        done, _ = await asyncio.wait({work}, timeout=FAST)
        if not done:
            await ack(text="Working on it…", response_type="ephemeral")
            runtime.later(_answer_later(runtime, work, where))
            return
        try:
            replies = work.result()
        except Exception:  # noqa: BLE001  (logged by the core; the person gets an apology)
            replies = [say(SORRY)]
        await _ack_with(ack, runtime, replies, where)

    return on_command


async def _ack_with(ack: Any, runtime: SlackRuntime, replies: list[Reply], where: Where) -> None:
    """The first reply for the channel goes in the acknowledgement; everything else after it.
    Typed in the bot's DM, the answers are ordinary DM messages, like the rest of the conversation."""
    if where.direct:
        await ack()
        runtime.later(runtime.deliver(replies, where))
        return
    here = [r for r in replies if not r.direct and not _has_file(r)]
    first = here[0] if here else None
    more: list[Any] = []
    if first is None:
        await ack()
    else:
        [message, *more] = messages(first)
        await ack(text=message.text, blocks=message.blocks, response_type=response_type(first))
    rest = [r for r in replies if r is not first]
    if more or rest:
        runtime.later(_post_rest(runtime, [(m, response_type(first)) for m in more], rest, where))


async def _post_rest(runtime: SlackRuntime, more: list[tuple[Any, str]], rest: list[Reply], where: Where) -> None:
    """What did not fit in the acknowledgement, in order."""
    for message, shown_as in more:
        await runtime.post_response(where.response_url or "", message, shown_as)
    await runtime.deliver(rest, where)


async def _answer_later(runtime: SlackRuntime, work: Any, where: Where) -> None:
    try:
        replies = await work
    except Exception:  # noqa: BLE001
        replies = [say(SORRY)]
    await runtime.deliver(replies, where)


def _has_file(reply: Reply) -> bool:
    from bot.core.replies import File

    return any(isinstance(b, File) for b in reply.blocks)
