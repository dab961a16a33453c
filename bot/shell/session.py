"""A terminal chat session: lines in, rendered replies out.

Typed lines become core events; a bare number answers the last numbered
question (the terminal's buttons). Replies render through the plain-text
renderer, so what the shell prints is what every adapter's fallback says, with
commands spelled as the terminal types them (`SYNTAX`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.core.command_names import TERMINAL, CommandSyntax
from bot.core.events import ChoiceMade, Sender, TextMessage
from bot.core.plaintext import render
from bot.core.planbot import Planbot
from bot.core.replies import Choices, Reply

SYNTAX = TERMINAL
"""The terminal's users type `/away`, `/plan-status`: the core's own spelling."""


@dataclass
class ShellSession:
    bot: Planbot
    person_id: str
    syntax: CommandSyntax = SYNTAX
    _last_choices: Choices | None = field(default=None, init=False)

    @property
    def sender(self) -> Sender:
        """The terminal is always the person's direct conversation with the bot."""
        return Sender("shell", self.person_id)

    def send(self, line: str) -> list[Reply]:
        """One typed line in; the replies to print."""
        choices = self._last_choices
        stripped = line.strip()
        if choices is not None and not choices.free_text and stripped.isdigit():
            index = int(stripped)
            if 1 <= index <= len(choices.choices):
                replies = self.bot.handle(ChoiceMade(self.sender, choices.choices[index - 1].value, choices.step))
                self._remember(replies)
                return replies
        replies = self.bot.handle(TextMessage(self.sender, line))
        self._remember(replies)
        return replies

    def _remember(self, replies: list[Reply]) -> None:
        """The numbered choices the person now sees are those of the last question shown."""
        for reply in replies:
            for block in reply.blocks:
                if isinstance(block, Choices):
                    self._last_choices = block
        if replies and not any(isinstance(b, Choices) for r in replies for b in r.blocks):
            self._last_choices = None

    def show(self, replies: list[Reply], *, answering: bool = False) -> str:
        """Rendered replies. An answer that would edit the message above in Slack or
        Teams is simply printed next in a terminal, so it carries no '(updated)' mark;
        what waited in the inbox keeps it, as it replaces something sent earlier."""
        self._remember(replies)
        if answering:
            replies = [replace(r, replaces=None) for r in replies]
        return "\n\n".join(render(r, self.syntax) for r in replies)
