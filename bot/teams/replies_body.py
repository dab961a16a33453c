"""The HTTP answer to an `expectReplies` activity, written without walking our cards.

The SDK turns the turn's replies into JSON in two passes over everything, cards
included: pydantic's `model_dump` of the whole `ExpectedReplies`, then `json.dumps`
of the result. A card is most of the bytes (a plan status is ~7 KB), and it is
`Sealed`: built once, never changed, its JSON kept with it. Here each activity is
dumped by the SDK's own serializer with the sealed cards left out, and the cards'
kept JSON goes back in where they were, so the body is the same JSON the SDK
writes (the tests compare them) at a fraction of the cost, and a card kept for a
repeated answer is never serialized again.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from microsoft_agents.activity import Activity

from bot.teams.cards import Sealed


@dataclass(frozen=True)
class RepliesBody:
    """The `ExpectedReplies` body of one turn, as JSON text on demand."""

    activities: list[Activity]

    def text(self) -> str:
        return '{"activities": [' + ", ".join(activity_json(a) for a in self.activities) + "]}"


def activity_json(activity: Activity) -> str:
    """One activity as the SDK writes it (`by_alias`, `exclude_unset`), sealed cards spliced in."""
    sealed = {n: a.content for n, a in enumerate(activity.attachments or []) if isinstance(a.content, Sealed)}
    if not sealed:
        return json.dumps(activity.model_dump(mode="json", by_alias=True, exclude_unset=True))
    dumped = activity.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"attachments": {n: {"content"} for n in sealed}})
    holes: dict[str, str] = {}
    for n, card in sealed.items():
        hole = f"planbot-card-{secrets.token_hex(16)}"  # unguessable: no text from a person can be taken for it
        dumped["attachments"][n]["content"] = hole
        holes[json.dumps(hole)] = card.json()
    text = json.dumps(dumped)
    for hole, card_json in holes.items():
        text = text.replace(hole, card_json, 1)
    return text
