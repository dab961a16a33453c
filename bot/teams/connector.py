"""The Bot Connector calls Planbot makes itself (proactive sends, card updates,
1:1 conversations, member profiles), through the SDK's connector client, with
Teams' failures turned into the core's port errors.

- 403 (the app is not installed for that person, normal until an admin
  pre-installs it) and 404 (the conversation is gone): `RecipientGone`, never
  retried; the router records the address as unreachable and coordinators see
  it in /plan-schedule before the next prompt is due.
- 429, 412, 502, 504 (and a dropped connection): retried here with exponential
  backoff, honouring Retry-After; still failing, `SendFailed(retryable=True,
  retry_after=...)` hands the retry to the clock.
- A new message is never sent blind: only what certainly did not arrive is retried
  (a connection refused before the request went out, 429, 412, 502, 504). A 500 or
  503, a timeout or a connection lost once the request was out may have delivered
  it, and Teams cannot be asked: `OutcomeUnknown`, which the clock reports as "may
  not have arrived" and does not resend. Updates and lookups are safe to repeat.
- Any other refusal: `SendFailed(retryable=False)`.

Every URL is checked with `ServiceUrls` first: in production the token goes to
Microsoft's hosts only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters
from microsoft_agents.hosting.core import ClaimsIdentity, ChannelServiceClientFactoryBase
from microsoft_agents.hosting.core.authorization import AuthenticationConstants
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.core.ports import OutcomeUnknown, RecipientGone, SendFailed
from bot.teams.setup import TeamsSetup

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRIED = frozenset({412, 429, 502, 504, 500, 503})
NOT_DELIVERED = frozenset({412, 429, 502, 504})
"""Answers to a new message that mean it certainly did not arrive (so a retry cannot double it)."""
GONE = frozenset({403, 404})
CALL_TIMEOUT = 30.0
MAX_WAIT = 30.0
"""Longest Retry-After honoured inside one send; longer ones go back to the clock."""


class Connector:
    def __init__(
        self,
        setup: TeamsSetup,
        factory: ChannelServiceClientFactoryBase,
        *,
        attempts: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.setup = setup
        self.factory = factory
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep

    def _claims(self) -> ClaimsIdentity:
        if self.setup.anonymous:
            return ClaimsIdentity()
        return ClaimsIdentity(
            {AuthenticationConstants.AUDIENCE_CLAIM: self.setup.app_id, AuthenticationConstants.APP_ID_CLAIM: self.setup.app_id}
        )

    async def _client(self, service_url: str) -> ConnectorClientBase:
        if not self.setup.service_urls.is_allowed(service_url):
            raise SendFailed(f"refused to post to {service_url!r}: not a Microsoft Bot Connector URL", retryable=False)
        claims = self._claims()
        return await self.factory.create_connector_client(
            None, claims, service_url, AuthenticationConstants.AGENTS_SDK_SCOPE, use_anonymous=claims.allow_anonymous
        )

    async def _call(
        self, what: str, service_url: str, op: Callable[[ConnectorClientBase], Awaitable[T]], *, posting: bool = False
    ) -> T:
        """`posting`: a new message, retried only when it certainly did not arrive."""
        wait: float | None = None
        for attempt in range(1, self.attempts + 1):
            client = await self._client(service_url)
            try:
                return await asyncio.wait_for(op(client), CALL_TIMEOUT)
            except aiohttp.ClientResponseError as exc:
                if exc.status in GONE:
                    raise RecipientGone(f"Teams refused {what} ({exc.status}): the app is not installed for them, or the chat is gone") from None
                if exc.status not in RETRIED:
                    raise SendFailed(f"Teams refused {what} ({exc.status})", retryable=False) from None
                if posting and exc.status not in NOT_DELIVERED:
                    raise OutcomeUnknown(f"Teams answered {exc.status} to {what}") from None
                wait = _retry_after(exc.headers)
                reason = f"Teams answered {exc.status} to {what}"
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
                if posting and not isinstance(exc, aiohttp.ClientConnectorError):  # the request was out
                    raise OutcomeUnknown(f"Teams did not answer {what} ({type(exc).__name__})") from None
                wait, reason = None, f"Teams did not answer {what} ({type(exc).__name__})"
            finally:
                await client.close()
            if attempt == self.attempts or (wait is not None and wait > MAX_WAIT):
                raise SendFailed(reason, retryable=True, retry_after=wait)
            delay = wait if wait is not None else self.backoff * 2 ** (attempt - 1)
            logger.info("%s; trying again in %.1f s (attempt %d of %d)", reason, delay, attempt + 1, self.attempts)
            await self.sleep(delay)
        raise AssertionError("unreachable")

    async def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        """Post a message to a conversation; its activity id (for later updates)."""
        body = Activity.model_validate(activity)

        async def op(client: ConnectorClientBase) -> str:
            return (await client.conversations.send_to_conversation(conversation_id, body)).id or ""

        return await self._call("a message", service_url, op, posting=True)

    async def update(self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]) -> None:
        body = Activity.model_validate({**activity, "id": activity_id})

        async def op(client: ConnectorClientBase) -> None:
            await client.conversations.update_activity(conversation_id, activity_id, body)

        await self._call("a message update", service_url, op)

    async def create_personal(self, service_url: str, *, tenant_id: str | None, user_id: str) -> str:
        """The 1:1 conversation between the bot and a user (Teams returns the existing one if any)."""
        if not tenant_id:
            raise SendFailed("no tenant id to create a Teams chat in: set TEAMS_TENANT_ID", retryable=False)
        params = ConversationParameters(
            is_group=False,
            agent=ChannelAccount(id=f"28:{self.setup.app_id}" if self.setup.app_id else "28:planbot"),
            members=[ChannelAccount(id=user_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
        )

        async def op(client: ConnectorClientBase) -> str:
            return (await client.conversations.create_conversation(params)).id

        return await self._call("a new chat", service_url, op)

    async def member(self, service_url: str, conversation_id: str, member_id: str) -> dict[str, Any]:
        """A member's profile (email, user principal name) as Teams gives it."""

        async def op(client: ConnectorClientBase) -> dict[str, Any]:
            account = await client.conversations.get_conversation_member(conversation_id, member_id)
            return account.model_dump(mode="json", by_alias=True, exclude_none=True)

        return await self._call("a member's profile", service_url, op)


def _retry_after(headers: Any) -> float | None:
    try:
        value = (headers or {}).get("Retry-After")
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None
