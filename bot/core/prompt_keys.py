"""Keys of the messages the core edits in place after the fact.

A scheduled prompt or chaser about an item's update for a period is keyed by
(item, period), whichever process sent it and to whom, so whoever saves that
update (the lead, a deputy, a coordinator on their behalf) marks every copy done.
"""

from __future__ import annotations

import datetime as dt

from bot.core.replies import Heading, Paragraph, Reply
from storage.models import Rag


def prompt_key(item_number: int, period_key: str) -> str:
    return f"prompt:{item_number}:{period_key}"


def prompt_done(
    *,
    item_number: int,
    title: str,
    period_label: str,
    rag: Rag,
    version: int,
    saved_at: dt.datetime,
    author: str,
    lead: str | None,
) -> Reply:
    """What a prompt becomes once its update is saved: no buttons left to press."""
    by = author if lead is None else f"{author}, on behalf of {lead}"
    when = f"{saved_at.day} {saved_at:%b %Y %H:%M}"
    return Reply(
        [
            Heading(f"Item {item_number}: {title}"),
            Paragraph(
                f"Done: version {version} of the {period_label} update saved {when} by {by}. "
                f"Status: {rag.colour} ({rag.label.lower()})."
            ),
        ]
    )
