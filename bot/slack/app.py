"""The bolt application: slack-bolt's AsyncApp with Planbot's listeners.

`process_before_response=True`: bolt sends its HTTP answer when a listener
returns, not when it calls `ack()`, so a listener decides what the answer holds
(a `/plan-status` in the acknowledgement itself, a form's field errors) and
starts anything slower itself, after the acknowledgement (`SlackRuntime.later`).
The same app serves HTTP (`planbot serve`) and Socket Mode (`planbot socket`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.slack import listeners
from bot.slack.runtime import SlackRuntime

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.config import Settings
    from bot.core.async_boundary import AsyncPlanbot

logger = logging.getLogger(__name__)


def check_settings(settings: Settings, *, socket_mode: bool = False) -> None:
    """ValueError naming the missing secret; run before anything starts, so a refusal is immediate."""
    if settings.slack_bot_token is None or not settings.slack_bot_token.get_secret_value():
        raise ValueError("SLACK_BOT_TOKEN is not set: Slack cannot be served without the bot's token")
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    if not socket_mode and not secret:
        raise ValueError(
            "SLACK_SIGNING_SECRET is not set: without it anyone could send requests as Slack. "
            "Copy it from your app's Basic Information page (see the README), or use `planbot socket`."
        )


def build_bolt(settings: Settings, core: AsyncPlanbot, *, socket_mode: bool = False) -> tuple[AsyncApp, SlackRuntime]:
    """The AsyncApp and the runtime its listeners share. Over HTTP the signing secret is required."""
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    check_settings(settings, socket_mode=socket_mode)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    client = AsyncWebClient(token=token, base_url=_with_slash(settings.slack_api_url), timeout=10)
    app = AsyncApp(
        client=client,  # bolt takes the bot token from it
        signing_secret=secret or None,
        request_verification_enabled=not socket_mode,
        process_before_response=True,
        logger=logging.getLogger("bot.slack.bolt"),
    )
    runtime = SlackRuntime(core, client)
    listeners.register(app, runtime)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        logger.error("a Slack listener failed on a %s: %s", body.get("type", "request"), error.__class__.__name__, exc_info=error)

    return app, runtime


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
