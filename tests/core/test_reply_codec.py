"""Replies survive being stored as JSON (the terminal inbox keeps them that way)."""

from __future__ import annotations

import json

from bot.core.replies import (
    Bullets,
    Choice,
    Choices,
    Fields,
    File,
    Form,
    FormField,
    Heading,
    Paragraph,
    Reply,
    Table,
)
from bot.core.reply_codec import decode, encode


def test_every_block_comes_back_as_it_was() -> None:
    reply = Reply(
        [
            Heading("Item 3: Engage stakeholders"),
            Paragraph("Time for the Q3 update — ✅ 中文 עברית"),
            Fields([("Board engagement", "Two sessions held")]),
            Bullets(["Consultation (due Sat 31 Aug 2019): Slipped"]),
            Choices(
                "Ready?",
                [Choice("/plan-update 3 2019-Q3", "Write the update", "primary"), Choice("/snooze 2d", "Later")],
                step="prompt:x",
                free_text=True,
            ),
            Table(["Item", "RAG"], [["3", "Amber"]], title="Q3"),
            Form(
                "Update",
                [FormField("rag", "RAG", "choice", [Choice("green", "Green")], optional=False)],
                step="checkin:form:3:2019-Q3",
                errors={"rag": 'I couldn\'t read "purple" as a RAG status.'},
            ),
            File("exports/q3.docx", "Q3 return"),
        ],
        key="k1",
        replaces="k0",
        direct=True,
    )
    stored = json.loads(json.dumps(encode(reply)))
    assert decode(stored) == reply
    assert stored["text"] == reply.text


def test_a_message_that_no_longer_decodes_is_still_shown_as_text() -> None:
    stored = {
        "v": 1,
        "blocks": [{"type": "Carousel", "cards": []}],
        "text": "Time for the Q3 update",
        "key": None,
        "replaces": None,
    }
    assert decode(stored) == Reply([Paragraph("Time for the Q3 update")])
