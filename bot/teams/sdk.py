"""The SDK objects one process needs: the connection manager (MSAL, from
Teams' credentials), the connector factory and the CloudAdapter."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import RestChannelServiceClientFactory
from microsoft_agents.hosting.core.authorization import Connections

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
        factory = RestChannelServiceClientFactory(manager)
        return cls(setup, factory, Connector(setup, factory, backoff=backoff))

    def adapter(self) -> CloudAdapter:
        """The SDK's adapter, validating every inbound activity's service URL."""
        return CloudAdapter(channel_service_client_factory=self.factory, host_validator=self.setup.service_urls)
