"""The key under which a delivery is recorded, so a platform's retry or replay of one
event changes nothing twice.

A platform's own id is unique only where the platform says so: a Teams activity id
only within its conversation. So the core scopes the id an adapter gives (`teams:<id>`,
`slack-event:<id>`) by platform, team, conversation and sender: two people's messages
that happen to share an id in different chats are two deliveries. A retry always
comes from the same person in the same place, so it still shares the key. Keys
stored before scoping were the adapter's id alone; they are still looked for, so a
retry that straddles an upgrade is still dropped.
"""

from __future__ import annotations

import hashlib

from bot.core.events import Sender

MAX_KEY = 200
"""The stored key's column width."""


def scoped(delivery_id: str, sender: Sender) -> str:
    """`delivery_id` within the place and person it came from."""
    place = "\x1f".join((sender.platform, sender.team_id or "", sender.channel, sender.user_id))
    key = f"{hashlib.sha256(place.encode()).hexdigest()[:24]}/{delivery_id}"
    if len(key) > MAX_KEY:
        key = f"{key[:24]}/#{hashlib.sha256(delivery_id.encode()).hexdigest()}"
    return key
