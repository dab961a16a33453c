"""Summaries for /plan-status (being written)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Reply


def whole_plan(ctx: Context) -> list[Reply]:
    raise NotImplementedError


def item_detail(ctx: Context, number: int) -> list[Reply]:
    raise NotImplementedError


def person_items(ctx: Context, who: str) -> list[Reply]:
    raise NotImplementedError


def overdue(ctx: Context) -> list[Reply]:
    raise NotImplementedError


def changes(ctx: Context) -> list[Reply]:
    raise NotImplementedError
