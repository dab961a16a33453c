"""The real `planbot serve` and `planbot run-job` processes with Teams configured:
start-up refusals, an activity answered over HTTP, a scheduled prompt reaching
the fake Bot Connector."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage.db import make_engine, upgrade
from tests.conftest import load_bundled_plan
from tests.in_process import planbot as in_process
from tests.processes import ROOT, child_env, planbot
from tests.teams_fake.connector import FakeConnector
from tests.teams_fake.harness import AAD, BOT, TENANT, give_teams_ids, teams_user_id, text_of
from tests.teams_fake.loopback import LoopbackServer

pytestmark = pytest.mark.slow


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'planbot.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_bundled_plan(engine)
    give_teams_ids(engine)
    engine.dispose()
    return url


@pytest.fixture
def fake() -> Iterator[tuple[FakeConnector, str]]:
    connector = FakeConnector()
    server = LoopbackServer(connector.app).start()
    yield connector, server.url + "/"
    server.stop()
    assert connector.problems == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_refuses_anonymous_mode_beside_real_credentials(database: str) -> None:
    done = planbot("serve", database_url=database, extra_env={"PLANBOT_TEAMS_ANONYMOUS": "true", "TEAMS_APP_ID": "1111", "TEAMS_APP_PASSWORD": "secret-value"})

    assert done.returncode == 2
    assert "PLANBOT_TEAMS_ANONYMOUS=true is for local testing only" in done.stderr
    assert "secret-value" not in done.stderr + done.stdout


def test_serve_refuses_incomplete_credentials_naming_them(database: str) -> None:
    done = in_process("serve", database_url=database, extra_env={"TEAMS_APP_ID": "1111", "TEAMS_APP_PASSWORD": "secret-value"})

    assert done.returncode == 2 and "TEAMS_TENANT_ID" in done.stderr and "secret-value" not in done.stderr


def test_serve_answers_an_activity_over_http(database: str, fake: tuple[FakeConnector, str]) -> None:
    connector, service_url = fake
    port = free_port()
    env = child_env(database, {"PLANBOT_TEAMS_ANONYMOUS": "true", "TEAMS_SERVICE_URL": service_url, "TEAMS_TENANT_ID": TENANT})
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        activity = {
            "type": "message",
            "id": "m-1",
            "channelId": "msteams",
            "serviceUrl": service_url,
            "from": {"id": teams_user_id("robin"), "aadObjectId": AAD["robin"]},
            "recipient": BOT,
            "conversation": {"id": connector.personal_id(teams_user_id("robin")), "conversationType": "personal", "tenantId": TENANT},
            "text": "plan-status",
            "deliveryMode": "expectReplies",
        }
        response = httpx.post(base + "/api/messages", json=activity, timeout=30)
        assert response.status_code == 200
        assert "Partnership health and shared ownership" in "\n".join(text_of(a) for a in response.json()["activities"])

        activity.update(id="m-2", text="help")
        del activity["deliveryMode"]
        assert httpx.post(base + "/api/messages", json=activity, timeout=30).status_code == 202
        for _ in range(100):
            if connector.all():
                break
            time.sleep(0.05)
        assert "plan-update" in text_of(connector.all()[0].activity), "without expect-replies the answer is posted to the connector"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    assert "local testing only" in stderr


def test_run_job_sends_a_quarterly_prompt_to_the_fake_connector(database: str, fake: tuple[FakeConnector, str]) -> None:
    connector, service_url = fake
    connector.profiles[teams_user_id("cal")] = {"id": teams_user_id("cal"), "aadObjectId": AAD["cal"]}

    done = planbot(
        "run-job",
        "quarterly-prompts",
        "--at",
        "2019-12-16T09:00:00+00:00",
        database_url=database,
        extra_env={"PLANBOT_TEAMS_ANONYMOUS": "true", "TEAMS_SERVICE_URL": service_url, "TEAMS_TENANT_ID": TENANT},
    )

    assert done.returncode == 0, done.stderr
    cal = connector.in_conversation(connector.personal_id(teams_user_id("cal")))
    assert any("Item 5: Partnership health and shared ownership" in text_of(p.activity) for p in cal)


def test_run_job_exits_1_and_says_so_when_a_prompt_may_not_have_arrived(database: str, fake: tuple[FakeConnector, str]) -> None:
    """Teams answered 500 to the new message: it may have arrived, so it is not resent and
    run-job's exit code tells a script something needs a look (in-process: about the CLI)."""
    connector, service_url = fake
    connector.profiles[teams_user_id("cal")] = {"id": teams_user_id("cal"), "aadObjectId": AAD["cal"]}
    connector.fail(500, times=1, method="POST", path_contains="/activities")

    done = in_process(
        "run-job",
        "quarterly-prompts",
        "--at",
        "2019-12-16T09:00:00+00:00",
        database_url=database,
        extra_env={"PLANBOT_TEAMS_ANONYMOUS": "true", "TEAMS_SERVICE_URL": service_url, "TEAMS_TENANT_ID": TENANT},
    )

    assert done.returncode == 1, done.stderr
    assert "may not have arrived" in done.stdout
