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
from bot.core.wording import day_text
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


@dataclass(frozen=True)
class Word:
    """A word as matched (lower case, emoji named) and where it ends in the text as typed."""

    text: str
    end: int


def spans(text: str) -> list[Word]:
    """The words of `text` with their places, so what follows a matched phrase can be
    kept exactly as the person typed it. Apostrophes join ("we're" is "were"); '/' and
    '-' inside a word are kept, for dates; emoji are words of their own."""
    out: list[Word] = []
    chars: list[str] = []
    end = 0

    def flush() -> None:
        token = "".join(chars).strip("-/")
        if token:
            out.append(Word(token, end))
        chars.clear()

    for index, ch in enumerate(text):
        if ch in _EMOJI_WORDS:
            flush()
            out.append(Word(_EMOJI_WORDS[ch], index + 1))
        elif ch in "'’\ufe0f":
            continue
        elif ch.isalnum() or (ch in "/-" and chars):
            chars.append(ch.casefold())
            if ch.isalnum():
                end = index + 1
        else:
            flush()
    flush()
    return out


def words(text: str) -> list[str]:
    """Lower-case words with emoji named and punctuation dropped ('/' and '-' inside words kept, for dates)."""
    return [w.text for w in spans(text)]


_BREAK = ",.;:!?)-–—\n"
"""What ends a clause: a weak status word ("late", "done") counts only before one of these."""
_TRIM = " \t\n,.;:!?)-–—"


def after(text: str, end: int) -> str:
    """The person's own words after offset `end`, without the punctuation that joined them."""
    return text[end:].lstrip(_TRIM).strip()


def _breaks_after(text: str, end: int) -> bool:
    rest = text[end:].lstrip(" \t")
    return not rest or rest[0] in _BREAK


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


_COPYING = {phrase: word for phrase, word in ((tuple(p.split()), w) for p, w in _CONTROL.items()) if word in ("same", "keep")}


def copy_lead(text: str) -> str | None:
    """"Same as last time, still waiting on the Chair" -> the words after the copy word;
    None unless the answer starts with one before a clause break ("Same team in place" is not)."""
    found = lead(text, _COPYING)
    return found.rest if found is not None and found.clear and found.rest else None


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


@dataclass(frozen=True)
class Lead:
    """What an answer starts with (after filler like "it's"), and the person's words after it."""

    value: str
    rest: str
    clear: bool
    """Whether the answer is plainly this value: a status word that can't start an ordinary
    sentence ("amber", "on track", an emoji), or any listed word before a clause break
    ("late, the consultant left"). "Late last month we..." is not clear."""


def _is_strong(phrase: tuple[str, ...]) -> bool:
    return phrase in _STRONG_PHRASES or (len(phrase) == 1 and phrase[0] in _STRONG_WORDS)


_STRONG_WORDS = frozenset("green amber red blue yellow orange complete completed ontrack offtrack on-track at-risk off-track slipped".split())
_STRONG_PHRASES = frozenset({("on", "track"), ("at", "risk"), ("off", "track"), ("not", "started"), ("in", "progress"), ("not", "yet", "started")})
_EMOJI_NAMES = frozenset(_EMOJI_WORDS.values())


def lead(text: str, table: dict[tuple[str, ...], str], *, numbers: dict[str, str] | None = None) -> Lead | None:
    """The value the answer starts with and what follows it, or None.

    A single letter ("A", "G") counts only alone or before a clause break, so "A new
    officer started" is not Amber; "2" counts only alone."""
    found = spans(text)
    tokens = [w.text for w in found]
    if numbers and len(tokens) == 1 and tokens[0] in numbers:
        return Lead(numbers[tokens[0]], "", True)
    start = 0
    while start < len(tokens) and tokens[start] in _FILLERS:
        start += 1
    for length in range(min(4, len(tokens) - start), 0, -1):
        phrase = tuple(tokens[start : start + length])
        value = table.get(phrase)
        if value is None:
            continue
        end = found[start + length - 1].end
        broken = _breaks_after(text, end)
        if len(phrase) == 1 and len(phrase[0]) == 1 and not broken:
            continue
        emoji = all(t in _EMOJI_NAMES for t in phrase) and text[end - 1 : end] in _EMOJI_WORDS
        same = _same_after(text, end, table, value)
        clear = broken or emoji or same or _is_strong(phrase)
        return Lead(value, "" if same else after(text, end), clear)
    return None


