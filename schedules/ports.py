"""Which chat port the clock sends through."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.core.ports import ChatPort
from schedules.inbox_port import InboxPort

logger = logging.getLogger(__name__)


def chat_port(settings: Settings, engine: Engine) -> ChatPort:
    """The terminal inbox until a platform adapter provides its port.

    The Slack and Teams adapters plug in here when they arrive; until then a
    configured token must not make the clock pretend it can reach the platform.
    """
    if settings.slack_bot_token or settings.teams_app_id:
        logger.warning(
            "a chat platform is configured but its sending port is not available yet; sending to the terminal inbox"
        )
    return InboxPort(engine)
