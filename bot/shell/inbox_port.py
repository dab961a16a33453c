"""The chat port used when no chat platform is configured: each message waits in
the person's terminal inbox, and `planbot shell --as PERSON` opens with it."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.ports import Recipient, RecipientGone, SentMessage
from bot.core.replies import Reply
from bot.core.reply_codec import decode, encode
from storage.db import session_scope
from storage.inbox import put_message, replace_message, take_unread_payloads
from storage.models import Person, utcnow

PLATFORM = "shell"


class InboxPort:
    platform = PLATFORM

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        with session_scope(self.engine) as session:
            return self.send_in(session, recipient, reply)

    def send_in(self, session: Session, recipient: Recipient, reply: Reply) -> SentMessage:
        """The message as a row in the caller's transaction: the clock marks its ledger
        entry sent in the same one, so a crash between the two cannot repeat it."""
        person = session.get(Person, recipient.person_id)
        if person is None or not person.in_plan:
            raise RecipientGone(f"{recipient.name} is no longer in the plan")
        row = put_message(session, person_id=recipient.person_id, payload=encode(reply), at=utcnow())
        return SentMessage(PLATFORM, recipient.person_id, str(row.id))

    def update(self, sent: SentMessage, reply: Reply) -> None:
        """Edit the waiting message in place: one still unread shows its new version
        when the person next opens the shell; one already read stays read (the
        terminal cannot change what it printed)."""
        with session_scope(self.engine) as session:
            replace_message(session, message_id=int(sent.message_id), payload=encode(reply))


def take_unread(session: Session, *, person_id: str) -> list[Reply]:
    """What the bot has sent the person since they last looked, oldest first; marks it read."""
    return [decode(payload) for payload in take_unread_payloads(session, person_id=person_id)]
