"""The assembly: the core with every command registered, and the ports it sends through.

The core registers its own commands. `/plan-schedule` (schedules) and
`/plan-status export` (the return) live in the layers above it, so they are
registered here, by importing them; every process that builds a Planbot
imports this module. The chat port is the routing port over a port per
configured chat platform, falling back to the terminal inbox.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.core.ports import ChatPort
from bot.returns import chat as _export_command  # noqa: F401  (registers /plan-status export)
from schedules import schedule_command as _schedule_command  # noqa: F401  (registers /plan-schedule)
from bot.shell.inbox_port import InboxPort
from schedules.routing import RoutingPort

logger = logging.getLogger(__name__)


def chat_port(settings: Settings, engine: Engine, *, ports: Mapping[str, ChatPort] | None = None) -> RoutingPort:
    """The router over `ports` (platform name -> its port), which the Slack and
    Teams adapters provide; with none, everything goes to the terminal inbox.

    A configured token without its port must not make the clock pretend it can
    reach the platform: it is logged, and messages go to the inbox.
    """
    ports = dict(ports or {})
    missing = [
        name
        for name, configured in (("slack", settings.slack_bot_token), ("teams", settings.teams_app_id))
        if configured and name not in ports
    ]
    if missing:
        logger.warning(
            "%s configured but its sending port is not available yet; sending to the terminal inbox", " and ".join(missing)
        )
    return RoutingPort(engine, ports, InboxPort(engine))
