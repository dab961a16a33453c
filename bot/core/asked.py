"""What a person has been asked and not yet answered: their open prompts, and the
period an update defaults to.

A lead prompted on 16 Dec for Q3 and chased on 31 Dec who types `/plan-update 1`
on 6 Jan means the Q3 update they were asked for, not Q4, which has barely begun:
an update defaults to the oldest period with an open prompt for that person and
item, then the current period.
"""

from __future__ import annotations

from bot.core.context import Context
from storage.models import Period
from storage.open_prompts import OpenPrompt, open_prompts


def open_for(ctx: Context) -> list[OpenPrompt]:
    """The person's open prompts, oldest first."""
    return open_prompts(ctx.session, person_id=ctx.person.id, now=ctx.now, zone=ctx.zone)


def asked_period(ctx: Context, periods: list[Period], item: int | None = None) -> Period | None:
    """The oldest period the person was asked to update (item `item`, or any) and hasn't, if any."""
    keys = {p.period for p in open_for(ctx) if p.asks == "update" and (item is None or p.item == item)}
    return next((p for p in periods if p.key in keys), None)
