"""The web process's health check, over real HTTP on loopback: what a load
balancer or a platform's uptime check sees."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import Engine

from bot.cli import main
from bot.core.async_boundary import AsyncPlanbot
from bot.core.planbot import Planbot
from bot.web import build_app


def _mount(app: web.Application) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=(await request.read()).decode())

    app.router.add_post("/echo", hello)


async def _client(bot: Planbot) -> TestClient:
    client = TestClient(TestServer(build_app(AsyncPlanbot(bot), [("echo", _mount)])))
    await client.start_server()
    return client


async def test_healthz_answers_ok_with_the_mounted_platforms(planbot: Planbot) -> None:
    client = await _client(planbot)
    try:
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"status": "ok", "platforms": ["echo"]}
        echoed = await client.post("/echo", data=b"a mounted route answers")
        assert await echoed.text() == "a mounted route answers"
    finally:
        await client.close()


async def test_healthz_is_503_when_the_database_does_not_answer(planbot: Planbot, plan_engine: Engine) -> None:
    client = await _client(planbot)
    try:
        planbot.engine = _broken_engine()
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["status"] == "database unavailable"
    finally:
        planbot.engine = plan_engine
        await client.close()


async def test_a_body_over_one_mebibyte_is_refused_before_a_handler_reads_it(planbot: Planbot) -> None:
    client = await _client(planbot)
    try:
        response = await client.post("/echo", data=b"x" * (1024 * 1024 + 1))
        assert response.status == 413
    finally:
        await client.close()


def _broken_engine() -> Engine:
    from sqlalchemy import create_engine

    return create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})


def test_serve_refuses_to_start_with_no_chat_platform_configured(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.config import get_settings

    for name in ("SLACK_BOT_TOKEN", "TEAMS_APP_ID", "PLANBOT_TEAMS_ANONYMOUS"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        assert main(["serve"]) == 2
    finally:
        get_settings.cache_clear()
    error = capsys.readouterr().err
    assert "no chat platform is configured" in error and "planbot shell" in error
