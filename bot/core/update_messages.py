"""What the update conversation shows: the opening, each question, the review,
the receipt, the form, and the offer of a draft that was set aside.

Pure functions of a draft and what it is about. Text is plain and the person's
own words are quoted back exactly; adapters escape for their platform. Every
button's value is the word a person could type instead. A RAG status is always
shown as its word and label ("Amber (at risk)"), never by colour alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.answers import MILESTONE_WORD, RAG_WORD
from bot.core.command_names import cmd
from bot.core.replies import (
    Block,
    Bullets,
    Choice,
    Choices,
    Fields,
    Form,
    FormField,
    Heading,
    Paragraph,
    Reply,
)
from bot.core.update_draft import (
    Draft,
    Subject,
    blockers_text,
    date_text,
    ms_text,
    progress_text,
    rag_text,
)
from bot.core.wording import (
    blockers_help,
    blockers_label,
    blockers_phrase,
    blockers_question,
    clip,
    example_day,
    slash_date,
)
from storage.models import MilestoneState, Rag, Update

RAG_CHOICES = [
    Choice("green", "Green: on track"),
    Choice("amber", "Amber: at risk"),
    Choice("red", "Red: off track"),
    Choice("complete", "Blue: complete"),
]
MILESTONE_CHOICES = [
    Choice("done", "Done"),
    Choice("on track", "On track"),
    Choice("slipped", "Slipped"),
    Choice("not started", "Not started"),
]
OPEN_FORM = Choice("form", "Open the form")
"""On the first question: an adapter can open the whole update as a modal from this click."""
START = "checkin:start"
"""The step of buttons whose value starts an update ("update 5 2019-Q3")."""
NAVIGATION = (
    "Type back, help, form (the whole update as one form), next (leave this item for later, answers kept) "
    "or cancel at any question; nothing is stored until you confirm."
)


REASON = "rag_reason"
"""The form field for the words behind the status."""
PASTE = "paste"
"""The form field for a whole update written as a paragraph: it fills the fields left empty."""


def form_choice(number: int, period_key: str) -> Choice:
    """"Open the form" for a message outside the conversation (a scheduled prompt): its value is
    the command that returns the item's form, so pressing it and typing it are one path."""
    return Choice(f"/plan-update {number} {period_key} form", "Open the form")


def _label(text: str, limit: int = 70) -> str:
    """A label-sized version of a KPI or milestone (a trailing full stop would clash with the colon after it)."""
    return clip(text.rstrip("."), limit)


def _previous_line(prev: dict[str, Any]) -> str:
    behalf = f" on behalf of {prev['on_behalf_of']}" if prev.get("on_behalf_of") else ""
    return f"Last update: {prev['period_label']}, version {prev['version']}, by {prev['author']}{behalf} on {_day(prev['at'])}."


def _day(iso: str) -> str:
    return date_text(dt.date.fromisoformat(iso))


def question_label(draft: Draft, step: str) -> str:
    """'RAG status', 'KPI 2', 'Milestone 1', 'Blockers or asks', 'Summary': how answers are named back."""
    kind = step.split(":", 1)[0]
    if kind in ("kpi", "ms"):
        of_kind = [s for s in draft.questions if s.startswith(f"{kind}:")]
        return f"{'KPI' if kind == 'kpi' else 'Milestone'} {of_kind.index(step) + 1}"
    return {"rag": "RAG status", "blockers": "Blockers or asks", "summary": "Summary"}.get(step, step)


def previous_fields(prev: dict[str, Any], subject: Subject, draft: Draft) -> Fields:
    pairs = [("RAG status", rag_text(prev["rag"], prev.get("rag_reason") or "")), ("Summary", prev["summary"] or "none")]
    pairs.append((blockers_label(subject.asks_of), blockers_text(prev["blockers"])))
    kpi_steps = [s for s in draft.questions if s.startswith("kpi:")]
    for index, step in enumerate(kpi_steps, start=1):
        pairs.append((f"KPI {index}", progress_text(prev["kpi"].get(step[4:]))))
    ms_steps = [s for s in draft.questions if s.startswith("ms:")]
    for index, step in enumerate(ms_steps, start=1):
        pairs.append(
            (f"Milestone {index}", ms_text(prev["ms"].get(step[3:])) if step[3:] in prev["ms"] else "not reported")
        )
    return Fields(pairs)


