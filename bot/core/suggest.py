"""Did-you-mean: the known words nearest a typo, so "/plan-statsu" or
"/plan-status overdu" gets a suggestion rather than a dead end."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

WORDS = 0.75
"""How alike a typed word must be to a command or sub-command word to suggest it."""
NAMES = 0.65
"""People's names and ids are short and varied ("bae" for "bea"), so a little looser."""


def nearest(typed: str, known: Mapping[str, str], *, cutoff: float = WORDS, n: int = 1) -> list[str]:
    """The values of `known` whose keys are nearest `typed` (casefolded), best first, without repeats."""
    found = difflib.get_close_matches(typed.casefold(), list(known), n=max(n * 3, 3), cutoff=cutoff)
    out: list[str] = []
    for key in found:
        if known[key] not in out:
            out.append(known[key])
    return out[:n]
