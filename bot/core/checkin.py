"""The update conversation: a lead's update for one item and period, one question at a time.

A state machine persisted in the Conversation table (principle 2): each answer
loads the draft from the row, applies the answer and saves the next state, so a
restart, a second process or a replayed event sees exactly where the person is.
The questions run RAG -> each KPI -> each milestone -> blockers -> summary ->
review; nothing is stored as an update until the person confirms the review.
Buttons carry "checkin:<conversation step>", so a press on an old question is
recognised; the whole-update form carries "checkin:form:<item>:<period>".

This module is the flow's handlers (flows.py routes to them) and what happens
after an answer. Starting, resuming and switching items is in update_start;
the draft's place in the conversation in update_conversation; answers are read
by update_readers, the same readers the form uses (update_form).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from bot.core.answers import (
    EDIT_VERBS,
    Control,
    Unreadable,
    control_word,
    edit_target,
    item_named,
    joined_notes,
    parse_review,
    read_rag_lead,
    words,
)
from bot.core import paragraph_update
from bot.core.asked import asked_period
from bot.core.paragraph_reader import Proposal
from bot.core.period_names import current_period
from bot.core.command_names import cmd
from bot.core.context import Context
from bot.core.errors import BadInput, PlanbotError
from bot.core.prompt_keys import prompt_done, prompt_key
from bot.core.replies import Choices, Form, Reply, say
from bot.core.small_talk import OPENING, small_talk
from bot.core.set_aside import forget, offer, peek, put_aside
from bot.core.text import answer_text, excerpt
from bot.core.update_access import authorise, due_items, find_item
from bot.core.update_conversation import REVIEWED, clear, lock, open_draft, reask, same_step, save_and_ask, to_person
from bot.core.update_draft import CONFIRM, Draft, Subject, date_text, ms_answer, ms_text, rag_text, short_label
from bot.core.update_form import form_problems, form_reply, read_form
from bot.core.update_messages import START, help_text, options_text, question_label, saved
from bot.core.update_readers import (
    Explained,
    Given,
    read_milestone,
    read_note,
    read_rag,
    read_slip_date,
    read_summary,
    read_switch,
)
from bot.core.update_start import aside_note, asked_note, new_draft, refuse_future, start, start_from_args, switch_answer
from bot.core.wording import and_list
from storage.models import Conversation, Item, MilestoneState, Period
from storage.conversations import save_conversation
from storage.queries import latest_update, plan_periods, save_update


_FORM = re.compile(r"checkin:form:(\d+):(.+)")


@to_person
def answer(ctx: Context, conv: Conversation, text: str, *, first: bool = False) -> list[Reply]:
    """A typed answer (or a button's value) to the current question. `first`: the words
    that started the update (a reply to a prompt), which an edit of them replays as such."""
    draft = lock(ctx, conv)
    before = draft.to_data()
    draft.undo = None
    try:
        cleaned = answer_text(text)
    except BadInput as exc:
        return [reask(ctx, conv, draft, [str(exc)])]
    if not cleaned:
        return [
            reask(
                ctx, conv, draft, ["That message was empty, so I haven't stored anything. Here is the question again:"]
            )
        ]
    word = control_word(cleaned)
    if word == "help":
        return [reask(ctx, conv, draft, [help_text(draft, Subject.load(ctx.session, draft))])]
    if draft.kind == "switch":
        return switch_answer(ctx, conv, draft, Given(cleaned, word))
    if word == "form":
        return [form_reply(draft, Subject.load(ctx.session, draft))]
    if word == "cancel":
        return _cancel(ctx, draft)
    if word == "next":
        return _leave_for_later(ctx, draft)
    if word == "back":
        return _back(ctx, conv, draft)
    if draft.kind == "confirm":
        return _review_answer(ctx, conv, draft, cleaned)
    talk = small_talk(cleaned)
    if talk is not None:  # never stored as an answer
        return [reask(ctx, conv, draft, [f"{OPENING[talk]} Your update isn't saved yet; here is where we are:"])]
    if draft.kind == "rag" and not draft.answered and word is None:
        proposals = paragraph_update.read(ctx, draft, cleaned)
        if proposals is not None:
            return _take_paragraph(ctx, draft, before, proposals, cleaned, first)
    subject = Subject.load(ctx.session, draft)
    if first and draft.kind == "rag" and not _plainly_a_status(cleaned):
        kept = "\n".join(t for t in (draft.answers.get("summary"), cleaned) if t)
        draft.answers["summary"] = kept
        _remember(ctx, draft, before, "summary", first)
        lead_in = (
            "I couldn't tell the RAG status from that, so I've kept your words as the summary "
            "(you'll see everything before it's saved)."
        )
        return [save_and_ask(ctx, draft, [lead_in])]
    step = draft.step
    try:
        ack = _take(draft, subject, cleaned, word, ctx)
    except Unreadable as exc:
        problem = str(exc) if isinstance(exc, Explained) else f"{exc} {options_text(draft, subject)}"
        return [reask(ctx, conv, draft, [problem])]
    _remember(ctx, draft, before, step, first)
    return [save_and_ask(ctx, draft, [ack])]


def _take_paragraph(
    ctx: Context, draft: Draft, before: dict[str, Any], proposals: list[Proposal], text: str, first: bool
) -> list[Reply]:
    """The first answer read whole: this item's proposal fills the draft; the other items it
    reports on are put aside, filled the same way, to check one after another."""
    own = next((p for p in proposals if p.item == draft.item), None)
    notes: list[str] = []
    period = ctx.session.get(Period, draft.period)
    assert period is not None
    if own is None:  # it reports only on other items: the first of them is the one being written
        own, item = proposals[0], find_item(ctx.session, proposals[0].item)
        draft = new_draft(ctx, item, period, authorise(ctx, item), queue=draft.queue)
    allowed, refused = paragraph_update.others(ctx, proposals, draft)
    kept_apart: list[str] = []
    for item, on_behalf, proposal in list(allowed):
        if peek(ctx, item, period) is not None:  # an unfinished update of theirs is never overwritten
            allowed.remove((item, on_behalf, proposal))
            kept_apart.append(f"item {item.number}")
            continue
        other = new_draft(ctx, item, period, on_behalf, queue=[])
        paragraph_update.fill(ctx, other, proposal, text=proposal.text)
        put_aside(ctx, other)
        notes.append(f"item {item.number}")
    draft.queue = [i.number for i, _, _ in allowed] + [n for n in draft.queue if n not in {i.number for i, _, _ in allowed}]
    read = paragraph_update.fill(ctx, draft, own, text=own.text if len(proposals) > 1 else text)
    _remember(ctx, draft, before, "rag", first)
    lead_in = [_read_note(read)]
    if notes:
        lead_in.append(f"You also wrote about {and_list(notes)}: I'll show you each of those to check after this one.")
    if kept_apart:
        lead_in.append(
            f"You also wrote about {and_list(kept_apart)}, but you have an unfinished update for it set aside, so I've "
            f"left that as it was: {cmd('plan-update')} and its number picks it up."
        )
    if refused:
        numbers = and_list([str(n) for n in refused])
        lead_in.append(f"You also wrote about item {numbers}, which you can't update, so I've left that out.")
    if draft.kind == "rag":
        lead_in.append("Your message didn't say the overall status, so one question first:")
    elif draft.kind == "ms_date":
        lead_in.append("One milestone has slipped without a new date I can use, so one question first:")
    return [save_and_ask(ctx, draft, lead_in)]


def _read_note(read: list[str]) -> str:
    found = f"I read {and_list(read)} from it" if read else "I couldn't match it to the KPIs or milestones"
    return (
        f"Thanks. I've turned your message into an update: {found}, and it is the summary. "
        "Lines marked (from your message) are what I read; check them, change any with edit and its number, "
        "and nothing is stored until you say yes."
    )


def _plainly_a_status(text: str) -> bool:
    found = read_rag_lead(text)
    return found is not None and found.clear


def _remember(ctx: Context, draft: Draft, before: dict[str, Any], step: str, first: bool) -> None:
    """Note which message gave this answer, and the draft before it, so an edit of that
    message (while it is the last answer) replaces it."""
    if ctx.message_id is None:
        return
    before.pop("undo", None)
    draft.undo = {"message": ctx.message_id, "before": before, "first": first}
    draft.answered_by[ctx.message_id] = step


@to_person
def edited(ctx: Context, conv: Conversation, message_id: str, text: str) -> list[Reply]:
    """The person edited a message they sent: while its answer is the last one given, the new
    words replace it; an earlier answer's message gets a note on how to change that answer."""
    draft = lock(ctx, conv)
    if draft.undo is not None and draft.undo.get("message") == message_id:
        restored = Draft.from_data(draft.undo["before"])
        first = bool(draft.undo.get("first"))
        conv = save_conversation(
            ctx.session,
            platform=conv.platform,
            person_id=conv.person_id,
            channel=conv.channel,
            state=restored.state,
            data=restored.to_data(),
            at=ctx.now,
        )
        if first:
            text = (item_named(text) or (0, text))[1]
        note = say("You edited your answer, so I've used the new words instead.")
        return [note, *answer(ctx, conv, text, first=first)]
    step = draft.answered_by.get(message_id)
    if step is None or step not in draft.questions:
        return []
    number = draft.questions.index(step) + 1
    lead_in = (
        f"You edited an earlier answer (answer {number}), so I've kept what you first wrote there. To change it, "
        f"type edit {number} when I show you the whole update, or back to go back a question."
    )
    return [reask(ctx, conv, draft, [lead_in])]


@to_person
def reply_to_prompt(
    ctx: Context, item: Item, period: Period | None, on_behalf: str | None, words: str | None
) -> list[Reply]:
    """A reply to a prompt: open the item's update (for the period asked about, else the one
    an update defaults to) and take `words` (None: just start) as the answer to its question."""
    periods = plan_periods(ctx.session)
    now = current_period(periods, ctx.today)
    period = period or asked_period(ctx, periods, item.number) or now
    opened = start(ctx, item, period, on_behalf, queue=[], intro=asked_note(item.number, period, now))
    conv = ctx.conversation()
    if words is None or conv is None:
        return opened
    shown = opened[:-1] if len(opened) > 1 else opened  # a new update: its opening, then the answer taken
    return [*shown, *answer(ctx, conv, words, first=True)]


@to_person
def press(ctx: Context, value: str, step: str) -> list[Reply]:
    """A button: the same as typing its value, if it belongs to the open question.
    "Open the form" works from any question of the update: it changes nothing."""
    if step == START:
        return start_from_args(ctx, re.sub(r"^/?(plan-)?update\b", "", value.strip()))
    opened = open_draft(ctx)
    rescued = None if opened is not None and same_step(step, opened[0]) else _save_passed_review(ctx, step, value)
    if opened is None:
        if rescued:
            return rescued
        kept = offer(ctx, ["That button was on an update that is no longer open, so I haven't used it."])
        return kept or [
            say(
                "That button belongs to an update that has already been saved or cancelled, so nothing was changed. "
                f"Type {cmd('plan-update')} to write one."
            )
        ]
    conv, draft = opened
    if control_word(value) == "form":
        return [form_reply(draft, Subject.load(ctx.session, draft))]
    if rescued:
        return [*rescued, reask(ctx, conv, draft, ["Your other update is still open; here is where we are:"])]
    if not same_step(step, conv):
        return [
            reask(
                ctx,
                conv,
                draft,
                ["That button was for an earlier question, so I haven't used it; here is where we are:"],
            )
        ]
    return answer(ctx, conv, value)


def _save_passed_review(ctx: Context, step: str, value: str) -> list[Reply] | None:
    """A Save pressed on a review the conversation has moved past: the person's next
    event was handled first (by another process). The answers it confirmed were set
    aside whole, so they are saved, under the same checks as any save. None when the
    press is not such a Save, or that update is no longer waiting at its review."""
    found = REVIEWED.fullmatch(step)
    if found is None or value.strip().casefold() != "yes":
        return None
    period = ctx.session.get(Period, found[2])
    item = ctx.session.get(Item, int(found[1]))
    kept = peek(ctx, item, period) if item is not None and period is not None else None
    if kept is None or kept[0].kind != "confirm":
        return None
    return [_save_version(ctx, kept[0])]


@to_person
def submit_form(ctx: Context, values: dict[str, str], step: str) -> list[Reply]:
    """The whole update as a form: check every field, then show the review to confirm."""
    found = _FORM.fullmatch(step)
    if found is None:
        raise BadInput(
            "That form belongs to something I no longer recognise, so nothing was stored. "
            f"Type {cmd('plan-update')} to start again."
        )
    item = find_item(ctx.session, int(found[1]))
    period = ctx.session.get(Period, found[2])
    if period is None:
        raise BadInput(
            f"That form is for a period ({found[2]}) the plan no longer has, so nothing was stored. "
            f"Type {cmd('plan-update')} to start again."
        )
    on_behalf = authorise(ctx, item)
    refuse_future(period, current_period(plan_periods(ctx.session), ctx.today), item.number)
    opened = open_draft(ctx)
    same_item = opened is not None and (opened[1].item, opened[1].period) == (item.number, period.key)
    kept = None if same_item else peek(ctx, item, period)
    if opened and same_item:
        draft, notes = opened[1], []
    elif kept:
        draft, notes = kept
    else:
        draft, notes = new_draft(ctx, item, period, on_behalf, queue=[]), []
    subject = Subject.load(ctx.session, draft)
    errors = read_form(draft, subject, values, today=ctx.today)
    if errors:
        return [form_problems(draft, subject, values, errors)]
    if opened and not same_item and put_aside(ctx, opened[1]):
        notes.insert(0, aside_note(opened[1].item))
    forget(ctx, draft)
    draft.cursor = draft.steps.index(CONFIRM)
    draft.awaiting_date, draft.return_to_review, draft.switch_to = None, False, None
    draft.on_behalf_of, draft.source = on_behalf, "form"
    return [save_and_ask(ctx, draft, notes)]


@to_person
def reshow(ctx: Context, conv: Conversation, lead_in: list[str] | None = None, *, after: Sequence[Reply] = ()) -> list[Reply]:
    """The open question again, after a command or when the person opens the bot, unless
    `after` (what is being sent) already shows it or opens a form. Nothing is saved, so its
    buttons stay valid."""
    if any((isinstance(b, Choices) and same_step(b.step, conv)) or isinstance(b, Form) for r in after for b in r.blocks):
        return []
    draft = Draft.from_data(conv.data)
    if lead_in is None:
        period = ctx.session.get(Period, draft.period)
        label = short_label(period) if period else draft.period
        lead_in = [f"Your update for item {draft.item} ({label}) is still open; here is where we are:"]
    return [reask(ctx, conv, draft, lead_in)]


def reads_as_answer(ctx: Context, conv: Conversation, text: str) -> bool:
    """Whether the open question would take `text` as its answer, tried with its reader on
    a scratch copy of the draft. A free-text question says no, so words that look like a
    command ("status 3") are never taken as its answer silently."""
    draft = Draft.from_data(conv.data)
    if control_word(text) is not None:
        return True
    match draft.kind:
        case "kpi" | "blockers" | "summary":
            return False
        case "confirm":
            parsed = parse_review(text)
            return parsed is not None and (parsed[0] != "edit" or words(text)[0] in EDIT_VERBS)
        case "switch":
            assert draft.switch_to is not None
            return read_switch(Given.typed(text), current=draft.item, other=draft.switch_to[0]) is not None
    try:
        _take(draft, Subject.load(ctx.session, draft), text, None, ctx)
    except Explained:
        return True
    except Unreadable:
        return False
    return True


@to_person
def expire(ctx: Context, conv: Conversation, idle: dt.timedelta) -> list[Reply]:
    """An update left unanswered too long: close it, keep its draft, and offer it back."""
    draft, stopped = Draft.from_data(conv.data), conv.updated_at
    clear(ctx)
    if not put_aside(ctx, draft, last_answered=stopped):
        return []
    period = ctx.session.get(Period, draft.period)
    label = short_label(period) if period else draft.period
    lead_in = (
        f"Your update for item {draft.item} ({label}) had no answer for {_duration(idle)}, so I've put it aside "
        "with your answers kept; nothing was stored as an update."
    )
    return offer(ctx, [lead_in])


@to_person
def welcome_back(ctx: Context) -> list[Reply]:
    """The person opened the bot with no update open: offer their set-aside drafts, if any."""
    return offer(ctx, ["Welcome back."])


def _take(draft: Draft, subject: Subject, text: str, word: Control | None, ctx: Context) -> str:
    """Apply an answer to the current question and move on; returns what was noted.

    Raises Unreadable (and changes nothing that is saved) when the answer can't be read."""
    step, kind = draft.step, draft.kind
    if word == "keep" and draft.answers.get(step) is not None and kind != "ms_date":
        draft.advance()
        return "Kept your answer."
    given, previous, label = Given(text, word), draft.same(step), question_label(draft, step)
    draft.read = [s for s in draft.read if s != step]  # answered now in the lead's own words, not read from a paragraph
    if kind == "rag":
        draft.answers[step], draft.rag_reason = read_rag(given, previous)
        draft.advance()
        return f"RAG status: {rag_text(draft.answers[step])}." + _kept(draft.rag_reason, "as the reason")
    if kind in ("kpi", "blockers"):
        value = read_note(given, previous)
        draft.answers[step] = value
        draft.advance()
        empty = "none noted" if kind == "kpi" else "none"
        return f"{label}: {'same as last time' if given.copying and value else (empty if not value else 'noted')}."
    if kind == "ms":
        answer, ask_date = read_milestone(given, previous, today=ctx.today)
        draft.answers[step] = answer
        if ask_date:
            draft.awaiting_date = step[3:]
            return f"{label}: slipped." + _kept(answer["note"], "as its note")
        draft.advance()
        return f"{label}: {ms_text(answer)}."
    if kind == "ms_date":
        day, words = read_slip_date(given, previous, today=ctx.today)
        earlier = (draft.answers.get(step) or {}).get("note") or ""
        draft.answers[step] = ms_answer(MilestoneState.SLIPPED, day, joined_notes(earlier, words))
        draft.awaiting_date = None
        draft.advance()
        return f"{label}: {ms_text(draft.answers[step])}."
    draft.answers[step] = read_summary(given, previous, return_name=subject.return_name)
    draft.advance()
    return f"Summary: {'same as last time' if given.copying else 'noted'}."


def _kept(words: str, what: str) -> str:
    """' I've kept "the consultation slipped" as the reason.': the words beyond the answer, said back."""
    return f" I've kept “{excerpt(words, 80)}” {what}." if words else ""


def _back(ctx: Context, conv: Conversation, draft: Draft) -> list[Reply]:
    if draft.awaiting_date:
        draft.awaiting_date = None
    elif draft.return_to_review:
        draft.cursor, draft.return_to_review = draft.steps.index(CONFIRM), False
    elif draft.cursor == 0:
        lead_in = "This is the first question, so there's nothing to go back to. Type cancel to stop without storing anything."
        return [reask(ctx, conv, draft, [lead_in])]
    else:
        draft.cursor -= 1
    return [save_and_ask(ctx, draft, ["Back one question."])]


def _review_answer(ctx: Context, conv: Conversation, draft: Draft, text: str) -> list[Reply]:
    parsed = parse_review(text)
    talk = small_talk(text) if parsed is None else None
    if talk is not None:
        return [reask(ctx, conv, draft, [f"{OPENING[talk]} Your update isn't saved yet; here it is to check:"])]
    added = paragraph_update.more_words(ctx, draft, text) if parsed is None else None
    if added is not None:
        return [save_and_ask(ctx, draft, ["I've added that to your update and read it again; here it is to check:"])]
    if parsed is None:
        return [
            reask(
                ctx,
                conv,
                draft,
                [
                    f'I couldn\'t read "{excerpt(text)}" here, so nothing is saved yet. Type yes to save, edit and a number '
                    "to change an answer (or change summary to ... with the new words), back, or cancel."
                ],
            )
        ]
    if parsed[0] == "yes":
        return _store(ctx, draft)
    if parsed[0] == "no":
        return [
            reask(
                ctx,
                conv,
                draft,
                [
                    "OK, nothing is saved yet. What would you like to change? Type edit and the answer's number (edit 2), "
                    "change summary to ... with the new words, or cancel to stop without storing anything."
                ],
            )
        ]
    index = edit_target(parsed[1], draft.steps)
    if index is None:
        return [
            reask(
                ctx,
                conv,
                draft,
                [
                    f'I couldn\'t tell which answer "{excerpt(parsed[1])}" means. Type edit and a number from 1 to {len(draft.questions)}, '
                    "or edit rag, edit kpi 1, edit milestone 2, edit blockers, edit summary."
                ],
            )
        ]
    draft.cursor, draft.return_to_review = index, True
    if parsed[0] == "edit":
        return [save_and_ask(ctx, draft, [f"Changing answer {index + 1}; then I'll show you the update again."])]
    subject = Subject.load(ctx.session, draft)
    try:
        ack = _take(draft, subject, parsed[2], control_word(parsed[2]), ctx)
    except Unreadable as exc:
        problem = str(exc) if isinstance(exc, Explained) else f"{exc} {options_text(draft, subject)}"
        return [save_and_ask(ctx, draft, [f"I couldn't change answer {index + 1} to that. {problem}"])]
    return [save_and_ask(ctx, draft, [f"Changed answer {index + 1}. {ack}"])]


def _store(ctx: Context, draft: Draft) -> list[Reply]:
    """Confirmed: store a new version, then move to the next queued item or close."""
    receipt = _save_version(ctx, draft)
    following = _next_in_queue(ctx, draft, "")
    if following:
        return [receipt, *following]
    clear(ctx)
    period = ctx.session.get(Period, draft.period)
    assert period is not None  # checked by _save_version
    return [receipt, say(_still_due(ctx, period))]


def _save_version(ctx: Context, draft: Draft) -> Reply:
    """Store the draft as the item's next version (the access and period rules checked
    again), drop any set-aside copy and mark the prompt done everywhere: the receipt."""
    item = find_item(ctx.session, draft.item)
    on_behalf = authorise(ctx, item)
    period = ctx.session.get(Period, draft.period)
    if period is None:
        raise BadInput(f"The plan no longer has the period {draft.period}, so nothing was stored.")
    refuse_future(period, current_period(plan_periods(ctx.session), ctx.today), item.number)
    subject = Subject.load(ctx.session, draft)
    draft.on_behalf_of = on_behalf
    update = save_update(
        ctx.session,
        item_number=draft.item,
        period_key=draft.period,
        rag=draft.rag(),
        summary=draft.answers["summary"],
        blockers=draft.answers.get("blockers", ""),
        rag_reason=draft.rag_reason,
        kpi_progress=draft.kpi_progress(),
        milestone_states=draft.milestone_states(),
        author_id=ctx.person.id,
        on_behalf_of_id=on_behalf,
        at=ctx.now,
        source=draft.source,
    )
    forget(ctx, draft)
    local = ctx.local_now
    ctx.edit_everywhere(
        prompt_key(draft.item, draft.period),
        prompt_done(
            item_number=item.number,
            title=item.title,
            period_label=subject.period_label,
            rag=update.rag,
            version=update.version,
            saved_at=local,
            author=ctx.person.name,
            lead=subject.lead_name if on_behalf else None,
        ),
    )
    return saved(draft, subject, update, ctx.person.name, f"{date_text(local.date())} at {local:%H:%M}")


def _next_in_queue(ctx: Context, draft: Draft, prefix: str) -> list[Reply]:
    """Start the next queued item that still needs an update (and this person may write)."""
    queue = list(draft.queue)
    period = ctx.session.get(Period, draft.period)
    while queue:
        number = queue.pop(0)
        item = ctx.session.get(Item, number)
        if item is None or period is None or not item.in_plan:
            continue
        if latest_update(ctx.session, item_number=number, period_key=period.key) is not None:
            continue
        try:
            on_behalf = authorise(ctx, item)
        except PlanbotError:
            continue
        more = f" ({len(queue)} more after this)" if queue else " (the last one)"
        return start(ctx, item, period, on_behalf, queue=queue, intro=[f"{prefix}Next: item {number}{more}."])
    return []


def _still_due(ctx: Context, period: Period) -> str:
    due, _ = due_items(ctx, period)
    label = short_label(period)
    if not due:
        whose = "every item" if ctx.person.is_coordinator else "all your items"
        return f"That's {whose} updated for {label}. Thank you!"
    numbers = and_list([str(i.number) for i in due])
    return f"Still without an update for {label}: {_items(due)} {numbers}. {cmd('plan-update')} starts the next one."


def _cancel(ctx: Context, draft: Draft) -> list[Reply]:
    clear(ctx)
    forget(ctx, draft)
    period = ctx.session.get(Period, draft.period)
    label = short_label(period) if period else draft.period
    update = cmd("plan-update")
    lines = [f"Cancelled: nothing was stored for item {draft.item} ({label}). {update} {draft.item} starts it again."]
    if draft.queue:
        lines.append(
            f"Your other items due ({and_list([str(n) for n in draft.queue])}) are still waiting: {update} picks them up."
        )
    return [say(" ".join(lines))]


def _leave_for_later(ctx: Context, draft: Draft) -> list[Reply]:
    kept = put_aside(ctx, draft)
    left = f"OK, item {draft.item} is left for later; nothing was stored for it" + (
        ", and your answers so far are kept." if kept else "."
    )
    following = _next_in_queue(ctx, draft, left + " ")
    if following:
        return following
    clear(ctx)
    again = "picks it up where you stopped" if kept else "picks it up again"
    return [say(f"{left} {cmd('plan-update')} {draft.item} {again}.")]


def _duration(span: dt.timedelta) -> str:
    """'24 hours', '1 hour', '90 minutes': how long an update waited."""
    minutes = round(span.total_seconds() / 60)
    if minutes % 60 or minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _items(things: list[Any]) -> str:
    return "item" if len(things) == 1 else "items"