def opening(draft: Draft, subject: Subject, intro: list[str]) -> Reply:
    """The item at a glance: KPIs, milestones, the previous update, and the same as a form."""
    blocks: list[Block] = [
        Heading(f"Item {subject.item.number}: {subject.item.title}, update for {subject.period.label}")
    ]
    blocks += [Paragraph(line) for line in intro]
    kpi_keys = [s[4:] for s in draft.questions if s.startswith("kpi:")]
    ms_keys = [s[3:] for s in draft.questions if s.startswith("ms:")]
    if kpi_keys:
        blocks += [Paragraph("KPIs:"), Bullets([subject.kpi_text(k) for k in kpi_keys])]
    if ms_keys:
        blocks += [Paragraph("Milestones:"), Bullets([subject.milestone_text(k) for k in ms_keys])]
    if draft.prev:
        blocks += [Paragraph(_previous_line(draft.prev)), previous_fields(draft.prev, subject, draft)]
    else:
        blocks.append(Paragraph("No earlier update for this item."))
    blocks.append(
        Paragraph(
            "I'll ask for the RAG status, progress on each KPI, each milestone's state, "
            f"{blockers_phrase(subject.asks_of)}, "
            "and a one-line summary, then show you the whole update to confirm. Answer in your own words, "
            "or open the form to answer everything at once. " + NAVIGATION
        )
    )
    return Reply(blocks)


def _position(draft: Draft, prefix: str) -> tuple[int, int]:
    of_kind = [s for s in draft.questions if s.startswith(prefix)]
    return of_kind.index(draft.step) + 1, len(of_kind)


def _so_far(draft: Draft, shown: str | None) -> list[str]:
    return [f"Your answer so far: {shown}. Type keep to keep it."] if shown is not None else []


def question(draft: Draft, subject: Subject, token: str, lead_in: list[str]) -> Reply:
    """The current question with its buttons; at the review, the whole update."""
    if draft.kind == "confirm":
        return review(draft, subject, token, lead_in)
    if draft.kind == "switch":
        return switch_question(draft, subject, token, lead_in)
    number = draft.questions.index(draft.step) + 1
    counter = f"Question {number} of {len(draft.questions)}, item {subject.item.number} ({subject.period_label})."
    prompt, choices = _prompt(draft, subject)
    free_text = draft.kind in {"kpi", "ms_date", "blockers", "summary"}
    blocks: list[Block] = [*(Paragraph(line) for line in lead_in), Paragraph(counter)]
    blocks.append(Choices(prompt, choices, token, free_text))
    return Reply(blocks)


