"""Which update a person is writing: starting one, resuming a set-aside draft,
and "continue item 5 or put it aside?" when they ask for another item mid-update.

One conversation per person and platform holds one update at a time; the
others wait as drafts (bot.core.set_aside) with their answers and place.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.core.asked import asked_period
from bot.core.command_names import cmd
from bot.core.context import Context
from bot.core.errors import BadInput, PlanbotError
from bot.core.replies import Choice, Choices, Paragraph, Reply, say
from bot.core.set_aside import kept_drafts, peek, put_aside, take_back
from bot.core.period_names import current_period
from bot.core.update_access import authorise, due_items, find_item, own_items, parse_args, resolve_period
from bot.core.update_conversation import open_draft, reask, save_and_ask, to_person
from bot.core.update_draft import Draft, Subject, date_text, make_steps, previous_snapshot, short_label
from bot.core.update_form import form_reply
from bot.core.update_messages import START, kept_line, opening, options_text
from bot.core.update_readers import Given, read_switch
from bot.core.wording import and_list, clip
from storage.models import Conversation, Item, Period
from storage.queries import kpis, latest_update, milestones, plan_periods

_FORM_WORD = re.compile(r"(?:^|\s)form(?:\s|$)", re.IGNORECASE)


@to_person
def start_from_args(ctx: Context, args: str) -> list[Reply]:
    """/plan-update [N] [PERIOD] [form]: one item, or the person's items still due."""
    periods = plan_periods(ctx.session)
    if not periods:
        raise BadInput("The loaded plan has no reporting periods, so there is nothing to update yet.")
    wants_form = _FORM_WORD.search(args) is not None
    number, period_text = parse_args(_FORM_WORD.sub(" ", args), periods)
    now = current_period(periods, ctx.today)
    asked = None if period_text else asked_period(ctx, periods, number)
    period = resolve_period(periods, period_text) if period_text else asked or now
    refuse_future(period, now, number)
    if number is not None:
        item = find_item(ctx.session, number)
        on_behalf = authorise(ctx, item)
        if wants_form:
            return [_form_for(ctx, item, period, on_behalf)]
        return switch_or_start(ctx, item, period, on_behalf, intro=asked_note(item.number, period, now) if asked else [])
    if wants_form:
        update = cmd("plan-update")
        raise BadInput(f"Which item's form? Type {update} with the item's number and form, like {update} 3 form.")
    opened = open_draft(ctx)
    if opened:
        conv, draft = opened
        lead_in = (
            f"You're in the middle of item {draft.item}'s update; here is where we are. "
            "Type next to leave it for later (your answers are kept), or cancel to stop."
        )
        return [reask(ctx, conv, draft, [lead_in])]
    due, candidates = due_items(ctx, period)
    resumed = _resume_kept(ctx, due, period)
    if resumed:
        return resumed
    label = short_label(period)
    if not candidates:
        return [
            say(
                f"You don't lead any items in {ctx.plan.title}, so there is no update for you to write. "
                "If that's wrong, ask a coordinator to name you as lead (or deputy) in the plan file."
            )
        ]
    if not due:
        whose = "Every item" if ctx.person.is_coordinator else "All your items"
        choices = [Choice(f"update {i.number} {period.key}", f"Item {i.number}: {clip(i.title, 60)}") for i in candidates]
        return [
            Reply(
                [
                    Paragraph(f"{whose} already {'has' if whose == 'Every item' else 'have'} an update for {label}."),
                    Choices(
                        f"Want to change one? Choose an item, or type {cmd('plan-update')} and its number.",
                        choices,
                        step=START,
                    ),
                ]
            )
        ]
    first, rest = due[0], due[1:]
    intro = [_due_intro(ctx, due, label)] + (asked_note(first.number, period, now) if asked else [])
    return start(ctx, first, period, authorise(ctx, first), queue=[i.number for i in rest], intro=intro)


def _numbers(items: list[Item]) -> str:
    return and_list([str(i.number) for i in items])


