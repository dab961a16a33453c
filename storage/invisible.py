"""Characters that change how text looks without being seen: removed from names and
notes, so "Dee" can't be made to display as someone else and a note reads as typed.

Removed: bidirectional embeddings, overrides and isolates (U+202A-U+202E,
U+2066-U+2069), zero-width space, word joiner, invisible operators and the byte
order mark. Kept: the zero-width joiner and non-joiner (emoji sequences, Persian
and Indic scripts need them) and the left-to-right and right-to-left marks, which
mixed-direction text uses and which cannot reorder what follows them.
"""

from __future__ import annotations

import re

INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060-\u2064\ufeff\u00ad]")


def strip_invisible(text: str) -> str:
    return INVISIBLE.sub("", text)
