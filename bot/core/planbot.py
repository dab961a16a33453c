"""The core's front door: one event in, structured replies out.

Adapters call `Planbot.handle`; it resolves who is speaking from the plan's ids,
drops replayed deliveries, routes to a command or the running conversation, and
turns expected failures into friendly replies. One session per event: either
the whole event's effect is stored or none of it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.core import commands
from bot.core.flows import flow_for
from bot.core.clock import Clock, SystemClock
from bot.core.context import Context
from bot.core.errors import PlanbotError
from bot.core.events import ChoiceMade, Command, Event, FormSubmitted, Sender, TextMessage
from bot.core.replies import Reply, say
from bot.core.text import clean
from storage.conversations import claim_delivery
from storage.db import session_scope
from storage.queries import find_person, get_plan

logger = logging.getLogger(__name__)

PLATFORM_FIELD = {"slack": "slack", "teams": "teams", "shell": "id"}


class Planbot:
    def __init__(self, engine: Engine, clock: Clock | None = None, *, exports_dir: Path = Path("exports")) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()
        self.exports_dir = exports_dir

    def handle(self, event: Event) -> list[Reply]:
        try:
            with session_scope(self.engine) as session:
                now = self.clock.now()
                if event.delivery_id and not claim_delivery(session, key=event.delivery_id, at=now):
                    logger.info("ignoring replayed delivery %s", event.delivery_id)
                    return []
                plan = get_plan(session)
                if plan is None:
                    return [say("No plan is loaded yet. A coordinator can load one with `planbot plan load FILE`.")]
                person = find_person(session, platform=event.sender.platform, user_id=event.sender.user_id)
                if person is None:
                    return [self._stranger(event.sender)]
                ctx = Context(session, person, event.sender, now, plan, self.exports_dir)
                try:
                    with session.begin_nested():
                        return self._route(ctx, event)
                except PlanbotError as exc:
                    return [say(str(exc))]
        except Exception:
            logger.exception("unexpected error handling %s", type(event).__name__)
            return [say("Sorry, something went wrong on my side and nothing was changed. Please try again in a moment.")]

    def _stranger(self, sender: Sender) -> Reply:
        field = PLATFORM_FIELD.get(sender.platform, sender.platform)
        return say(
            f"I don't know you yet: your {sender.platform} id ({sender.user_id}) is not in the plan. "
            f"Ask a coordinator to add it as `{field}:` on your entry under `people:` in the plan file and reload it."
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
