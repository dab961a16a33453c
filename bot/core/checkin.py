"""The update conversation: a lead's quarterly update, one question at a time.

A state machine persisted in the Conversation table (principle 2): each answer
loads the draft from the row, applies the answer and saves the next state, so a
restart, a second process or a replayed event sees exactly where the person is.
The questions run RAG -> each KPI -> each milestone -> blockers -> summary ->
review; nothing is stored as an update until the person confirms the review.
Buttons carry "checkin:<conversation step>", so a press on an old question is
recognised; the whole-update form carries "checkin:form:<item>:<period>".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bot.core.answers import (
    Control,
    MilestoneReading,
    Unreadable,
    control_word,
    edit_target,
    parse_date,
    parse_milestone,
    parse_rag,
    parse_review,
)
from bot.core.context import Context
from bot.core.errors import BadInput, PlanbotError
from bot.core.prompt_keys import prompt_done, prompt_key
from bot.core.replies import Bullets, Choice, Choices, Paragraph, Reply, say
from bot.core.text import answer_text
from bot.core.update_access import (
    authorise,
    default_period,
    due_items,
    find_item,
    parse_args,
    resolve_period,
)
from bot.core.update_draft import (
    CONFIRM,
    Draft,
    Subject,
    date_text,
    make_steps,
    ms_answer,
    ms_text,
    previous_snapshot,
    rag_text,
    short_label,
)
from bot.core.update_messages import form_initial, help_text, opening, question, saved, update_form
from bot.core.wording import and_list, example_day, slash_date
from storage.conversations import clear_conversation, save_conversation
from storage.models import Conversation, Item, MilestoneState, Period, Rag
from storage.queries import kpis, latest_update, milestones, plan_periods, save_update

START = "checkin:start"
_FORM = re.compile(r"checkin:form:(\d+):(.+)")


def start_from_args(ctx: Context, args: str) -> list[Reply]:
    """/plan-update [N] [PERIOD]: one item, or the person's items still due."""
    periods = plan_periods(ctx.session)
    if not periods:
        raise BadInput("The loaded plan has no reporting periods, so there is nothing to update yet.")
    number, period_text = parse_args(args, periods)
    period = resolve_period(periods, period_text) if period_text else default_period(periods, ctx.today)
    opened = _open_draft(ctx)
    if number is not None:
        item = find_item(ctx.session, number)
        on_behalf = authorise(ctx, item)
        if opened and (opened[1].item, opened[1].period) == (item.number, period.key):
            conv, draft = opened
            lead_in = (
                f"You're already writing item {item.number}'s update for {short_label(period)}; here is where we are."
            )
            return [_reask(ctx, conv, draft, [lead_in])]
        return _begin(ctx, item, period, on_behalf, queue=[], intro=_set_aside(opened))
    if opened:
        conv, draft = opened
        lead_in = (
            f"You're in the middle of item {draft.item}'s update; here is where we are. "
            "Type next to leave it for later, or cancel to stop."
        )
        return [_reask(ctx, conv, draft, [lead_in])]
    due, candidates = due_items(ctx, period)
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
        choices = [Choice(f"update {i.number} {period.key}", f"Item {i.number}: {_clip(i.title)}") for i in candidates]
        return [
            Reply(
                [
                    Paragraph(f"{whose} already {'has' if whose == 'Every item' else 'have'} an update for {label}."),
                    Choices(
                        "Want to change one? Choose an item, or type /plan-update and its number.", choices, step=START
                    ),
                ]
            )
        ]
    first, rest = due[0], due[1:]
    if rest:
        numbers = and_list([str(i.number) for i in due])
        intro = [
            f"You have {len(due)} items to update for {label}: items {numbers}. Starting with item {first.number}; "
            "type next at any question to leave an item for later."
        ]
    else:
        intro = [f"One item to update for {label}: item {first.number}."]
    return _begin(ctx, first, period, authorise(ctx, first), queue=[i.number for i in rest], intro=intro)


