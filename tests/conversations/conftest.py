"""One conversation suite for every adapter: `driver` is parametrised over the
adapters' drivers (the terminal's, Slack's and Teams'),
each on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from tests.conversations.driver import Driver
from tests.conversations.slack import SlackDriver
from tests.conversations.teams import TeamsDriver
from tests.conversations.terminal import TerminalDriver
from tests.schedules.conftest import london
from tests.slack_fake.fixtures import fake_slack, fake_slack_server  # noqa: F401

DRIVERS: dict[str, Callable[..., Driver]] = {"terminal": TerminalDriver, "slack": SlackDriver, "teams": TeamsDriver}
NEEDS: dict[str, dict[str, str]] = {"slack": {"fake": "fake_slack"}}
"""Fixtures a driver takes besides the database, clock and exports folder, by keyword."""


@pytest.fixture(params=sorted(DRIVERS))
def driver(request: pytest.FixtureRequest, plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> Iterator[Driver]:
    clock.at = london(2019, 12, 16, 9)  # the Q3 prompts fall due
    extra = {keyword: request.getfixturevalue(name) for keyword, name in NEEDS.get(request.param, {}).items()}
    made = DRIVERS[request.param](plan_engine, clock, tmp_path / "exports", **extra)
    yield made
    made.close()  # type: ignore[attr-defined]


ENGINES_FOR = {"terminal": {"sqlite", "postgres"}, "slack": {"sqlite"}, "teams": {"sqlite"}}
"""The chat adapters reach the database only through the core, whose every path runs on both
engines through the terminal driver (and the core's own suites): Slack's and Teams' drivers,
each a web server per test, run on SQLite alone so the suite stays quick."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept, dropped = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        driver, engine = (params.params.get("driver"), params.params.get("db_url")) if params else (None, None)
        (dropped if driver in ENGINES_FOR and engine not in ENGINES_FOR[driver] else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
