"""Reading answers the way people type them: words, numbers, emoji, dates.

Pure functions, no storage: the update conversation and the form both use them,
so typing "amber", pressing the Amber button and choosing Amber in a form are
one path. Matching ignores case, punctuation and decoration; a word that only
looks like an answer after a "not" is never taken for it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from dateutil import parser as date_parser

from bot.core.errors import PlanbotError
from bot.core.wording import date_examples, day_text, example_day, slash_date
from bot.core.text import excerpt
from storage.models import MilestoneState, Rag


class Unreadable(PlanbotError):
    """An answer that could not be read; the message says what would be."""


# Emoji people use for states, turned into words before matching.
_EMOJI_WORDS = {
    "🟢": "green",
    "🟩": "green",
    "💚": "green",
    "🟠": "amber",
    "🟡": "amber",
    "🟧": "amber",
    "🟨": "amber",
    "🧡": "amber",
    "💛": "amber",
    "🔴": "red",
    "🟥": "red",
    "❤": "red",
    "🛑": "red",
    "🔵": "blue",
    "🟦": "blue",
    "💙": "blue",
    "✅": "done",
    "✔": "done",
    "☑": "done",
    "🏁": "done",
    "🎉": "done",
    "⚠": "warning",
    "⏰": "warning",
    "🐢": "warning",
    "👍": "ok",
}

_FILLERS = frozenset(
    "its it is was were we are im i think would say id status rag overall still mostly currently "
    "now all looking quite pretty very the this milestone has been broadly generally".split()
)


def words(text: str) -> list[str]:
    """Lower-case words with emoji named and punctuation dropped ('/' and '-' inside words kept, for dates)."""
    lowered = text.casefold().replace("\ufe0f", "").replace("’", "'")
    for emoji, word in _EMOJI_WORDS.items():
        lowered = lowered.replace(emoji, f" {word} ")
    lowered = lowered.replace("'", "")
    kept = "".join(ch if ch.isalnum() or ch in "/-" else " " for ch in lowered)
    return [w for w in (t.strip("-/") for t in kept.split()) if w]


Control = Literal["cancel", "back", "skip", "none", "same", "keep", "help", "next", "form"]

_CONTROL: dict[str, Control] = {}
for _word, _phrases in {
    "cancel": ["cancel", "stop", "quit", "exit", "abort", "cancel update", "cancel this"],
    "back": ["back", "go back", "previous", "prev", "back up", "undo"],
    "skip": ["skip", "skip this", "skip it", "pass", "n/a", "na", "not applicable"],
    "none": [
        "none",
        "nothing",
        "no",
        "nil",
        "nope",
        "none noted",
        "nothing to note",
        "nothing to report",
        "no blockers",
        "no asks",
        "no blockers or asks",
        "none at all",
        "nothing new",
    ],
    "same": [
        "same",
        "no change",
        "no changes",
        "unchanged",
        "as before",
        "same as before",
        "same as last time",
        "same as last quarter",
        "ditto",
        "same again",
    ],
    "keep": ["keep", "keep it", "keep that", "keep as is", "as is", "leave it", "leave as is"],
    "help": ["help", "options", "what can i say", "what can i type", "huh", "eh"],
    "next": ["next", "later", "next item", "do later", "do it later", "not now", "skip item", "skip this item"],
    "form": ["form", "open the form", "open form", "the form", "use the form", "show the form"],
}.items():
    for _phrase in _phrases:
        _CONTROL[" ".join(words(_phrase))] = _word  # type: ignore[assignment]


def control_word(text: str) -> Control | None:
    """A navigation word typed on its own ('back', 'skip', 'same', '?'), else None."""
    stripped = text.strip()
    if stripped and set(stripped) <= set("?？ "):
        return "help"
    return _CONTROL.get(" ".join(words(stripped)))


def _table(entries: dict[str, list[str]]) -> dict[tuple[str, ...], str]:
    return {tuple(words(phrase)): value for value, phrases in entries.items() for phrase in phrases}


_RAG = _table(
    {
        Rag.ON_TRACK: [
            "green",
            "g",
            "on track",
            "ontrack",
            "on-track",
            "ok",
            "okay",
            "fine",
            "good",
            "all good",
            "going well",
        ],
        Rag.AT_RISK: [
            "amber",
            "a",
            "yellow",
            "orange",
            "at risk",
            "risk",
            "at-risk",
            "some risk",
            "warning",
            "slipping",
        ],
        Rag.OFF_TRACK: [
            "red",
            "r",
            "off track",
            "offtrack",
            "off-track",
            "behind",
            "behind schedule",
            "late",
            "delayed",
            "stuck",
        ],
        Rag.COMPLETE: ["complete", "completed", "done", "finished", "blue", "b", "delivered", "closed"],
    }
)
RAG_NUMBERS = {"1": Rag.ON_TRACK, "2": Rag.AT_RISK, "3": Rag.OFF_TRACK, "4": Rag.COMPLETE}
RAG_WORD = {Rag.ON_TRACK: "green", Rag.AT_RISK: "amber", Rag.OFF_TRACK: "red", Rag.COMPLETE: "complete"}

_MILESTONE = _table(
    {
        MilestoneState.DONE: [
            "done",
            "complete",
            "completed",
            "finished",
            "achieved",
            "delivered",
            "met",
            "yes",
            "closed",
        ],
        MilestoneState.ON_TRACK: [
            "on track",
            "ontrack",
            "on-track",
            "in progress",
            "progressing",
            "underway",
            "under way",
            "ongoing",
            "going",
            "ok",
            "okay",
            "fine",
            "green",
        ],
        MilestoneState.SLIPPED: [
            "slipped",
            "slip",
            "slipping",
            "delayed",
            "late",
            "behind",
            "postponed",
            "moved",
            "pushed back",
            "rescheduled",
            "overdue",
            "warning",
        ],
        MilestoneState.NOT_STARTED: [
            "not started",
            "not begun",
            "not yet",
            "not yet started",
            "todo",
            "to do",
            "pending",
            "planned",
            "waiting",
        ],
    }
)
MILESTONE_NUMBERS = {
    "1": MilestoneState.DONE,
    "2": MilestoneState.ON_TRACK,
    "3": MilestoneState.SLIPPED,
    "4": MilestoneState.NOT_STARTED,
}
MILESTONE_WORD = {
    MilestoneState.DONE: "done",
    MilestoneState.ON_TRACK: "on track",
    MilestoneState.SLIPPED: "slipped",
    MilestoneState.NOT_STARTED: "not started",
}


def _lead_match(tokens: list[str], table: dict[tuple[str, ...], str]) -> tuple[str, list[str]] | None:
    """The phrase the answer starts with (after filler like "it's"), and the words after it."""
    start = 0
    while start < len(tokens) and tokens[start] in _FILLERS:
        start += 1
    for length in range(min(4, len(tokens) - start), 0, -1):
        value = table.get(tuple(tokens[start : start + length]))
        if value is not None:
            return value, tokens[start + length :]
    return None


def parse_rag(text: str) -> Rag | None:
    """'Amber', 'at risk', '2', '🟠 recruitment is slow' -> Rag.AT_RISK; None when unreadable."""
    tokens = words(text)
    if len(tokens) == 1 and tokens[0] in RAG_NUMBERS:
        return RAG_NUMBERS[tokens[0]]
    found = _lead_match(tokens, _RAG)
    return Rag(found[0]) if found else None


@dataclass(frozen=True)
class MilestoneReading:
    state: MilestoneState
    new_date: dt.date | None = None

    @property
    def needs_date(self) -> bool:
        return self.state is MilestoneState.SLIPPED and self.new_date is None


SLIP_HORIZON_YEARS = 2
"""A slipped milestone's new date further ahead than this is taken as a typo in the year."""


