"""What every Slack listener shares: the core, the Web API client, who people are,
where replies go, and the work that runs after an acknowledgement.

Where a reply goes: one marked `direct`, or any reply to something said in the
DM, is posted in the DM (in its thread, when the person wrote in one); a reply to
a slash command or a button on an ephemeral message answers there, privately,
through the `response_url`. A reply with a `key` has its message handle stored,
so the core can edit it later; a reply with `replaces` edits that message in place
when it was posted in Slack. Each event's replies are posted only after the core
has stored what the event changed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.events import DIRECT, Event, Sender
from bot.core.ports import SentMessage
from bot.core.replies import File, Paragraph, Reply
from bot.slack.blocks import SlackMessage, messages
from bot.slack.people import PLATFORM, People, dm_channel
from storage.db import read_scope
from storage.handles import handles_for

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.core.async_boundary import AsyncPlanbot

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side while answering. Please try again in a moment."


@dataclass
class Where:
    """Where an event happened and how to answer it."""

    user_id: str
    team_id: str | None = None
    channel: str | None = None
    """The channel the event came from (a DM, a channel), when there is one."""
    direct: bool = False
    """The event came from the person's DM with the bot (or its App Home)."""
    thread_ts: str | None = None
    response_url: str | None = None

    def sender(self) -> Sender:
        return Sender(PLATFORM, self.user_id, DIRECT if self.direct else (self.channel or DIRECT), self.team_id)


class SlackRuntime:
    def __init__(self, core: AsyncPlanbot, client: AsyncWebClient) -> None:
        self.core = core
        self.client = client
        self.people = People(core, client)
        self.tasks: set[asyncio.Task[Any]] = set()

    def turn(self, user_id: str, *, read: bool = False) -> AbstractAsyncContextManager[None]:
        """The person's turn in the core (`bot.core.sender_turns`): a listener's work takes it
        before it awaits anything, so one person's events run in the order Slack sent them."""
        return self.core.turn(PLATFORM, user_id, read=read)

    def later(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run `work` after the acknowledgement; failures are logged, never lost silently."""

        async def run() -> None:
            try:
                await work
            except Exception:
                logger.exception("Slack work after the acknowledgement failed")

        task = asyncio.get_running_loop().create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def settle(self) -> None:
        """Wait for every piece of work started after an acknowledgement (tests, shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def is_dm(self, user_id: str, channel: str | None) -> bool:
        """Is `channel` the bot's DM with this user (recorded from a message or a send)?"""
        if not channel or not channel.startswith("D"):
            return False
        return await self.core.call(dm_channel, self.core.bot.engine, user_id) == channel

    async def handle(self, event: Event, where: Where) -> list[Reply]:
        """The core's replies to the event, once it has stored what the event changed."""
        await self.people.prepare(where.user_id, where.team_id)
        return await self.core.handle(event)

    async def handle_in_turn(self, event: Event, where: Where) -> list[Reply]:
        """The event in the person's turn; a question that only reads is answered as a reader."""
        async with self.turn(where.user_id, read=self.core.bot.reads_only(event)):
            if self.core.bot.reads_only(event):
                await self.people.prepare(where.user_id, where.team_id)
                replies = await self.core.answer_read(event)
                if replies is not None:
                    return replies
            return await self.handle(event, where)

    async def deliver(self, replies: list[Reply], where: Where) -> None:
        """Post each reply where it belongs (see the module's note)."""
        for reply in replies:
            try:
                if any(isinstance(b, File) for b in reply.blocks):
                    await self.hand_over(reply, where)
                elif reply.direct or where.direct or not where.response_url:
                    await self.to_dm(reply, where)
                else:
                    await self.respond(reply, where)
            except Exception:
                logger.exception("posting a reply to %s failed", where.user_id)

    async def respond(self, reply: Reply, where: Where) -> None:
        for message in messages(reply):
            await self.post_response(where.response_url or "", message, response_type(reply))

    async def post_response(self, url: str, message: SlackMessage, response_type: str) -> None:
        from slack_sdk.webhook.async_client import AsyncWebhookClient

        answer = await AsyncWebhookClient(url).send(
            text=message.text, blocks=message.blocks, response_type=response_type, replace_original=False
        )
        if answer.status_code >= 400:
            logger.warning("response_url refused a reply: %s", answer.status_code)

    async def to_dm(self, reply: Reply, where: Where) -> None:
        if reply.replaces and await self._edit(reply):
            return
        channel = (where.channel if where.direct and where.channel else None) or where.user_id
        first: dict[str, Any] | None = None
        for message in messages(reply):
            extra = {"thread_ts": where.thread_ts} if where.thread_ts and where.direct else {}
            answer = await self.client.chat_postMessage(channel=channel, **message.body(), **extra)
            if first is None:
                first = dict(answer.data) if isinstance(answer.data, dict) else {}
        if reply.key and first is not None:
            sent = SentMessage(PLATFORM, str(first.get("channel") or channel), str(first.get("ts") or ""))
            await self.core.remember_sent(reply.key, sent)

    async def _edit(self, reply: Reply) -> bool:
        """Edit every Slack copy of the message `reply.replaces` names; False when there is none."""
        handles = await self.core.call(_slack_handles, self.core.bot.engine, reply.replaces)
        if not handles:
            return False
        message = messages(Reply(reply.blocks))[0]
        for channel, ts in handles:
            await self.client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)
        return True

    async def hand_over(self, reply: Reply, where: Where) -> None:
        """A file (an export) goes to the person's DM through Slack's external upload."""
        channel = where.channel if where.direct and where.channel else await self._open_dm(where.user_id)
        files = [b for b in reply.blocks if isinstance(b, File)]
        others = Reply([b for b in reply.blocks if not isinstance(b, File)])
        for f in files:
            await self.upload(Path(f.path), f.title, channel)
        if others.blocks:
            await self.to_dm(others, Where(where.user_id, where.team_id, channel, True))
        if where.response_url and not where.direct:
            note = Reply([Paragraph(f"{', '.join(f.title for f in files)}: sent to you in a direct message.")])
            await self.respond(note, where)

    async def _open_dm(self, user_id: str) -> str:
        known = await self.core.call(dm_channel, self.core.bot.engine, user_id)
        if known:
            return known
        answer = await self.client.conversations_open(users=user_id)
        return str((answer.get("channel") or {}).get("id") or user_id)

    async def upload(self, path: Path, title: str, channel: str) -> None:
        """slack_sdk's `files_upload_v2`: Slack's external upload (the URL, the bytes, completion)."""
        data = await asyncio.get_running_loop().run_in_executor(None, path.read_bytes)
        await self.client.files_upload_v2(content=data, filename=path.name, title=title, channel=channel)


def response_type(reply: Reply) -> str:
    """A slash command's answer is seen by the asker alone unless the core marked it shared."""
    return "in_channel" if reply.audience == "here" else "ephemeral"


def _slack_handles(engine: Any, key: str | None) -> list[tuple[str, str]]:
    if not key:
        return []
    with read_scope(engine) as session:
        return [(h.channel, h.message_id) for h in handles_for(session, key=key) if h.platform == PLATFORM]
