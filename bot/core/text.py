"""Cleaning what people type: keep their words (emoji, RTL scripts), drop what
breaks storage or terminals (NUL and other control characters), and refuse
answers too long to be one answer, with a message that says so."""

from __future__ import annotations

import unicodedata

from bot.core.errors import BadInput

MAX_ANSWER = 3000
_MARKERS = "\ue000\ue001"  # command markers (bot.core.command_names): never from people


def clean(text: str) -> str:
    """Strip control characters except newlines and tabs; normalise to NFC."""
    kept = "".join(ch for ch in text if ch in "\n\t" or (unicodedata.category(ch) != "Cc" and ch not in _MARKERS))
    return unicodedata.normalize("NFC", kept).strip()


def answer_text(text: str, *, limit: int = MAX_ANSWER) -> str:
    """A cleaned answer, or BadInput naming the length and the limit."""
    cleaned = clean(text)
    if len(cleaned) > limit:
        raise BadInput(
            f"That answer is {len(cleaned):,} characters; one answer can be at most {limit:,}. "
            "Please shorten it (a link to a longer document works well). Nothing was lost: "
            "your earlier answers are kept and the question is still open."
        )
    return cleaned
