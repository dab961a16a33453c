"""'This milestone fell due: done, slipped or still on track?': the answer is
stored as a MilestoneCheck; a slipped milestone is asked about again on its new date.

The clock's question has buttons (step "milestone:<item>:<key>@<due>") whose
values are the typed command `/milestone N KEY done|on-track|slipped [DATE]`.
'Slipped' without a date asks for it (conversation state "milestone:date:N:KEY").
"""

from __future__ import annotations

from bot.core import commands
from bot.core.answers import (
    MilestoneReading,
    Unreadable,
    after,
    date_prefix,
    joined_notes,
    parse_milestone,
    slip_date_problem,
)
from bot.core.command_names import cmd
from bot.core.commands import command
from bot.core.context import Context
from bot.core.errors import BadInput, NotAllowed, NotFound
from bot.core.replies import Reply, say
from bot.core.update_access import authorise, find_item
from bot.core.wording import date_examples, example_day, slash_date
from bot.core.wording import day_text
from bot.core.text import excerpt
from storage.milestone_checks import load_milestones
from storage.conversations import clear_conversation
from storage.milestone_checks import record_check
from storage.models import Conversation, Item, Milestone, MilestoneState
from storage.queries import milestones

DATE = "milestone:date"
CANCEL = {"cancel", "stop", "never mind", "nevermind"}


def _usage(ctx: Context) -> str:
    slipped = slash_date(example_day(ctx.today))
    typed = f"{cmd('milestone')} N KEY"
    return f"Type {typed} done, {typed} on-track or {typed} slipped {slipped} (KEY as in my question, e.g. m4)."


def _milestone(ctx: Context, item: Item, key: str) -> Milestone:
    found = next((m for m in milestones(ctx.session, item_number=item.number) if m.key.lower() == key.lower()), None)
    if found is None:
        keys = ", ".join(f"{m.key} ({m.text[:40]})" for m in milestones(ctx.session, item_number=item.number))
        raise NotFound(f"Item {item.number} has no milestone {key}. Its milestones are: {keys or 'none'}.")
    return found


def _store(ctx: Context, item: Item, ms: Milestone, reading: MilestoneReading) -> list[Reply]:
    current = next((m for m in load_milestones(ctx.session, [item]) if m.key == ms.key), None)
    asked = current.due if current is not None else (ms.due or ctx.today)
    record_check(
        ctx.session,
        item_number=item.number,
        milestone_key=ms.key,
        asked_due=asked,
        state=reading.state,
        new_date=reading.new_date,
        person_id=ctx.person.id,
        at=ctx.now,
        note=reading.note,
    )
    what = f"item {item.number}'s milestone “{ms.text}”"
    noted = f" Noted: “{excerpt(reading.note, 80)}”." if reading.note else ""
    if reading.state is MilestoneState.SLIPPED and reading.new_date is not None:
        return [say(f"Recorded: {what} has slipped to {day_text(reading.new_date)}.{noted} I'll ask about it again then.")]
    return [say(f"Recorded: {what} is {MilestoneState(reading.state).label.lower()}.{noted} Thank you.")]


def _ask_date(ctx: Context, item: Item, ms: Milestone, note: str = "") -> list[Reply]:
    example = slash_date(example_day(ctx.today))
    ctx.ask_next_message(
        f"{DATE}:{item.number}:{ms.key}",
        busy=f"You're in the middle of something else, so give the date in one go: {cmd('milestone')} {item.number} {ms.key} slipped {example}.",
        data={"note": note} if note else None,
    )
    return [say(f"What's the new date for “{ms.text}”? Like {date_examples(ctx.today)} (or cancel).")]


@command("milestone")
def milestone(ctx: Context, args: str) -> list[Reply]:
    """/milestone N KEY done|on-track|slipped [DATE]: answer my question about a milestone that fell due."""
    parts = args.split(None, 2)
    if len(parts) < 3 or not parts[0].lstrip("#").isdigit():
        raise BadInput(_usage(ctx))
    item = find_item(ctx.session, int(parts[0].lstrip("#")))
    return answer_due(ctx, item, parts[1], parts[2])


def answer_due(ctx: Context, item: Item, key: str, text: str) -> list[Reply]:
    """The state of a milestone that fell due, in the person's words ("slipped to end of
    January, awaiting sign-off"): the words after the state or date are kept as its note."""
    authorise(ctx, item)
    ms = _milestone(ctx, item, key)
    try:
        reading = parse_milestone(text, today=ctx.today)
    except Unreadable as exc:
        raise BadInput(str(exc)) from None
    if reading is None:
        raise BadInput(f"I couldn't read “{excerpt(text)}” as done, on track or slipped. {_usage(ctx)}")
    if reading.state is MilestoneState.NOT_STARTED:
        raise BadInput(f"It fell due, so is it done, still on track, or slipped? {_usage(ctx)}")
    if reading.needs_date:
        return _ask_date(ctx, item, ms, reading.note)
    return _store(ctx, item, ms, reading)


def press(ctx: Context, value: str, step: str) -> list[Reply]:
    """A button on the milestone question: the same as typing its value."""
    return commands.run_line(ctx, value)


def answer(ctx: Context, conv: Conversation, text: str) -> list[Reply]:
    """The new date of a slipped milestone."""
    _, _, rest = conv.state.partition(f"{DATE}:")
    number, _, key = rest.partition(":")
    if text.strip().lower() in CANCEL:
        clear_conversation(ctx.session, platform=conv.platform, person_id=conv.person_id)
        return [say(f"OK, nothing recorded. Type {cmd('milestone')} to answer later.")]
    dated = date_prefix(text, today=ctx.today)
    if dated is None:
        return [say(f"I couldn't read “{excerpt(text)}” as a date. Give it like {date_examples(ctx.today)} (or cancel).")]
    day, words = dated[0], after(text, dated[1])
    if day <= ctx.today:
        return [say(f"{day_text(day)} isn't in the future. What's the new date it should be done by? (or cancel)")]
    problem = slip_date_problem(day, today=ctx.today)
    if problem is not None:
        return [say(f"{problem} What's the new date? (or cancel)")]
    clear_conversation(ctx.session, platform=conv.platform, person_id=conv.person_id)
    item = find_item(ctx.session, int(number))
    try:
        authorise(ctx, item)  # asked earlier; the plan or the deputies may have changed since
    except NotAllowed as exc:
        return [say(f"Nothing was recorded: {exc}")]
    note = joined_notes(str(conv.data.get("note") or ""), words)
    return _store(ctx, item, _milestone(ctx, item, key), MilestoneReading(MilestoneState.SLIPPED, day, note))


def submit_form(ctx: Context, values: dict[str, str], step: str) -> list[Reply]:
    raise BadInput(f"That form belongs to a question I no longer recognise; nothing was stored. {_usage(ctx)}")
