"""An update's place in the person's conversation: the draft kept in the
Conversation row, the step token its buttons carry, and where its replies go.

Each answer re-reads the row (locked on PostgreSQL) and saves the next state, so
a restart, a second process or a replayed event sees exactly where the person
is. An update asked for in a channel carries on in the person's direct
messages, so its replies are marked `direct`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from bot.core.context import Context
from bot.core.events import DIRECT
from bot.core.replies import Reply
from bot.core.update_draft import Draft, Subject
from bot.core.update_messages import question
from storage.conversations import clear_conversation, save_conversation
from storage.models import Conversation

P = ParamSpec("P")


def to_person(handler: Callable[Concatenate[Context, P], list[Reply]]) -> Callable[Concatenate[Context, P], list[Reply]]:
    """An update's replies go to the person's direct conversation, wherever they asked for it."""

    @functools.wraps(handler)
    def wrapper(ctx: Context, *args: P.args, **kwargs: P.kwargs) -> list[Reply]:
        replies = handler(ctx, *args, **kwargs)
        return replies if ctx.direct else [dataclasses.replace(r, direct=True) for r in replies]

    return wrapper


def token(conv: Conversation) -> str:
    return f"checkin:{conv.step}"


REVIEWED = re.compile(r"checkin:\d+:review:(\d+):(\S+)")
"""A review's buttons name the update they confirm: a Save pressed after the person's
next event was handled (by another process) can still be matched to its answers."""


def same_step(step: str, conv: Conversation) -> bool:
    """Whether a button's step is the open question's (a review's buttons add what they review)."""
    return step == token(conv) or step.startswith(token(conv) + ":review:")


def open_draft(ctx: Context) -> tuple[Conversation, Draft] | None:
    conv = ctx.conversation()
    if conv is None or not conv.state.startswith("checkin:"):
        return None
    return conv, lock(ctx, conv)


def lock(ctx: Context, conv: Conversation) -> Draft:
    """Re-read the conversation row FOR UPDATE (PostgreSQL), so two presses of one
    button handled at once are applied one after the other: the second then
    finds the step moved on and is treated as stale."""
    ctx.session.refresh(conv, with_for_update=True)
    return Draft.from_data(conv.data)


def reask(ctx: Context, conv: Conversation, draft: Draft, lead_in: list[str]) -> Reply:
    """The current question again; nothing is saved, so its buttons stay valid."""
    return question(draft, Subject.load(ctx.session, draft), token(conv), lead_in)


def save_and_ask(ctx: Context, draft: Draft, lead_in: list[str]) -> Reply:
    """Save the draft as the conversation's next state (earlier buttons become stale) and ask its question.
    The conversation is recorded as direct even when asked for in a channel: that is where it goes on."""
    conv = save_conversation(
        ctx.session,
        platform=ctx.sender.platform,
        person_id=ctx.person.id,
        channel=DIRECT,
        state=draft.state,
        data=draft.to_data(),
        at=ctx.now,
    )
    return question(draft, Subject.load(ctx.session, draft), token(conv), lead_in)


def clear(ctx: Context) -> None:
    clear_conversation(ctx.session, platform=ctx.sender.platform, person_id=ctx.person.id)
