"""A Slack DM on a read-only database (a read-only SQLite file): a question is answered from
it, anything that would be stored is told the database is read-only; never silence."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import Engine

from bot.app import chat_port, platform_mounts
from bot.core.async_boundary import AsyncPlanbot
from bot.core.clock import FixedClock
from bot.core.planbot import Planbot
from bot.slack.port import Pacer
from bot.web import build_app
from storage.db import make_engine
from tests.slack.conftest import SlackWorld, add_people, slack_settings, shown
from tests.slack_fake import FakeSlack
from tests.slack_fake.fixtures import fake_slack, fake_slack_server  # noqa: F401


@pytest.fixture
async def read_only(fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> AsyncIterator[SlackWorld]:  # noqa: F811
    if plan_engine.dialect.name != "sqlite":
        pytest.skip("the PostgreSQL case (a user that may only SELECT) is tests/cli/test_database_settings.py's")
    add_people(fake_slack)
    Planbot(plan_engine, clock).link_by_email(platform="slack", user_id="UDEE", email="dee.demo@example.org", team_id="T0PLAN")
    plan_engine.dispose()  # dee wrote to the bot before the database became read-only
    url = f"sqlite:///file:{plan_engine.url.database}?mode=ro&uri=true"
    engine = make_engine(url)
    settings = slack_settings(fake_slack, url, tmp_path / "exports")
    port = chat_port(settings, engine)
    port.ports["slack"].pacer = Pacer(per_channel=0)  # type: ignore[attr-defined]
    core = AsyncPlanbot(Planbot(engine, clock, exports_dir=tmp_path / "exports", platforms=port.platforms, port=port))
    client = TestClient(TestServer(build_app(core, platform_mounts(settings, core))))
    await client.start_server()
    try:
        yield SlackWorld(fake_slack, client, core, engine)
    finally:
        await client.close()
        engine.dispose()


async def test_a_dm_on_a_read_only_database_is_answered(read_only: SlackWorld) -> None:
    await read_only.dm("dee", "plan-status")
    await read_only.dm("dee", "/plan-update 7")

    said = [shown(m) for m in read_only.dm_messages("dee")]
    assert any("Partnership health" in text for text in said), said  # the whole plan's status, read from the file
    assert any("The database is read-only just now" in text for text in said), said
