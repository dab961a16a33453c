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
        try:
            response = await adapter.process(request, agent)
        except ValidationError:
            return web.json_response({"error": "not a Bot Framework activity"}, status=400)
        return response or web.Response(status=202)

    guarded = jwt_authorization_decorator(messages)

    def mount(app: web.Application) -> None:
        with warnings.catch_warnings():  # the SDK's JWT check reads its configuration under this string key
            warnings.simplefilter("ignore")
            app["agent_configuration"] = sdk.setup.auth
        app.router.add_post(ROUTE, guarded)

    return mount
