"""The assembly: the core with every command registered, and the ports it sends through.

The core registers its own commands. `/plan-schedule` (schedules) and
`/plan-status export` (the return) live in the layers above it, so they are
registered here, by importing them; every process that builds a Planbot
imports this module. The chat port is the routing port over a port per
configured chat platform, falling back to the terminal inbox.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.planbot import Planbot
from bot.core.ports import ChatPort
from bot.returns import chat as _export_command  # noqa: F401  (registers /plan-status export)
from schedules import schedule_command as _schedule_command  # noqa: F401  (registers /plan-schedule)
from bot.shell.inbox_port import InboxPort
from schedules.routing import RoutingPort

if TYPE_CHECKING:
    from bot.core.async_boundary import AsyncPlanbot
    from bot.web import Mount

logger = logging.getLogger(__name__)


def platform_ports(settings: Settings, engine: Engine) -> dict[str, ChatPort]:
    """A sending port for each configured chat platform (Slack's Web API, Teams'
    Bot Connector): what the clock, `run-job` and the web process send through."""
    ports: dict[str, ChatPort] = {}
    if settings.slack_configured and settings.slack_bot_token is not None:
        from bot.slack.port import Pacer, SlackPort

        ports["slack"] = SlackPort(
            engine,
            token=settings.slack_bot_token.get_secret_value(),
            base_url=settings.slack_api_url,
            pacer=Pacer(per_channel=1.0, per_minute=settings.slack_posts_per_minute),
        )
    if settings.teams_configured:
        from bot.teams.assembly import teams_port

        port = teams_port(settings, engine)
        if port is not None:
            ports["teams"] = port
    return ports


def check_platform_settings(settings: Settings) -> None:
    """Each configured platform's settings for `planbot serve`, checked before anything
    starts (no database, no lookups): ValueError naming what is missing or contradictory."""
    if settings.slack_configured:
        from bot.slack.app import check_settings

        check_settings(settings)
    if settings.teams_configured:
        from bot.teams.setup import TeamsSetup

        TeamsSetup.from_settings(settings, warn=False)


def platform_mounts(settings: Settings, core: AsyncPlanbot) -> list[tuple[str, Mount]]:
    """The webhook routes of each configured chat platform, for `planbot serve`."""
    mounts: list[tuple[str, Mount]] = []
    if settings.slack_configured:
        from bot.slack.web import slack_mount

        mounts.append(("slack", slack_mount(settings, core)))
    if settings.teams_configured:
        from bot.teams.mount import teams_mount

        mounts.append(("teams", teams_mount(settings, core)))
    return mounts


def build_core(settings: Settings, engine: Engine, *, clock: Clock | None = None) -> Planbot:
    """The core as every long-running process builds it: commands registered, and
    the routing port over every configured platform for its proactive sends."""
    port = chat_port(settings, engine)
    return Planbot(
        engine,
        clock,
        exports_dir=settings.planbot_exports_dir,
        platforms=port.platforms,
        port=port,
        conversation_idle=dt.timedelta(hours=settings.planbot_conversation_idle_hours),
    )


def chat_port(settings: Settings, engine: Engine, *, ports: Mapping[str, ChatPort] | None = None) -> RoutingPort:
    """The router over `ports` (platform name -> its port; by default every
    configured platform's, from `platform_ports`); with none, everything goes to
    the terminal inbox.

    A configured token without its port must not make the clock pretend it can
    reach the platform: it is logged, and messages go to the inbox.
    """
    ports = dict(platform_ports(settings, engine) if ports is None else ports)
    for port in ports.values():
        prepare = getattr(port, "prepare", None)
        if prepare is not None:
            prepare()  # e.g. Slack: learn the ids of plan people known only by email
    missing = [
        name
        for name, configured in (("slack", settings.slack_bot_token), ("teams", settings.teams_configured))
        if configured and name not in ports
    ]
    if missing:
        logger.warning(
            "%s configured but its sending port is not available yet; sending to the terminal inbox", " and ".join(missing)
        )
    return RoutingPort(engine, ports, InboxPort(engine))