def slip_date_problem(day: dt.date, *, today: dt.date) -> str | None:
    """Why `day` can't be a slipped milestone's new date (in the past, or years ahead), or None."""
    if day < today:
        return (
            f"{day_text(day)} is before today ({day_text(today)}): a slipped milestone's new date is when it "
            "should now be done. If it's done, say done."
        )
    if day > today + dt.timedelta(days=round(365.25 * SLIP_HORIZON_YEARS)):
        return (
            f"{day_text(day)} is more than {SLIP_HORIZON_YEARS} years away; please check the year. A milestone "
            "slipped that far is better re-planned with a coordinator."
        )
    return None


_DATE_LEAD = frozenset("to until till til by now new date due for on the in at around".split())


def parse_milestone(text: str, *, today: dt.date) -> MilestoneReading | None:
    """'done', '✅', 'slipped to end of Jan', '3' -> a state (and date); None when unreadable.

    Raises Unreadable when the state is clear but the date after it is not."""
    tokens = words(text)
    if len(tokens) == 1 and tokens[0] in MILESTONE_NUMBERS:
        return MilestoneReading(MILESTONE_NUMBERS[tokens[0]])
    found = _lead_match(tokens, _MILESTONE)
    if found is None:
        return None
    state, rest = MilestoneState(found[0]), found[1]
    if state is not MilestoneState.SLIPPED:
        return MilestoneReading(state)
    while rest and rest[0] in _DATE_LEAD:
        rest = rest[1:]
    if not rest:
        return MilestoneReading(state)
    day = parse_date(" ".join(rest), today=today)
    if day is None:
        raise Unreadable(
            f"I read 'slipped', but not a date in \"{excerpt(' '.join(rest))}\". Give the new date like {date_examples(today)} "
            f"(e.g. 'slipped {slash_date(example_day(today))}'), or just 'slipped' and I'll ask for it."
        )
    problem = slip_date_problem(day, today=today)
    if problem is not None:
        raise Unreadable(problem)
    return MilestoneReading(state, day)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_PART_OF_MONTH = {
    "end": "end",
    "late": "end",
    "mid": "mid",
    "middle": "mid",
    "start": "start",
    "beginning": "start",
    "early": "start",
}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_date(text: str, *, today: dt.date) -> dt.date | None:
    """A date as people write it in the UK, or None.

    ISO dates, '31/01/2020', '31 Jan 2020', 'Jan 2020' (the end of that month),
    'end of Jan' / 'mid Feb' / 'start of March'; without a year, the next such
    date on or after `today`. Day-first, as the plan's users write dates."""
    tokens = words(text)
    while tokens and tokens[0] in _DATE_LEAD:
        tokens = tokens[1:]
    if not tokens:
        return None
    iso = _ISO.match(tokens[0]) if len(tokens) == 1 else None
    if iso:
        try:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    part = None
    if tokens[0] in _PART_OF_MONTH:
        part = _PART_OF_MONTH[tokens[0]]
        tokens = tokens[2:] if len(tokens) > 1 and tokens[1] == "of" else tokens[1:]
    if not tokens:
        return None
    text = " ".join(tokens)
    try:
        first = date_parser.parse(text, dayfirst=True, default=dt.datetime(2000, 1, 1))
        second = date_parser.parse(text, dayfirst=True, default=dt.datetime(2004, 2, 2))
    except (ValueError, OverflowError):
        return None
    if first.month != second.month or first.time() != dt.time() or second.time() != dt.time():
        return None
    has_day, has_year = first.day == second.day, first.year == second.year
    if has_day and part is not None:
        return None

    def build(year: int) -> dt.date | None:
        if has_day:
            try:
                return dt.date(year, first.month, first.day)
            except ValueError:
                return None
        if part == "mid":
            return dt.date(year, first.month, 15)
        if part == "start":
            return dt.date(year, first.month, 1)
        return _month_end(year, first.month)

    if has_year:
        return build(first.year)
    for year in (today.year, today.year + 1):
        day = build(year)
        if day is not None and day >= today:
            return day
    return build(today.year + 1)


