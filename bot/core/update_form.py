"""The whole update as one form: read a submission field by field.

Each field goes through the same reader as the typed answer to its question
(bot.core.update_readers), so the form and the conversation cannot disagree on a
rule. An empty field means what typing skip means. Problems come back by field
name, so an adapter can show each under its field, and as lines for the text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.answers import Unreadable
from bot.core.errors import BadInput
from bot.core.replies import Bullets, Paragraph, Reply
from bot.core.text import answer_text
from bot.core.update_draft import Draft, Subject, ms_answer
from bot.core.answers import MILESTONE_WORD, RAG_WORD, joined_notes
from bot.core.paragraph_reader import Proposal, read_item
from bot.core.update_messages import PASTE, REASON, field_hint, form_initial, question_label, update_form
from bot.core.update_readers import Given, read_milestone, read_note, read_rag, read_slip_date, read_summary
from storage.models import MilestoneState


def read_form(draft: Draft, subject: Subject, values: dict[str, str], *, today: dt.date) -> dict[str, str]:
    """Fill the draft's answers from the form; returns {field: problem}, empty when it all reads
    (the draft is changed only then). An update pasted into the form's first field fills every
    field left empty, as its paragraph reads."""
    errors: dict[str, str] = {}
    pasted = _extra(values, PASTE, errors)
    read: list[str] = []
    if pasted:
        values, read = _with_pasted(values, read_item(pasted, subject.as_text(), today=today, asks_of=subject.asks_of))
    answers: dict[str, Any] = {}
    reason = ""
    for step in draft.questions:
        kind = step.split(":", 1)[0]
        try:
            given = Given.field(answer_text(values.get(step) or ""))
            previous = draft.same(step)
            if kind == "rag":
                answers[step], reason = read_rag(given, previous)
                reason = _extra(values, REASON, errors) or reason
            elif kind in ("kpi", "blockers"):
                answers[step] = read_note(given, previous)
            elif kind == "ms":
                answer, _ = read_milestone(given, previous, today=today)
                key = step[3:]
                date_field = f"ms_date:{key}"
                try:
                    answer = _with_date(answer, values.get(date_field) or "", previous, today)
                except (BadInput, Unreadable) as exc:
                    errors[date_field] = f"{exc} {field_hint('ms_date', subject)}".strip()
                answers[step] = {**answer, "note": _extra(values, f"ms_note:{key}", errors) or answer["note"]}
            else:
                answers[step] = read_summary(given, previous, return_name=subject.return_name)
        except (BadInput, Unreadable) as exc:
            errors[step] = f"{exc} {field_hint(kind, subject)}".strip()
    if not errors:
        draft.answers, draft.rag_reason, draft.read = answers, reason, read
    return errors


def _with_pasted(values: dict[str, str], proposal: Proposal) -> tuple[dict[str, str], list[str]]:
    """The form's values with each empty field filled from the pasted update; and which were."""
    found: dict[str, str] = {"summary": proposal.summary, "blockers": proposal.blockers}
    if proposal.rag is not None:
        found["rag"] = RAG_WORD[proposal.rag]
    found.update({f"kpi:{key}": note for key, note in proposal.kpis.items()})
    for key, state in proposal.milestones.items():
        found[f"ms:{key}"] = MILESTONE_WORD[state.state]
        if state.new_date is not None:
            found[f"ms_date:{key}"] = state.new_date.isoformat()
    filled = {name: value for name, value in found.items() if value and not (values.get(name) or "").strip()}
    return {**values, **filled}, [name for name in filled if not name.startswith("ms_date:")]


def _extra(values: dict[str, str], name: str, errors: dict[str, str]) -> str:
    """An optional words field (the status's reason, a milestone's note); a problem is its own."""
    try:
        return answer_text(values.get(name) or "")
    except BadInput as exc:
        errors[name] = str(exc)
        return ""


def _with_date(answer: dict[str, Any], raw: str, previous: dict[str, Any] | None, today: dt.date) -> dict[str, Any]:
    """A slipped milestone takes the date field's date when one is given; any other state has no date."""
    state = MilestoneState(answer["state"])
    if state is not MilestoneState.SLIPPED:
        return ms_answer(state, None, answer["note"])
    text = answer_text(raw)
    if not text:
        return answer
    day, words = read_slip_date(Given.field(text), previous, today=today)
    return ms_answer(state, day, joined_notes(answer["note"], words))


def field_label(draft: Draft, name: str) -> str:
    if name.startswith("ms_date:"):
        return f"{question_label(draft, 'ms:' + name[8:])}, new date"
    if name.startswith("ms_note:"):
        return f"{question_label(draft, 'ms:' + name[8:])}, note"
    if name == REASON:
        return "Why this status"
    if name == PASTE:
        return "Your update"
    return question_label(draft, name)


def form_problems(draft: Draft, subject: Subject, values: dict[str, str], errors: dict[str, str]) -> Reply:
    """The form again, with what was submitted and each problem under its field (and in the text)."""
    order = [name for step in draft.questions for name in _field_names(step)]
    named = sorted(errors, key=lambda name: order.index(name) if name in order else len(order))
    kept = {**form_initial(draft), **{name: value for name, value in values.items() if value}}
    return Reply(
        [
            Paragraph(
                f"I couldn't take that form yet, so nothing was stored. Please fix {'this' if len(errors) == 1 else 'these'}:"
            ),
            Bullets([f"{field_label(draft, name)}: {errors[name]}" for name in named]),
            update_form(draft, subject, kept, errors),
        ]
    )


def _field_names(step: str) -> tuple[str, ...]:
    """The form fields of one question, in the form's order."""
    if step == "rag":
        return (PASTE, step, REASON)
    if step.startswith("ms:"):
        return (step, f"ms_date:{step[3:]}", f"ms_note:{step[3:]}")
    return (step,)


def form_reply(draft: Draft, subject: Subject) -> Reply:
    """The form for the draft's item and period, filled with the answers so far (or the previous update's)."""
    return Reply([update_form(draft, subject, form_initial(draft))])
