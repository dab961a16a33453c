"""The update conversation (being written)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Reply
from storage.models import Conversation


def start_from_args(ctx: Context, args: str) -> list[Reply]:
    raise NotImplementedError


def answer(ctx: Context, conv: Conversation, text: str) -> list[Reply]:
    raise NotImplementedError


def press(ctx: Context, value: str, step: str) -> list[Reply]:
    raise NotImplementedError


def submit_form(ctx: Context, values: dict[str, str], step: str) -> list[Reply]:
    raise NotImplementedError