def _prompt(draft: Draft, subject: Subject) -> tuple[str, list[Choice]]:
    step, kind, answer, prev = draft.step, draft.kind, draft.answers.get(draft.step), draft.same(draft.step)
    lines: list[str]
    choices: list[Choice]
    if kind == "rag":
        lines = [f"What is the overall RAG status of item {subject.item.number} ({subject.item.title}) this period?"]
        if prev:
            lines.append(f"Last time: {rag_text(prev)}.")
        lines += _so_far(draft, rag_text(answer, draft.rag_reason) if answer else None)
        choices = list(RAG_CHOICES) + ([Choice("same", f"Same as last time: {rag_text(prev)}")] if prev else [])
    elif kind == "kpi":
        index, total = _position(draft, "kpi:")
        lines = [f"KPI {index} of {total}: {subject.kpi_text(step[4:])}"]
        if draft.prev is not None:
            lines.append(f"Last progress: {progress_text(prev)}")
        lines.append(
            "What progress was there this period? Answer in your own words, or skip if there is nothing to note."
        )
        lines += _so_far(draft, progress_text(answer) if answer is not None else None)
        choices = ([Choice("same", "Same as last time")] if prev else []) + [Choice("skip", "Nothing to note")]
    elif kind == "ms":
        index, total = _position(draft, "ms:")
        lines = [f"Milestone {index} of {total}: {subject.milestone_text(step[3:])}"]
        if draft.prev is not None:
            lines.append(f"Last state: {ms_text(prev) if prev else 'not reported'}")
        lines.append(
            "Where is it now? Done, on track, slipped (with the new date, e.g. 'slipped to end of Jan') or not started."
        )
        lines += _so_far(draft, ms_text(answer) if answer else None)
        choices = list(MILESTONE_CHOICES) + ([Choice("same", f"Same as last time ({ms_text(prev)})")] if prev else [])
    elif kind == "ms_date":
        _, key = step.split(":", 1)
        lines = [
            f"Milestone: {subject.milestone_text(key)} has slipped. To what date?",
            f"For example {subject.date_examples}. Type skip if the new date isn't known yet.",
        ]
        choices = [Choice("skip", "Date not known yet")]
    elif kind == "blockers":
        lines = [f"{blockers_question(subject.asks_of)} Type them, or none."]
        if draft.prev is not None:
            lines.append(f"Last time: {blockers_text(prev)}")
        lines += _so_far(draft, blockers_text(answer) if answer is not None else None)
        choices = [Choice("none", "None")] + ([Choice("same", "Same as last time")] if prev else [])
    else:
        lines = [f"Last question: a one-line summary of progress, for the {subject.return_name}."]
        if prev:
            lines.append(f"Last time: {prev}")
        lines += _so_far(draft, answer if answer else None)
        choices = [Choice("same", "Same as last time")] if prev else []
    if draft.cursor > 0 or draft.kind == "ms_date":
        choices.append(Choice("back", "Back"))
    if answer is not None and kind != "ms_date":
        choices.append(Choice("keep", "Keep my answer"))
    if draft.cursor == 0 and kind == "rag":
        choices.append(OPEN_FORM)
    return "\n".join(lines), choices


def switch_question(draft: Draft, subject: Subject, token: str, lead_in: list[str]) -> Reply:
    """Another item was asked for mid-update: carry on with this one, or set it aside (answers kept)?"""
    assert draft.switch_to is not None
    target = draft.switch_to[0]
    answered = f"{draft.answered} of {len(draft.questions)} questions answered"
    prompt = (
        f"You're in the middle of item {draft.item}'s update for {subject.period_label} ({answered}). "
        f"Continue item {draft.item} or put it aside and start item {target}? Putting it aside keeps your answers: "
        f"{cmd('plan-update')} {draft.item} picks it up where you stopped."
    )
    choices = [
        Choice("continue", f"Continue item {draft.item}", "primary"),
        Choice("put aside", f"Put it aside, start item {target}"),
    ]
    return Reply([*(Paragraph(line) for line in lead_in), Choices(prompt, choices, token)])


def options_text(draft: Draft, subject: Subject) -> str:
    """The accepted answers to the open question, after a 'couldn't read that'."""
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
    if kind == "switch":
        return f"Type continue to carry on with item {draft.item}, or put aside to start the other item."
    return "Type your answer, skip, or back."


def field_hint(kind: str, subject: Subject) -> str:
    """What a form field accepts, after a problem with it."""
    return {
        "rag": "Choose green, amber, red or complete.",
        "ms": "Choose done, on track, slipped or not started.",
        "ms_date": f"Write it like {subject.date_examples}, or leave it empty if it isn't known yet.",
        "summary": "Write one line on progress this period.",
    }.get(kind, "")


