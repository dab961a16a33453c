"""Core replies as Teams message activities (JSON dicts), within Teams' limits.

A reply of text only becomes a message with `textFormat: plain` (Teams shows it
literally: no Markdown, no links made from user text). A reply with buttons, a
form or a table becomes an Adaptive Card. A reply that will be updated later
(it has a `key`) is always a card, sent on its own without text, so the update
replaces the whole message. Teams refuses a message over about 28 KB, so long
text is split between lines and long cards between elements (tables between
rows), each part under `LIMIT`.
"""

from __future__ import annotations

from typing import Any

from bot.core.command_names import CommandSyntax, expand_reply
from bot.core.plaintext import render
from bot.core.replies import Choices, File, Form, Reply, Table
from bot.teams.cards import CONTENT_TYPE, Card, Element, card, elements, size
from bot.teams.syntax import TEAMS

Activity = dict[str, Any]

LIMIT = 24_000
"""Bytes per message, under Teams' ~28 KB with room for the envelope."""


def wants_card(reply: Reply) -> bool:
    return reply.key is not None or reply.replaces is not None or any(
        isinstance(b, Choices | Form | Table) for b in reply.blocks
    )


def text_activity(text: str) -> Activity:
    return {"type": "message", "textFormat": "plain", "text": text}


def card_activity(body: list[Element]) -> Activity:
    return _carrying(card(body))


def _carrying(built: Card) -> Activity:
    return {"type": "message", "attachments": [{"contentType": CONTENT_TYPE, "content": built}]}


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Parts of at most `limit` UTF-8 bytes, cut between lines where possible."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.split("\n"):
        while len(line.encode("utf-8")) > limit:  # one enormous line: cut it between characters
            head = line.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
            if current:
                parts.append("\n".join(current))
                current, used = [], 0
            parts.append(head)
            line = line[len(head):]
        cost = len(line.encode("utf-8")) + 1
        if current and used + cost > limit:
            parts.append("\n".join(current))
            current, used = [], 0
        current.append(line)
        used += cost
    if current:
        parts.append("\n".join(current))
    return [p for p in parts if p.strip()] or [text[:1] or " "]


def _split_table(element: Element, limit: int) -> list[Element]:
    """A Table element too big for one message, as several with the header row repeated."""
    header, *rows = element["rows"]
    tables: list[Element] = []
    chunk: list[Element] = []
    base = size({**element, "rows": [header]})
    used = base
    for row in rows:
        cost = size(row) + 1
        if chunk and used + cost > limit:
            tables.append({**element, "rows": [header, *chunk]})
            chunk, used = [], base
        chunk.append(row)
        used += cost
    tables.append({**element, "rows": [header, *chunk]})
    return tables


def split_elements(body: list[Element], limit: int = LIMIT) -> list[list[Element]]:
    """The card body as several bodies, each under `limit` bytes."""
    pieces: list[Element] = []
    for element in body:
        if element.get("type") == "Table" and size(element) > limit:
            pieces.extend(_split_table(element, limit))
        else:
            pieces.append(element)
    cards: list[list[Element]] = []
    current: list[Element] = []
    used = size(card([]))
    for element in pieces:
        cost = size(element) + 1
        if current and used + cost > limit:
            cards.append(current)
            current, used = [], size(card([]))
        current.append(element)
        used += cost
    if current:
        cards.append(current)
    return cards or [[]]


def activities(reply: Reply, syntax: CommandSyntax = TEAMS, *, limit: int = LIMIT) -> list[Activity]:
    """The messages that show `reply` in Teams, in order. Files are not here:
    the adapter hands them over (file consent) and drops the block."""
    reply = expand_reply(reply, syntax)
    blocks = [b for b in reply.blocks if not isinstance(b, File)]
    if not blocks:
        return []
    shown = Reply(blocks, key=reply.key, replaces=reply.replaces, direct=reply.direct)
    if not wants_card(shown):
        return [text_activity(part) for part in split_text(render(shown, syntax), limit)]
    body = [e for block in blocks for e in elements(block)]
    whole = card(body)
    if len(whole.json()) <= limit:  # escaped to ASCII, never shorter than the UTF-8 Teams counts; written once, sent as is
        return [_carrying(whole)]
    return [card_activity(part) for part in split_elements(body, limit)]


def files(reply: Reply) -> list[File]:
    return [b for b in reply.blocks if isinstance(b, File)]
