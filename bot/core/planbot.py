"""The core's front door: one event in, structured replies out.

Adapters call `Planbot.handle`; it resolves who is speaking from the platform's id,
drops replayed deliveries, routes to a command or the running conversation, and
turns expected failures into friendly replies. One session per event: either
the whole event's effect is stored or none of it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core import commands, identity
from bot.core.flows import flow_for
from bot.core.clock import Clock, SystemClock
from bot.core.context import Context
from bot.core.errors import PlanbotError
from bot.core.events import ChoiceMade, Command, Event, FormSubmitted, TextMessage
from bot.core.identity import note_seen, stranger_reply
from bot.core.ports import ChatPort, SentMessage
from bot.core.replies import Reply, say
from bot.core.text import clean
from storage.addresses import Source
from storage.conversations import claim_delivery
from storage.db import session_scope
from storage.handles import handles_for, remember_handle
from storage.models import Person
from storage.queries import UnknownPlatform, find_person, get_plan

logger = logging.getLogger(__name__)

UNKNOWN_PLATFORM = "Sorry, I can't tell who you are on this platform, so nothing was changed. Please let a coordinator know."


class Planbot:
    """`platforms` names the chat platforms the clock can send to (their ports
    are configured in the assembly); /plan-schedule shows who cannot be reached
    on any of them. Empty: every scheduled message goes to the terminal inbox.
    `port` reaches people proactively (the assembly's routing port): it edits
    sent messages in place after an event changes what they show."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock | None = None,
        *,
        exports_dir: Path = Path("exports"),
        platforms: Sequence[str] = (),
        port: ChatPort | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()
        self.exports_dir = exports_dir
        self.platforms = tuple(platforms)
        self.port = port

    def handle(self, event: Event) -> list[Reply]:
        edits: list[tuple[str, Reply]] = []
        try:
            with session_scope(self.engine) as session:
                replies = self._handle(session, event, edits)
        except UnknownPlatform:
            logger.exception("an adapter sent %s from an unknown platform", type(event).__name__)
            return [say(UNKNOWN_PLATFORM)]
        except Exception:
            logger.exception("unexpected error handling %s", type(event).__name__)
            return [say("Sorry, something went wrong on my side and nothing was changed. Please try again in a moment.")]
        self._edit_sent(edits)
        return replies

    def remember_sent(self, key: str, sent: SentMessage, *, person_id: str | None = None) -> None:
        """An adapter posted a reply that has a `key`: remember where, so a later edit
        of that key (from any process) reaches this copy too."""
        with session_scope(self.engine) as session:
            remember_handle(
                session,
                key=key,
                platform=sent.platform,
                channel=sent.channel,
                message_id=sent.message_id,
                person_id=person_id,
                at=self.clock.now(),
            )

    def _handle(self, session: Session, event: Event, edits: list[tuple[str, Reply]]) -> list[Reply]:
        now = self.clock.now()
        if event.delivery_id and not claim_delivery(session, key=event.delivery_id, at=now):
            logger.info("ignoring replayed delivery %s", event.delivery_id)
            return []
        plan = get_plan(session)
        if plan is None:
            return [say("No plan is loaded yet. A coordinator can load one with `planbot plan load FILE`.")]
        person = find_person(session, platform=event.sender.platform, user_id=event.sender.user_id)
        if person is None:
            return [stranger_reply(session, event.sender)]
        note_seen(session, person=person, sender=event.sender, at=now)
        ctx = Context(session, person, event.sender, now, plan, self.exports_dir, self.platforms)
        try:
            with session.begin_nested():
                replies = self._route(ctx, event)
        except PlanbotError as exc:
            return [say(str(exc))]
        edits.extend(ctx.edits)
        return replies

    def _edit_sent(self, edits: list[tuple[str, Reply]]) -> None:
        """Edit every posted copy of each keyed message, after the event committed.

        A platform that fails here loses only the edit (the update is stored), so
        it is logged, never shown to the person as a failure of their event."""
        if not edits or self.port is None:
            return
        with session_scope(self.engine) as session:
            targets = [(h, reply) for key, reply in edits for h in handles_for(session, key=key)]
        for handle, reply in targets:
            sent = SentMessage(handle.platform, handle.channel, handle.message_id)
            try:
                self.port.update(sent, Reply(reply.blocks, key=handle.key))
            except Exception:
                logger.exception("editing %s at %s/%s failed", handle.key, handle.platform, handle.channel)

    def link_by_email(self, *, platform: str, user_id: str, email: str, team_id: str | None = None) -> Person | None:
        """For adapters: the person behind a platform user whose email the platform
        gave, recording the id when the plan's email matches (see `identity`)."""
        with session_scope(self.engine) as session:
            return identity.link_by_email(
                session, platform=platform, user_id=user_id, email=email, team_id=team_id, at=self.clock.now()
            )

    def note_address(
        self,
        *,
        platform: str,
        user_id: str,
        channel: str | None = None,
        team_id: str | None = None,
        reference: Mapping[str, Any] | None = None,
        source: Source = "event",
    ) -> Person | None:
        """For adapters: a known person's direct conversation (Slack DM channel,
        Teams conversation reference), from an event or an install; None for a stranger."""
        with session_scope(self.engine) as session:
            return identity.note_address(
                session,
                platform=platform,
                user_id=user_id,
                channel=channel,
                team_id=team_id,
                reference=reference,
                source=source,
                at=self.clock.now(),
            )

    def _route(self, ctx: Context, event: Event) -> list[Reply]:
        match event:
            case Command(name=name, args=args):
                return commands.run(ctx, clean(name), clean(args))
            case ChoiceMade(value=value, step=step):
                return flow_for(step).press(ctx, value, step)
            case FormSubmitted(values=values, step=step):
                return flow_for(step).submit_form(ctx, values, step)
            case TextMessage(text=text):
                return self._text(ctx, text)
        raise TypeError(f"unknown event {event!r}")

    def _text(self, ctx: Context, text: str) -> list[Reply]:
        stripped = clean(text)
        if stripped.startswith("/"):
            return commands.run_line(ctx, stripped)
        conv = ctx.conversation()
        if conv is not None:
            return flow_for(conv.state).answer(ctx, conv, text)
        return commands.from_words(ctx, stripped)
