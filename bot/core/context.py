"""What a handler needs for one event: the session, who is asking, and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.core.errors import BadInput
from bot.core.events import DIRECT, Sender
from bot.core.replies import Reply
from storage.conversations import get_conversation, save_conversation
from storage.models import Conversation, Person, Plan


@dataclass
class Context:
    session: Session
    person: Person
    sender: Sender
    now: dt.datetime
    plan: Plan
    exports_dir: Path
    platforms: tuple[str, ...] = ()
    """The chat platforms the clock can send to; none: the terminal inbox only."""
    edits: list[tuple[str, Reply]] = field(default_factory=list)
    """Messages to edit in place once this event's changes are committed: (key, new reply)."""
    reading: bool = False
    """The session only reads (see `Planbot.handle`): a write is refused by the database, and
    the event runs again as a writer, so nothing read here can change under it."""
    message_id: str | None = None
    """The platform's id of the message being handled, if it is one (see `TextMessage`)."""
    reply_to: tuple[str, str] | None = None
    """(channel, message id) the message replies to, if it is a reply in a thread."""
    _conversation: list[Conversation | None] = field(default_factory=list, repr=False)

    @property
    def direct(self) -> bool:
        """Whether the person spoke to the bot directly (a DM, its thread, the terminal),
        not in a channel or group where others read along."""
        return self.sender.channel == DIRECT

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.plan.timezone)

    @property
    def local_now(self) -> dt.datetime:
        return self.now.astimezone(self.zone)

    @property
    def today(self) -> dt.date:
        return self.local_now.date()

    def edit_everywhere(self, key: str, reply: Reply) -> None:
        """Replace every posted copy of the message keyed `key`, on every platform,
        after this event commits (so a rolled-back event edits nothing)."""
        self.edits.append((key, reply))

    def conversation(self) -> Conversation | None:
        """The person's open conversation on this platform; a reader loads it once."""
        if self._conversation:
            return self._conversation[0]
        conv = get_conversation(self.session, platform=self.sender.platform, person_id=self.person.id)
        if self.reading:
            self._conversation.append(conv)
        return conv

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo a failed step's changes. A reader has none to undo (a pending change is
        flushed, and refused, before its session ends), so it spends no round trip on one."""
        if self.reading:
            yield
            return
        with self.session.begin_nested():
            yield

    def ask_next_message(self, state: str, *, busy: str, data: dict[str, Any] | None = None) -> None:
        """Make the person's next message the answer to a one-question flow (`state`).

        Refused with `busy` while another conversation is open, so an update in
        progress is never overwritten; a repeat of the same flow is allowed.
        """
        flow = state.split(":", 2)[:2]
        conv = self.conversation()
        if conv is not None and conv.state.split(":", 2)[:2] != flow:
            raise BadInput(busy)
        save_conversation(
            self.session,
            platform=self.sender.platform,
            person_id=self.person.id,
            channel=self.sender.channel,
            state=state,
            data=dict(data or {}),
            at=self.now,
        )
