"""Buttons on the clock's prompts and reminders (step "prompt:<kind>:..."): each
button's value is a command a person could type (`/plan-update 3 2019-Q3`,
`/snooze 2d`), so pressing it and typing it are one path."""

from __future__ import annotations

from bot.core import commands
from bot.core.command_names import cmd
from bot.core.context import Context
from bot.core.errors import BadInput
from bot.core.replies import Reply
from storage.models import Conversation


def press(ctx: Context, value: str, step: str) -> list[Reply]:
    text = value.strip()
    if not text.startswith("/"):
        raise BadInput(
            "That button belongs to a message I no longer recognise; nothing was changed. "
            f"Type {cmd('help')} to see what I can do."
        )
    return commands.run_line(ctx, text)


def answer(ctx: Context, conv: Conversation, text: str) -> list[Reply]:
    raise BadInput(f"I wasn't expecting an answer to that message. Type {cmd('help')} to see what I can do.")


def submit_form(ctx: Context, values: dict[str, str], step: str) -> list[Reply]:
    raise BadInput(
        f"That form belongs to a message I no longer recognise; nothing was stored. Type {cmd('help')} to see what I can do."
    )
