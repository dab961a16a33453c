"""One conversation suite for every adapter: `driver` is parametrised over the
adapters' drivers (the terminal's and Teams'; Slack adds its own to DRIVERS),
each on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import Clock, FixedClock
from tests.conversations.driver import Driver
from tests.conversations.teams import TeamsDriver
from tests.conversations.terminal import TerminalDriver
from tests.schedules.conftest import london

DRIVERS: dict[str, Callable[[Engine, Clock, Path], Driver]] = {"terminal": TerminalDriver, "teams": TeamsDriver}


@pytest.fixture(params=sorted(DRIVERS))
def driver(request: pytest.FixtureRequest, plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> Iterator[Driver]:
    clock.at = london(2019, 12, 16, 9)  # the Q3 prompts fall due
    made = DRIVERS[request.param](plan_engine, clock, tmp_path / "exports")
    yield made
    made.close()  # type: ignore[attr-defined]
