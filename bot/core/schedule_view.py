"""/plan-schedule: the coordinators' view of the clock: what goes out in the
coming week, who is away or snoozed, the deputies, and what did not go out."""

from __future__ import annotations

import datetime as dt

from bot.core.command_names import cmd
from bot.core.commands import command
from bot.core.context import Context
from bot.core.errors import NotAllowed, NotFound
from bot.core.replies import Block, Bullets, Heading, Paragraph, Reply, Table
from schedules.briefs import away_lines, problem_lines
from schedules.messages import when_text
from schedules.preview import preview
from storage.sends import problems_since

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
