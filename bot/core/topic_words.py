"""Which words of a lead's sentence say what a KPI or milestone is about.

A lead paraphrases: "we've appointed two of the three new strategy officers" is
progress on "Appointment of new staff members". Words are compared by their stems
(snowball's English stemmer), through a few families of words that mean the same
thing in improvement plans ("officer", "post", "recruitment" are all staffing), and
with rapidfuzz for typos. A word counts for as much as it is particular to one
KPI or milestone of the item: "strategy" in every line of an item tells nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process

_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?|%", re.UNICODE)

STOP = frozenset(
    """
    a about above after again against all also am an and any are as at be been before being below between both but by
    can could did do does doing done down during each few for from further had has have having he her here hers him
    his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why will with would you your
    yours we've we're we'd we'll i'm i've i'd it's that's there's they're let's don't doesn't didn't haven't hasn't
    isn't aren't wasn't weren't won't can't couldn't shouldn't wouldn't
    quarter quarters period update updates progress month months year years item items kpi kpis
    milestone milestones still really quite well good bit lot much many one two three four five six first second
    third last next also just via etc per across around already yet again ok okay
    jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september
    october november december
    """.split()
)
"""Words that say nothing about which KPI or milestone is meant."""

_FORMS = {
    "comms": "communic",
    "consultant": "consultant",
    "consultants": "consultant",
    "consultancy": "consultant",
    "consultation": "consultation",
    "consultations": "consultation",
}
"""Words the stemmer would merge but people do not: consultants are hired, consultations are held."""

FAMILIES: dict[str, tuple[str, ...]] = {
    "~staff": (
        "staff", "officer", "post", "recruit", "recruitment", "appoint", "appointment", "hire", "vacancy", "vacancies",
        "team", "role", "fte", "employ", "workforce", "headcount", "coordinator", "caseworker", "worker", "capacity",
        "starter", "strength", "resourcing", "advert", "interview", "manager", "filled",
    ),
    "~procure": ("procure", "procurement", "tender", "contract", "commission", "supplier", "provider", "consultant", "contractor"),
    "~event": (
        "event", "workshop", "session", "roadshow", "conference", "seminar", "webinar", "summit", "breakfast",
        "roundtable", "forum", "launch",
    ),
    "~media": ("media", "press", "coverage", "journalist", "radio", "newspaper", "tv", "bbc", "article", "interview", "pr"),
    "~engage": ("engage", "engagement", "involve", "participate", "brief", "briefing", "attend"),
    "~sponsor": ("sponsor", "champion"),
    "~timeline": ("timeline", "timetable", "schedule", "plan", "project"),
    "~evidence": ("evidence", "data", "research", "analysis", "modelling", "model", "findings", "baseline"),
    "~endorse": ("endorse", "endorsement", "approve", "approval", "sign", "agree", "support"),
    "~fund": ("fund", "funding", "grant", "budget", "money", "finance", "funded", "spend"),
    "~timely": ("timeliness", "timely", "deadline", "within", "week"),
    "~rate": ("percentage", "proportion", "rate", "percent", "%"),
    "~publish": ("publish", "release", "launch", "issue"),
    "~family": ("parent", "carer", "family", "families", "forum"),
    "~school": ("school", "pupil", "college", "setting", "settings", "placement"),
    "~lead": ("lead", "leadership", "leading"),
    "~national": ("national", "nationally", "government", "whitehall", "minister", "network"),
}
"""Families of words that mean the same thing in improvement plans; a word of one matches any other."""

_FAMILY_OF = {}


def _stem(word: str) -> str:
    word = word.casefold().replace("’", "'")
    if word in _FORMS:
        return _FORMS[word]
    return str(_STEMMER.stemWord(word.split("'")[0]))


for _family, _members in FAMILIES.items():
    for _member in _members:
        _FAMILY_OF[_stem(_member)] = _family


@lru_cache(maxsize=4096)
def terms(text: str) -> frozenset[str]:
    """The stems of a text's telling words, and the families they belong to."""
    out: set[str] = set()
    for match in _WORD.finditer(text):
        word = match.group().casefold().replace("’", "'")
        if word in STOP or (len(word) < 2 and word != "%") or (word.isdigit() and len(word) > 3):
            continue
        stem = word if word.isdigit() or word == "%" else _stem(word)
        out.add(stem)
        family = _FAMILY_OF.get(stem)
        if family:
            out.add(family)
    return frozenset(out)


@dataclass(frozen=True)
class Topic:
    """One thing of the item a sentence may speak about: a KPI or a milestone."""

    key: str
    text: str
    terms: frozenset[str]


FAMILY_WEIGHT = 0.6
"""A word matched through its family counts for less than the same word."""


@dataclass(frozen=True)
class Match:
    score: float
    topic: Topic
    stems: int
    """How many of the topic's words (or their families) were said."""
    unique: bool
    """Whether one of them belongs to no other line of the item."""


class Topics:
    """An item's KPIs (or milestones), with each term weighted by how particular it is to one of them."""

    def __init__(self, topics: Sequence[tuple[str, str]], context: Iterable[str] = ()) -> None:
        self.topics = [Topic(key, text, terms(text)) for key, text in topics]
        documents = [t.terms for t in self.topics] + [terms(c) for c in context]
        count = len(documents) or 1
        df: dict[str, int] = {}
        for document in documents:
            for term in document:
                df[term] = df.get(term, 0) + 1
        self.df = df
        self.weight = {term: math.log(1 + count / n) for term, n in df.items()}

    def scores(self, said: frozenset[str]) -> list[Match]:
        """How strongly the words speak about each topic, best first."""
        out = []
        for topic in self.topics:
            score, stems, unique = 0.0, 0, False
            for term in topic.terms:
                if term in said or (not term.startswith("~") and len(term) >= 5 and _near(term, said)):
                    score += self.weight.get(term, 0.0) * (FAMILY_WEIGHT if term.startswith("~") else 1.0)
                    stems += 1
                    unique = unique or self.df.get(term, 0) == 1
            out.append(Match(score, topic, stems, unique))
        return sorted(out, key=lambda m: -m.score)


def _near(term: str, said: frozenset[str]) -> bool:
    """A typo of the term among the words said ("procurment", "stakholder")."""
    found = process.extractOne(term, [s for s in said if not s.startswith("~") and abs(len(s) - len(term)) <= 2], scorer=fuzz.ratio)
    return found is not None and found[1] >= 88
