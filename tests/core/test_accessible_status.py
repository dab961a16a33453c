"""RAG is never shown by colour alone: wherever a reply names a colour, the same
line says the status in words, so an adapter can add colour without losing meaning
(and a screen reader, or a colour-blind reader, loses nothing)."""

from __future__ import annotations

import re

from tests.conftest import Chat

ITEM5 = ["green", "Board endorsed the LIS draft", "skip", "done", "on track", "none", "Federal boards on board"]
COLOURS = {"Green": "on track", "Amber": "at risk", "Red": "off track", "Blue": "complete"}
WORDS = re.compile(r"\b(On track|At risk|Off track|Complete)\b", re.IGNORECASE)


def _colour_lines_without_words(text: str) -> list[str]:
    bad = []
    for line in text.splitlines():
        for colour, word in COLOURS.items():
            if re.search(rf"\b{colour}\b", line) and word not in line.lower():
                bad.append(line)
    return bad


def test_every_reply_that_shows_a_status_says_it_in_words(chat) -> None:  # type: ignore[no-untyped-def]
    cal: Chat = chat("cal")
    seen = [cal.text("/plan-update 5")]
    for answer in ITEM5:
        seen.append(cal.text(answer))
    seen.append(cal.text("yes"))
    seen.append(cal.text("/plan-update 5"))  # editing: "same as last time" offers the earlier status
    seen.append(cal.text("cancel"))
    robin: Chat = chat("robin")
    seen += [robin.text("/plan-status"), robin.text("/plan-status 5"), robin.text("/plan-status cal")]
    seen.append(robin.text("/plan-status changes"))
    text = "\n".join(seen)

    assert _colour_lines_without_words(text) == []
    assert "Same as last time" in text
    assert len(WORDS.findall(robin.text("/plan-status 5"))) >= 1
