"""Fixtures for the Teams adapter: the web app and the fake Bot Connector on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from tests.schedules.conftest import london
from tests.teams_fake.harness import TeamsWorld, give_teams_ids


@pytest.fixture
def teams_engine(plan_engine: Engine) -> Engine:
    give_teams_ids(plan_engine)
    return plan_engine


@pytest.fixture
def world(teams_engine: Engine, clock: FixedClock, tmp_path: Path) -> Iterator[TeamsWorld]:
    clock.at = london(2019, 12, 16, 9)
    made = TeamsWorld(teams_engine, clock, tmp_path / "exports").start()
    yield made
    made.stop()
    assert made.fake.problems == [], "every activity and card the bot posted is valid"
