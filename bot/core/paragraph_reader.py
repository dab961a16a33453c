"""Reading an update written as a paragraph into a proposed update, for the lead to check.

"Amber overall. We've appointed two of the three new strategy officers and the
evidence base consultants were procured in October. Still no Board sponsor - need
CLGU to nudge the Chair." becomes: status Amber; a note under the staffing KPI and
under the consultants KPI, each quoting the lead's sentence; the consultants
milestone done; the ask of CLGU as a blocker; the paragraph as the summary.

Pure and offline: rules for the status, states and dates, and word overlap
(`topic_words`) to file each sentence under what it speaks about. Conservative by
design: a sentence that matches no KPI or milestone clearly stays in the summary
and is never filed under a guess; a status the words do not give is asked for.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.answers import MilestoneReading, date_prefix, slip_date_problem
from bot.core.topic_words import Topics, terms
from storage.models import MilestoneState, Rag


@dataclass(frozen=True)
class ItemText:
    """What the reader needs to know of an item: its words, nothing from the database."""

    number: int
    title: str
    kpis: tuple[tuple[str, str], ...] = ()
    """(key, text) of each KPI, in the plan's order."""
    milestones: tuple[tuple[str, str, dt.date | None], ...] = ()
    """(key, text, due date) of each milestone, in the plan's order."""


@dataclass
class Proposal:
    """An update for one item as read from the lead's words; nothing is stored until they confirm."""

    item: int
    text: str
    rag: Rag | None = None
    kpis: dict[str, str] = field(default_factory=dict)
    milestones: dict[str, MilestoneReading] = field(default_factory=dict)
    """A slipped milestone without a date (`needs_date`) had none given, or none that can be right."""
    blockers: str = ""
    no_blockers: bool = False
    """The lead said there are none ("no asks")."""
    summary: str = ""


def read_paragraph(
    text: str, items: Sequence[ItemText], *, primary: int, today: dt.date, asks_of: str | None = None
) -> list[Proposal]:
    """One proposal per item the text reports on: the items it names ("Item 1: ... Item 2:
    ..."), or `primary`, the item being asked about."""
    by_number = {i.number: i for i in items}
    parts = split_by_item(text, items, primary=primary) or [(primary, text)]
    return [read_item(part, by_number[number], today=today, asks_of=asks_of) for number, part in parts if number in by_number]


def read_item(text: str, item: ItemText, *, today: dt.date, asks_of: str | None = None) -> Proposal:
    """What `text` says about one item."""
    proposal = Proposal(item.number, text.strip())
    sentences = split_sentences(_without_item_marker(text))
    proposal.rag = read_status(text)
    kpi_topics = Topics(item.kpis, context=[item.title, *(m[1] for m in item.milestones)])
    ms_topics = Topics([(k, t) for k, t, _ in item.milestones], context=[item.title, *(k[1] for k in item.kpis)])
    due = {k: d for k, _, d in item.milestones}
    notes: dict[str, list[str]] = {}
    asks: list[str] = []
    for sentence in sentences:
        parts = split_clauses(sentence)
        filed: dict[str, list[str]] = {}
        for clause in parts:
            key = _kpi_for(clause, kpi_topics, len(item.kpis))
            if key is not None:
                filed.setdefault(key, []).append(clause)
        if len(filed) == 1:
            ((key, _),) = filed.items()
            notes.setdefault(key, []).append(_tidy(sentence))
        else:
            for key, said in filed.items():
                notes.setdefault(key, []).extend(_tidy(c) for c in said)
        for key, read in _milestones_in(parts, ms_topics, due, today):
            proposal.milestones.setdefault(key, read)
        for clause in parts:
            if _asks(clause, asks_of):
                asks.append(_tidy(clause))
        if _says_none(sentence):
            proposal.no_blockers = True
    proposal.kpis = {key: " ".join(_unique(said)) for key, said in notes.items()}
    proposal.blockers = "; ".join(_unique(asks))
    proposal.summary = _summary(text)
    return proposal


# --- splitting ------------------------------------------------------------------------------