def answer(ctx: Context, conv: Conversation, text: str) -> list[Reply]:
    """A typed answer (or a button's value) to the current question."""
    draft = _lock(ctx, conv)
    try:
        cleaned = answer_text(text)
    except BadInput as exc:
        return [_reask(ctx, conv, draft, [str(exc)])]
    if not cleaned:
        return [
            _reask(
                ctx, conv, draft, ["That message was empty, so I haven't stored anything. Here is the question again:"]
            )
        ]
    word = control_word(cleaned)
    if word == "help":
        return [_reask(ctx, conv, draft, [help_text(draft, Subject.load(ctx.session, draft))])]
    if word == "cancel":
        return _cancel(ctx, draft)
    if word == "next":
        return _leave_for_later(ctx, draft)
    if word == "back":
        return _back(ctx, conv, draft)
    if draft.kind == "confirm":
        return _review_answer(ctx, conv, draft, cleaned)
    try:
        ack = _take(draft, Subject.load(ctx.session, draft), cleaned, word, ctx)
    except Unreadable as exc:
        return [_reask(ctx, conv, draft, [str(exc)])]
    return [_save_and_ask(ctx, draft, [ack])]


def press(ctx: Context, value: str, step: str) -> list[Reply]:
    """A button: the same as typing its value, if it belongs to the open question."""
    if step == START:
        return start_from_args(ctx, re.sub(r"^/?(plan-)?update\b", "", value.strip()))
    opened = _open_draft(ctx)
    if opened is None:
        return [
            say(
                "That button belongs to an update that has already been saved or cancelled, so nothing was changed. "
                "Type /plan-update to write one."
            )
        ]
    conv, draft = opened
    if step != _token(conv):
        return [
            _reask(
                ctx,
                conv,
                draft,
                ["That button was for an earlier question, so I haven't used it; here is where we are:"],
            )
        ]
    return answer(ctx, conv, value)


def submit_form(ctx: Context, values: dict[str, str], step: str) -> list[Reply]:
    """The whole update as a form: check every field, then show the review to confirm."""
    found = _FORM.fullmatch(step)
    if found is None:
        raise BadInput(
            "That form belongs to something I no longer recognise, so nothing was stored. Type /plan-update to start again."
        )
    item = find_item(ctx.session, int(found[1]))
    period = ctx.session.get(Period, found[2])
    if period is None:
        raise BadInput(
            f"That form is for a period ({found[2]}) the plan no longer has, so nothing was stored. Type /plan-update to start again."
        )
    on_behalf = authorise(ctx, item)
    opened = _open_draft(ctx)
    same_item = opened is not None and (opened[1].item, opened[1].period) == (item.number, period.key)
    draft = opened[1] if opened and same_item else _new_draft(ctx, item, period, on_behalf, queue=[])
    subject = Subject.load(ctx.session, draft)
    errors = _fill_from_form(draft, subject, values, ctx)
    if errors:
        return [
            Reply(
                [
                    Paragraph(
                        f"I couldn't take that form yet, so nothing was stored. Please fix {'this' if len(errors) == 1 else 'these'}:"
                    ),
                    Bullets(errors),
                    update_form(draft, subject, {**form_initial(draft), **{k: v for k, v in values.items() if v}}),
                ]
            )
        ]
    draft.cursor = draft.steps.index(CONFIRM)
    draft.awaiting_date, draft.return_to_review = None, False
    draft.on_behalf_of, draft.source = on_behalf, "form"
    return [_save_and_ask(ctx, draft, [] if same_item else _set_aside(opened))]


def _token(conv: Conversation) -> str:
    return f"checkin:{conv.step}"


def _open_draft(ctx: Context) -> tuple[Conversation, Draft] | None:
    conv = ctx.conversation()
    if conv is None or not conv.state.startswith("checkin:"):
        return None
    return conv, _lock(ctx, conv)


def _lock(ctx: Context, conv: Conversation) -> Draft:
    """Re-read the conversation row FOR UPDATE (PostgreSQL), so two presses of one
    button handled at once are applied one after the other: the second then
    finds the step moved on and is treated as stale."""
    ctx.session.refresh(conv, with_for_update=True)
    return Draft.from_data(conv.data)


def _reask(ctx: Context, conv: Conversation, draft: Draft, lead_in: list[str]) -> Reply:
    """The current question again; nothing is saved, so its buttons stay valid."""
    return question(draft, Subject.load(ctx.session, draft), _token(conv), lead_in)


def _save_and_ask(ctx: Context, draft: Draft, lead_in: list[str]) -> Reply:
    conv = save_conversation(
        ctx.session,
        platform=ctx.sender.platform,
        person_id=ctx.person.id,
        channel=ctx.sender.channel,
        state=draft.state,
        data=draft.to_data(),
        at=ctx.now,
    )
    return question(draft, Subject.load(ctx.session, draft), _token(conv), lead_in)


def _new_draft(ctx: Context, item: Item, period: Period, on_behalf: str | None, *, queue: list[int]) -> Draft:
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


