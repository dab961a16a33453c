"""What reaches the core: adapters turn platform payloads into these."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sender:
    """Who spoke, as the platform knows them. The core maps this to a plan person
    through the plan's ids (`slack`, `teams`, or the person id for the shell),
    never through display names."""

    platform: str
    user_id: str
    channel: str = "dm"


@dataclass(frozen=True)
class TextMessage:
    sender: Sender
    text: str
    delivery_id: str | None = None


@dataclass(frozen=True)
class Command:
    """A slash command: `name` without the slash ('plan-status'), `args` the rest."""

    sender: Sender
    name: str
    args: str = ""
    delivery_id: str | None = None


@dataclass(frozen=True)
class ChoiceMade:
    """A button press: the choice's value and the step of the question it answered."""

    sender: Sender
    value: str
    step: str
    delivery_id: str | None = None


@dataclass(frozen=True)
class FormSubmitted:
    sender: Sender
    values: dict[str, str] = field(default_factory=dict)
    step: str = ""
    delivery_id: str | None = None


Event = TextMessage | Command | ChoiceMade | FormSubmitted