def _due_intro(ctx: Context, due: list[Item], label: str) -> str:
    """What is due from the person, told apart from the others' items a coordinator may write."""
    mine = {i.number for i in own_items(ctx.session, ctx.person)}
    own = [i for i in due if i.number in mine]
    others = [i for i in due if i.number not in mine]
    then = f"Starting with item {due[0].number}; type next at any question to leave an item for later."
    if not others:
        if len(own) == 1:
            return f"One item to update for {label}: item {own[0].number}."
        return f"You have {len(own)} items to update for {label}: items {_numbers(own)}. {then}"
    noun = "item has" if len(others) == 1 else "items have"
    behalf = "as a coordinator you can write " + ("it on its lead's behalf" if len(others) == 1 else "them on their leads' behalf")
    if not own:
        why = "You don't lead any items" if not mine else "Your own items are done"
        return (
            f"{why}, so no update is due from you for {label}. {len(others)} {noun} no update yet "
            f"(item{'s' if len(others) > 1 else ''} {_numbers(others)}); {behalf}. {then}"
        )
    yours = f"item {own[0].number}" if len(own) == 1 else f"items {_numbers(own)}"
    return (
        f"You have {len(own)} item{'s' if len(own) > 1 else ''} to update for {label}: {yours}. "
        f"{len(others)} other {noun} no update yet (item{'s' if len(others) > 1 else ''} {_numbers(others)}); "
        f"{behalf} after yours. {then}"
    )


def new_draft(ctx: Context, item: Item, period: Period, on_behalf: str | None, *, queue: list[int]) -> Draft:
    current = latest_update(ctx.session, item_number=item.number, period_key=period.key)
    return Draft(
        item=item.number,
        period=period.key,
        steps=make_steps(kpis(ctx.session, item_number=item.number), milestones(ctx.session, item_number=item.number)),
        prev=previous_snapshot(ctx.session, item_number=item.number, period=period, zone=ctx.zone),
        editing=current.version if current else None,
        on_behalf_of=on_behalf,
        queue=queue,
    )


def refuse_future(period: Period, now: Period, number: int | None) -> None:
    """A period that has not started has nothing to report: the same rule for a typed
    command, a form and a button, whatever step or period the client sends back."""
    if period.position > now.position:
        raise BadInput(
            f"{period.label} hasn't started yet (it starts {date_text(period.start)}), so there's nothing to report "
            f"for it. Type {cmd('plan-update')}{' ' + str(number) if number is not None else ''} for {now.label}."
        )


def asked_note(number: int, period: Period, now: Period) -> list[str]:
    """Which period is being written, when it is the one asked for rather than the current one."""
    if period.key == now.key:
        return []
    return [
        f"This is the {short_label(period)} update you were asked for. To write {short_label(now)} instead, "
        f"type {cmd('plan-update')} {number} {now.key}."
    ]


def switch_or_start(
    ctx: Context, item: Item, period: Period, on_behalf: str | None, *, intro: list[str] | None = None
) -> list[Reply]:
    """/plan-update N mid-update: the same item carries on; another asks "continue or put aside?"."""
    opened = open_draft(ctx)
    intro = list(intro or [])
    if opened:
        conv, draft = opened
        if (draft.item, draft.period) == (item.number, period.key):
            lead_in = f"You're already writing item {item.number}'s update for {short_label(period)}; here is where we are."
            if draft.switch_to is None:
                return [reask(ctx, conv, draft, [lead_in])]
            draft.switch_to = None
            return [save_and_ask(ctx, draft, [lead_in])]
        if draft.answered:
            draft.switch_to = (item.number, period.key)
            return [save_and_ask(ctx, draft, [])]
        intro.append(
            f"Item {draft.item}'s update had no answers yet, so I've closed it; {cmd('plan-update')} {draft.item} starts it again."
        )
    return start(ctx, item, period, on_behalf, queue=[], intro=intro)


def switch_answer(ctx: Context, conv: Conversation, draft: Draft, given: Given) -> list[Reply]:
    assert draft.switch_to is not None
    number, period_key = draft.switch_to
    choice = read_switch(given, current=draft.item, other=number)
    if choice is None:
        subject = Subject.load(ctx.session, draft)
        return [reask(ctx, conv, draft, [f'I couldn\'t read "{given.text}" here. {options_text(draft, subject)}'])]
    draft.switch_to = None
    if choice == "continue":
        return [save_and_ask(ctx, draft, [f"Carrying on with item {draft.item}."])]
    item = find_item(ctx.session, number)
    period = ctx.session.get(Period, period_key)
    if period is None:
        return [save_and_ask(ctx, draft, [f"The plan no longer has the period {period_key}; carrying on with item {draft.item}."])]
    on_behalf = authorise(ctx, item)
    intro = [aside_note(draft.item)] if put_aside(ctx, draft) else []
    return start(ctx, item, period, on_behalf, queue=[], intro=intro)


