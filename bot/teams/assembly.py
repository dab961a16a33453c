"""Teams' sending port for the assembly (`bot.app.platform_ports`)."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.teams.port import TeamsPort
from bot.teams.sdk import Sdk
from bot.teams.setup import TeamsConfigError, TeamsSetup

logger = logging.getLogger(__name__)


def teams_port(settings: Settings, engine: Engine) -> TeamsPort | None:
    """The port, or None (logged, naming the setting) when Teams' settings are incomplete:
    then scheduled messages wait in the terminal inbox, and `planbot serve` refuses to start."""
    try:
        setup = TeamsSetup.from_settings(settings, warn=False)
    except TeamsConfigError as exc:
        logger.error("Teams is not usable: %s", exc)
        return None
    return TeamsPort(Sdk.build(setup), engine)
