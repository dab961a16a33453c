"""Messages that are plainly not an answer: thanks, hello, "who is this?".

A lead who writes "thanks" after a prompt, or "who is this?" to a bot they have
never met, should get a short, friendly word back, and never have it stored as
their update or refused as a wrong command.
"""

from __future__ import annotations

from typing import Literal

from bot.core.answers import words

Talk = Literal["thanks", "hello", "who", "bye"]

_PHRASES: dict[Talk, list[str]] = {
    "thanks": [
        "thanks", "thank you", "thankyou", "thx", "ty", "cheers", "ta", "many thanks", "thanks a lot",
        "thanks very much", "thank you very much", "great thanks", "ok thanks", "okay thanks", "thanks so much",
        "much appreciated", "appreciated", "lovely thanks", "perfect thanks", "brilliant thanks", "noted thanks",
        "got it thanks", "will do thanks", "ok thank you", "thanks planbot", "thank you planbot",
    ],
    "hello": [
        "hi", "hello", "hey", "hiya", "morning", "good morning", "good afternoon", "afternoon", "hi there",
        "hello there", "hey there", "yo", "greetings", "howdy", "hi planbot", "hello planbot",
    ],
    "who": [
        "who is this", "who are you", "what is this", "whats this", "what are you", "who is this from",
        "what is planbot", "who sent this", "why am i getting this", "why did i get this", "what do you do",
        "what do i do", "what do i need to do", "what should i do", "what now", "what is this about",
        "whats this about", "is this a bot", "are you a bot", "who is planbot",
    ],
    "bye": ["bye", "goodbye", "see you", "see ya", "cya", "later thanks", "speak soon", "have a good day"],
}
_TABLE = {tuple(words(p)): talk for talk, phrases in _PHRASES.items() for p in phrases}


def small_talk(text: str) -> Talk | None:
    """What kind of small talk `text` is, or None when it may be an answer."""
    found = words(text)
    while found and found[-1] in ("please", "again", "mate", "all", "then"):
        found.pop()
    return _TABLE.get(tuple(found)) if found else None


OPENING: dict[Talk, str] = {
    "thanks": "You're welcome!",
    "hello": "Hello!",
    "bye": "Bye for now.",
    "who": "I'm Planbot: I collect the plan's progress updates from its leads and pass them to the coordinators.",
}
"""The first words back to small talk; each caller adds where things stand."""