def _same_after(text: str, end: int, table: dict[tuple[str, ...], str], value: str) -> bool:
    """"Done ✅", "ok 👍", "🟢🟢🟢": the words after only say the same again."""
    rest = words(text[end:])
    return bool(rest) and len(rest) <= 3 and (table.get(tuple(rest)) == value or all(table.get((w,)) == value for w in rest))


def read_rag_lead(text: str) -> Lead | None:
    """'Amber, the consultation slipped' -> at risk, with 'the consultation slipped' kept."""
    return lead(text, _RAG, numbers=RAG_NUMBERS)


def parse_rag(text: str) -> Rag | None:
    """'Amber', 'at risk', '2', '🟠 recruitment is slow' -> Rag.AT_RISK; None when unreadable."""
    found = read_rag_lead(text)
    return Rag(found.value) if found else None


@dataclass(frozen=True)
class MilestoneReading:
    state: MilestoneState
    new_date: dt.date | None = None
    note: str = ""
    """The person's words after the state or the date ("awaiting sign-off")."""
    clear: bool = True

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


_DATE_WORDS = 6
"""The most words a date is written in ("the end of January 2020", "w/c 3 February 2020")."""


def date_prefix(text: str, *, today: dt.date) -> tuple[dt.date, int] | None:
    """The date the text starts with (after "to", "until"...), and the offset where it ends:
    "end of January, awaiting sign-off" -> 31 Jan and the offset after "January"."""
    found = spans(text)
    start = 0
    while start < len(found) and found[start].text in _DATE_LEAD:
        start += 1
    for length in range(min(_DATE_WORDS, len(found) - start), 0, -1):
        day = parse_date(" ".join(w.text for w in found[start : start + length]), today=today)
        if day is not None:
            return day, found[start + length - 1].end
    return None


def parse_milestone(text: str, *, today: dt.date) -> MilestoneReading | None:
    """'done', '✅', 'slipped to end of Jan, awaiting sign-off', '3' -> a state, its new date
    and the words after them; None when unreadable.

    Raises Unreadable when the new date given can't be a new date (past, or years ahead)."""
    found = lead(text, _MILESTONE, numbers=MILESTONE_NUMBERS)
    if found is None:
        return None
    state = MilestoneState(found.value)
    dated = date_prefix(found.rest, today=today) if state is MilestoneState.SLIPPED else None
    if dated is None:
        return MilestoneReading(state, None, found.rest if found.clear else text.strip(), found.clear)
    day, end = dated
    problem = slip_date_problem(day, today=today)
    if problem is not None:
        raise Unreadable(problem)
    return MilestoneReading(state, day, after(found.rest, end), found.clear)


def joined_notes(*notes: str) -> str:
    """A milestone's note when more words come for it ("slipped, awaiting sign-off", then the date and more)."""
    return "; ".join(n for n in notes if n)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_PART_OF_MONTH = {
    "end": "end",
    "late": "end",
    "mid": "mid",
    "middle": "mid",
    "start": "start",
    "beginning": "start",
    "early": "early",
}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_ITEM_WORD = re.compile(
    r"^\s*(?:(?:for\s+|on\s+|re:?\s+)?(?:item|action|no\.?|number)\s*#?|#)(?P<n>\d{1,4})\b[\s,:;.)\-–—]*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ITEM_NUMBER = re.compile(r"^\s*(?P<n>\d{1,4})\s*[:.)\-–—]\s*(?P<rest>\S.*)$", re.DOTALL)


def item_named(text: str) -> tuple[int, str] | None:
    """"Item 3: green, ...", "#3 ...", "3 - green": the item named first and the words after it."""
    found = _ITEM_WORD.match(text) or _ITEM_NUMBER.match(text)
    return (int(found["n"]), found["rest"].strip()) if found else None


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
        if part == "early":
            return dt.date(year, first.month, 10)
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


