"""Finding and replacing a person's identifiers in stored text and JSON.

Used by erasure (an erased person's name, email, ids in other people's text) and
by export (other people's, in what is exported to one person). Names and emails
match case-insensitively as whole words; plan and platform ids match as written,
never inside a longer id (`bea` is not found in `beatrice` or `bea-2`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from storage.models import Address, Person


@dataclass(frozen=True)
class Needles:
    """One person's identifiers, compiled into one pattern."""

    words: tuple[str, ...]
    """Names, emails and extra spellings: case-insensitive, any run of spaces or a line break between words."""
    ids: tuple[str, ...]
    """Plan and platform ids: case-sensitive."""

    def pattern(self) -> re.Pattern[str] | None:
        parts = [
            "(?i:" + r"\s+".join(re.escape(part) for part in w.split()) + ")"
            for w in sorted(set(self.words), key=len, reverse=True)
            if w.strip()
        ]
        parts += [re.escape(i) for i in sorted(set(self.ids), key=len, reverse=True) if i.strip()]
        if not parts:
            return None
        return re.compile(r"(?<![\w.@-])(?:" + "|".join(parts) + r")(?![\w@-]|\.\w)")

    def values(self) -> set[str]:
        return {v for v in (*self.words, *self.ids) if v.strip()}


def needles_of(session: Session, person: Person, *, also: Iterable[str] = ()) -> Needles:
    """What identifies `person` in stored text: their name, email, plan id, platform
    ids (the plan's and any recorded address's), direct-conversation ids, and `also`."""
    words = [person.name, *(w for w in also if w.strip())]
    if person.email:
        words.append(person.email)
    ids = [person.id] + [v for v in (person.slack, person.teams) if v]
    for row in session.exec(select(Address).where(Address.person_id == person.id)):
        ids += [v for v in (row.user_id, row.channel) if v]
    return Needles(tuple(words), tuple(ids))


def redact(value: Any, pattern: re.Pattern[str], replacement: str) -> Any:
    """`value` with every match replaced, walking JSON (dict keys and values, lists); other types unchanged."""
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, dict):
        return {redact(k, pattern, replacement): redact(v, pattern, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, pattern, replacement) for v in value]
    return value
