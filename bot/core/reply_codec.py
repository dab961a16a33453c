"""Replies as JSON, so the terminal inbox can keep what the clock sent.

Each block is stored as its class name plus its fields; decoding validates the
fields against the block's own annotations (pydantic), so a stored reply comes
back as the same dataclasses, tuples and all. The plain-text rendering is kept
beside it: a message stored by an older version that no longer decodes is still
shown as text rather than lost.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from bot.core import replies
from bot.core.replies import Block, Paragraph, Reply

BLOCK_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        replies.Heading,
        replies.Paragraph,
        replies.Fields,
        replies.Bullets,
        replies.Choices,
        replies.Table,
        replies.Form,
        replies.File,
    )
}
VERSION = 1


@cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    return TypeAdapter(cls)


def encode_block(block: Block) -> dict[str, Any]:
    return {"type": type(block).__name__, **dataclasses.asdict(block)}


def decode_block(data: dict[str, Any]) -> Block:
    fields = dict(data)
    name = fields.pop("type", None)
    cls = BLOCK_TYPES.get(str(name))
    if cls is None:
        raise ValueError(f"unknown block type {name!r}")
    return _adapter(cls).validate_python(fields)


def encode(reply: Reply) -> dict[str, Any]:
    return {
        "v": VERSION,
        "blocks": [encode_block(b) for b in reply.blocks],
        "key": reply.key,
        "replaces": reply.replaces,
        "direct": reply.direct,
        "text": reply.text,
    }


def decode(data: dict[str, Any]) -> Reply:
    """The stored reply; its plain text as one paragraph if it no longer decodes."""
    direct = bool(data.get("direct", False))
    try:
        blocks = [decode_block(b) for b in data["blocks"]]
    except (KeyError, TypeError, ValueError, ValidationError):
        blocks = [Paragraph(str(data.get("text", "")))]
    return Reply(blocks, key=data.get("key"), replaces=data.get("replaces"), direct=direct)
