"""The SDK objects one process needs: the connection manager (MSAL, from
Teams' credentials), the connector factory and the CloudAdapter."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, NoReturn

from aiohttp import web
from microsoft_agents.activity import DeliveryModes, InvokeResponse
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ClaimsIdentity, RestChannelServiceClientFactory, TurnContext, UserTokenClientBase
from microsoft_agents.hosting.core.authorization import Connections
from microsoft_agents.hosting.core.http import HttpResponse
from microsoft_agents.hosting.core.telemetry.adapter import spans

from bot.teams.connector import Connector
from bot.teams.replies_body import RepliesBody
from bot.teams.setup import TeamsSetup


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


class Adapter(CloudAdapter):
    """The SDK's aiohttp adapter, answering `expectReplies` with `RepliesBody`: the same
    JSON, written without walking every card twice (see `bot.teams.replies_body`)."""

    def _process_turn_results(self, context: TurnContext) -> InvokeResponse | None:
        if context.activity.delivery_mode == DeliveryModes.expect_replies:
            with spans.AdapterSendActivities([context.activity]):
                return InvokeResponse(status=HTTPStatus.OK, body=RepliesBody(list(context.buffered_reply_activities)))
        return super()._process_turn_results(context)

    @staticmethod
    def _to_aiohttp_response(http_response: HttpResponse) -> web.Response:
        if isinstance(http_response.body, RepliesBody):
            return web.Response(
                text=http_response.body.text(),
                status=http_response.status_code,
                headers=http_response.headers,
                content_type="application/json",
            )
        return CloudAdapter._to_aiohttp_response(http_response)


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

    def adapter(self) -> Adapter:
        """The SDK's adapter, validating every inbound activity's service URL."""
        return Adapter(channel_service_client_factory=self.factory, host_validator=self.setup.service_urls)
