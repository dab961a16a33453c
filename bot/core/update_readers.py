"""One reader per kind of update question: the RAG status, a note (a KPI's
progress or the blockers), a milestone's state, a slipped milestone's new date,
and the summary.

Typed answers, button presses and form fields all go through these, so a rule
("the summary can't be skipped", "same copies the previous update") is written
once. A reader takes what was given and the previous update's value for the
question, and returns the value to keep in the draft, or raises Unreadable
saying what was wrong; each path adds the question's options its own way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from bot.core.answers import (
    Control,
    Unreadable,
    after,
    control_word,
    copy_lead,
    date_prefix,
    parse_milestone,
    read_rag_lead,
    slip_date_problem,
    words,
)
from bot.core.text import excerpt
from bot.core.update_draft import ms_answer
from storage.models import MilestoneState, Rag

NOTHING_TO_COPY = "There's no earlier update to copy, so please answer this one."


class Explained(Unreadable):
    """An unreadable answer whose message already says what would be read, so no options are added."""


@dataclass(frozen=True)
class Given:
    """An answer as given: its cleaned text and the navigation word it is, if any."""

    text: str
    word: Control | None

    @classmethod
    def typed(cls, text: str) -> Given:
        return cls(text, control_word(text))

    @classmethod
    def field(cls, text: str) -> Given:
        """A form field: left empty, it means what 'skip' means when typed."""
        return cls(text, control_word(text) if text else "skip")

    @property
    def copying(self) -> bool:
        return self.word in ("same", "keep")

    @property
    def skipping(self) -> bool:
        return self.word in ("skip", "none")


def read_rag(given: Given, previous: str | None) -> tuple[str, str]:
    """The RAG status's stored value and the words after it (its reason); it can't be skipped.
    "same, still waiting on the Chair" copies last time's status with that reason."""
    if given.skipping:
        raise Unreadable("The RAG status can't be skipped.")
    copied = "" if given.copying else copy_lead(given.text)
    if copied is not None:
        if previous is None:
            raise Unreadable(NOTHING_TO_COPY)
        return Rag(previous).value, copied
    found = read_rag_lead(given.text)
    if found is None:
        raise Unreadable(f'I couldn\'t read "{excerpt(given.text)}" as a RAG status.')
    return Rag(found.value).value, found.rest if found.clear else given.text


def read_note(given: Given, previous: str | None) -> str:
    """A KPI's progress or the blockers: any words; skip or none is nothing to note."""
    if given.copying:
        return previous or ""
    if given.skipping:
        return ""
    return given.text


def read_milestone(given: Given, previous: dict[str, Any] | None, *, today: dt.date) -> tuple[dict[str, Any], bool]:
    """(the milestone's answer, whether to ask for the new date): skip keeps its last state.
    The words after the state or the date are the milestone's note."""
    copied = "" if given.copying else copy_lead(given.text)
    if copied is not None:
        if previous is None:
            raise Unreadable(NOTHING_TO_COPY)
        return {**previous, "note": copied or previous.get("note") or ""}, False
    if given.word == "skip":
        return (dict(previous) if previous else ms_answer(MilestoneState.NOT_STARTED, None)), False
    try:
        reading = parse_milestone(given.text, today=today)
    except Unreadable as exc:
        raise Explained(str(exc)) from None
    if reading is None:
        raise Unreadable(f'I couldn\'t read "{excerpt(given.text)}" as a milestone state.')
    return ms_answer(reading.state, reading.new_date, reading.note), reading.needs_date


def read_slip_date(given: Given, previous: dict[str, Any] | None, *, today: dt.date) -> tuple[dt.date | None, str]:
    """A slipped milestone's new date, and any words after it (kept as its note); skip
    (or none) means the date isn't known yet."""
    if given.skipping:
        return None, ""
    if given.copying and previous and previous.get("date"):
        return dt.date.fromisoformat(previous["date"]), ""
    dated = date_prefix(given.text, today=today)
    day, note = (dated[0], after(given.text, dated[1])) if dated else (None, "")
    if day is None:
        try:
            reading = parse_milestone(given.text, today=today)
        except Unreadable as exc:
            raise Explained(str(exc)) from None
        day, note = (reading.new_date, reading.note) if reading else (None, "")
    if day is None:
        raise Unreadable(f'I couldn\'t read "{excerpt(given.text)}" as a date.')
    problem = slip_date_problem(day, today=today)
    if problem is not None:
        raise Explained(problem)
    return day, note


def read_summary(given: Given, previous: str | None, *, return_name: str) -> str:
    """The one-line summary; it goes into the return, so it can't be skipped."""
    if given.copying:
        if previous is None:
            raise Unreadable(NOTHING_TO_COPY)
        return previous
    if given.skipping:
        raise Unreadable(f"The summary goes into the {return_name}, so it can't be skipped.")
    return given.text


Switch = Literal["continue", "aside"]
_SWITCH_FILLER = frozenset("item it the this that with please number no".split())
_CONTINUE = frozenset("continue carry resume stay keep go finish".split())
_ASIDE = frozenset("switch start put set park leave new other".split())


def read_switch(given: Given, *, current: int, other: int) -> Switch | None:
    """"Continue item 5 or put it aside?": continue (also back, cancel: stay where you are), or
    aside (also next); the item's number alone picks that item."""
    if given.word in ("back", "cancel", "keep"):
        return "continue"
    if given.word == "next":
        return "aside"
    tokens = [t for t in words(given.text) if t not in _SWITCH_FILLER]
    if not tokens:
        return None
    if tokens == [str(current)] or tokens[0] in _CONTINUE:
        return "continue"
    if tokens == [str(other)] or "aside" in tokens or tokens[0] in _ASIDE:
        return "aside"
    return None

