"""The chat port: how the core and the clock reach a person proactively.

Slack, Teams and the terminal inbox each implement it; the core and the
scheduled jobs only ever see this interface.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session

from bot.core.replies import Reply


@dataclass(frozen=True)
class PlatformAddress:
    """How to reach a person on one platform (from the address table, or the plan's id)."""

    platform: str
    user_id: str
    team_id: str | None = None
    channel: str | None = None
    reference: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Recipient:
    """Who a scheduled message is for; `address` is where the routing port found them."""

    person_id: str
    name: str
    slack: str | None = None
    teams: str | None = None
    address: PlatformAddress | None = None
    send_key: str | None = None
    """The ledger key of a scheduled send: a port that can mark its messages with it
    (Slack's message metadata) finds them again when an outcome is unknown."""
    unsure_since: dt.datetime | None = None
    """Set when this send may already have gone out (its claimer died mid-send): the
    port looks for it since then before posting, or raises `OutcomeUnknown`."""


@dataclass(frozen=True)
class SentMessage:
    """A handle on a sent message, so it can be updated in place later."""

    platform: str
    channel: str
    message_id: str


class SendFailed(Exception):
    """The platform refused or failed; `retryable` says whether to try again later,
    and `retry_after` (seconds) how long the platform asked us to wait (a 429's
    Retry-After), which the clock honours before the next attempt."""

    def __init__(self, reason: str, *, retryable: bool = True, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retryable = retryable
        self.retry_after = retry_after


class OutcomeUnknown(SendFailed):
    """The platform may have taken the message (a timeout or a 5xx after the request
    went out, a claim left by a dead process) and it cannot be asked: the send is
    reported as "may not have arrived" and never sent again blind."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


class RecipientGone(SendFailed):
    """The person cannot be reached any more (deactivated, left the workspace)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


class ChatPort(Protocol):
    platform: str

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        """Open (or reuse) a direct conversation with the person and post the reply."""
        ...

    def update(self, sent: SentMessage, reply: Reply) -> None:
        """Replace a message sent earlier."""
        ...


def send_in(port: object, session: Session, recipient: Recipient, reply: Reply) -> SentMessage | None:
    """Post the reply inside the caller's transaction when the port's messages are rows
    of the same database (the terminal inbox), so the message and the ledger's mark
    commit together; None when the port sends elsewhere (a chat platform), and the
    caller sends it with `send` after its claim is committed, as for any platform."""
    method = getattr(port, "send_in", None)
    if method is None:
        return None
    sent: SentMessage | None = method(session, recipient, reply)
    return sent


class PlacePort(Protocol):
    """A platform port that can also post into a group conversation (a coordinators'
    channel or chat) by its id: once for everyone in it, mentioning nobody."""

    platform: str

    def send_to_place(self, place: str, reply: Reply, key: str | None = None, unsure_since: dt.datetime | None = None) -> SentMessage:
        """Post the reply in that channel; `RecipientGone` when the bot cannot post there.
        `key` and `unsure_since`: as `Recipient.send_key` and `Recipient.unsure_since`."""
        ...
