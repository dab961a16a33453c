"""Slash commands, shared by every adapter. A command's docstring is its help text.

/help shows a docstring's first line, and each later line that starts with
"Coordinators:" to coordinators only (a first line starting so hides the whole
command from everyone else). `{period}` and `{return}` in help text become an
example period and the return's name from the loaded plan.

`/plan-status` answers coordinators' questions about the plan; `/plan-update`
starts the update conversation; `/help` lists what a person can do. Plain words
("status 3", "update", "help") work too, for platforms without slash commands.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core import checkin, summaries
from bot.core.context import Context
from bot.core.errors import BadInput
from bot.core.replies import Bullets, Heading, Paragraph, Reply, say
from bot.core.wording import period_example, return_name
from bot.returns.chat import export_reply
from storage.queries import plan_periods

Handler = Callable[[Context, str], list[Reply]]
COORDINATORS = "Coordinators:"
COMMANDS: dict[str, Handler] = {}
ALIASES: dict[str, str] = {}


def command(name: str, *aliases: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = handler
        for alias in aliases:
            ALIASES[alias] = name
        return handler

    return register


def run(ctx: Context, name: str, args: str) -> list[Reply]:
    handler = COMMANDS.get(ALIASES.get(name, name))
    if handler is None:
        known = ", ".join(f"/{n}" for n in COMMANDS)
        raise BadInput(f"I don't know the command /{name}. The commands are: {known}. Try /help.")
    return handler(ctx, args)


def run_line(ctx: Context, text: str) -> list[Reply]:
    """'/name args', typed or carried by a button: the command it names."""
    name, _, args = text.strip().removeprefix("/").partition(" ")
    return run(ctx, name.lower(), args.strip())


def from_words(ctx: Context, text: str) -> list[Reply]:
    """Plain text outside a conversation: a command without its slash, or a hint."""
    if not text:
        return [say("I'm here. Type /help to see what I can do.")]
    first, _, rest = text.partition(" ")
    name = first.lower()
    if name in COMMANDS or name in ALIASES:
        return run(ctx, name, rest.strip())
    if name in {"cancel", "stop", "back", "skip"}:
        return [say("There's nothing in progress to cancel. Type /plan-update to write an update, or /help.")]
    return [
        say(
            "I'm not waiting for an answer from you right now, so I haven't stored that. "
            "Type /plan-update to write an update, /plan-status to see the plan, or /help."
        )
    ]


@command("plan-status", "status")
def plan_status(ctx: Context, args: str) -> list[Reply]:
    """/plan-status [N | PERSON | overdue | changes]: the whole plan, one item, one lead's items, what is overdue, or what changed since the previous period.

    Coordinators: /plan-status export [PERIOD] [FORMAT]: the {return} as a file (docx, xlsx, csv or md; PERIOD like {period}).
    """
    arg = args.strip()
    word = arg.lower()
    if not arg:
        return summaries.whole_plan(ctx)
    if re.fullmatch(r"#?\d+", arg):
        return summaries.item_detail(ctx, int(arg.lstrip("#")))
    if word in {"overdue", "late", "missing"}:
        return summaries.overdue(ctx)
    if word in {"changes", "changed", "diff", "since"}:
        return summaries.changes(ctx)
    if word.split()[0] in {"export", "return"}:
        return export_reply(ctx, arg.split(maxsplit=1)[1] if " " in arg else "")
    return summaries.person_items(ctx, arg)


@command("plan-update", "update")
def plan_update(ctx: Context, args: str) -> list[Reply]:
    """/plan-update [N] [PERIOD]: write the update for your items due this period, or for item N (PERIOD like {period} for an earlier one)."""
    return checkin.start_from_args(ctx, args)


def help_lines(handler: Handler, *, coordinator: bool) -> list[str]:
    """The help entries of one command that this person may use."""
    doc = [line.strip() for line in (handler.__doc__ or "").strip().splitlines()]
    entries = doc[:1] + [line for line in doc[1:] if line.startswith(COORDINATORS)]
    if coordinator:
        return [line.removeprefix(COORDINATORS).strip() for line in entries]
    return [line for line in entries if not line.startswith(COORDINATORS)]


@command("help", "?", "commands")
def help_(ctx: Context, args: str) -> list[Reply]:
    """/help: what you can ask me."""
    periods = plan_periods(ctx.session)
    words = {"{period}": period_example(periods), "{return}": return_name(ctx.plan)}
    lines = []
    for handler in COMMANDS.values():
        for line in help_lines(handler, coordinator=ctx.person.is_coordinator):
            for token, value in words.items():
                line = line.replace(token, value)
            lines.append(line)
    role = "coordinator" if ctx.person.is_coordinator else ("area lead" if ctx.person.is_lead else "plan member")
    return [
        Reply(
            [
                Heading(f"Planbot: {ctx.plan.title}"),
                Paragraph(f"You are {ctx.person.name} ({role})."),
                Bullets(lines),
                Paragraph(
                    "While writing an update you can answer in your own words, or type back, skip or cancel at any question."
                ),
            ]
        )
    ]


from bot.core import availability, flags, milestone_check, schedule_view  # noqa: E402,F401  (their commands register on import)
