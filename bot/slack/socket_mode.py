"""Socket Mode: the same bolt app over a WebSocket Slack opens for us, for
deployments where no public URL is allowed. Needs the app-level token
(SLACK_APP_TOKEN, `xapp-...`, with `connections:write`); no signing secret,
since nothing arrives over HTTP."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.async_boundary import AsyncPlanbot

logger = logging.getLogger(__name__)


async def run_socket_mode(settings: Settings, core: AsyncPlanbot, *, stop: asyncio.Event | None = None) -> None:
    """Connect and serve until `stop` is set (or SIGINT/SIGTERM)."""
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    from bot.slack.app import build_bolt

    if settings.slack_app_token is None or not settings.slack_app_token.get_secret_value():
        raise ValueError("SLACK_APP_TOKEN is not set: Socket Mode needs the app-level token (xapp-...) with connections:write")
    bolt, runtime = build_bolt(settings, core, socket_mode=True)
    handler = AsyncSocketModeHandler(bolt, settings.slack_app_token.get_secret_value())
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass
    await handler.connect_async()
    try:
        await stop.wait()
    finally:
        await handler.close_async()
        await runtime.settle()
