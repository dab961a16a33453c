"""A person's words while a prompt is open: which prompt they answer, and the answer.

Design principle: replies are answers. Text that is not a command, written while
a prompt is open for that person (in the DM, in the prompt's thread, in the
terminal after an inbox prompt), starts what the prompt asked for and is read as
its answer: an update for a quarterly prompt, chaser or Board reminder (the words
answer its first question), a note for a pre-call prompt, a state for a
milestone question. With several open prompts the words decide ("item 3: ...",
a reply in a prompt's thread, what the words can answer, the item whose title,
KPIs and milestones they speak of); otherwise the person is asked which, and what
they wrote is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from bot.core import checkin, commands, flags, milestone_check
from bot.core.answers import MILESTONE_NUMBERS, item_named, parse_milestone, parse_review, phrases, read_rag_lead, words
from bot.core.asked import open_for
from bot.core.paragraph_reader import item_spoken_of
from bot.core.paragraph_update import texts_of
from bot.core.command_names import cmd
from bot.core.context import Context
from bot.core.errors import BadInput
from bot.core.prompt_keys import prompt_key
from bot.core.replies import Choice, Choices, Paragraph, Reply, say
from bot.core.small_talk import OPENING, Talk, small_talk
from bot.core.update_access import authorise, find_item
from bot.core.events import DIRECT
from bot.core.text import answer_text, excerpt
from bot.core.wording import and_list, clip, day_text, short_label
from storage.conversations import clear_conversation, save_conversation
from storage.handles import handle_key
from storage.models import Conversation, Item, Milestone, Period
from storage.open_prompts import OpenPrompt

_GO = frozenset(
    "ok okay k sure yes yep yeah yup go lets let us do it ready start write the update now please will sounds good "
    "great cool right alright fine then here we i im am on happy to can ill shall begin get started".split()
)
_GO_NEEDS = frozenset("ok okay sure yes yep yeah yup go lets ready start write begin started will shall".split())
_LATER = phrases("not now", "later", "remind me later", "snooze", "not today", "tomorrow", "busy", "next week")
_FORM = phrases("form", "open the form", "the form", "use the form", "send me the form")
_DECLINE = phrases("no", "nope", "nah", "no thanks", "not yet", "no thank you")


Action = Literal["answer", "go", "form", "later", "decline"]
"""What words after an update prompt ask for: they are its first answer; start it ("ok, let's
do it"); open its form; not now (its snooze button); or "no" (nothing starts, it stays open)."""


@dataclass(frozen=True)
class Target:
    """An open prompt the words answer, and the words that are its answer."""

    prompt: OpenPrompt
    words: str
    action: Action = "answer"


def read_reply(ctx: Context, text: str) -> list[Reply] | None:
    """The replies to `text` as an answer to the person's open prompts; None when none is open."""
    prompts = open_for(ctx)
    if not prompts:
        return None
    try:
        text = answer_text(text)
    except BadInput as exc:  # too long to be one answer: said before anything is kept
        return [say(str(exc))]
    talk = small_talk(text)
    if talk is not None:
        return [say(talk_reply(ctx, talk, prompts))]
    if _asks_something(text):
        return [say(question_reply(ctx, text, prompts))]
    chosen = choose(ctx, prompts, text)
    if isinstance(chosen, Target):
        return take(ctx, chosen)
    return _ask_which(ctx, chosen, text, [])


def choose(ctx: Context, prompts: list[OpenPrompt], text: str) -> Target | list[OpenPrompt]:
    """The prompt the words answer, or the prompts it could be (the person is asked which)."""
    threaded = _in_thread(ctx, prompts)
    if threaded is not None:
        return Target(threaded, text, action(text))
    named = _item_named(ctx, prompts, text)
    if named is not None:
        return named
    bare = text.strip()
    if bare.isdigit():
        return _by_number(prompts, int(bare))
    fits = _fitting(ctx, prompts, text)
    if len(fits) == 1:
        return Target(fits[0], text, action(text) if fits[0].asks == "update" else "answer")
    return fits


def take(ctx: Context, target: Target) -> list[Reply]:
    """Start what the prompt asked for, with the words as its answer."""
    prompt = target.prompt
    match prompt.asks:
        case "flag":
            assert prompt.call is not None
            return flags.note_for_call(ctx, prompt.call, target.words)
        case "milestone":
            assert prompt.item is not None and prompt.milestone is not None
            return milestone_check.answer_due(ctx, find_item(ctx.session, prompt.item), prompt.milestone, target.words)
    assert prompt.item is not None
    item = find_item(ctx.session, prompt.item)
    on_behalf = authorise(ctx, item)
    period = ctx.session.get(Period, prompt.period) if prompt.period else None
    period_key = f" {period.key}" if period else ""
    match target.action:
        case "later":
            return commands.run_line(ctx, "/snooze 2d")
        case "form":
            return checkin.start_from_args(ctx, f"{item.number}{period_key} form")
        case "decline":
            return [
                say(
                    f"OK, I haven't started it. Reply here whenever you're ready, or type {cmd('plan-update')} "
                    f"{item.number}{period_key}."
                )
            ]
    return checkin.reply_to_prompt(ctx, item, period, on_behalf, None if target.action == "go" else target.words)


def action(text: str) -> Action:
    """What words after an update prompt ask for (see `Action`)."""
    found = tuple(words(text))
    if found in _LATER:
        return "later"
    if found in _FORM:
        return "form"
    if found in _DECLINE:
        return "decline"
    if found and len(found) <= 7 and set(found) <= _GO and set(found) & _GO_NEEDS:
        return "go"
    return "answer"


def _in_thread(ctx: Context, prompts: list[OpenPrompt]) -> OpenPrompt | None:
    """A reply in the thread of a sent prompt answers that prompt."""
    if ctx.reply_to is None:
        return None
    key = handle_key(ctx.session, platform=ctx.sender.platform, channel=ctx.reply_to[0], message_id=ctx.reply_to[1])
    return next((p for p in prompts if p.asks == "update" and key == prompt_key(p.item or 0, p.period or "")), None)


def _item_named(ctx: Context, prompts: list[OpenPrompt], text: str) -> Target | None:
    """"Item 3: green, ...", "#3 ...", "3 - green": the item named first, and the words after it."""
    found = item_named(text)
    if found is None:
        return None
    number, rest = found
    asked = [p for p in prompts if p.item == number]
    updates = [p for p in asked if p.asks == "update"]
    if updates:
        return Target(updates[0], rest, action(rest) if rest else "go")
    if asked:
        return Target(asked[0], rest)
    find_item(ctx.session, number)  # no such item: says which items there are, and nothing starts
    return Target(OpenPrompt("update", ctx.now, item=number), rest, action(rest) if rest else "go")


def _by_number(prompts: list[OpenPrompt], number: int) -> Target | list[OpenPrompt]:
    """A bare number: an item asked about, else a button of the one prompt open (1 write, 2 form, 3 later)."""
    asked = [p for p in prompts if p.item == number and p.asks == "update"]
    if asked:
        return Target(asked[0], "", "go")
    updates = _distinct_items([p for p in prompts if p.asks == "update"])
    buttons: tuple[Action, ...] = ("go", "form", "later")
    if len(prompts) == 1 and len(updates) == 1 and 1 <= number <= len(buttons):
        return Target(updates[0], "", buttons[number - 1])
    if len(prompts) == 1 and prompts[0].asks == "milestone" and str(number) in MILESTONE_NUMBERS:
        return Target(prompts[0], str(number))
    return prompts


def _fitting(ctx: Context, prompts: list[OpenPrompt], text: str) -> list[OpenPrompt]:
    """The prompts the words could answer: narrowed by what they read as, then by an item's title."""
    status = read_rag_lead(text)
    try:
        state = parse_milestone(text, today=ctx.today)
    except BadInput:
        state = None
    updates = _distinct_items([p for p in prompts if p.asks == "update"])
    milestones = [p for p in prompts if p.asks == "milestone"]
    calls = [p for p in prompts if p.asks == "flag"][-1:]
    if action(text) != "answer":
        fits = updates
    elif status is not None and status.clear and not (state is not None and state.clear and milestones):
        fits = updates
    elif state is not None and state.clear and milestones:
        fits = milestones + (updates if status is not None and status.clear else [])
    else:
        fits = updates + milestones + calls
    fits = fits or updates + milestones + calls
    if len(fits) > 1:
        fits = _by_subject(ctx, fits, text) or fits
    return [p for p in prompts if p in fits]


def _distinct_items(prompts: list[OpenPrompt]) -> list[OpenPrompt]:
    """One update prompt per item: the oldest period's (prompts come oldest first)."""
    seen: dict[int | None, OpenPrompt] = {}
    for p in prompts:
        seen.setdefault(p.item, p)
    return list(seen.values())


def _by_subject(ctx: Context, prompts: list[OpenPrompt], text: str) -> list[OpenPrompt]:
    """The one update prompt whose item (title, KPIs, milestones) the words clearly speak of, if one."""
    asked = {p.item: p for p in prompts if p.asks == "update" and p.item is not None}
    items = texts_of(ctx, [item for number in asked if (item := ctx.session.get(Item, number)) is not None])
    found = item_spoken_of(text, items)
    return [asked[found]] if found is not None else []


def describe(ctx: Context, prompt: OpenPrompt) -> str:
    """'item 5's Q3 2019-20 update', 'a note for the call on Thu 19 Dec': what a prompt asks for."""
    if prompt.asks == "update":
        period = ctx.session.get(Period, prompt.period) if prompt.period else None
        return f"item {prompt.item}'s {short_label(period) + ' ' if period else ''}update"
    if prompt.asks == "flag":
        day = dt.date.fromisoformat((prompt.call or "").rpartition("@")[2])
        return f"anything to flag before the call on {day_text(day)}"
    milestone = ctx.session.get(Milestone, (prompt.item, prompt.milestone))
    named = f"“{clip(milestone.text, 40)}”" if milestone else str(prompt.milestone)
    return f"whether item {prompt.item}'s milestone {named} is done"


def _asks_something(text: str) -> bool:
    """A short question ("can it wait till next week?"), not an update that ends with one."""
    status = read_rag_lead(text)
    return text.rstrip().endswith("?") and len(words(text)) <= 15 and not (status is not None and status.clear)


def question_reply(ctx: Context, text: str, prompts: list[OpenPrompt]) -> str:
    """What to say to a question the bot cannot answer in words: how to do what people ask most."""
    waiting = and_list([describe(ctx, p) for p in prompts[:3]])
    return (
        f"I can't answer questions in words yet, so I haven't stored “{excerpt(text, 60)}”. I'm waiting for {waiting}. "
        f"To be reminded later type {cmd('snooze')} 2d, or {cmd('away')} until a date if you're away; "
        f"{cmd('help')} lists everything. When you're ready, just reply with how it's going."
    )


def talk_reply(ctx: Context, talk: Talk, prompts: list[OpenPrompt]) -> str:
    """A short, friendly answer to small talk, with what the bot is waiting for."""
    waiting = and_list([describe(ctx, p) for p in prompts[:3]])
    first = prompts[0].asks if len({p.asks for p in prompts}) == 1 else "update"
    how = {
        "update": "Reply with how it's going (green, amber or red, and a few words) and I'll take you through the rest",
        "flag": "Reply with anything to flag, or nothing",
        "milestone": "Reply done, on track, or slipped with the new date",
    }[first] + f", or type {cmd('help')}."
    opening = OPENING[talk].replace("Hello!", f"Hello {ctx.person.name.split()[0]}!")
    return f"{opening} I'm still waiting for {waiting}. {how}"


# --- "Which is this about?": the flow that asks, keeping what was written -------------------------

WHICH = "which:prompt"


def _ask_which(ctx: Context, prompts: list[OpenPrompt], text: str, lead_in: list[str]) -> list[Reply]:
    conv = save_conversation(
        ctx.session,
        platform=ctx.sender.platform,
        person_id=ctx.person.id,
        channel=DIRECT,
        state=WHICH,
        data={"text": text, "message": ctx.message_id, "options": [_as_data(p) for p in prompts]},
        at=ctx.now,
    )
    return [_which_question(ctx, conv, prompts, lead_in)]


def _which_question(ctx: Context, conv: Conversation, prompts: list[OpenPrompt], lead_in: list[str]) -> Reply:
    kept = str(conv.data.get("text") or "")
    shown = f"“{excerpt(kept, 80)}”" if kept else "your message"
    choices = [Choice(str(n), _label(ctx, p)) for n, p in enumerate(prompts, start=1)]
    choices.append(Choice("cancel", "None of these"))
    question = f"Which is {shown} about? I'll keep what you wrote and use it there."
    return Reply([*(Paragraph(line) for line in lead_in), Choices(question, choices, f"which:{conv.step}")])


def _label(ctx: Context, prompt: OpenPrompt) -> str:
    if prompt.asks == "update":
        item = ctx.session.get(Item, prompt.item) if prompt.item is not None else None
        period = ctx.session.get(Period, prompt.period) if prompt.period else None
        title = f": {clip(item.title, 40)}" if item else ""
        return f"Item {prompt.item}{title} ({short_label(period) if period else 'update'})"
    said = describe(ctx, prompt)
    return said[:1].upper() + said[1:]


def _as_data(prompt: OpenPrompt) -> dict[str, Any]:
    data = asdict(prompt)
    data["sent_at"] = prompt.sent_at.isoformat()
    data["due"] = prompt.due.isoformat() if prompt.due else None
    return data


def _from_data(data: dict[str, Any]) -> OpenPrompt:
    return OpenPrompt(
        **{
            **data,
            "sent_at": dt.datetime.fromisoformat(data["sent_at"]),
            "due": dt.date.fromisoformat(data["due"]) if data.get("due") else None,
        }
    )


def _options(conv: Conversation) -> list[OpenPrompt]:
    return [_from_data(d) for d in conv.data.get("options") or []]


def _picked(options: list[OpenPrompt], text: str) -> OpenPrompt | None | Literal["cancel"]:
    """The option typed: its number on the list, an item's number ("item 5", "5"), or words of what it asks."""
    found = words(text)
    if found and found[0] in ("cancel", "none", "neither", "nothing", "no"):
        return "cancel"
    numbers = [int(w) for w in found if w.isdigit()]
    if len(numbers) == 1:
        by_item = [p for p in options if p.item == numbers[0]]
        if len(by_item) == 1:
            return by_item[0]
        if 1 <= numbers[0] <= len(options):
            return options[numbers[0] - 1]
    kinds = {"call": "flag", "flag": "flag", "note": "flag", "milestone": "milestone"}
    asked = {kinds[w] for w in found if w in kinds}
    of_kind = [p for p in options if p.asks in asked]
    return of_kind[0] if len(of_kind) == 1 else None


def answer(ctx: Context, conv: Conversation, text: str) -> list[Reply]:
    """An answer to "which is this about?"; other words are added to what is kept, and it asks again."""
    options = _options(conv)
    picked = _picked(options, text)
    kept = str(conv.data.get("text") or "")
    if picked is None and (parse_review(text) is not None or len(words(text)) < 3):
        return [_which_question(ctx, conv, options, ["Please choose one (its number), or cancel."])]
    if picked is None:
        try:
            combined = answer_text(f"{kept}\n{text}")
        except BadInput as exc:
            return [_which_question(ctx, conv, options, [str(exc)])]
        data = {**conv.data, "text": combined}
        conv = save_conversation(
            ctx.session, platform=conv.platform, person_id=conv.person_id, channel=DIRECT, state=WHICH, data=data, at=ctx.now
        )
        return [_which_question(ctx, conv, options, ["I've added that to what you wrote."])]
    clear_conversation(ctx.session, platform=conv.platform, person_id=conv.person_id)
    if picked == "cancel":
        return [say(f"OK, I haven't stored “{excerpt(kept, 80)}”. {cmd('plan-update')} starts an update whenever you're ready.")]
    return take(ctx, Target(picked, kept, action(kept) if picked.asks == "update" else "answer"))


def press(ctx: Context, value: str, step: str) -> list[Reply]:
    """A button on "which is this about?": the same as typing its number, if it belongs to the open question."""
    conv = ctx.conversation()
    if conv is None or conv.state != WHICH:
        raise BadInput(f"That question has already been answered, so nothing was changed. Type {cmd('help')} to see what I can do.")
    if step != f"which:{conv.step}":
        return [_which_question(ctx, conv, _options(conv), ["That button was for an earlier question; here is where we are:"])]
    return answer(ctx, conv, value)


def submit_form(ctx: Context, values: dict[str, str], step: str) -> list[Reply]:
    raise BadInput(f"That form belongs to a question I no longer recognise; nothing was stored. Type {cmd('help')}.")


def reshow(ctx: Context, conv: Conversation, lead_in: list[str] | None = None, *, after: Sequence[Reply] = ()) -> list[Reply]:
    """The question again after a command, unless what is being sent shows it already."""
    step = f"which:{conv.step}"
    if any(isinstance(b, Choices) and b.step == step for r in after for b in r.blocks):
        return []
    return [_which_question(ctx, conv, _options(conv), lead_in or ["Still to answer:"])]


def edited(ctx: Context, conv: Conversation, message_id: str, text: str) -> list[Reply]:
    """The kept message was edited: keep the new words instead."""
    if conv.data.get("message") != message_id:
        return []
    try:
        text = answer_text(text)
    except BadInput as exc:
        return [_which_question(ctx, conv, _options(conv), [str(exc)])]
    data = {**conv.data, "text": text}
    conv = save_conversation(
        ctx.session, platform=conv.platform, person_id=conv.person_id, channel=DIRECT, state=WHICH, data=data, at=ctx.now
    )
    return [_which_question(ctx, conv, _options(conv), ["You edited your message, so I've kept the new words."])]