ReviewAnswer = (
    tuple[Literal["yes"], None] | tuple[Literal["no"], None] | tuple[Literal["edit"], str] | tuple[Literal["set"], str, str]
)
"""At the check screen: save; don't save (yet); go to an answer to change it; or change it
to the words given ("change summary to ...": ('set', 'summary', '...'))."""

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


def phrases(*texts: str) -> frozenset[tuple[str, ...]]:
    """Phrases as `words` reads them, to look a typed answer up by its words."""
    return frozenset(tuple(words(t)) for t in texts)


_YES = phrases(
    "yes", "y", "yep", "yeah", "yea", "yup", "aye", "sure", "confirm", "confirmed", "submit", "save", "ok", "okay",
    "k", "send", "looks good", "look good", "all good", "sounds good", "go", "go ahead", "correct", "great", "perfect",
    "lovely", "fine", "good", "right", "thats right", "thats fine", "thats correct", "done", "ship it", "spot on",
    "happy", "im happy", "happy with that", "absolutely", "brilliant", "excellent", "agreed", "approve", "approved",
)
_AGREEING = frozenset(
    "please thanks thank you cheers ta save it submit send go ahead yes ok okay great perfect lovely that thats this "
    "looks look good fine all correct done sure yep yeah the update now its is right spot on brilliant excellent "
    "happy with im i am sounds absolutely go-ahead agreed approve approved everything".split()
)
_NO = phrases(
    "no", "n", "nope", "nah", "not yet", "not now", "wait", "hang on", "hold on", "hold", "dont", "do not",
    "not", "never", "no thanks", "just a minute", "one moment", "a moment", "wrong", "incorrect",
)
_NEGATING = frozenset("no not dont never nope nah wait hang hold".split())
EDIT_VERBS = frozenset("edit change fix redo amend correct update set make".split())
_SET = re.compile(
    r"^(?:(?:yes|ok|okay|yep|yeah)\W+)?(?:but\s+)?(?:please\s+)?(?:can\s+you\s+)?"
    r"(?:edit|change|set|make|update|amend|correct|fix)\s+(?:the\s+|my\s+)?(?P<target>.{1,40}?)\s*(?:\bto\b|=|:)\s*(?P<value>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_LABELLED = re.compile(
    r"^(?P<target>summary|rag(?:\s+status)?|status|blockers?|asks?|blockers\s+(?:and|or)\s+asks|"
    r"kpi\s*\d{1,3}|milestone\s*\d{1,3}|ms\s*\d{1,3})\s*[:=]\s*(?P<value>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)


def _starts_with(tokens: list[str], table: frozenset[tuple[str, ...]]) -> int:
    """How many leading tokens form the longest phrase of `table` (0: none)."""
    for length in range(min(4, len(tokens)), 0, -1):
        if tuple(tokens[:length]) in table:
            return length
    return 0


def parse_review(text: str) -> ReviewAnswer | None:
    """At the check screen: ('yes', None) to save ("yes, save it", "looks good", "👍");
    ('no', None) for "no", "wait", "not yet", "hang on" (never a save); ('set', target,
    words) for "change summary to ..." or "summary: ..."; ('edit', target) for "edit 2",
    "change summary" or a bare "2"; None otherwise."""
    tokens = words(text)
    if not tokens:
        return None
    found = _SET.match(text.strip()) or _LABELLED.match(text.strip())
    if found is not None:
        return ("set", " ".join(words(found["target"])), found["value"].strip())
    if _starts_with(tokens, _NO) or any(t in _NEGATING for t in tokens):
        return ("no", None)
    said_yes = _starts_with(tokens, _YES)
    if said_yes and all(t in _AGREEING for t in tokens[said_yes:]):
        return ("yes", None)
    body = tokens[said_yes:]
    if body[:1] == ["but"]:
        body = body[1:]
    if body and body[0] in EDIT_VERBS:
        return ("edit", " ".join(body[1:])) if len(body) > 1 else ("no", None)
    if body and (body[0].isdigit() or body[0] in _TARGET_WORDS or body[0] in {"kpi", "milestone", "ms"}):
        return ("edit", " ".join(body))
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