ReviewAnswer = tuple[Literal["yes"], None] | tuple[Literal["no"], None] | tuple[Literal["edit"], str]

_TARGET_WORDS = {
    "rag": "rag",
    "status": "rag",
    "colour": "rag",
    "color": "rag",
    "blockers": "blockers",
    "blocker": "blockers",
    "asks": "blockers",
    "ask": "blockers",
    "issues": "blockers",
    "summary": "summary",
    "narrative": "summary",
    "oneliner": "summary",
}

_YES = {
    tuple(words(p))
    for p in [
        "yes",
        "y",
        "yep",
        "yeah",
        "yea",
        "confirm",
        "submit",
        "save",
        "ok",
        "okay",
        "send",
        "looks good",
        "all good",
        "go",
        "go ahead",
        "correct",
        "save it",
        "submit it",
        "yes please",
        "confirmed",
        "done",
    ]
}
_NO = {tuple(words(p)) for p in ["no", "n", "nope", "not yet", "wait", "hold on", "change", "edit"]}
EDIT_VERBS = frozenset("edit change fix redo amend correct update".split())


def parse_review(text: str) -> ReviewAnswer | None:
    """At the review: ('yes', None) to save, ('edit', 'summary' / '2' / 'kpi 1'), ('no', None), or None."""
    tokens = words(text)
    if tuple(tokens) in _YES:
        return ("yes", None)
    if tuple(tokens) in _NO:
        return ("no", None)
    if tokens and tokens[0] in EDIT_VERBS and len(tokens) > 1:
        return ("edit", " ".join(tokens[1:]))
    if tokens and (tokens[0].isdigit() or tokens[0] in _TARGET_WORDS or tokens[0] in {"kpi", "milestone", "ms"}):
        return ("edit", " ".join(tokens))
    return None


def edit_target(target: str, steps: list[str]) -> int | None:
    """Which question an edit means: 'rag', 'summary', 'kpi 2', 'milestone 1' or a review line number."""
    tokens = [t for t in words(target) if t not in {"the", "my", "answer", "to", "question", "line", "number", "no"}]
    if not tokens:
        return None
    questions = steps[:-1]
    joined = " ".join(tokens)
    match = re.fullmatch(r"(?:(kpi|milestone|ms|m)\s*)?(\d{1,3})", joined)
    if match:
        kind, number = match[1], int(match[2])
        if kind is None:
            return number - 1 if 1 <= number <= len(questions) else None
        prefix = "kpi:" if kind == "kpi" else "ms:"
        of_kind = [i for i, step in enumerate(questions) if step.startswith(prefix)]
        return of_kind[number - 1] if 1 <= number <= len(of_kind) else None
    for token in tokens:
        name = _TARGET_WORDS.get(token)
        if name in questions:
            return questions.index(name)
    if tokens[0] in {"kpi", "kpis"}:
        return next((i for i, step in enumerate(questions) if step.startswith("kpi:")), None)
    if tokens[0] in {"milestone", "milestones", "ms"}:
        return next((i for i, step in enumerate(questions) if step.startswith("ms:")), None)
    return None