def help_text(draft: Draft, subject: Subject) -> str:
    kind = draft.kind
    example = example_day(subject.period.end)
    same = (
        "same (or no change) copies the previous update's answer"
        if draft.prev
        else "same has nothing to copy yet: there is no earlier update"
    )
    texts = {
        "rag": "Give the item's overall RAG status: green (on track, ok, 1), amber (at risk, 2), "
        f"red (off track, behind, 3) or complete (done, blue, 4). Colour emoji work too. {same}.",
        "kpi": "Say in your own words what progress there was on this KPI this period (up to 3,000 characters). "
        f"skip or none means nothing to note; {same}.",
        "ms": "Say where the milestone is: done (✅, 1), on track (2), slipped (3; add the new date, e.g. "
        f"'slipped {slash_date(example)}' or 'slipped to end of {example:%b}') or not started (4). skip keeps its last state "
        f"(or not started); {same}.",
        "ms_date": f"Give the date the milestone has slipped to, like {subject.date_examples}. "
        "A month alone means the end of that month. skip if it isn't known yet.",
        "blockers": f"{blockers_help(subject.asks_of)} Type it, or none. {same}.",
        "summary": f"One line on progress this period; it goes into the {subject.return_name}, so it can't be skipped. "
        f"{same}.",
        "switch": f"You asked for another item while item {draft.item}'s update is open. Type continue (or press "
        f"Continue) to carry on with item {draft.item}, or put aside to keep its answers for later and start the "
        f"other item; {cmd('plan-update')} {draft.item} picks it up again where you stopped. cancel or back also "
        f"carry on with item {draft.item}.",
        "confirm": "Type yes (or save, submit) to store this update. To change an answer type edit and its number "
        "from the list (edit 2), or its name (change summary, edit rag, edit kpi 1, edit milestone 2). "
        "back returns to the last question; cancel stores nothing.",
    }
    if kind == "switch":
        return texts[kind]
    tail = (
        " keep keeps the answer you gave earlier in this update." if draft.answers.get(draft.step) is not None else ""
    )
    return texts[kind] + tail + " " + NAVIGATION


def review_pairs(draft: Draft, subject: Subject, *, numbered: bool = True) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    kpi_number = ms_number = 0
    for index, step in enumerate(draft.questions, start=1):
        answer = draft.answers.get(step)
        if step == "rag":
            label, value = "RAG status", rag_text(answer, draft.rag_reason) if answer else "not answered"
        elif step.startswith("kpi:"):
            kpi_number += 1
            label, value = f"KPI {kpi_number}, {_label(subject.kpi_text(step[4:]))}", progress_text(answer)
        elif step.startswith("ms:"):
            ms_number += 1
            label = f"Milestone {ms_number}, {_label(subject.milestone_text(step[3:], with_due=False))}"
            value = ms_text(answer)
        elif step == "blockers":
            label, value = blockers_label(subject.asks_of), blockers_text(answer)
        else:
            label, value = "Summary", answer or "not answered"
        if step.startswith("ms:") and answer is None:
            value = "not mentioned"
        if numbered and step in draft.read:
            label += " (from your message)"
        pairs.append((f"{index}. {label}" if numbered else label, value))
    return pairs


def _about(draft: Draft, subject: Subject) -> list[str]:
    lines = []
    if draft.on_behalf_of:
        lines.append(f"Written on behalf of {subject.lead_name}, the item's lead.")
    if draft.editing:
        lines.append(
            f"This replaces version {draft.editing} as version {draft.editing + 1}; version {draft.editing} stays in the history."
        )
    return lines


def review_token(token: str, item: int, period: str) -> str:
    """The review's step: the question's token and the update it confirms (`update_conversation.REVIEWED`)."""
    return f"{token}:review:{item}:{period}"


def review(draft: Draft, subject: Subject, token: str, lead_in: list[str]) -> Reply:
    blocks: list[Block] = [Paragraph(line) for line in lead_in]
    blocks.append(Heading(f"Check your update: item {subject.item.number}, {subject.period_label}"))
    blocks += [Paragraph(line) for line in _about(draft, subject)]
    blocks.append(Fields(review_pairs(draft, subject)))
    blocks.append(
        Choices(
            "Save this update? Type yes to save, edit and a number (edit 2) or change summary to change an answer, "
            "back, or cancel.",
            [Choice("yes", "Save", "primary"), Choice("back", "Back"), Choice("cancel", "Cancel", "danger")],
            step=review_token(token, draft.item, draft.period),
            free_text=True,
        )
    )
    return Reply(blocks, key=draft.review_key)


def saved(draft: Draft, subject: Subject, update: Update, author: str, when: str) -> Reply:
    """The receipt, replacing the review message so it reads as submitted."""
    behalf = f" on behalf of {subject.lead_name}" if draft.on_behalf_of else ""
    return Reply(
        [
            Paragraph(
                f"Saved: item {subject.item.number}, {subject.period_label} (version {update.version}). "
                f"RAG: {rag_text(update.rag, update.rag_reason)}. Summary: {update.summary}"
            ),
            Paragraph(f"Submitted by {author}{behalf} on {when}."),
            Fields(review_pairs(draft, subject, numbered=False)),
        ],
        replaces=draft.review_key,
    )


