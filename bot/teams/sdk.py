"""The SDK objects one process needs: the connection manager (MSAL, from
Teams' credentials), the connector factory and the CloudAdapter."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, NoReturn

from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ClaimsIdentity, RestChannelServiceClientFactory, TurnContext, UserTokenClientBase
from microsoft_agents.hosting.core.authorization import Connections


class NoUserSignIn(UserTokenClientBase):
    """What a turn gets for signing users in to other services: nothing, as Planbot
    has no OAuth connections. Any use says so plainly instead of failing later."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("Planbot signs no user in to other services (it has no OAuth connections)")

    agent_sign_in = user_token = property(_refuse)  # type: ignore[assignment]
    get_user_token = get_sign_in_resource = sign_out_user = get_token_status = _refuse  # type: ignore[assignment]
    get_aad_tokens = exchange_token = get_token_or_sign_in_resource = _refuse  # type: ignore[assignment]

    async def close(self) -> None:
        return None


NO_USER_SIGN_IN = NoUserSignIn()


class ClientFactory(RestChannelServiceClientFactory):
    """The SDK's factory without the user-token client it makes for every inbound
    activity (an HTTP session, its version read from package metadata and, with
    credentials, an Entra token) only to close it unused at the end of the turn:
    Planbot signs no one in. Connector clients, for replies and sends, are the SDK's."""

    async def create_user_token_client(
        self, context: TurnContext, claims_identity: ClaimsIdentity, use_anonymous: bool = False
    ) -> UserTokenClientBase:
        return NO_USER_SIGN_IN

from bot.teams.connector import Connector
from bot.teams.setup import TeamsSetup


@dataclass
class Sdk:
    setup: TeamsSetup
    factory: RestChannelServiceClientFactory
    connector: Connector

    @classmethod
    def build(cls, setup: TeamsSetup, *, connections: Connections | None = None, backoff: float = 1.0) -> Sdk:
        """`connections` replaces the MSAL token provider (tests reach no Entra)."""
        if setup.anonymous:  # without an app id the SDK warns on every turn; that is what anonymous mode is
            logging.getLogger("microsoft_agents.hosting.core.connector.client.user_token_client").setLevel(logging.ERROR)
        manager = connections or MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": setup.auth})
        factory = ClientFactory(manager)
        return cls(setup, factory, Connector(setup, factory, backoff=backoff))

    def adapter(self) -> CloudAdapter:
        """The SDK's adapter, validating every inbound activity's service URL."""
        return CloudAdapter(channel_service_client_factory=self.factory, host_validator=self.setup.service_urls)
