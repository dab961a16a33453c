"""The real `planbot serve` process with Slack: it refuses to start without the signing
secret, and one whole quarter runs through it end to end against the fake Slack.

These are about the process (its start-up, its environment, the clock's sends from
another process reaching its edits), so they spawn it; everything else is tested
in-process.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from tests.in_process import planbot as planbot_in_process
from tests.processes import ROOT, child_env, planbot
from tests.slack.conftest import PEOPLE, add_people, texts_of
from tests.slack_fake import FakeSlack, event_body, interaction_body, new_trigger_id, signed_headers, slash_command_body

SECRET = "process-signing-secret"
TEAM = "T0PLAN"


def slack_env(fake: FakeSlack, **extra: str) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": fake.bot_token, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.url, **extra}


def test_serve_refuses_to_start_without_the_signing_secret(fake_slack: FakeSlack, db_url: str) -> None:
    env = slack_env(fake_slack, SLACK_SIGNING_SECRET="    ")  # spaces are no secret, as an empty one is none
    result = planbot("serve", "--port", "1", database_url=db_url, extra_env=env, timeout=60)

    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert fake_slack.bot_token not in result.stderr, "the token is never printed"
    assert fake_slack.calls == [], "it refuses before starting anything: no lookups in Slack"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(fake_slack: FakeSlack, plan_engine: Engine, tmp_path: Any) -> Iterator[str]:
    url = plan_engine.url.render_as_string(hide_password=False)
    port = free_port()
    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port), "--at", "2019-12-16T09:30"],
        env=child_env(url, slack_env(fake_slack, PLANBOT_EXPORTS_DIR=str(tmp_path / "exports"))),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, f"serve did not start: {(tmp_path / 'serve.log').read_text()}"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


class Slack:
    """Slack's side of the conversation with the served bot."""

    def __init__(self, base: str, fake: FakeSlack) -> None:
        self.base = base
        self.fake = fake
        self.n = 0
        self.last: tuple[bytes, dict[str, str]] | None = None

    def post(self, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        headers = headers or signed_headers(SECRET, body)
        self.last = (body, headers)
        return httpx.post(f"{self.base}/slack/events", content=body, headers=headers, timeout=30)

    def settle(self, condition: Any) -> Any:
        return self.fake.wait_until(condition, timeout=20)

    def dm(self, person: str, text: str, *, event_id: str | None = None) -> httpx.Response:
        self.n += 1
        user = PEOPLE[person][0]
        event = {"type": "message", "channel": self.fake.dm_channel(user), "channel_type": "im", "user": user, "text": text, "ts": f"{1700000000 + self.n}.0001", "team": TEAM}
        count = len(self.fake.messages(user))
        answer = self.post(event_body(event, event_id=event_id or f"EvQ{self.n:06d}", team_id=TEAM))
        self.settle(lambda: len(self.fake.messages(user)) > count)
        self.quiet(user)
        return answer

    def quiet(self, user: str, *, still: float = 0.4) -> None:
        """Wait until the bot has stopped posting to the user's DM for `still` seconds."""
        seen, since = len(self.fake.messages(user)), time.monotonic()
        while time.monotonic() - since < still:
            time.sleep(0.05)
            now = len(self.fake.messages(user))
            if now != seen:
                seen, since = now, time.monotonic()

    def press(self, person: str, label: str, message: dict[str, Any]) -> httpx.Response:
        user = PEOPLE[person][0]
        channel = self.fake.dm_channel(user)
        button = next(
            e for b in message["blocks"] if b.get("type") == "actions" for e in b["elements"] if e["text"]["text"] == label
        )
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": TEAM},
            "team": {"id": TEAM},
            "api_app_id": "A0PLANBOT",
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
            "channel": {"id": channel},
            "message": message,
            "trigger_id": new_trigger_id(),
            "response_url": self.fake.response_url(f"q{self.n}"),
            "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "b", "value": button["value"], "text": button["text"], "action_ts": "1.1"}],
        }
        return self.post(interaction_body(payload))


def shown(message: dict[str, Any]) -> str:
    return texts_of(message.get("blocks")) or message.get("text", "")