def form_initial(draft: Draft) -> dict[str, str]:
    """Form values from the answers so far, else the previous update."""
    values: dict[str, str] = {}
    for step in draft.questions:
        value = draft.answers.get(step, draft.same(step))
        if value is None:
            continue
        if step == "rag":
            values["rag"] = RAG_WORD[Rag(value)]
            if draft.rag_reason and step in draft.answers:
                values[REASON] = draft.rag_reason
        elif step.startswith("ms:"):
            values[step] = MILESTONE_WORD[MilestoneState(value["state"])]
            if value.get("date"):
                values[f"ms_date:{step[3:]}"] = value["date"]
            if value.get("note") and step in draft.answers:
                values[f"ms_note:{step[3:]}"] = value["note"]
        else:
            values[step] = value
    return values


def update_form(draft: Draft, subject: Subject, initial: dict[str, str], errors: dict[str, str] | None = None) -> Form:
    """The whole update as one form; its step names the item and period, not a question."""
    fields = [
        FormField(
            PASTE,
            "Paste your update (optional)",
            "long_text",
            hint="Write it as you would an email: I'll fill in every field you leave empty from it.",
        ),
        FormField("rag", "RAG status", "choice", list(RAG_CHOICES), initial.get("rag", "")),
        FormField(REASON, "Why this status? (optional)", "long_text", initial=initial.get(REASON, "")),
    ]
    kpi_number = ms_number = 0
    for step in draft.questions:
        if step.startswith("kpi:"):
            kpi_number += 1
            fields.append(
                FormField(
                    step,
                    f"KPI {kpi_number}: {subject.kpi_text(step[4:])}",
                    "long_text",
                    initial=initial.get(step, ""),
                    hint="Progress this period; leave empty if there is nothing to note.",
                )
            )
        elif step.startswith("ms:"):
            ms_number += 1
            key = step[3:]
            fields.append(
                FormField(
                    step,
                    f"Milestone {ms_number}: {subject.milestone_text(key)}",
                    "choice",
                    list(MILESTONE_CHOICES),
                    initial.get(step, ""),
                    hint="Leave empty to keep its last state (or not started).",
                )
            )
            fields.append(
                FormField(
                    f"ms_date:{key}",
                    f"Milestone {ms_number}: new date if slipped",
                    "date",
                    initial=initial.get(f"ms_date:{key}", ""),
                )
            )
            fields.append(
                FormField(f"ms_note:{key}", f"Milestone {ms_number}: note (optional)", "text", initial=initial.get(f"ms_note:{key}", ""))
            )
    fields.append(
        FormField("blockers", blockers_label(subject.asks_of), "long_text", initial=initial.get("blockers", ""))
    )
    fields.append(FormField("summary", "One-line summary", "text", initial=initial.get("summary", "")))
    return Form(
        f"Item {subject.item.number} update, {subject.period_label}",
        fields,
        submit_label="Review",
        step=f"checkin:form:{draft.item}:{draft.period}",
        errors=dict(errors or {}),
    )


def kept_line(number: int, period_key: str, period_label: str) -> str:
    """'item 5 for Q3 2019-20 (/plan-update 5 2019-Q3 picks it up)': a set-aside draft and how to resume it."""
    return f"item {number} for {period_label} ({cmd('plan-update')} {number} {period_key} picks it up)"


def draft_offer(drafts: list[tuple[int, str, str]], lead_in: list[str]) -> Reply:
    """Set-aside drafts, (item, period key, period label), each with a button that resumes it."""
    prompt = "Kept for you, unfinished: " + "; ".join(kept_line(*d) for d in drafts) + "."
    choices = [Choice(f"update {n} {key}", f"Continue item {n} ({label})") for n, key, label in drafts]
    return Reply([*(Paragraph(line) for line in lead_in), Choices(prompt, choices, START)])
