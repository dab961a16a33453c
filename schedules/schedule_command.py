"""/plan-schedule (registered by the assembly): the coordinators' view of the clock: what goes out in the
coming week, who cannot be reached in chat, who is away or snoozed, the
deputies, and what did not go out."""

from __future__ import annotations

import datetime as dt

from bot.core.command_names import cmd
from bot.core.commands import command
from bot.core.context import Context
from bot.core.errors import NotAllowed, NotFound
from bot.core.reach import reach
from bot.core.replies import Block, Bullets, Heading, Paragraph, Reply, Table
from bot.core.wording import when_text
from schedules.briefs import away_lines, problem_lines
from schedules.preview import preview
from storage.addresses import all_addresses, preferred_platforms
from storage.models import Person
from storage.sends import problems_since

WAITING = {"planned", "claimed", "failed"}
"""Sends in the window that have not gone out yet."""
AHEAD = dt.timedelta(days=7)
BEHIND = dt.timedelta(days=14)


@command("plan-schedule", "schedule")
def plan_schedule(ctx: Context, args: str) -> list[Reply]:
    """Coordinators: /plan-schedule: what the clock sends in the next 7 days, who is away, and what did not go out."""
    if not ctx.person.is_coordinator:
        raise NotAllowed(
            f"{cmd('plan-schedule')} is for coordinators. "
            f"Type {cmd('away')} or {cmd('snooze')} to see or change your own availability."
        )
    world, lines = preview(ctx.session, start=ctx.now, end=ctx.now + AHEAD)
    if world is None:
        raise NotFound("No plan is loaded, so nothing is scheduled.")
    names = {p.id: p.name for p in world.people.values()}
    rows = [
        [
            when_text(world.cal.local(line.send.due)),
            line.send.kind,
            names.get(line.send.person_id, line.send.person_id),
            str(line.send.item_number or ""),
            line.status,
        ]
        for line in lines
    ]
    blocks: list[Block] = [Heading("The clock: the next 7 days")]
    blocks.append(
        Table(["When", "What", "To", "Item", "Status"], rows)
        if rows
        else Paragraph("Nothing is due in the next 7 days.")
    )
    due = dict.fromkeys(line.send.person_id for line in lines if line.status in WAITING)
    blocks += unreachable_blocks(ctx, [world.people[p] for p in due if p in world.people])
    away = away_lines(world, ctx.now)
    blocks += (
        [Paragraph("Away, snoozed and deputies:"), Bullets(away)]
        if away
        else [Paragraph("Nobody is away or snoozed, and no item has a deputy.")]
    )
    problems = problem_lines(world, problems_since(ctx.session, since=ctx.now - BEHIND, until=ctx.now))
    if problems:
        blocks += [Paragraph("Not sent in the last 14 days:"), Bullets(problems)]
    return [Reply(blocks)]


def unreachable_blocks(ctx: Context, due: list[Person]) -> list[Block]:
    """Who is due a message but cannot be reached on any configured chat platform,
    and why: seen before the prompts are due, not after they fail."""
    if not due:
        return []
    if not ctx.platforms:
        return [Paragraph("No chat platform is connected, so scheduled messages wait in each person's terminal inbox.")]
    preferred = preferred_platforms(ctx.plan.document)
    rows = all_addresses(ctx.session)
    lines = []
    for person in due:
        found = reach(person, platforms=ctx.platforms, addresses=rows.get(person.id, {}), preferred=preferred.get(person.id))
        if not found.routes:
            lines.append(f"{person.name}: {found.why_not(ctx.platforms, ctx.zone)}")
    if not lines:
        return [Paragraph("Everyone due a message can be reached in chat.")]
    return [Paragraph("Can't be reached in chat (their messages will wait in the terminal inbox):"), Bullets(sorted(lines))]