_ITEM_MARK = re.compile(r"\b(?:item|action)s?\s*#?(\d{1,4})\b|(?<![\w/])#(\d{1,4})\b", re.IGNORECASE)
_TOPIC_INTRO = re.compile(
    r"^\s*(?:separately|also|and|finally|lastly|meanwhile)?[,;]?\s*(?:on|re:?|for|regarding|as for|as regards)\s+"
    r"(?:the\s+)?(?P<topic>[^:,\-–—(]{2,40}?)\s*(?:side\s*)?(?:[:,\-–—]|\(item)",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^\s*(?P<topic>[A-Za-z][\w &/]{1,30}?)\s*:\s")


def split_by_item(text: str, items: Sequence[ItemText], *, primary: int | None = None) -> list[tuple[int, str]]:
    """The text cut where it turns to another item, when it reports on two or more of
    `items`: by "Item 3" (or "#3") marks, else by sentences that open on an item's
    subject ("On transport: ...", "Separately, on comms, ..."). Words before the first
    mark are about `primary` (the item asked about) when the marks name others. Empty
    when the text is about one item."""
    numbers = {i.number for i in items}
    sentences = split_sentences(text)
    owners: list[int | None] = []
    for sentence in sentences:
        marks = [int(a or b) for a, b in _ITEM_MARK.findall(sentence) if int(a or b) in numbers]
        owners.append(marks[0] if marks else None)
    named = {o for o in owners if o is not None}
    if named and primary is not None and primary not in named and owners[0] is None and _says_something(sentences[0]):
        owners[0] = primary
        named.add(primary)
    if len(named) < 2:
        owners = [_subject_item(s, items) for s in sentences]
        if len({o for o in owners if o is not None}) < 2:
            return []
    parts: list[tuple[int, list[str]]] = []
    for sentence, owner in zip(sentences, owners):
        if owner is not None and (not parts or parts[-1][0] != owner):
            parts.append((owner, [sentence]))
        elif parts:
            parts[-1][1].append(sentence)
        elif owner is None:
            parts.append((-1, [sentence]))  # a greeting before the first item: it goes with that item
    if parts and parts[0][0] == -1:
        preface = parts.pop(0)[1]
        if parts:
            parts[0] = (parts[0][0], preface + parts[0][1])
    return [(owner, " ".join(s.strip() for s in said).strip()) for owner, said in parts if owner != -1]


def item_spoken_of(text: str, items: Sequence[ItemText]) -> int | None:
    """The one item whose title, KPIs and milestones the text speaks of clearly more than any other's."""
    if len(items) < 2:
        return items[0].number if items else None
    topics = Topics([(str(i.number), " ".join([i.title, *(k for _, k in i.kpis), *(m for _, m, _ in i.milestones)])) for i in items])
    ranked = topics.scores(terms(text))
    best, second = ranked[0], ranked[1]
    if best.score >= ITEM_MIN_SCORE and best.score >= ITEM_RATIO * second.score:
        return int(best.topic.key)
    return None


ITEM_MIN_SCORE = 2.0
ITEM_RATIO = 1.8


def _says_something(sentence: str) -> bool:
    """More than a greeting ("Quick update on both mine.", "Hi all"): a status or a few telling words."""
    return read_status(sentence) is not None or len(terms(sentence)) >= 3


def _subject_item(sentence: str, items: Sequence[ItemText]) -> int | None:
    """The item a sentence opens on ("On AP - ...", "Transport: ..."), by its title's words or initials."""
    found = _TOPIC_INTRO.match(sentence) or _LABEL.match(sentence)
    if found is None:
        return None
    topic = found["topic"].strip()
    said = terms(topic)
    initials = topic.replace(" ", "").casefold()
    matches = set()
    for item in items:
        words = [w for w in re.findall(r"[A-Za-z]+", item.title) if w.casefold() not in {"and", "of", "the", "for", "to", "in"}]
        if said & terms(item.title) or initials == "".join(w[0] for w in words).casefold():
            matches.add(item.number)
    return matches.pop() if len(matches) == 1 else None


_PROTECTED = re.compile(r"(?:\b(?:c|e\.g|i\.e|eg|ie|approx|vs|no|nos|cllr|mr|mrs|ms|dr|st|incl|est)\.)$", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """Sentences, bullets and lines of the text, as written."""
    out: list[str] = []
    for line in re.split(r"\n+", text):
        line = re.sub(r"^\s*(?:[-•*–]|\d{1,2}[.)])\s+", "", line).strip()
        if not line:
            continue
        start = 0
        for found in re.finditer(r"[.!?]+[\"')\]]*\s+(?=[\"'(“‘]?[A-Z0-9\U0001F300-\U0001FAFF])", line):
            piece = line[start : found.end()]
            if _PROTECTED.search(line[: found.start() + 1]):
                continue
            out.append(piece.strip())
            start = found.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return out


_CLAUSE_BREAK = re.compile(
    r"\s*;\s*|\s+[-–—]+\s+|\s*,\s*(?:(?:but|and|so|although|though|whilst|while|which|as)\s+)?"
    r"|(?<!all)(?<!thing)(?<!none)\s+(?:but|so|because|although|though|whilst)\s+|\s+and\s+(?=(?:we|the|it|that|they|this|our|i|we've|we're|it's|that's)\b)",
    re.IGNORECASE,
)


def split_clauses(sentence: str) -> list[str]:
    """The parts of a sentence that can each speak of a different KPI or milestone."""
    return [c.strip(" ,.") for c in _CLAUSE_BREAK.split(sentence) if c and c.strip(" ,.")]


def _without_item_marker(text: str) -> str:
    return re.sub(r"^\s*(?:on\s+)?(?:item|action)\s*#?\d{1,4}\s*(?:\([^)]*\))?\s*[:.\-–—]?\s*", "", text, flags=re.IGNORECASE)


def _tidy(text: str) -> str:
    return text.strip().strip(",;").strip()


def _unique(parts: list[str]) -> list[str]:
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return seen


def _summary(text: str) -> str:
    """The lead's own summary line ("Summary: ..."), else the whole text without its item mark."""
    found = re.search(r"(?im)^\s*summary\s*[:\-–]\s*(.+)$", text)
    return found[1].strip() if found else " ".join(_without_item_marker(text).split())


# --- the status -------------------------------------------------------------------------------

_COLOUR = {"green": Rag.ON_TRACK, "amber": Rag.AT_RISK, "red": Rag.OFF_TRACK, "blue": Rag.COMPLETE}
_LETTER = {"g": Rag.ON_TRACK, "a": Rag.AT_RISK, "r": Rag.OFF_TRACK, "b": Rag.COMPLETE, **_COLOUR}
_CIRCLES = {
    "🟢": Rag.ON_TRACK, "🟩": Rag.ON_TRACK, "💚": Rag.ON_TRACK,
    "🟠": Rag.AT_RISK, "🟡": Rag.AT_RISK, "🟧": Rag.AT_RISK, "🟨": Rag.AT_RISK, "🧡": Rag.AT_RISK, "💛": Rag.AT_RISK,
    "🔴": Rag.OFF_TRACK, "🟥": Rag.OFF_TRACK,
    "🔵": Rag.COMPLETE, "🟦": Rag.COMPLETE, "💙": Rag.COMPLETE,
}
_PHRASES = {"on track": Rag.ON_TRACK, "at risk": Rag.AT_RISK, "off track": Rag.OFF_TRACK, "complete": Rag.COMPLETE}
_LABELLED = re.compile(
    r"\b(?:rag(?:\s+(?:status|rating))?|status|overall(?:\s+status)?|rating)\s*(?:is|was|now|=|:|-|–)?\s*(?:now\s+)?"
    r"(?P<value>green|amber|red|blue|g|a|r|b|on[\s-]track|at[\s-]risk|off[\s-]track|complete)\b",
    re.IGNORECASE,
)
_LETTER_FIRST = re.compile(r"(?:^|\n)\s*(?:item\s*\d+\s*[:\-–—]\s*)?(?P<value>[GARB])\s*(?:[.:;!\-–—)]|$)", re.MULTILINE)
"""A status given as its letter alone at the start: "G. Travel training ...", "A - ..."."""
_FOLLOWING = frozenset(
    """overall for this on again now still at i im i'm we we're but and as with though although because since so
    throughout across currently really rag rating status please too then from given until due pending except apart
    mostly largely mainly generally broadly while whilst here there today in that if is it its it's at the moment
    though this quarter""".split()
)
_NEGATION = re.compile(r"\b(?:not|no longer|never|isn't|aren't|wasn't|no more)\s+(?:yet\s+|quite\s+|really\s+)?$", re.IGNORECASE)
_ITEM_LEVEL = re.compile(
    r"\b(?:overall|whole|everything|all in all|generally|broadly|we're|we are|we remain|remains|item\s*\d*\s+(?:is|remains))\b",
    re.IGNORECASE,
)


def read_status(text: str) -> Rag | None:
    """The item's RAG status as the text states it, or None: "RAG: A", "Amber overall",
    "🟢", "we're on track overall". A colour that names a thing ("the green paper", "red
    flags", "Blue Badge") or follows a "not" is no status; "no longer at risk" is on track
    when nothing else is said."""
    labelled = _LABELLED.search(text) or _LETTER_FIRST.search(text)
    if labelled is not None:
        return _LETTER.get(labelled["value"].casefold()) or _PHRASES[re.sub(r"[\s-]+", " ", labelled["value"].casefold())]
    for ch in text:
        if ch in _CIRCLES:
            return _CIRCLES[ch]
    colours = list(re.finditer(r"\b(green|amber|red|blue)\b", text, re.IGNORECASE))
    chosen = None
    for found in colours:
        if _NEGATION.search(text[: found.start()][-25:]):
            continue
        if _names_a_thing(text, found.end()):
            continue
        chosen = found
        if not re.search(r"\b(?:from)\s*$", text[: found.start()][-8:], re.IGNORECASE):
            break
    if chosen is not None:
        return _COLOUR[chosen[1].casefold()]
    for sentence in split_sentences(text):
        for clause in split_clauses(sentence):
            for phrase, rag in _PHRASES.items():
                found = re.search(r"\b" + phrase.replace(" ", r"[\s-]") + r"\b", clause, re.IGNORECASE)
                if found is None or _NEGATION.search(clause[: found.start()][-25:]):
                    continue
                if re.search(r"\b(?:that|this|which|it)(?:'s|’s| is| was)\s+(?:now\s+|still\s+|all\s+)?$", clause[: found.start()], re.IGNORECASE):
                    continue  # "so that's on track": said of the thing before, not the item
                if _ITEM_LEVEL.search(clause) or len(terms(clause)) <= 1:
                    return rag
    if re.search(r"\bno longer (?:at risk|amber)\b", text, re.IGNORECASE):
        return Rag.ON_TRACK
    return None


def _names_a_thing(text: str, end: int) -> bool:
    """Whether a colour word is an adjective here: followed by a word that is no status talk."""
    rest = text[end:]
    if not rest or not rest[0].isspace():
        return False
    word = re.match(r"\s+([A-Za-z'’]+)", rest)
    return word is not None and word[1].casefold().replace("’", "'") not in _FOLLOWING


# --- KPIs ---------------------------------------------------------------------------------------

_KPI_NUMBER = re.compile(r"\bkpi\s*#?(\d{1,2})\b", re.IGNORECASE)
KPI_MIN_SCORE = 1.6
KPI_MARGIN = 0.5


def _kpi_for(clause: str, topics: Topics, count: int) -> str | None:
    """The KPI a clause speaks about, when one stands out; None when none clearly does."""
    numbered = _KPI_NUMBER.search(clause)
    if numbered and 1 <= int(numbered[1]) <= count:
        return topics.topics[int(numbered[1]) - 1].key
    return _standout(topics, clause, KPI_MIN_SCORE, KPI_MARGIN)


def _standout(topics: Topics, text: str, least: float, margin: float) -> str | None:
    """The topic the words speak about, when one stands out from the others."""
    ranked = topics.scores(terms(text))
    if not ranked:
        return None
    best = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score < least or best.score - second < margin or not (best.stems >= 2 or best.unique):
        return None
    return best.topic.key


# --- milestones ---------------------------------------------------------------------------------

_STATES: list[tuple[MilestoneState, re.Pattern[str]]] = [
    (
        MilestoneState.NOT_STARTED,
        re.compile(
            r"\b(?:not (?:yet )?started|(?:has|have)n'?t (?:really |yet )?(?:started|begun|kicked off)|yet to (?:start|begin)|"
            r"not (?:yet )?begun|not kicked off)\b",
            re.IGNORECASE,
        ),
    ),
    (
        MilestoneState.SLIPPED,
        re.compile(
            r"\b(?:slipp(?:ed|ing)|delayed|postponed|pushed (?:back|out)|put back|deferred|rescheduled|moved (?:back |out )?to|"
            r"running (?:late|behind)|behind schedule|won'?t be (?:ready|done|complete|finished|cleared|met) (?:until|by)|"
            r"will not be (?:ready|done|complete|finished|cleared|met)|now (?:expected|due|aiming|planned|likely|says|looks like)|"
            r"will now \w+|now be|slips? to|did(?: not|n'?t) (?:launch|happen|take place|go ahead|start)|rather than|missed|"
            r"realistically|re-?procure|back to square one|pulled out)\b",
            re.IGNORECASE,
        ),
    ),
    (
        MilestoneState.ON_TRACK,
        re.compile(
            r"\b(?:on track|on schedule|on course|on target|on time|progressing|in progress|under ?way|going well|still (?:on|planned) for|"
            r"still leading|continu(?:es|ing)|ongoing|(?:is|are) drafted|going to (?:the|their|our) \w+ .{0,30}for (?:sign[- ]?off|approval)|"
            r"(?:planned|scheduled|booked|due) (?:for|on|in)|should be (?:fine|ok|done|on time))\b",
            re.IGNORECASE,
        ),
    ),
    (
        MilestoneState.DONE,
        re.compile(
            r"\b(?:done|complete[d]?|finished|achieved|delivered|in place|set up|in post|signed off|signed|agreed|approved|"
            r"published|launched|held|procured|appointed|took place|went (?:to|live)|now funded|up and running|closed|reviewed|"
            r"ratified|endorsed|adopted|submitted|issued|sent out|went out|established)\b",
            re.IGNORECASE,
        ),
    ),
]
_NOT_DONE = re.compile(
    r"\b(?:not|n't|never|yet to be|to be|will|'ll|would|should|could|may|might|due to|going to|aim to|plan to|"
    r"hope to|while|whilst|until|once|when|before|if)\s+(?:\w+\s+){0,3}$|\?\s*$",
    re.IGNORECASE,
)
"""What makes a "done" word no news that it is done: a not, a future, a condition ("once it is signed")."""
_MS_NUMBER = re.compile(r"\b(?:milestone|ms|m)\s*#?(\d{1,2})\b|\b(first|second|third|fourth|fifth) milestone\b", re.IGNORECASE)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
MS_MIN_SCORE = 1.6
MS_MARGIN = 0.5
_RECURRING = re.compile(r"\b(?:quarterly|monthly|weekly|annual|regular|regularly|ongoing|continu\w*|embed\w*)\b", re.IGNORECASE)
"""A milestone that recurs or goes on ("Quarterly Board meetings", "Continue leadership role") is never done."""
_PART = re.compile(
    r"\b(?:\d{1,3}|one|two|three|four|five|six|some|half)\s+(?:of|out of)\b"
    r"|\b(?:\d{1,3}|two|three|four|five|six|several|some)\s+(?:[a-z-]+\s+)?(?!(?:was|has|is|as|this|its|his|yes|does|goes|us)\b)[a-z]{2,}s\b(?!\s+(?:ago|late))"
    r"|\b(?:first|second|third|fourth)\s+(?:[a-z-]+\s+)?(?:event|session|one|round|cohort|of)\b|\bto go\b|\bremaining\b|\bone more\b",
    re.IGNORECASE,
)
"""Counts that make a "done" partial: "two events were held", "2 of 3 officers in post", "2 to go"."""
_POINTS_BACK = re.compile(r"^(?:so\s+)?(?:that|this|it|which)\b|\bthat (?:milestone|one)\b|^(?:now\s+)?(?:done|complete[d]?|slipped)\b", re.IGNORECASE)
"""A clause that gives a state of what the sentence spoke of before it ("so that's done")."""
_DATE_CUE = re.compile(r"\b(?:to|until|till|til|by|now|for|in|into|around|at)\b\s*", re.IGNORECASE)


def _state_of(clause: str) -> MilestoneState | None:
    for state, pattern in _STATES:
        for found in pattern.finditer(clause):
            if state is MilestoneState.DONE and _NOT_DONE.search(clause[: found.start()]):
                continue
            return state
    return None


def _milestones_in(
    clauses: list[str], topics: Topics, due: dict[str, dt.date | None], today: dt.date
) -> list[tuple[str, MilestoneReading]]:
    """The milestones a sentence gives the state of. A clause names the milestone; its state
    (and a new date) may come in it or in the clauses after it, before another milestone is
    named: "The Local Offer site has slipped again - supplier now says end of Feb"."""
    if not topics.topics:
        return []
    clauses = [part for c in clauses for part in _each_state(c)]
    named = [_milestone_named(c, topics) or _best(topics, c) for c in clauses]
    out: list[tuple[str, MilestoneReading]] = []
    for index, key in enumerate(named):
        if key is None:
            continue
        following = [index] + list(itertools.takewhile(lambda j: named[j] is None, range(index + 1, len(clauses))))
        said = [clauses[j] for j in following]
        state = next((found for c in said if (found := _state_of(c)) is not None), None)
        if state is None:
            continue
        read = _read_state(state, key, said, topics, due, today)
        if read is not None:
            out.append((key, read))
    return out


def _each_state(clause: str) -> list[str]:
    """"The project plan signed off in May and timeline agreed": one part per state said."""
    parts = re.split(r"\s+(?:and|&)\s+", clause)
    return parts if len(parts) > 1 and all(_state_of(p) for p in parts) else [clause]


def _read_state(
    state: MilestoneState, key: str, said: list[str], topics: Topics, due: dict[str, dt.date | None], today: dt.date
) -> MilestoneReading | None:
    text = " ".join(said)
    if state is MilestoneState.DONE and (_RECURRING.search(_text_of(topics, key)) or (_PART.search(text) and not re.search(r"\ball\b", text, re.IGNORECASE))):
        return None
    cue = next(i for i, c in enumerate(said) if _state_of(c) is not None)
    day = next((found for c in said[cue:] if (found := _new_date(c, today)) is not None), None)
    planned = due.get(key)
    if state is MilestoneState.ON_TRACK and day is not None and planned is not None and day > planned:
        state = MilestoneState.SLIPPED  # "go-live is planned for 1 July": after its due date, so it has slipped
    if state is not MilestoneState.SLIPPED:
        return MilestoneReading(state)
    if day is None or (planned is not None and day <= planned) or slip_date_problem(day, today=today) is not None:
        return MilestoneReading(state)
    return MilestoneReading(state, day)


def _text_of(topics: Topics, key: str) -> str:
    return next(t.text for t in topics.topics if t.key == key)


def _milestone_named(clause: str, topics: Topics) -> str | None:
    found = _MS_NUMBER.search(clause)
    if found is None:
        return None
    number = int(found[1]) if found[1] else _ORDINAL[found[2].casefold()]
    return topics.topics[number - 1].key if 1 <= number <= len(topics.topics) else None


def _best(topics: Topics, text: str) -> str | None:
    return _standout(topics, text, MS_MIN_SCORE, MS_MARGIN)


def _new_date(clause: str, today: dt.date) -> dt.date | None:
    """The first date ahead of today in the clause ("to end of January", "now says mid-Feb")."""
    clause = re.sub(r"\b(mid|end|early|late|start)-(?=[A-Za-z])", r"\1 ", clause, flags=re.IGNORECASE)
    for word in _DATE_START.finditer(clause):
        found = date_prefix(clause[word.start() : word.start() + 40], today=today)
        if found is not None and found[0] > today:
            return found[0]
    return None


_DATE_START = re.compile(
    r"(?<![\w/])(?:\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|end|mid|middle|early|late|start|beginning)\w*\b)",
    re.IGNORECASE,
)
"""Where a date can begin: a digit, a month, or a part of one ("end of", "mid", "early")."""


# --- blockers and asks ----------------------------------------------------------------------------

_ASK = re.compile(
    r"\b(?:need(?:s|ed)?|ask(?:s|ing)?|request(?:ing)?|would (?:help|welcome|like|appreciate)|we'?d (?:welcome|like|appreciate)|"
    r"welcome (?:\w+ )?(?:comments|views|input|help|support)|can (?:you|we get)|could (?:you|we get)|waiting (?:on|for)|"
    r"awaiting|blocked|blocker|blocking|barrier|held up|depend(?:s|ent|ing)? on|chase|nudge|escalat\w*|help from|"
    r"support from|confirm whether|view on|sign-?off from)\b",
    re.IGNORECASE,
)
_NONE = re.compile(r"\bno (?:asks|blockers|issues|problems)\b|\bnothing to (?:flag|report|escalate)\b|\bno (?:blockers|asks) (?:or|and) (?:asks|blockers)\b", re.IGNORECASE)


def _asks(clause: str, asks_of: str | None) -> bool:
    """A blocker or an ask: a need, a wait, or a request of the plan's partner."""
    if _NONE.search(clause):
        return False
    if _ASK.search(clause):
        return True
    if asks_of and re.search(rf"\b{re.escape(asks_of)}\b", clause, re.IGNORECASE):
        return bool(re.search(rf"\b(?:can|could|would|please|to)\b[^.]*\b{re.escape(asks_of)}\b|\b{re.escape(asks_of)}\s+to\b", clause, re.IGNORECASE))
    return False


def _says_none(sentence: str) -> bool:
    return _NONE.search(sentence) is not None