def _begin(
    ctx: Context, item: Item, period: Period, on_behalf: str | None, *, queue: list[int], intro: list[str]
) -> list[Reply]:
    """Open the conversation for one item: the opening message and the first question."""
    draft = _new_draft(ctx, item, period, on_behalf, queue=queue)
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
    return [reply, _save_and_ask(ctx, draft, [])]


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
        f"/plan-update {item.number} {earlier.key} writes that one."
    ]


def _set_aside(opened: tuple[Conversation, Draft] | None) -> list[str]:
    if opened is None:
        return []
    draft = opened[1]
    return [f"I've set aside your unfinished update for item {draft.item}; nothing from it was stored."]


def _take(draft: Draft, subject: Subject, text: str, word: Control | None, ctx: Context) -> str:
    """Apply an answer to the current question and move on; returns what was noted.

    Raises Unreadable (and changes nothing that is saved) when the answer can't be read."""
    step, kind = draft.step, draft.kind
    current, previous = draft.answers.get(step), draft.same(step)
    if word == "keep" and current is not None and kind != "ms_date":
        draft.advance()
        return "Kept your answer."
    copying = word in ("same", "keep")
    if copying and previous is None and kind not in ("kpi", "blockers", "ms_date"):
        raise Unreadable(f"There's no earlier update to copy, so please answer this one. {_options(draft, subject)}")
    label = _label(draft, subject)
    if kind == "rag":
        if word in ("skip", "none"):
            raise Unreadable(f"The RAG status can't be skipped. {_options(draft, subject)}")
        rag = Rag(previous) if copying else parse_rag(text)
        if rag is None:
            raise Unreadable(f'I couldn\'t read "{text}" as a RAG status. {_options(draft, subject)}')
        draft.answers[step] = rag.value
        draft.advance()
        return f"RAG status: {rag_text(rag.value)}."
    if kind in ("kpi", "blockers"):
        if copying:
            value = previous or ""
        elif word in ("skip", "none"):
            value = ""
        else:
            value = text
        draft.answers[step] = value
        draft.advance()
        empty = "none noted" if kind == "kpi" else "none"
        return f"{label}: {'same as last time' if copying and value else (empty if not value else 'noted')}."
    if kind == "ms":
        if copying:
            answer = dict(previous)
        elif word == "skip":
            answer = dict(previous) if previous else ms_answer(MilestoneState.NOT_STARTED, None)
        else:
            reading = parse_milestone(text, today=ctx.today)
            if reading is None:
                raise Unreadable(f'I couldn\'t read "{text}" as a milestone state. {_options(draft, subject)}')
            answer = ms_answer(reading.state, reading.new_date)
            if reading.needs_date:
                draft.answers[step] = answer
                draft.awaiting_date = step[3:]
                return f"{label}: slipped."
        draft.answers[step] = answer
        draft.advance()
        return f"{label}: {ms_text(answer)}."
    if kind == "ms_date":
        if word in ("skip", "none"):
            day = None
        elif copying and previous and previous.get("date"):
            day = _iso(previous["date"])
        else:
            day = parse_date(text, today=ctx.today)
            if day is None:
                reading = _quiet_milestone(text, ctx)
                day = reading.new_date if reading else None
            if day is None:
                raise Unreadable(f'I couldn\'t read "{text}" as a date. {_options(draft, subject)}')
        draft.answers[step] = ms_answer(MilestoneState.SLIPPED, day)
        draft.awaiting_date = None
        draft.advance()
        return f"{label}: {ms_text(draft.answers[step])}."
    if word in ("skip", "none"):
        raise Unreadable(f"The summary goes into the {subject.return_name}, so it can't be skipped. {_options(draft, subject)}")
    draft.answers[step] = previous if copying else text
    draft.advance()
    return f"Summary: {'same as last time' if copying else 'noted'}."


def _quiet_milestone(text: str, ctx: Context) -> MilestoneReading | None:
    """A date question answered as 'slipped to March': read the date out of it."""
    try:
        return parse_milestone(text, today=ctx.today)
    except Unreadable:
        return None


def _label(draft: Draft, subject: Subject) -> str:
    step = draft.step
    if step.startswith("kpi:"):
        return f"KPI {[s for s in draft.questions if s.startswith('kpi:')].index(step) + 1}"
    if step.startswith("ms:"):
        return f"Milestone {[s for s in draft.questions if s.startswith('ms:')].index(step) + 1}"
    return {"blockers": "Blockers or asks", "summary": "Summary", "rag": "RAG status"}.get(step, step)


