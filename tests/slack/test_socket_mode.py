"""Socket Mode: the same app over the WebSocket that the fake's apps.connections.open points to."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.engine import Engine

from bot.app import chat_port
from bot.config import Settings
from bot.core.async_boundary import AsyncPlanbot
from bot.core.clock import FixedClock
from bot.core.planbot import Planbot
from bot.slack.socket_mode import run_socket_mode
from tests.slack.conftest import add_people, texts_of
from tests.slack_fake import FakeSlack, event_payload, slash_command_fields


async def test_commands_and_dm_messages_over_socket_mode(fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    add_people(fake_slack)
    settings = Settings(
        database_url=plan_engine.url.render_as_string(hide_password=False),
        slack_bot_token=SecretStr(fake_slack.bot_token),
        slack_app_token=SecretStr(fake_slack.app_token),
        slack_api_url=fake_slack.url,
    )
    port = chat_port(settings, plan_engine)
    core = AsyncPlanbot(Planbot(plan_engine, clock, exports_dir=tmp_path, platforms=port.platforms, port=port))
    stop = asyncio.Event()
    task = asyncio.ensure_future(run_socket_mode(settings, core, stop=stop))
    try:
        await fake_slack.await_until(lambda: fake_slack.socket_connected, timeout=10)
        fields = slash_command_fields(
            "/plan-status", "5", user_id="UROBIN", team_id="T0PLAN", channel_id="C0GENERAL", channel_name="general",
            response_url=fake_slack.response_url("socket"),
        )
        ack = await fake_slack.asocket_send("slash_commands", fields)
        assert ack is not None
        assert "Partnership health" in texts_of((ack.get("payload") or {}).get("blocks"))

        event = {"type": "message", "channel": fake_slack.dm_channel("UCAL"), "channel_type": "im", "user": "UCAL", "text": "update 5", "ts": "1700000001.000100", "team": "T0PLAN"}
        ack = await fake_slack.asocket_send("events_api", event_payload(event, event_id="EvSOCKET1", team_id="T0PLAN"))
        assert ack is not None
        reply = await fake_slack.await_until(lambda: [m for m in fake_slack.messages("UCAL") if "Question 1 of 7" in texts_of(m.get("blocks"))], timeout=10)
        assert reply
        assert [c for c in fake_slack.calls_to("apps.connections.open") if c.ok]
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
        core.close()


def test_planbot_socket_refuses_to_start_without_the_app_token(db_url: str) -> None:
    from tests.in_process import planbot

    result = planbot("socket", database_url=db_url, extra_env={"SLACK_BOT_TOKEN": "xoxb-secret-value"})

    assert result.returncode == 2
    assert "SLACK_APP_TOKEN is not set" in result.stderr and "connections:write" in result.stderr
    assert "xoxb-secret-value" not in result.stderr + result.stdout
