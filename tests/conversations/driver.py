"""The interface every adapter's driver implements, so one set of conversation
scenarios runs through the terminal, Slack and Teams unchanged.

A driver speaks to the bot the way its platform does (the terminal's typed
lines and numbered choices; later Slack's signed HTTP requests and Teams'
activities) and reports what a person would see there, reduced to `Seen`:
the message's plain text with the platform's own command spellings, its button
labels, and the form it offers. People are the plan's person ids; each driver
maps them to its platform's ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Seen:
    """One message as a person sees it on the platform, edits applied."""

    text: str
    buttons: list[str] = field(default_factory=list)
    form_fields: list[str] = field(default_factory=list)
    """The names of the fields of the form this message carries (or opens), if any."""
    errors: dict[str, str] = field(default_factory=dict)
    """Per-field problems the form shows after a submission it could not take."""
    handle: Any = None
    """Driver-specific: what `press` and `submit_form` need to act on this message."""

    def has(self, *words: str) -> bool:
        return all(w in self.text for w in words)


def text_of(seen: list[Seen]) -> str:
    return "\n".join(s.text for s in seen)


class Driver(Protocol):
    name: str

    def typed(self, command: str) -> str:
        """How this platform's users type a core command ('plan-update' -> '/plan-update')."""
        ...

    def run_job(self, job: str) -> None:
        """Run a scheduled job now (the clock's time), sending through this platform."""
        ...

    def inbox(self, person: str) -> list[Seen]:
        """Every scheduled message sent to the person so far, oldest first, as it reads now."""
        ...

    def say(self, person: str, text: str, *, delivery_id: str | None = None, under: Seen | None = None) -> list[Seen]:
        """The person writes `text` to the bot in their direct conversation (in the thread of
        message `under`, where the platform has threads); the bot's answers."""
        ...

    def edit_last(self, person: str, text: str) -> list[Seen]:
        """The person edits the last message they wrote to read `text` (where the platform
        lets them: the terminal cannot, and skips the test)."""
        ...

    def press(self, person: str, label: str, *, on: Seen) -> list[Seen]:
        """The person presses the button labelled `label` on message `on`."""
        ...

    def submit_form(self, person: str, values: dict[str, str], *, on: Seen) -> list[Seen]:
        """The person fills in the form that message `on` carries (or opens) and submits it."""
        ...

    def replay(self) -> list[Seen]:
        """The platform delivers the last event again (a retry or a replayed request)."""
        ...

    def restart(self) -> None:
        """The bot's process restarts: nothing held in memory survives."""
        ...

    def stranger_says(self, text: str) -> list[Seen]:
        """Someone who is not in the plan writes to the bot."""
        ...