def _options(draft: Draft, subject: Subject) -> str:
    """The accepted answers for the current question, for 'couldn't read that' messages."""
    same = ", or same to copy last time's" if draft.same(draft.step) else ""
    kind = draft.kind
    example = example_day(subject.period.end)
    if kind == "rag":
        last = f" ({rag_text(draft.same('rag'))})" if draft.same("rag") else ""
        return (
            "Answer green (or on track, ok, 1), amber (at risk, 2), red (off track, behind, 3) "
            f"or complete (done, blue, 4){same}{last}."
        )
    if kind == "ms":
        return (
            f"Answer done (✅, 1), on track (2), slipped (3, e.g. 'slipped to end of {example:%b}' or "
            f"'slipped {slash_date(example)}') or not started (4); skip keeps its last state{same}."
        )
    if kind == "ms_date":
        return f"Write the new date like {subject.date_examples}, or skip if it isn't known yet."
    if kind == "summary":
        return f"Type one line on progress this period{same}."
    return "Type your answer, skip, or back."


def _back(ctx: Context, conv: Conversation, draft: Draft) -> list[Reply]:
    if draft.awaiting_date:
        draft.awaiting_date = None
    elif draft.return_to_review:
        draft.cursor, draft.return_to_review = draft.steps.index(CONFIRM), False
    elif draft.cursor == 0:
        lead_in = "This is the first question, so there's nothing to go back to. Type cancel to stop without storing anything."
        return [_reask(ctx, conv, draft, [lead_in])]
    else:
        draft.cursor -= 1
    return [_save_and_ask(ctx, draft, ["Back one question."])]


def _review_answer(ctx: Context, conv: Conversation, draft: Draft, text: str) -> list[Reply]:
    parsed = parse_review(text)
    if parsed is None:
        return [
            _reask(
                ctx,
                conv,
                draft,
                [
                    f'I couldn\'t read "{text}" here. Type yes to save, edit and a number to change an answer, back, or cancel.'
                ],
            )
        ]
    verb, target = parsed
    if verb == "yes":
        return _store(ctx, draft)
    if verb == "no" or target is None:
        return [
            _reask(
                ctx,
                conv,
                draft,
                [
                    "What would you like to change? Type edit and the answer's number (edit 2), or cancel to stop without storing anything."
                ],
            )
        ]
    index = edit_target(target, draft.steps)
    if index is None:
        return [
            _reask(
                ctx,
                conv,
                draft,
                [
                    f'I couldn\'t tell which answer "{target}" means. Type edit and a number from 1 to {len(draft.questions)}, '
                    "or edit rag, edit kpi 1, edit milestone 2, edit blockers, edit summary."
                ],
            )
        ]
    draft.cursor, draft.return_to_review = index, True
    return [_save_and_ask(ctx, draft, [f"Changing answer {index + 1}; then I'll show you the update again."])]


def _store(ctx: Context, draft: Draft) -> list[Reply]:
    """Confirmed: store a new version, then move to the next queued item or close."""
    item = find_item(ctx.session, draft.item)
    on_behalf = authorise(ctx, item)
    subject = Subject.load(ctx.session, draft)
    draft.on_behalf_of = on_behalf
    update = save_update(
        ctx.session,
        item_number=draft.item,
        period_key=draft.period,
        rag=draft.rag(),
        summary=draft.answers["summary"],
        blockers=draft.answers.get("blockers", ""),
        kpi_progress=draft.kpi_progress(),
        milestone_states=draft.milestone_states(),
        author_id=ctx.person.id,
        on_behalf_of_id=on_behalf,
        at=ctx.now,
        source=draft.source,
    )
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
    receipt = saved(draft, subject, update, ctx.person.name, f"{date_text(local.date())} at {local:%H:%M}")
    following = _next_in_queue(ctx, draft, "")
    if following:
        return [receipt, *following]
    _clear(ctx)
    return [receipt, say(_still_due(ctx, subject.period))]


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
        return _begin(ctx, item, period, on_behalf, queue=queue, intro=[f"{prefix}Next: item {number}{more}."])
    return []


def _still_due(ctx: Context, period: Period) -> str:
    due, _ = due_items(ctx, period)
    label = short_label(period)
    if not due:
        whose = "every item" if ctx.person.is_coordinator else "all your items"
        return f"That's {whose} updated for {label}. Thank you!"
    numbers = and_list([str(i.number) for i in due])
    return f"Still without an update for {label}: {_items(due)} {numbers}. /plan-update starts the next one."


