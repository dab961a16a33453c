"""Saying when you can be reached: `away until DATE`, `snooze 2d`, `back`, and
naming a deputy for an item.

The clock holds a person's scheduled messages while they are away or snoozed
and sends them when they are back; while a lead is *away*, an item with a
deputy goes to the deputy instead. A snooze only delays ("remind me later").
Coordinators see who is away, and the deputies, in their briefs and /plan-schedule.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.core.answers import parse_date
from bot.core.command_names import cmd
from bot.core.commands import command
from bot.core.context import Context
from bot.core.errors import BadInput, NotAllowed, NotFound
from bot.core.replies import Reply, say
from bot.core.summaries import match_person
from bot.core.wording import date_examples
from bot.core.wording import day_text, when_text
from bot.core.text import excerpt
from storage import away, queries
from storage.models import Item, Person
from storage.planfile import WEEKDAYS, ScheduleSpec

MAX_SNOOZE = dt.timedelta(days=14)
MAX_AWAY_DAYS = 366
OFF_WORDS = {"off", "cancel", "none", "stop", "back", "clear", "no"}
_SNOOZE = re.compile(r"^(\d{1,3})\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SHORT_DAYS = {d[:3]: i for i, d in enumerate(WEEKDAYS)}


def _schedule(ctx: Context) -> ScheduleSpec:
    return ScheduleSpec.model_validate(ctx.plan.document.get("schedule") or {})


def parse_day(text: str, *, today: dt.date) -> dt.date | None:
    """A date as people write it, plus 'tomorrow' and weekday names (the next one after today)."""
    words = [
        w
        for w in re.split(r"[\s,]+", text.strip().lower())
        if w and w not in {"until", "till", "til", "to", "on", "next"}
    ]
    if len(words) == 1:
        word = words[0]
        if word == "tomorrow":
            return today + dt.timedelta(days=1)
        if word[:3] in _SHORT_DAYS and (word in WEEKDAYS or len(word) <= 4):
            ahead = (_SHORT_DAYS[word[:3]] - today.weekday() - 1) % 7 + 1
            return today + dt.timedelta(days=ahead)
    return parse_date(text, today=today)


def _snooze_examples() -> str:
    snooze = cmd("snooze")
    return f"{snooze} 3h, {snooze} 2d or {snooze} 1w"


def _my_items(ctx: Context) -> list[Item]:
    return [i for i in queries.items(ctx.session) if i.lead_id == ctx.person.id]


def _deputy_lines(ctx: Context) -> list[str]:
    named = away.deputies(ctx.session)
    lines = []
    for item in _my_items(ctx):
        deputy_id = named[item.number].deputy_id if item.number in named else item.deputy_id
        deputy = ctx.session.get(Person, deputy_id) if deputy_id else None
        if deputy is not None:
            lines.append(f"Item {item.number}: {deputy.name} stands in.")
        else:
            lines.append(f"Item {item.number} has no deputy; name one with {cmd('deputy')} {item.number} NAME.")
    return lines


def _status(ctx: Context) -> str:
    absence = away.get_absence(ctx.session, person_id=ctx.person.id)
    if absence is None or absence.until <= ctx.now:
        return "You're not marked away or snoozed, so scheduled prompts reach you as they fall due."
    what = "away" if absence.kind == "away" else "snoozed"
    return f"You're {what} until {when_text(absence.until.astimezone(ctx.zone))}; type {cmd('back')} to end it now."


@command("away")
def away_until(ctx: Context, args: str) -> list[Reply]:
    """/away until DATE: hold my scheduled prompts until DATE, my items' deputies standing in (/away off to end it)."""
    text = re.sub(r"^(until|till|til|to)\s+", "", args.strip(), flags=re.IGNORECASE)
    if not text:
        return [say(_status(ctx), f"To be away, type {cmd('away')} until DATE (like {date_examples(ctx.today)}).")]
    if text.lower() in OFF_WORDS:
        return back(ctx, "")
    day = parse_day(text, today=ctx.today)
    if day is None:
        raise BadInput(
            f"I couldn't read “{excerpt(text)}” as a date. Type {cmd('away')} until DATE, like {date_examples(ctx.today)}, or a weekday."
        )
    if day <= ctx.today:
        raise BadInput(
            f"{day_text(day)} isn't in the future. Give the day you'll be back, e.g. {cmd('away')} until {day_text(ctx.today + dt.timedelta(days=7))}."
        )
    if day > ctx.today + dt.timedelta(days=MAX_AWAY_DAYS):
        raise BadInput(
            f"{day_text(day)} is more than a year away. If you've left the plan, ask a coordinator to mark you inactive in the plan file."
        )
    until = dt.datetime.combine(day, dt.time(_schedule(ctx).send_hour), tzinfo=ctx.zone)
    away.set_absence(ctx.session, person_id=ctx.person.id, kind="away", until=until, at=ctx.now)
    lines = [
        f"Got it: you're away until {day_text(day)}. I'll hold your scheduled prompts until then; "
        f"what falls due meanwhile reaches you at {until:%H:%M} that day. Type {cmd('back')} if you return sooner."
    ]
    return [say(*lines, *_deputy_lines(ctx))]


