"""What the core says: structured replies that each adapter renders its own way.

Text is plain and unescaped here; every adapter escapes it for its platform
(Slack mrkdwn, Adaptive Cards, the terminal). A reply may carry a `key`, a handle
the adapter remembers for the sent message, so a later reply with
`replaces=key` edits that message in place (Slack chat.update, Teams update).
A reply marked `direct` goes to the person's direct conversation with the bot,
wherever the event came from (an update started in a channel continues there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Audience = Literal["asker", "here"]


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Fields:
    """Label/value pairs, e.g. an item's KPIs with their latest progress."""

    pairs: list[tuple[str, str]]


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    style: Literal["primary", "danger"] | None = None


@dataclass(frozen=True)
class Choices:
    """A question with buttons. `value` is what the core would accept typed, so a
    button press and typing the same word are one path. `step` ties the buttons
    to the question that showed them, so a stale press is recognised.
    `free_text` says the question also takes any words (a progress note), so a
    terminal must not read a typed number as a choice."""

    prompt: str
    choices: list[Choice]
    step: str = ""
    free_text: bool = False


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    title: str = ""


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: Literal["choice", "text", "long_text", "date"] = "text"
    options: list[Choice] = field(default_factory=list)
    initial: str = ""
    optional: bool = True
    hint: str = ""


@dataclass(frozen=True)
class Form:
    """A whole update as one form (Slack modal, Teams card); submitting it sends
    a `FormSubmitted` event with the values by field name.

    `errors` maps a field's name to what is wrong with the value submitted, so
    an adapter can show each message under its field (a Slack modal's
    `response_action: errors`); the same problems are also in the reply's text."""

    title: str
    fields: list[FormField]
    submit_label: str = "Review"
    step: str = ""
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class File:
    """A file the core produced (an export) for the adapter to hand over."""

    path: str
    title: str


Block = Heading | Paragraph | Fields | Bullets | Choices | Table | Form | File


@dataclass(frozen=True)
class Reply:
    blocks: list[Block]
    key: str | None = None
    replaces: str | None = None
    direct: bool = False
    """Send this to the person's direct conversation with the bot (their DM),
    not to the channel the event came from. Set on every reply of an update
    started from a channel or group; the core then adds an unmarked reply for
    the channel saying so. An adapter that is always direct (the terminal)
    shows it like any other reply."""
    audience: Audience | None = None
    """Who may read it where it was asked (`bot.core.privacy`): "asker" when it names
    people or their updates, shown to the asker alone (Slack ephemeral, the Teams
    personal chat); "here" when the asker said `share`; None for an answer about
    nobody else, which each platform shows its usual way."""

    @property
    def text(self) -> str:
        """A plain fallback (notifications, logs, tests)."""
        from bot.core.plaintext import render

        return render(self)


def say(*paragraphs: str, key: str | None = None) -> Reply:
    return Reply([Paragraph(p) for p in paragraphs], key=key)