def _cancel(ctx: Context, draft: Draft) -> list[Reply]:
    _clear(ctx)
    period = ctx.session.get(Period, draft.period)
    label = short_label(period) if period else draft.period
    lines = [
        f"Cancelled: nothing was stored for item {draft.item} ({label}). /plan-update {draft.item} starts it again."
    ]
    if draft.queue:
        lines.append(
            f"Your other items due ({and_list([str(n) for n in draft.queue])}) are still waiting: /plan-update picks them up."
        )
    return [say(" ".join(lines))]


def _leave_for_later(ctx: Context, draft: Draft) -> list[Reply]:
    left = f"OK, item {draft.item} is left for later; nothing was stored for it."
    following = _next_in_queue(ctx, draft, left + " ")
    if following:
        return following
    _clear(ctx)
    return [say(f"{left} /plan-update {draft.item} picks it up again.")]


def _clear(ctx: Context) -> None:
    clear_conversation(ctx.session, platform=ctx.sender.platform, person_id=ctx.person.id)


def _fill_from_form(draft: Draft, subject: Subject, values: dict[str, str], ctx: Context) -> list[str]:
    """Put every form field into the draft's answers; returns one line per problem."""
    errors: list[str] = []
    answers: dict[str, Any] = {}
    kpi_number = ms_number = 0
    for step in draft.questions:
        raw = values.get(step, "") or ""
        if step.startswith("kpi:"):
            kpi_number += 1
            label = f"KPI {kpi_number}"
        elif step.startswith("ms:"):
            ms_number += 1
            label = f"Milestone {ms_number}"
        else:
            label = {"rag": "RAG status", "blockers": "Blockers or asks", "summary": "Summary"}[step]
        try:
            text = answer_text(raw)
        except BadInput as exc:
            errors.append(f"{label}: {exc}")
            continue
        word = control_word(text) if text else None
        previous = draft.same(step)
        copying = word in ("same", "keep")
        if copying and previous is None and (step == "rag" or step == "summary"):
            errors.append(f"{label}: there's no earlier update to copy, so please fill it in.")
            continue
        if step == "rag":
            rag = Rag(previous) if copying else parse_rag(text) if text else None
            if rag is None:
                got = f'"{text}" isn\'t a RAG status; ' if text else ""
                errors.append(f"{label}: {got}choose green, amber, red or complete.")
            else:
                answers[step] = rag.value
        elif step.startswith("kpi:") or step == "blockers":
            answers[step] = (previous or "") if copying else "" if word in ("skip", "none") else text
        elif step.startswith("ms:"):
            error, answer = _form_milestone(step[3:], text, word, previous, values, ctx, subject.date_examples)
            if error:
                errors.append(f"{label}: {error}")
            else:
                answers[step] = answer
        else:
            if copying:
                answers[step] = previous
            elif not text or word in ("skip", "none"):
                errors.append(f"{label}: needed; one line on progress this period, for the {subject.return_name}.")
            else:
                answers[step] = text
    if not errors:
        draft.answers = answers
    return errors


def _form_milestone(
    key: str,
    text: str,
    word: Control | None,
    previous: dict[str, Any] | None,
    values: dict[str, str],
    ctx: Context,
    examples: str,
) -> tuple[str | None, dict[str, Any]]:
    """(problem, answer) for one milestone's state and date fields."""
    if not text or word in ("skip", "keep", "same"):
        answer = dict(previous) if previous else ms_answer(MilestoneState.NOT_STARTED, None)
    else:
        try:
            reading = parse_milestone(text, today=ctx.today)
        except Unreadable as exc:
            return str(exc), {}
        if reading is None:
            return f'"{text}" isn\'t a milestone state; choose done, on track, slipped or not started.', {}
        answer = ms_answer(reading.state, reading.new_date)
    if answer["state"] != MilestoneState.SLIPPED.value:
        return None, ms_answer(MilestoneState(answer["state"]), None)
    try:
        raw_date = answer_text(values.get(f"ms_date:{key}", "") or "")
    except BadInput as exc:
        return str(exc), {}
    if raw_date:
        day = parse_date(raw_date, today=ctx.today)
        if day is None:
            return f'"{raw_date}" isn\'t a date I can read; write it like {examples}.', {}
        answer = ms_answer(MilestoneState.SLIPPED, day)
    return None, answer


def _iso(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _items(things: list[Any]) -> str:
    return "item" if len(things) == 1 else "items"