@command("snooze")
def snooze(ctx: Context, args: str) -> list[Reply]:
    """/snooze 2d: hold my scheduled prompts for a while (m, h, d or w; up to two weeks). /snooze off ends it."""
    text = args.strip().lower()
    if not text:
        return [say(_status(ctx), f"To snooze, type {cmd('snooze')} and how long: {_snooze_examples()}.")]
    if text in OFF_WORDS:
        return back(ctx, "")
    found = _SNOOZE.match(re.sub(r"\s+", "", text))
    if found is None or int(found[1]) == 0:
        raise BadInput(
            f"I couldn't read “{excerpt(args)}” as a length of time. Try {_snooze_examples()}."
        )
    delta = dt.timedelta(**{_UNITS[found[2][0]]: int(found[1])})
    if delta > MAX_SNOOZE:
        raise BadInput(
            f"A snooze can last up to two weeks. For longer, type {cmd('away')} until DATE, so your deputies can stand in."
        )
    until = ctx.now + delta
    current = away.get_absence(ctx.session, person_id=ctx.person.id)
    if current is not None and current.kind == "away" and current.until >= until:
        return [say(f"You're already away until {when_text(current.until.astimezone(ctx.zone))}, which covers that.")]
    away.set_absence(ctx.session, person_id=ctx.person.id, kind="snooze", until=until, at=ctx.now)
    return [
        say(
            f"Snoozed until {when_text(until.astimezone(ctx.zone))}: I'll hold your scheduled prompts until then. "
            f"Prompts for a call that happens meanwhile are skipped. Type {cmd('back')} to end it sooner."
        )
    ]


@command("back")
def back(ctx: Context, args: str) -> list[Reply]:
    """/back: I'm available again (ends /away or /snooze)."""
    removed = away.clear_absence(ctx.session, person_id=ctx.person.id, at=ctx.now)
    if removed is None or removed.until <= ctx.now:
        return [say("You weren't marked away or snoozed, so nothing changed.")]
    return [say("Welcome back. Anything held for you goes out at the clock's next run.")]


def _deputy_list(ctx: Context) -> list[Reply]:
    named = away.deputies(ctx.session)
    people = {p.id: p for p in queries.people(ctx.session)}
    lines = []
    for item in queries.items(ctx.session):
        deputy_id = named[item.number].deputy_id if item.number in named else item.deputy_id
        if deputy_id and deputy_id in people:
            how = "named in chat" if item.number in named else "from the plan file"
            lines.append(f"Item {item.number}: {people[deputy_id].name} ({how})")
    if not lines:
        typed = cmd("deputy")
        return [say(f"No item has a deputy. A lead can name one with {typed} N NAME (e.g. {typed} 3 bea).")]
    return [say("Deputies (they stand in while the lead is away):", *lines)]


@command("deputy")
def deputy(ctx: Context, args: str) -> list[Reply]:
    """/deputy N NAME: name who stands in for item N while you're away (/deputy N none to clear; /deputy all NAME for every item you lead)."""
    parts = args.split(None, 1)
    if not parts:
        return _deputy_list(ctx)
    if len(parts) < 2:
        typed = cmd("deputy")
        raise BadInput(f"Say which item and who: {typed} 3 bea, {typed} all bea, or {typed} 3 none to clear it.")
    target, who = parts[0].lstrip("#").lower(), parts[1].strip()
    if target == "all":
        items = _my_items(ctx)
        if not items:
            raise NotAllowed("You don't lead any items, so there is nothing to name a deputy for.")
    elif target.isdigit():
        item = ctx.session.get(Item, int(target))
        if item is None or not item.in_plan:
            numbers = ", ".join(str(i.number) for i in queries.items(ctx.session))
            raise NotFound(f"There's no item {target} in the plan. The items are {numbers}.")
        if item.lead_id != ctx.person.id and not ctx.person.is_coordinator:
            raise NotAllowed(f"Only item {item.number}'s lead or a coordinator can name its deputy.")
        items = [item]
    else:
        typed = cmd("deputy")
        raise BadInput(f"“{excerpt(parts[0])}” isn't an item number. Try {typed} 3 bea or {typed} all bea.")
    numbers = ", ".join(str(i.number) for i in items)
    if who.lower() in OFF_WORDS:
        for item in items:
            away.clear_deputy(ctx.session, item_number=item.number, by=ctx.person.id, at=ctx.now)
        return [say(f"Item {numbers}: no deputy named in chat now" + _file_note(ctx, items) + ".")]
    person = match_person([p for p in queries.people(ctx.session)], who, typed=f"{cmd('deputy')} {parts[0]}")
    if not person.active:
        raise BadInput(f"{person.name} is marked inactive in the plan, so they can't stand in. Choose someone else.")
    clashes = [i.number for i in items if i.lead_id == person.id]
    if clashes:
        raise BadInput(f"{person.name} leads item {clashes[0]}, so they can't also be its deputy. Choose someone else.")
    for item in items:
        away.set_deputy(ctx.session, item_number=item.number, deputy_id=person.id, set_by_id=ctx.person.id, at=ctx.now)
    noun = "items" if len(items) > 1 else "item"
    return [
        say(
            f"{person.name} is now the deputy for {noun} {numbers}: while the lead is away, "
            "that item's prompts and reminders go to them."
        )
    ]


def _file_note(ctx: Context, items: list[Item]) -> str:
    from_file = [i for i in items if i.deputy_id]
    if not from_file:
        return ""
    names = {p.id: p.name for p in queries.people(ctx.session)}
    return (
        "; the plan file's deputy still applies ("
        + ", ".join(f"item {i.number}: {names.get(i.deputy_id or '', i.deputy_id)}" for i in from_file)
        + ")"
    )
