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
from bot.core.update_messages import field_hint, form_initial, question_label, update_form
from bot.core.update_readers import Given, read_milestone, read_note, read_rag, read_slip_date, read_summary
from storage.models import MilestoneState


def read_form(draft: Draft, subject: Subject, values: dict[str, str], *, today: dt.date) -> dict[str, str]:
    """Fill the draft's answers from the form; returns {field: problem}, empty when it all reads
    (the draft is changed only then)."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for step in draft.questions:
        kind = step.split(":", 1)[0]
        try:
            given = Given.field(answer_text(values.get(step) or ""))
            previous = draft.same(step)
            if kind == "rag":
                answers[step] = read_rag(given, previous)
            elif kind in ("kpi", "blockers"):
                answers[step] = read_note(given, previous)
            elif kind == "ms":
                answer, _ = read_milestone(given, previous, today=today)
                date_field = f"ms_date:{step[3:]}"
                try:
                    answers[step] = _with_date(answer, values.get(date_field) or "", previous, today)
                except (BadInput, Unreadable) as exc:
                    errors[date_field] = f"{exc} {field_hint('ms_date', subject)}".strip()
            else:
                answers[step] = read_summary(given, previous, return_name=subject.return_name)
        except (BadInput, Unreadable) as exc:
            errors[step] = f"{exc} {field_hint(kind, subject)}".strip()
    if not errors:
        draft.answers = answers
    return errors


def _with_date(answer: dict[str, Any], raw: str, previous: dict[str, Any] | None, today: dt.date) -> dict[str, Any]:
    """A slipped milestone takes the date field's date when one is given; any other state has no date."""
    state = MilestoneState(answer["state"])
    if state is not MilestoneState.SLIPPED:
        return ms_answer(state, None)
    text = answer_text(raw)
    if not text:
        return answer
    return ms_answer(state, read_slip_date(Given.field(text), previous, today=today))


def field_label(draft: Draft, name: str) -> str:
    if name.startswith("ms_date:"):
        return f"{question_label(draft, 'ms:' + name[8:])}, new date"
    return question_label(draft, name)


def form_problems(draft: Draft, subject: Subject, values: dict[str, str], errors: dict[str, str]) -> Reply:
    """The form again, with what was submitted and each problem under its field (and in the text)."""
    order = [name for step in draft.questions for name in (step, f"ms_date:{step[3:]}")]
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


def form_reply(draft: Draft, subject: Subject) -> Reply:
    """The form for the draft's item and period, filled with the answers so far (or the previous update's)."""
    return Reply([update_form(draft, subject, form_initial(draft))])
