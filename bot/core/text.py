"""Cleaning what people type: keep their words (emoji, RTL scripts), drop what
breaks storage or terminals (NUL and other control characters), and refuse
answers too long to be one answer, with a message that says so."""

from __future__ import annotations

import re
import unicodedata

from bot.core.errors import BadInput
from storage.invisible import strip_invisible

MAX_ANSWER = 3000
MAX_ARGUMENTS = 200
"""What a command takes after its name (`/flag`'s note aside, which is an answer):
enough for any real use, checked before any parsing so a pasted megabyte costs nothing."""
ECHO = 40
"""How much of what someone typed a reply quotes back."""
_MARKERS = "\ue000\ue001"  # command markers (bot.core.command_names): never from people
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_MARKERS}]")
"""Unicode's control characters (category Cc) but newline and tab, and the markers."""


def clean(text: str) -> str:
    """Strip control characters except newlines and tabs (a carriage return, alone or
    before a newline, is a line break), and the invisible characters that reorder or
    hide text (`storage.invisible`); normalise to NFC."""
    text = strip_invisible(text.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()


def excerpt(text: str, limit: int = ECHO) -> str:
    """What someone typed, quoted back: at most `limit` characters, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def command_arguments(name: str, args: str, *, limit: int = MAX_ARGUMENTS) -> str:
    """A command's arguments, or BadInput when they are too long to be meant for it."""
    if len(args) > limit:
        raise BadInput(
            f"That's {len(args):,} characters after {name}; it takes at most {limit:,}, so I haven't read it "
            "and nothing was changed."
        )
    return args


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
