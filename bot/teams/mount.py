"""Teams' route on the web process: `POST /api/messages`, guarded by the SDK's
JWT validation (the Bot Framework's signed tokens, checked against the app id),
unless `PLANBOT_TEAMS_ANONYMOUS=true`. `/healthz` is not guarded."""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING

from aiohttp import web
from pydantic import ValidationError

from bot.config import Settings
from bot.core.async_boundary import AsyncPlanbot
from bot.teams.agent import PlanbotAgent
from bot.teams.port import TeamsPort
from bot.teams.sdk import Sdk
from bot.teams.setup import TeamsSetup

if TYPE_CHECKING:
    from bot.web import Mount

logger = logging.getLogger(__name__)

ROUTE = "/api/messages"
AUTHORISED = web.RequestKey("planbot_token_checked", bool)
"""Set on a request once the SDK's token check has let it through to the agent."""


def teams_mount(settings: Settings, core: AsyncPlanbot) -> Mount:
    """The mount for `planbot serve`; raises TeamsConfigError (a ValueError) for bad settings."""
    sdk = Sdk.build(TeamsSetup.from_settings(settings))
    return mount_with(sdk, core)


def mount_with(sdk: Sdk, core: AsyncPlanbot) -> Mount:
    """The mount over a built SDK (tests give it a token provider that asks no Entra)."""
    from microsoft_agents.hosting.aiohttp import jwt_authorization_decorator

    adapter = sdk.adapter()
    agent = PlanbotAgent(core, sdk, TeamsPort(sdk, core.bot.engine))
    adapter.on_turn_error = agent.on_error

    async def messages(request: web.Request) -> web.StreamResponse:
        request[AUTHORISED] = True
        try:
            response = await adapter.process(request, agent)
        except ValidationError:
            return web.json_response({"error": "not a Bot Framework activity"}, status=400)
        return response or web.Response(status=202)

    checked = jwt_authorization_decorator(messages)

    async def guarded(request: web.Request) -> web.StreamResponse:
        """The SDK's token check, with a token it cannot even read (no `kid`, `alg` none, HS256)
        answered 401 as any other bad token, instead of a 500 and a traceback."""
        try:
            return await checked(request)
        except Exception as exc:
            if request.get(AUTHORISED):
                raise  # the agent's own failure, past the check: the SDK's handler logs it
            logger.warning("refused a Teams request whose token could not be read (%s)", type(exc).__name__)
            return web.json_response({"error": "Invalid token or authentication failed."}, status=401)

    def mount(app: web.Application) -> None:
        with warnings.catch_warnings():  # the SDK's JWT check reads its configuration under this string key
            warnings.simplefilter("ignore")
            app["agent_configuration"] = sdk.setup.auth
        app.router.add_post(ROUTE, guarded)

    return mount