def aside_note(number: int) -> str:
    return f"Item {number}'s update is put aside with your answers kept; {cmd('plan-update')} {number} picks it up where you stopped."


def start(
    ctx: Context, item: Item, period: Period, on_behalf: str | None, *, queue: list[int], intro: list[str]
) -> list[Reply]:
    """Open the conversation for one item: where its set-aside draft stopped, or from the beginning."""
    taken = take_back(ctx, item, period)
    if taken is None:
        return _begin(ctx, item, period, on_behalf, queue=queue, intro=intro)
    draft, notes = taken
    draft.on_behalf_of, draft.queue, draft.switch_to = on_behalf, queue, None
    return [save_and_ask(ctx, draft, [*intro, *notes])]


def _resume_kept(ctx: Context, due: list[Item], period: Period) -> list[Reply]:
    """/plan-update with set-aside drafts: the newest comes back first, then the items still due."""
    kept = kept_drafts(ctx)
    for number, key, _ in kept:
        item, kept_period = ctx.session.get(Item, number), ctx.session.get(Period, key)
        assert item is not None and kept_period is not None
        try:
            on_behalf = authorise(ctx, item)
        except PlanbotError:
            continue
        queue = [i.number for i in due if i.number != number] if key == period.key else []
        others = [kept_line(n, k, label) for n, k, label in kept if (n, k) != (number, key)]
        intro = [f"Also kept for you, unfinished: {'; '.join(others)}."] if others else []
        return start(ctx, item, kept_period, on_behalf, queue=queue, intro=intro)
    return []


def _form_for(ctx: Context, item: Item, period: Period, on_behalf: str | None) -> Reply:
    """The form for an item, filled from the open or set-aside draft of it, else the previous update."""
    opened = open_draft(ctx)
    if opened and (opened[1].item, opened[1].period) == (item.number, period.key):
        draft = opened[1]
    else:
        kept = peek(ctx, item, period)
        draft = kept[0] if kept else new_draft(ctx, item, period, on_behalf, queue=[])
    return form_reply(draft, Subject.load(ctx.session, draft))


def _begin(
    ctx: Context, item: Item, period: Period, on_behalf: str | None, *, queue: list[int], intro: list[str]
) -> list[Reply]:
    """Open the conversation for one item: the opening message and the first question."""
    draft = new_draft(ctx, item, period, on_behalf, queue=queue)
    subject = Subject.load(ctx.session, draft)
    intro = list(intro)
    if on_behalf:
        intro.append(f"You're writing this on behalf of {subject.lead_name}, the item's lead.")
    if draft.editing and draft.prev:
        version = draft.editing
        intro.append(
            f"Item {item.number} already has an update for {subject.period_label} (version {version}, by "
            f"{draft.prev['author']} on {date_text(_iso(draft.prev['at']))}). I'll go through it with those answers "
            f"ready: type keep (or same) to keep one. Saving makes version {version + 1}; version {version} stays in the history."
        )
    intro += _missing_previous(ctx, item, period)
    reply = opening(draft, subject, intro)
    return [reply, save_and_ask(ctx, draft, [])]


def _missing_previous(ctx: Context, item: Item, period: Period) -> list[str]:
    periods = plan_periods(ctx.session)
    keys = [p.key for p in periods]
    if period.key not in keys or keys.index(period.key) == 0:
        return []
    earlier = periods[keys.index(period.key) - 1]
    if latest_update(ctx.session, item_number=item.number, period_key=earlier.key) is not None:
        return []
    return [
        f"Item {item.number} has no update for {short_label(earlier)} yet either; "
        f"{cmd('plan-update')} {item.number} {earlier.key} writes that one."
    ]


def _iso(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
