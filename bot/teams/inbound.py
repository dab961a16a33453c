"""What a Teams activity says, read without side effects: who sent it, where
(personal chat, group chat, channel), the words without the bot's @mention, and
the card action it carries. The agent turns these into core events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import Activity


PERSONAL = "personal"
_AT_TAG = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)


def conversation_type(activity: Activity) -> str:
    return (activity.conversation.conversation_type if activity.conversation else None) or PERSONAL


def is_personal(activity: Activity) -> bool:
    return conversation_type(activity) == PERSONAL


def tenant_of(activity: Activity) -> str | None:
    if activity.conversation and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    return tenant.get("id") or None


@dataclass(frozen=True)
class Ids:
    """A Teams user's ids: the Entra object id (what an admin looks up; the same
    for every bot) and the Teams user id (`29:...`, different per bot)."""

    aad: str | None
    teams: str

    @property
    def preferred(self) -> str:
        return self.aad or self.teams

    @property
    def all(self) -> list[str]:
        return [i for i in (self.aad, self.teams) if i]


def ids_of(activity: Activity) -> Ids | None:
    sender = activity.from_property
    if sender is None or not sender.id:
        return None
    return Ids(aad=sender.aad_object_id or None, teams=sender.id)


def words(activity: Activity) -> str:
    """The text typed, without the bot's @mention (groups and channels need one)."""
    text = activity.text or ""
    if not is_personal(activity) and activity.recipient is not None:
        text = activity.remove_recipient_mention() or ""
    return _AT_TAG.sub(" ", text).replace("\xa0", " ").strip()


def edited(activity: Activity) -> bool:
    """A message the sender edited (`messageUpdate` with Teams' `editMessage` event)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    return activity.type == "messageUpdate" and data.get("eventType") == "editMessage"


def replied_to(activity: Activity) -> tuple[str, str] | None:
    """(conversation id, message id) of the message this one replies to, if any."""
    if not activity.reply_to_id or activity.conversation is None:
        return None
    return activity.conversation.id, activity.reply_to_id


@dataclass(frozen=True)
class CardAction:
    verb: str
    data: dict[str, str]


def card_action(activity: Activity) -> CardAction | None:
    """An `Action.Execute` from one of our cards (`adaptiveCard/action` invoke); its data has the inputs merged in."""
    if activity.type != "invoke" or activity.name != "adaptiveCard/action" or not isinstance(activity.value, dict):
        return None
    action = activity.value.get("action")
    if not isinstance(action, dict) or not isinstance(action.get("verb"), str):
        return None
    data = action.get("data") if isinstance(action.get("data"), dict) else {}
    return CardAction(action["verb"], {str(k): v if isinstance(v, str) else str(v) for k, v in data.items() if v is not None})


def reference_json(activity: Activity) -> dict[str, Any]:
    return activity.get_conversation_reference().model_dump(mode="json", by_alias=True, exclude_none=True)


def installed(activity: Activity) -> bool:
    """The app was added to this conversation (installationUpdate add, or the bot among membersAdded)."""
    if activity.type == "installationUpdate":
        return (activity.action or "add").startswith("add")
    if activity.type == "conversationUpdate" and activity.members_added and activity.recipient is not None:
        return any(m.id == activity.recipient.id for m in activity.members_added)
    return False
