"""Slash commands, shared by every adapter. A command's docstring is its help text.

/help shows a docstring's first line, and each later line that starts with
"Coordinators:" to coordinators only (a first line starting so hides the whole
command from everyone else). Each help line starts with its command, written as
the terminal types it (`/away`); help turns every `/name` of a command into a
marker, so each platform shows its own spelling. `{period}` and `{return}` in
help text become an example period and the return's name from the loaded plan.

A command word reads the same on every platform: with or without its slash,
inside the `plan-` namespace or not, in any case (`/plan-away`, `plan-away`,
`/away`, `AWAY`), and by its plain-word aliases ("status 3", "update"). A word
that names no command gets the nearest one the person may use as a suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core import checkin, privacy, summaries
from bot.core.command_names import NAMES, NAMESPACE, cmd
from bot.core.context import Context
from bot.core.errors import BadInput
from bot.core.replies import Bullets, Heading, Paragraph, Reply, say
from bot.core.small_talk import OPENING, small_talk
from bot.core.suggest import nearest
from bot.core.text import MAX_ANSWER, MAX_ARGUMENTS, command_arguments, excerpt
from bot.core.wording import period_example, return_name, role_text
from storage.queries import plan_periods

Handler = Callable[[Context, str], list[Reply]]
STATUS_FORMS: dict[str, Handler] = {}
"""`/plan-status WORD ...` forms that live above the core (the return's export),
registered by the assembly so the core never imports them."""
COORDINATORS = "Coordinators:"
COMMANDS: dict[str, Handler] = {}
ALIASES: dict[str, str] = {}
NOTHING_TO_CANCEL = {"cancel", "stop", "skip"}
LONG_ARGUMENTS = {"flag": MAX_ANSWER}
"""Commands whose argument is free text, capped as an answer is."""
_DOC_COMMAND = re.compile(r"(?<![\w/])/([a-z][a-z-]*)")


def status_form(word: str) -> Callable[[Handler], Handler]:
    """Register a `/plan-status WORD` form from a layer above the core."""

    def register(handler: Handler) -> Handler:
        STATUS_FORMS[word] = handler
        return handler

    return register


def command(name: str, *aliases: str) -> Callable[[Handler], Handler]:
    if name not in NAMES:
        raise ValueError(f"add {name!r} to bot.core.command_names.NAMES, so adapters offer it")

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = handler
        for alias in aliases:
            ALIASES[alias] = name
        return handler

    return register


def resolve(word: str) -> str | None:
    """The command a typed word names, in any platform's spelling, or None."""
    typed = word.strip().lstrip("/").casefold()
    for candidate in (typed, typed.removeprefix(NAMESPACE)):
        name = ALIASES.get(candidate, candidate)
        if name in COMMANDS:
            return name
    return None


def visible(ctx: Context) -> list[str]:
    """The commands this person may use, as /help lists them."""
    return [name for name, handler in COMMANDS.items() if help_lines(handler, coordinator=ctx.person.is_coordinator)]


def suggest(ctx: Context, word: str) -> str | None:
    """The command nearest a mistyped word, among those this person may use."""
    names = visible(ctx)
    spellings: dict[str, str] = {}
    for name in names:
        bare = name.removeprefix(NAMESPACE)
        spellings.update({name: name, bare: name, NAMESPACE + bare: name})
    spellings.update({alias: name for alias, name in ALIASES.items() if name in names})
    found = nearest(word.strip().lstrip("/"), spellings)
    return found[0] if found else None


def unknown(ctx: Context, word: str) -> str:
    """What to say to a command word that names no command."""
    shown = excerpt(word.strip().lstrip("/"))
    if not shown:
        return f"Type a command after the slash, like {cmd('plan-status')}. {cmd('help')} lists them all."
    guess = suggest(ctx, shown)
    if guess is not None:
        return f"I don't know the command “{shown}”. Did you mean {cmd(guess)}? {cmd('help')} lists them all."
    known = ", ".join(cmd(name) for name in visible(ctx))
    return f"I don't know the command “{shown}”. The commands are: {known}. Type {cmd('help')} for what each does."


def run(ctx: Context, name: str, args: str) -> list[Reply]:
    """Run the command `name` names, however the person's platform spells it."""
    found = resolve(name)
    if found is None:
        raise BadInput(unknown(ctx, name))
    return _call(ctx, found, args)


def _call(ctx: Context, name: str, args: str) -> list[Reply]:
    """Arguments are capped before the command parses them; an answer that names
    people is marked for the asker alone unless they said `share` (`bot.core.privacy`)."""
    limit = LONG_ARGUMENTS.get(name, MAX_ARGUMENTS)
    if name not in privacy.NAMES_PEOPLE:
        return COMMANDS[name](ctx, command_arguments(cmd(name), args, limit=limit))
    args, shared = privacy.split_share(args)
    return privacy.marked(COMMANDS[name](ctx, command_arguments(cmd(name), args, limit=limit)), shared=shared)


READS_ONLY = {"plan-status", "help", "plan-schedule"}
"""Commands that only read (`/plan-status export` aside): they run without the write lock."""


def reads_only(text: str) -> bool:
    """Whether a typed command line ('/plan-status 3') only reads the database."""
    name, args = (text.split(None, 1) + ["", ""])[:2]
    found = resolve(name) if name.startswith("/") else None
    if found not in READS_ONLY:
        return False
    args = privacy.split_share(args)[0]
    first = args.split(None, 1)[0].casefold() if args.strip() else ""
    return STATUS_WORDS.get(first) != "export"


def run_line(ctx: Context, text: str) -> list[Reply]:
    """'/name args', typed or carried by a button: the command it names."""
    name, args = (text.split(None, 1) + ["", ""])[:2]
    return run(ctx, name, args.strip())


def from_words(ctx: Context, text: str) -> list[Reply]:
    """Plain text outside a conversation: a command without its slash, or a hint."""
    if not text:
        return [say(f"I'm here. Type {cmd('help')} to see what I can do.")]
    first, rest = (text.split(None, 1) + ["", ""])[:2]
    name = resolve(first)
    if name is not None:
        return _call(ctx, name, rest.strip())
    if first.casefold().startswith(NAMESPACE):
        raise BadInput(unknown(ctx, first))
    if first.casefold() in NOTHING_TO_CANCEL:
        return [
            say(
                f"There's nothing in progress to cancel. Type {cmd('plan-update')} to write an update, or {cmd('help')}."
            )
        ]
    talk = small_talk(text)
    if talk is not None:
        return [say(f"{OPENING[talk]} Type {cmd('plan-update')} to write an update, or {cmd('help')} to see what I can do.")]
    lead = "I'm not waiting for an answer from you right now, so I haven't stored that."
    guess = suggest(ctx, first)
    if guess is not None:
        return [say(f"{lead} Did you mean {cmd(guess)}? {cmd('help')} lists what I can do.")]
    return [
        say(
            f"{lead} Type {cmd('plan-update')} to write an update, {cmd('plan-status')} to see the plan, or {cmd('help')}."
        )
    ]


STATUS_WORDS = {
    "overdue": "overdue",
    "late": "overdue",
    "missing": "overdue",
    "changes": "changes",
    "changed": "changes",
    "diff": "changes",
    "since": "changes",
    "export": "export",
    "return": "export",
}
"""/plan-status's sub-command words and what each means."""
COORDINATOR_WORDS = {"export"}


def _status_guess(ctx: Context, word: str) -> str | None:
    """The sub-command nearest a word that named nobody; export only for coordinators."""
    allowed = {w: m for w, m in STATUS_WORDS.items() if ctx.person.is_coordinator or m not in COORDINATOR_WORDS}
    found = nearest(word, allowed)
    return found[0] if found else None


@command("plan-status", "status")
def plan_status(ctx: Context, args: str) -> list[Reply]:
    """/plan-status [N | PERSON | overdue | changes]: the whole plan, one item, one lead's items, what is overdue, or what changed since the previous period.

    Coordinators: /plan-status export [PERIOD] [FORMAT]: the {return} as a file (docx, xlsx, csv or md; PERIOD like {period}).
    """
    arg = args.strip()
    if not arg:
        return summaries.whole_plan(ctx)
    if re.fullmatch(r"#?\d+", arg):
        return summaries.item_detail(ctx, int(arg.lstrip("#")))
    meaning = STATUS_WORDS.get(arg.casefold())
    if meaning == "overdue":
        return summaries.overdue(ctx)
    if meaning == "changes":
        return summaries.changes(ctx)
    first, rest = (arg.split(None, 1) + ["", ""])[:2]
    if STATUS_WORDS.get(first.casefold()) == "export" and "export" in STATUS_FORMS:
        return STATUS_FORMS["export"](ctx, rest)
    try:
        return summaries.person_items(ctx, arg)
    except summaries.NobodyCalled as exc:
        guess = _status_guess(ctx, first)
        if guess is None:
            raise
        typed = f"{cmd('plan-status')} {guess}" + (f" {rest}" if rest else "")
        people = f" Or {summaries.people_list(exc.close)}?" if exc.close else ""
        raise BadInput(f"I don't know “{excerpt(arg)}”. Did you mean {typed}?{people}") from None


@command("plan-update", "update")
def plan_update(ctx: Context, args: str) -> list[Reply]:
    """/plan-update [N] [PERIOD]: write the update for your items due this period, or for item N (PERIOD like {period} for an earlier one)."""
    return checkin.start_from_args(ctx, args)


def help_lines(handler: Handler, *, coordinator: bool) -> list[str]:
    """The help entries of one command that this person may use, as written (`/name`)."""
    doc = [line.strip() for line in (handler.__doc__ or "").strip().splitlines()]
    entries = doc[:1] + [line for line in doc[1:] if line.startswith(COORDINATORS)]
    if coordinator:
        return [line.removeprefix(COORDINATORS).strip() for line in entries]
    return [line for line in entries if not line.startswith(COORDINATORS)]


def marked(line: str) -> str:
    """Help text with each `/name` of a command as a marker, spelled later for the asker's platform."""
    return _DOC_COMMAND.sub(lambda m: cmd(m[1]) if m[1] in COMMANDS else m[0], line)


@command("help", "?", "commands")
def help_(ctx: Context, args: str) -> list[Reply]:
    """/help: what you can ask me."""
    periods = plan_periods(ctx.session)
    words = {"{period}": period_example(periods), "{return}": return_name(ctx.plan)}
    lines = []
    for handler in COMMANDS.values():
        for line in help_lines(handler, coordinator=ctx.person.is_coordinator):
            line = marked(line)
            for token, value in words.items():
                line = line.replace(token, value)
            lines.append(line)
    role = role_text(ctx.person)
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


from bot.core import availability, flags, milestone_check  # noqa: E402,F401  (their commands register on import)
