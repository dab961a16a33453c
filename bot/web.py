"""The one web process: an aiohttp application that every chat platform mounts
its webhook on (`POST /slack/events`, `POST /api/messages`), beside `GET /healthz`.

Each adapter provides a `Mount`: a function that adds its routes (and its
start-up and clean-up hooks) to the application. `planbot serve` builds the
core once and hands it to every configured platform's mount, so Slack and
Teams share one process, one database pool and one thread pool for the core.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.core.async_boundary import AsyncPlanbot

logger = logging.getLogger(__name__)

Mount = Callable[[web.Application], None]

MAX_BODY = 1024 * 1024
"""Slack and Teams payloads are a few KB; anything over 1 MiB is refused with 413 before parsing."""

CORE = web.AppKey("core", AsyncPlanbot)
PLATFORMS = web.AppKey("platforms", list)


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers, 503 when it does not: what a load balancer needs."""
    core = request.app[CORE]
    platforms = request.app[PLATFORMS]

    def ping(engine: Engine) -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await core.call(ping, core.bot.engine)
    except Exception as exc:  # noqa: BLE001  (any database failure is "not healthy")
        logger.warning("health check: the database does not answer: %s", exc.__class__.__name__)
        return web.json_response({"status": "database unavailable", "platforms": platforms}, status=503)
    return web.json_response({"status": "ok", "platforms": platforms})


def build_app(core: AsyncPlanbot, mounts: Sequence[tuple[str, Mount]]) -> web.Application:
    """The application with `/healthz` and every platform's routes; `mounts` pairs a
    platform name with its mount. The core's thread pool closes with the application."""
    app = web.Application(client_max_size=MAX_BODY)
    app[CORE] = core
    app[PLATFORMS] = [name for name, _ in mounts]
    app.router.add_get("/healthz", healthz)
    for _, mount in mounts:
        mount(app)

    async def close_core(app: web.Application) -> None:
        core.close()

    app.on_cleanup.append(close_core)
    return app
