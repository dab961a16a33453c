"""The core's front door: one event in, structured replies out.

Adapters call `Planbot.handle`; it resolves who is speaking from the platform's id,
drops replayed deliveries, routes to a command or the running conversation, and
turns expected failures into friendly replies. One session per event: either
the whole event's effect is stored or none of it.

A conversation left without an answer for `conversation_idle` stops capturing
what the person writes; its update draft is kept and offered back. While one is
open, any command shows its question again afterwards, and so does opening the bot.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core import checkin, commands, delivery_keys, identity, prompt_answers
from bot.core.clock import Clock, SystemClock
from bot.core.context import Context
from bot.core.errors import PlanbotError
from bot.core.events import ChoiceMade, Command, Event, FormSubmitted, Opened, TextEdited, TextMessage
from bot.core.flows import FLOWS, flow_for
from bot.core.identity import note_seen, stranger_reply
from bot.core.ports import ChatPort, SentMessage
from bot.core.replies import Choices, Reply, say
from bot.core.text import clean
from storage.addresses import Source
from storage.conversations import claim_delivery, clear_conversation
from storage.db import is_write_refused, read_scope, session_scope
from storage.handles import handles_for, remember_handle
from storage.models import Conversation, Person
from storage.queries import UnknownPlatform, find_person, get_plan

logger = logging.getLogger(__name__)

UNKNOWN_PLATFORM = "Sorry, I can't tell who you are on this platform, so nothing was changed. Please let a coordinator know."
READ_ONLY_DATABASE = (
    "The database is read-only just now, so I can't store anything and nothing was changed. "
    "Looking things up still works; please let a coordinator know."
)
DEFAULT_CONVERSATION_IDLE = dt.timedelta(hours=24)


_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}


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
        conversation_idle: dt.timedelta = DEFAULT_CONVERSATION_IDLE,
    ) -> None:
        """`conversation_idle`: how long an unanswered conversation keeps capturing free
        text and blocking one-message questions (its update draft is kept after that)."""
        if conversation_idle <= dt.timedelta(0):
            raise ValueError("conversation_idle must be positive")
        self.engine = engine
        self.clock = clock or SystemClock()
        self.exports_dir = exports_dir
        self.platforms = tuple(platforms)
        self.port = port
        self.conversation_idle = conversation_idle

    def handle(self, event: Event) -> list[Reply]:
        return self._answer(event, read_only=False) or []

    def answer_read(self, event: Event) -> list[Reply] | None:
        """The replies to a command that only reads, built anew without the write lock;
        None when the event needs a writer (`handle`)."""
        return self._answer(event, read_only=True)

    def reads_only(self, event: Event) -> bool:
        """Is this worth trying as a reader (`answer_read`)?"""
        return _reads_only(event)

    def _answer(self, event: Event, *, read_only: bool) -> list[Reply] | None:
        edits: list[tuple[str, Reply]] = []
        try:
            replies = self._read(event, edits) if _reads_only(event) else None
            if replies is None:
                if read_only:
                    return None
                with session_scope(self.engine) as session:
                    replies = self._handle(session, event, edits, claim=True)
        except UnknownPlatform:
            logger.exception("an adapter sent %s from an unknown platform", type(event).__name__)
            return [say(UNKNOWN_PLATFORM)]
        except Exception as exc:
            if is_write_refused(exc):
                answered = self._read(event, [], seen=False) if _reads_only(event) else None
                if answered is not None:  # a question, answered from a read-only database without noting who asked
                    return answered
                logger.warning("the database is read-only: %s's event was not stored", type(event).__name__)
                return [say(READ_ONLY_DATABASE)]
            logger.exception("unexpected error handling %s", type(event).__name__)
            return [say("Sorry, something went wrong on my side and nothing was changed. Please try again in a moment.")]
        self._edit_sent(edits)
        return replies

    def _read(self, event: Event, edits: list[tuple[str, Reply]], *, seen: bool = True) -> list[Reply] | None:
        """A command that only reads runs without the write lock; None when it turned
        out to need a write (an idle conversation to close, an address to note), so
        the caller runs it again as a writer."""
        try:
            with read_scope(self.engine) as session:
                replies = self._handle(session, event, edits, claim=False, seen=seen)
                if session.new or session.dirty or session.deleted:
                    session.flush()  # refused: it wanted to write after all
                return replies
        except Exception as exc:
            if not is_write_refused(exc):
                raise
            edits.clear()
            return None

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

    def link_by_email(self, *, platform: str, user_id: str, email: str, team_id: str | None = None) -> Person | None:
        """For adapters: the person behind a platform user whose email the platform
        gave, recording the id when the plan's email matches (see `identity`)."""
        return self._recorded(
            f"a {platform} user's email could not be linked to the plan",
            lambda session: identity.link_by_email(
                session, platform=platform, user_id=user_id, email=email, team_id=team_id, at=self.clock.now()
            ),
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
        return self._recorded(
            f"a {platform} user's direct conversation was not recorded",
            lambda session: identity.note_address(
                session,
                platform=platform,
                user_id=user_id,
                channel=channel,
                team_id=team_id,
                reference=reference,
                source=source,
                at=self.clock.now(),
            ),
        )

    def _recorded(self, unrecorded: str, write: Callable[[Session], Person | None]) -> Person | None:
        """A write an adapter asks for on the way to the core; on a read-only database it is
        skipped with a warning, so the event is still answered."""
        try:
            with session_scope(self.engine) as session:
                return write(session)
        except Exception as exc:
            if not is_write_refused(exc):
                raise
            logger.warning("the database is read-only: %s", unrecorded)
            return None

    def _handle(
        self, session: Session, event: Event, edits: list[tuple[str, Reply]], *, claim: bool, seen: bool = True
    ) -> list[Reply]:
        """`claim`: record the delivery id, dropping a replay. A reader records none: a
        replayed read changes nothing, and an event that turns out to write is run
        again as a writer, which claims it."""
        now = self.clock.now()
        if claim and event.delivery_id and not claim_delivery(
            session, key=delivery_keys.scoped(event.delivery_id, event.sender), at=now, stored_as=event.delivery_id
        ):
            logger.info("ignoring replayed delivery %s", event.delivery_id)
            return []
        plan = get_plan(session)
        if plan is None:
            return [say("No plan is loaded yet. A coordinator can load one with `planbot plan load FILE`.")]
        person = find_person(session, platform=event.sender.platform, user_id=event.sender.user_id)
        if person is None:
            return [stranger_reply(session, event.sender)]
        if seen:
            note_seen(session, person=person, sender=event.sender, at=now)
        ctx = Context(session, person, event.sender, now, plan, self.exports_dir, self.platforms, reading=not claim)
        if isinstance(event, TextMessage | TextEdited):
            ctx.message_id = event.message_id
        if isinstance(event, TextMessage):
            ctx.reply_to = event.reply_to
        try:
            with ctx.savepoint():
                replies = self._route(ctx, event)
            edits.extend(ctx.edits)
        except PlanbotError as exc:
            replies = [say(str(exc))]
        return _with_channel_note(ctx, replies)

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

    def _route(self, ctx: Context, event: Event) -> list[Reply]:
        offered = self._expire_idle(ctx)
        match event:
            case Command(name=name, args=args):
                replies = _command(ctx, lambda: commands.run(ctx, clean(name), clean(args)))
            case ChoiceMade(value=value, step=step):
                flow = flow_for(step)
                replies = flow.press(ctx, value, step) if flow is checkin else _command(ctx, lambda: flow.press(ctx, value, step))
            case FormSubmitted(values=values, step=step):
                flow = flow_for(step)
                replies = flow.submit_form(ctx, values, step)
                replies = replies if flow is checkin else _with_pending(ctx, replies)
            case TextMessage(text=text):
                replies = self._text(ctx, text)
            case TextEdited(text=text, message_id=message_id):
                replies = _edited(ctx, message_id, text)
            case Opened():
                replies = _opened(ctx)
            case _:
                raise TypeError(f"unknown event {event!r}")
        return _with_offer(ctx, replies, offered)

    def _expire_idle(self, ctx: Context) -> list[Reply]:
        """Close a conversation left unanswered too long; returns the offer of its kept draft."""
        conv = ctx.conversation()
        if conv is None or ctx.now - conv.updated_at < self.conversation_idle:
            return []
        expire = getattr(FLOWS.get(_flow_name(conv)), "expire", None)
        if expire is None:
            clear_conversation(ctx.session, platform=ctx.sender.platform, person_id=ctx.person.id)
            return []
        replies: list[Reply] = expire(ctx, conv, self.conversation_idle)
        return replies

    def _text(self, ctx: Context, text: str) -> list[Reply]:
        stripped = clean(text)
        if stripped.startswith("/"):
            return _command(ctx, lambda: commands.run_line(ctx, stripped))
        conv = ctx.conversation()
        if conv is None:
            replied = None if _names_command(stripped) or not ctx.direct else prompt_answers.read_reply(ctx, stripped)
            return replied if replied is not None else commands.from_words(ctx, stripped)
        flow = flow_for(conv.state)
        if flow is checkin and not ctx.direct:
            return _channel_text(ctx, conv, stripped)
        reads = getattr(flow, "reads_as_answer", None)
        if reads is not None and _names_command(stripped) and not reads(ctx, conv, stripped):
            note = (
                f'I read "{stripped}" as a command, so I haven\'t taken it as your answer. '
                f'To answer with those words, type them in quotes: "{stripped}".'
            )
            return _command(ctx, lambda: commands.from_words(ctx, stripped), lead_in=[note])
        inner = _unquoted(stripped)
        if inner is not None and _names_command(inner):
            text = inner
        return flow.answer(ctx, conv, text)


def _command(ctx: Context, run: Callable[[], list[Reply]], *, lead_in: list[str] | None = None) -> list[Reply]:
    """Run a command; mid-update, its question follows. A failed command changes nothing
    (its own savepoint) and its message is the reply."""
    try:
        with ctx.savepoint():
            replies = run()
    except PlanbotError as exc:
        replies = [say(str(exc))]
    return _with_pending(ctx, replies, lead_in)


def _with_pending(ctx: Context, replies: list[Reply], lead_in: list[str] | None = None) -> list[Reply]:
    """The replies, then the open conversation's question if they don't show it already."""
    conv = ctx.conversation()
    reshow = getattr(FLOWS.get(_flow_name(conv)), "reshow", None) if conv else None
    if conv is None or reshow is None:
        return replies
    return [*replies, *reshow(ctx, conv, lead_in, after=replies)]


def _opened(ctx: Context) -> list[Reply]:
    """The person opened the bot: mid-update, the question again; else any draft kept for them."""
    conv = ctx.conversation()
    if conv is None:
        return checkin.welcome_back(ctx)
    reshow = getattr(FLOWS.get(_flow_name(conv)), "reshow", None)
    return reshow(ctx, conv, ["Welcome back. Here is where you stopped:"]) if reshow else []


def _edited(ctx: Context, message_id: str, text: str) -> list[Reply]:
    """An edited message: the open conversation's flow decides (the last answer is replaced);
    with none open there is nothing to change."""
    conv = ctx.conversation()
    edited = getattr(FLOWS.get(_flow_name(conv)), "edited", None) if conv is not None and ctx.direct else None
    if conv is None or edited is None:
        return []
    replies: list[Reply] = edited(ctx, conv, message_id, clean(text))
    return replies


def _channel_text(ctx: Context, conv: Conversation, text: str) -> list[Reply]:
    """Words in a channel are never an answer to an update, which carries on in the person's
    direct messages: a command runs; anything else points to the question there."""
    if _names_command(text):
        return _command(ctx, lambda: commands.from_words(ctx, text))
    note = say("I only take answers in our direct messages, so I haven't stored that. The question is waiting there.")
    return _with_pending(ctx, [note])


def _with_offer(ctx: Context, replies: list[Reply], offered: list[Reply]) -> list[Reply]:
    """Add the offer of a draft just set aside as idle, unless the person is back in an update
    or was offered it already."""
    if not offered:
        return replies
    conv = ctx.conversation()
    if conv is not None and _flow_name(conv) == "checkin":
        return replies
    if any(isinstance(b, Choices) and b.step == checkin.START for r in replies for b in r.blocks):
        return replies
    return [*replies, *offered]


def _with_channel_note(ctx: Context, replies: list[Reply]) -> list[Reply]:
    """Asked in a channel and answered only in the person's direct messages: say so where they asked."""
    if ctx.direct or not replies or not all(r.direct for r in replies):
        return replies
    return [say("I've sent you a direct message: your update carries on there."), *replies]


def _reads_only(event: Event) -> bool:
    """A command that only reads: worth trying without the write lock and without a
    delivery row (a replay of it changes nothing). Words without the slash ("plan-status"
    typed in Teams) count too; mid-update they are an answer, which writes, so the reader
    is refused and the event runs again as a writer."""
    match event:
        case Command(name=name, args=args):
            return commands.reads_only(f"/{clean(name).lstrip('/')} {clean(args)}")
        case TextMessage(text=text):
            line = clean(text)
            return commands.reads_only(line if line.startswith("/") else f"/{line}")
    return False


def _names_command(text: str) -> bool:
    """Clearly a command word ("status 3", "update 6"): a command's name and at most two more words."""
    tokens = text.split()
    if not tokens or len(tokens) > 3:
        return False
    return commands.resolve(tokens[0]) is not None


def _unquoted(text: str) -> str | None:
    """The words inside a pair of quotes, or None when `text` isn't quoted."""
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return None


def _flow_name(conv: Conversation | None) -> str:
    return conv.state.split(":", 1)[0] if conv is not None else ""
