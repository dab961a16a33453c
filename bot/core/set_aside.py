"""Unfinished updates put aside and taken back.

A person writes one update at a time in a conversation, but may start another
item, leave one for later, or walk away: the draft then moves to the Draft
table (per person, item and period) with its answers and its place, so taking it
back resumes at the same question. A draft whose item got a newer update
meanwhile comes back saying so, with "same" now meaning that newer update.
"""

from __future__ import annotations

import datetime as dt

from bot.core.command_names import cmd
from bot.core.context import Context
from bot.core.replies import Reply
from bot.core.update_draft import Draft, previous_snapshot
from bot.core.update_messages import draft_offer
from bot.core.wording import date_text, short_label
from storage.drafts import drop_draft, get_draft, person_drafts, put_draft
from storage.models import Item, Period, Person
from storage.queries import latest_update


def put_aside(ctx: Context, draft: Draft, *, last_answered: dt.datetime | None = None) -> bool:
    """Keep the draft for later if it has any answers; True when kept. `last_answered`
    (default now) is when the person stopped, which is what they are told on resuming."""
    if not draft.answered:
        return False
    kept = Draft.from_data(draft.to_data())
    kept.switch_to, kept.queue, kept.undo, kept.answered_by = None, [], None, {}
    put_draft(
        ctx.session,
        person_id=ctx.person.id,
        item_number=kept.item,
        period_key=kept.period,
        data=kept.to_data(),
        at=last_answered or ctx.now,
    )
    return True


def take_back(ctx: Context, item: Item, period: Period) -> tuple[Draft, list[str]] | None:
    """The person's set-aside draft for the item and period, removed from the table, and
    what to tell them about it; None when there is none."""
    found = peek(ctx, item, period)
    if found is not None:
        forget(ctx, found[0])
    return found


def peek(ctx: Context, item: Item, period: Period) -> tuple[Draft, list[str]] | None:
    """Like take_back, but the draft stays in the table (a form that may not be valid yet)."""
    row = get_draft(ctx.session, person_id=ctx.person.id, item_number=item.number, period_key=period.key)
    if row is None:
        return None
    draft = Draft.from_data(row.data)
    when = date_text(row.updated_at.astimezone(ctx.zone).date())
    notes = [
        f"Picking up item {item.number}'s update for {short_label(period)} where you stopped on {when}: "
        f"{draft.answered} of {len(draft.questions)} questions answered, and your answers are kept."
        if not draft.read
        else f"Here is item {item.number}'s update for {short_label(period)} as I read it from your message, to check."
    ]
    latest = latest_update(ctx.session, item_number=item.number, period_key=period.key)
    version = latest.version if latest else None
    if latest is not None and version != draft.editing:
        author = ctx.session.get(Person, latest.author_id)
        who = "you" if latest.author_id == ctx.person.id else (author.name if author else latest.author_id)
        on = date_text(latest.created_at.astimezone(ctx.zone).date())
        notes.append(
            f"Since then {who} saved version {latest.version} of this update (on {on}). Saving yours makes version "
            f"{latest.version + 1}; same now copies version {latest.version}. To start from it instead, type cancel "
            f"and then {cmd('plan-update')} {item.number} {period.key}."
        )
        draft.editing = version
        draft.prev = previous_snapshot(ctx.session, item_number=item.number, period=period, zone=ctx.zone)
    return draft, notes


def forget(ctx: Context, draft: Draft) -> None:
    """The update was saved or cancelled: no set-aside copy of it should come back."""
    drop_draft(ctx.session, person_id=ctx.person.id, item_number=draft.item, period_key=draft.period)


def kept_drafts(ctx: Context) -> list[tuple[int, str, str]]:
    """(item, period key, period label) of the person's set-aside drafts, newest first."""
    out = []
    for row in person_drafts(ctx.session, person_id=ctx.person.id):
        period = ctx.session.get(Period, row.period_key)
        item = ctx.session.get(Item, row.item_number)
        if period is not None and item is not None and item.in_plan:
            out.append((row.item_number, row.period_key, short_label(period)))
    return out


def offer(ctx: Context, lead_in: list[str]) -> list[Reply]:
    """The person's set-aside drafts with a button each to continue; nothing when there are none."""
    drafts = kept_drafts(ctx)
    return [draft_offer(drafts, lead_in)] if drafts else []
