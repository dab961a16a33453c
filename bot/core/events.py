"""What reaches the core: adapters turn platform payloads into these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

DIRECT = "direct"
"""The channel of a person's direct conversation with the bot, whatever the platform calls it."""


@dataclass(frozen=True)
class Sender:
    """Who spoke, as the platform knows them. The core maps this to a plan person
    through that platform's id only (the plan's `slack`/`teams` field, or an id an
    adapter learned and recorded as an address; the person id for the terminal),
    never through display names.

    `channel` is where they spoke (a Slack DM or channel id, a Teams conversation
    id, `direct` when the adapter has no better name); `team_id` the workspace or
    tenant, where the platform has one."""

    platform: str
    user_id: str
    channel: str = DIRECT
    team_id: str | None = None


@dataclass(frozen=True)
class Origin:
    """Opaque to the core: where an event came from on its platform (the message
    a button was on, a trigger id, a response URL, a reply-to id). The adapter
    gets it back with the replies, so it can answer in the right place."""

    message: tuple[str, str] | None = None
    """(channel, message id) of the message the event was on, if any."""
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class TextMessage:
    sender: Sender
    text: str
    delivery_id: str | None = None
    origin: Origin | None = None
    message_id: str | None = None
    """The platform's id of this message (a Slack ts, a Teams activity id), so an edit of it
    later (`TextEdited`) can replace the answer it gave."""
    reply_to: tuple[str, str] | None = None
    """(channel, message id) of the message this one replies to (a Slack thread's parent, a
    Teams reply): a reply in a prompt's thread answers that prompt."""


@dataclass(frozen=True)
class TextEdited:
    """The person edited a message they sent earlier (Slack `message_changed`, Teams
    `messageUpdate`): while its answer is the last one given, the new words replace it."""

    sender: Sender
    text: str
    message_id: str
    delivery_id: str | None = None
    origin: Origin | None = None


@dataclass(frozen=True)
class Command:
    """A slash command: `name` without the slash ('plan-status'), `args` the rest."""

    sender: Sender
    name: str
    args: str = ""
    delivery_id: str | None = None
    origin: Origin | None = None


@dataclass(frozen=True)
class ChoiceMade:
    """A button press: the choice's value and the step of the question it answered."""

    sender: Sender
    value: str
    step: str
    delivery_id: str | None = None
    origin: Origin | None = None


@dataclass(frozen=True)
class FormSubmitted:
    sender: Sender
    values: dict[str, str] = field(default_factory=dict)
    step: str = ""
    delivery_id: str | None = None
    origin: Origin | None = None


@dataclass(frozen=True)
class Opened:
    """The person opened the bot (a Slack App Home visit, a Teams chat opened):
    mid-update, the pending question is shown again."""

    sender: Sender
    delivery_id: str | None = None
    origin: Origin | None = None


Event = TextMessage | TextEdited | Command | ChoiceMade | FormSubmitted | Opened
