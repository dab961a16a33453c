"""`POST /slack/events` for `planbot serve`: the guard, then bolt's aiohttp adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.slack.guard import guarded

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.async_boundary import AsyncPlanbot
    from bot.slack.runtime import SlackRuntime
    from bot.web import Mount

PATH = "/slack/events"
RUNTIME = web.AppKey("slack_runtime", object)


def slack_mount(settings: Settings, core: AsyncPlanbot) -> Mount:
    """The mount; raises ValueError (which `planbot serve` prints) without the signing secret."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

    from bot.slack.app import build_bolt

    bolt, runtime = build_bolt(settings, core)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""

    async def events(request: web.Request) -> web.StreamResponse:
        answer = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(answer)

    def mount(app: web.Application) -> None:
        app[RUNTIME] = runtime
        app.router.add_post(PATH, guarded(events, secret))

        async def finish(app: web.Application) -> None:
            await runtime.settle()

        app.on_shutdown.append(finish)

    return mount


def slack_runtime(app: web.Application) -> SlackRuntime:
    """The Slack runtime mounted on `app` (tests wait on its work after acknowledgements)."""
    return app[RUNTIME]  # type: ignore[return-value]