@pytest.mark.slow
def test_a_whole_quarter_through_planbot_serve(served: str, fake_slack: FakeSlack, plan_engine: Engine) -> None:
    add_people(fake_slack)
    url = plan_engine.url.render_as_string(hide_password=False)
    sent = planbot_in_process("run-job", "quarterly-prompts", "--at", "2019-12-16T09:00", "--json", database_url=url, extra_env=slack_env(fake_slack))
    assert sent.returncode == 0, sent.stderr
    assert {s["person"] for s in json.loads(sent.stdout)} >= {"cal", "bea"}
    slack = Slack(served, fake_slack)

    def prompt(person: str, item: int) -> dict[str, Any]:
        return next(m for m in fake_slack.messages(PEOPLE[person][0]) if f"Item {item}:" in shown(m))

    assert "Open the form" in shown(prompt("cal", 5)) or prompt("cal", 5)["blocks"]

    # Cal answers by typing in the DM; one answer is delivered twice (Slack's retry) and one replayed.
    slack.dm("cal", "update 5")
    for answer in ["amber", "Draft circulated", "skip", "done", "on track", "none"]:
        slack.dm("cal", answer)
    before = len(fake_slack.messages("UCAL"))
    assert slack.last is not None
    body, _ = slack.last
    retried = slack.post(body, {**signed_headers(SECRET, body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retried.status_code == 200
    time.sleep(0.5)
    assert len(fake_slack.messages("UCAL")) == before, "the retried event posted nothing"
    slack.dm("cal", "Partnership work on track")
    before = len(fake_slack.messages("UCAL"))
    replayed = slack.post(*slack.last)
    assert replayed.status_code == 200
    time.sleep(0.5)
    assert len(fake_slack.messages("UCAL")) == before, "the replayed request posted nothing"
    slack.dm("cal", "yes")
    fake_slack.wait_until(lambda: any("Saved: item 5" in shown(m) for m in fake_slack.messages("UCAL")), timeout=20)
    assert sum("Saved: item 5" in shown(m) for m in fake_slack.messages("UCAL")) == 1
    fake_slack.wait_until(lambda: "Done: version 1" in shown(prompt("cal", 5)), timeout=20)

    # Bea answers with the buttons and the form.
    slack.press("bea", "Open the form", prompt("bea", 3))
    view_id = fake_slack.wait_until(lambda: next((v["view_id"] for v in fake_slack.views if v["method"] == "views.update"), None), timeout=20)
    view = fake_slack.view(view_id)
    assert view is not None
    state = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        value = {"rag": "green", "summary": "Evidence base agreed"}.get(block["block_id"], "")
        if element["type"] == "static_select":
            option = next((o for o in element["options"] if o["value"] == value), None)
            state[block["block_id"]] = {"value": {"type": "static_select", "selected_option": option}}
        else:
            state[block["block_id"]] = {"value": {"type": element["type"], "value": value or None}}
    submitted = slack.post(
        interaction_body(
            {"type": "view_submission", "user": {"id": "UBEA", "team_id": TEAM}, "team": {"id": TEAM}, "api_app_id": "A0PLANBOT", "trigger_id": new_trigger_id(), "view": {**view, "state": {"values": state}}}
        )
    )
    assert submitted.status_code == 200 and not submitted.content.strip(b"{} \n")
    review = fake_slack.wait_until(lambda: next((m for m in fake_slack.messages("UBEA") if "Check your update" in shown(m)), None), timeout=20)
    slack.press("bea", "Save", review)
    fake_slack.wait_until(lambda: "Done: version 1" in shown(prompt("bea", 3)), timeout=20)

    # A coordinator asks for the status: both updates are there.
    name = "status"
    status = slack.post(
        slash_command_body("/plan-status", "", user_id="UROBIN", team_id=TEAM, channel_id="C0GENERAL", channel_name="general", response_url=fake_slack.response_url(name))
    )
    text = texts_of(status.json().get("blocks"))
    assert "1 On track, 1 At risk" in text and "Q3 updates: 2 in" in text, text
    assert fake_slack.problems == []
