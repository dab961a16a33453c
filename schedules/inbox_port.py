"""The chat port used when no chat platform is configured: each message waits in
the person's terminal inbox, and `planbot shell --as PERSON` opens with it."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.ports import Recipient, RecipientGone, SentMessage
from bot.core.replies import Reply
from bot.core.reply_codec import decode, encode
from storage.db import session_scope
from storage.inbox import put_message, take_unread_payloads
from storage.models import Person, utcnow

PLATFORM = "shell"


class InboxPort:
    platform = PLATFORM

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        with session_scope(self.engine) as session:
            person = session.get(Person, recipient.person_id)
            if person is None or not person.in_plan:
                raise RecipientGone(f"{recipient.name} is no longer in the plan")
            row = put_message(session, person_id=recipient.person_id, payload=encode(reply), at=utcnow())
        return SentMessage(PLATFORM, recipient.person_id, str(row.id))

    def update(self, sent: SentMessage, reply: Reply) -> None:
        """A terminal cannot edit what it printed: the new version waits as a message marked '(updated)'."""
        with session_scope(self.engine) as session:
            put_message(
                session,
                person_id=sent.channel,
                payload=encode(Reply(reply.blocks, reply.key, sent.message_id)),
                at=utcnow(),
            )


def take_unread(session: Session, *, person_id: str) -> list[Reply]:
    """What the bot has sent the person since they last looked, oldest first; marks it read."""
    return [decode(payload) for payload in take_unread_payloads(session, person_id=person_id)]
