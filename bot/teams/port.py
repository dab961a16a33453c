"""`TeamsPort`: how the clock (and an update saved from any process) reaches people in Teams.

A send continues the person's stored personal conversation (its reference was
stored on install or when they first wrote); with none stored yet it creates
the 1:1 conversation (tenant id, their Teams id, Teams' public service URL) and
stores its reference, so the next prompt continues it. `update` replaces a
sent card in place. The port is synchronous, as the core's ports are: each
call runs its HTTP on a short-lived event loop in the calling thread (the
clock's, or a core worker's in the web process; never the web loop itself).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core import identity
from bot.core.clock import SystemClock
from bot.core.ports import OutcomeUnknown, PlatformAddress, Recipient, RecipientGone, SendFailed, SentMessage
from bot.core.replies import Reply
from bot.teams import outgoing
from bot.teams.sdk import Sdk
from storage.chat_references import chat_reference, thread_root
from storage.db import read_scope, session_scope
from storage.models import Address

logger = logging.getLogger(__name__)

T = TypeVar("T")
PLATFORM = "teams"


def reference_for(*, service_url: str, conversation_id: str, user_id: str, tenant_id: str | None, bot_id: str) -> dict[str, Any]:
    """A conversation reference as the SDK stores one, for a conversation the bot created."""
    ref: dict[str, Any] = {
        "channelId": "msteams",
        "serviceUrl": service_url,
        "conversation": {"id": conversation_id, "conversationType": "personal"},
        "user": {"id": user_id},
        "bot": {"id": bot_id},
    }
    if tenant_id:
        ref["conversation"]["tenantId"] = tenant_id
    return ref


class TeamsPort:
    platform = PLATFORM

    def __init__(self, sdk: Sdk, engine: Engine) -> None:
        self.sdk = sdk
        self.engine = engine
        self._service_urls: dict[str, str] = {}

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coro)
        coro.close()
        raise RuntimeError("TeamsPort is synchronous: call it from a worker thread, never from the event loop")

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        address = recipient.address
        if address is None or address.platform != PLATFORM:
            if not recipient.teams:
                raise RecipientGone(f"{recipient.name} has no Teams id")
            address = PlatformAddress(PLATFORM, recipient.teams)
        if recipient.unsure_since is not None:
            raise OutcomeUnknown("the clock that claimed it stopped mid-send, and Teams cannot be asked whether it arrived")
        return self._run(self._send(address, reply))

    async def _send(self, address: PlatformAddress, reply: Reply) -> SentMessage:
        service_url, conversation_id = await self.personal_chat(address)
        return await self.post(service_url, conversation_id, reply)

    def send_to_place(self, place: str, reply: Reply, key: str | None = None, unsure_since: dt.datetime | None = None) -> SentMessage:
        """Continue a group conversation (the coordinators' channel or chat) whose reference was
        stored when the app was installed there or mentioned there; none stored: `RecipientGone`."""
        if unsure_since is not None:
            raise OutcomeUnknown("the clock that claimed this post stopped mid-send, and Teams cannot be asked whether it arrived")
        with read_scope(self.engine) as session:
            ref = chat_reference(session, platform=PLATFORM, conversation_id=place)
        service_url = (ref or {}).get("serviceUrl")
        if not service_url:
            raise RecipientGone("Planbot has not been added to that chat yet (no conversation reference is stored)")
        return self._run(self.post(service_url, thread_root(place), reply))

    async def post(self, service_url: str, conversation_id: str, reply: Reply) -> SentMessage:
        """Post a reply's messages to one conversation; the handle of the first (the card a key names)."""
        ids = [await self.sdk.connector.send(service_url, conversation_id, a) for a in outgoing.activities(reply)]
        self._service_urls[conversation_id] = service_url
        return SentMessage(PLATFORM, conversation_id, ids[0] if ids else "")

    async def personal_chat(self, address: PlatformAddress) -> tuple[str, str]:
        """(service URL, conversation id) of the person's personal chat, created if none is stored."""
        ref = address.reference or {}
        conversation = (ref.get("conversation") or {}).get("id")
        service_url = ref.get("serviceUrl")
        if conversation and service_url:
            return service_url, conversation
        setup = self.sdk.setup
        tenant = address.team_id or setup.tenant_id
        service_url = setup.public_service_url
        conversation = await self.sdk.connector.create_personal(service_url, tenant_id=tenant, user_id=address.user_id)
        reference = reference_for(
            service_url=service_url,
            conversation_id=conversation,
            user_id=address.user_id,
            tenant_id=tenant,
            bot_id=f"28:{setup.app_id}" if setup.app_id else "28:planbot",
        )
        await asyncio.to_thread(self._store, address, conversation, reference)
        return service_url, conversation

    def _store(self, address: PlatformAddress, conversation: str, reference: dict[str, Any]) -> None:
        with session_scope(self.engine) as session:
            identity.note_address(
                session,
                platform=PLATFORM,
                user_id=address.user_id,
                channel=conversation,
                team_id=address.team_id,
                reference=reference,
                source="install",
                at=SystemClock().now(),
            )

    def update(self, sent: SentMessage, reply: Reply) -> None:
        if not sent.message_id:
            raise SendFailed("that Teams message has no id to update", retryable=False)
        self._run(self.replace(sent, reply))

    async def replace(self, sent: SentMessage, reply: Reply) -> None:
        parts = outgoing.activities(Reply(reply.blocks, key=reply.key or "update"))
        if not parts:
            return
        service_url = self._service_urls.get(sent.channel) or await asyncio.to_thread(self._service_url_of, sent.channel)
        await self.sdk.connector.update(service_url, sent.channel, sent.message_id, parts[0])

    def _service_url_of(self, conversation_id: str) -> str:
        """Where a conversation lives: from the stored reference of that chat, else Teams' public URL."""
        with read_scope(self.engine) as session:
            row = session.exec(select(Address).where(Address.platform == PLATFORM, Address.channel == conversation_id)).first()
            url = (row.reference or {}).get("serviceUrl") if row is not None else None
        return url or self.sdk.setup.public_service_url
