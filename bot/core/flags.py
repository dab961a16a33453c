"""'Anything to flag before Thursday's call?': a lead's note, stored against that
call's occurrence, which the coordinators' pre-call brief lists.

The clock's question carries buttons with step "flags:<call occurrence>";
`/flag NOTE` typed any time goes to the next call. "Flag something" without a
note asks for it as the next message (conversation state "flags:note:<call>").
"""

from __future__ import annotations

from bot.core import commands
from bot.core.command_names import cmd
from bot.core.commands import command
from bot.core.context import Context
from bot.core.errors import BadInput, NotFound
from bot.core.replies import Reply, say
from bot.core.text import answer_text, excerpt
from storage.calendar import MeetingOccurrence, PlanCalendar, load_calendar
from bot.core.wording import when_text
from storage.call_notes import add_note
from storage.conversations import clear_conversation
from storage.models import Conversation

NOTE = "flags:note"
NOTHING = {"nothing", "none", "no", "nope", "all good", "nothing to flag", "n/a", "na"}
CANCEL = {"cancel", "stop", "never mind", "nevermind"}
NOTE_ECHO = 120
"""The note is stored whole; the receipt quotes its start."""


def _calendar(ctx: Context) -> PlanCalendar:
    cal = load_calendar(ctx.session)
    if cal is None:
        raise NotFound("No plan is loaded, so there are no calls to flag anything for.")
    return cal


def _next_call(ctx: Context, cal: PlanCalendar) -> MeetingOccurrence:
    call = cal.next_call(ctx.now)
    if call is None:
        raise NotFound("There are no more weekly calls in this plan year, so there is nothing to flag a note for.")
    return call


def _when(ctx: Context, call: MeetingOccurrence) -> str:
    return f"the {call.title} on {when_text(call.start.astimezone(ctx.zone))}"


def _store(ctx: Context, cal: PlanCalendar, call: MeetingOccurrence, text: str, intro: str = "") -> list[Reply]:
    note = answer_text(text)
    if note.lower().strip(" .!") in NOTHING:
        return [say(f"{intro}Thanks: nothing to flag for {_when(ctx, call)}.".strip())]
    add_note(ctx.session, occurrence=call.key, person_id=ctx.person.id, text=note, at=ctx.now)
    brief_at = cal.hours_before(call, cal.schedule.pre_call_brief_hours)
    late = (
        " The coordinators' brief for it has already gone out, so please mention it on the call too."
        if ctx.now >= brief_at
        else " It will be in the coordinators' brief."
    )
    return [say(f"{intro}Noted for {_when(ctx, call)}: “{excerpt(note, NOTE_ECHO)}”.{late}".strip())]


def _ask(ctx: Context, call: MeetingOccurrence, intro: str = "") -> list[Reply]:
    """Ask for the note as the next message, unless another conversation is open (then ask for /flag NOTE)."""
    ctx.ask_next_message(
        f"{NOTE}:{call.key}",
        busy=f"You're in the middle of something else, so type the note in one go: {cmd('flag')} and your note, for {_when(ctx, call)}.",
    )
    return [say(f"{intro}What would you like to flag for {_when(ctx, call)}? Type it as one message (or cancel).")]


@command("flag")
def flag(ctx: Context, args: str) -> list[Reply]:
    """/flag NOTE: flag something for the coordinators' brief before the next weekly call (/flag nothing if all is well)."""
    cal = _calendar(ctx)
    call = _next_call(ctx, cal)
    if not args.strip():
        return _ask(ctx, call)
    return _store(ctx, cal, call, args)


def note_for_call(ctx: Context, key: str, text: str) -> list[Reply]:
    """Words written after a pre-call prompt: the note for that call ("nothing" flags nothing)."""
    cal = _calendar(ctx)
    call, intro = _call_for(ctx, cal, key)
    return _store(ctx, cal, call, text, intro)


def _call_for(ctx: Context, cal: PlanCalendar, key: str) -> tuple[MeetingOccurrence, str]:
    """The call a question was about, or the next one (saying so) if it has already started."""
    call = cal.meeting(key)
    if call is not None and call.start > ctx.now:
        return call, ""
    upcoming = _next_call(ctx, cal)
    return upcoming, "That call has already happened, so this goes to the next one. "


def press(ctx: Context, value: str, step: str) -> list[Reply]:
    """A button on the pre-call question: '/flag nothing' or '/flag' (then ask for the note)."""
    cal = _calendar(ctx)
    call, intro = _call_for(ctx, cal, step.partition(":")[2])
    name, args = (value.split(None, 1) + ["", ""])[:2]
    if commands.resolve(name) != "flag":
        return commands.run_line(ctx, value)
    if not args.strip():
        return _ask(ctx, call, intro)
    return _store(ctx, cal, call, args, intro)


def answer(ctx: Context, conv: Conversation, text: str) -> list[Reply]:
    """The note itself, typed after 'Flag something'."""
    key = conv.state.removeprefix(f"{NOTE}:")
    clear_conversation(ctx.session, platform=conv.platform, person_id=conv.person_id)
    if text.strip().lower() in CANCEL:
        return [say("OK, nothing flagged.")]
    cal = _calendar(ctx)
    call, intro = _call_for(ctx, cal, key)
    return _store(ctx, cal, call, text, intro)


def submit_form(ctx: Context, values: dict[str, str], step: str) -> list[Reply]:
    raise BadInput(
        f"That form belongs to a question I no longer recognise; nothing was stored. Type {cmd('flag')} and your note."
    )
