"""`kill -9` at random points of a fan-out to Slack, ten times in a row on each
database, then a run that finishes: every prompt reached its lead exactly once.

A killed `planbot run-job` leaves claims behind, some of them for messages Slack
already took (the crash-after-send window). The next run finds the dead process by
its id on this host, takes its claims over and looks each one up by the ledger key
its message carries in Slack's metadata before posting anything. Real OS processes
against the fake Slack over loopback, as deployed."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine

from storage.models import SendStatus
from tests.processes import ROOT, child_env
from tests.schedules.conftest import big_plan, ledger, load_text
from tests.slack_fake import FakeSlack
from tests.slack_fake.fixtures import fake_slack, fake_slack_server  # noqa: F401

LEADS = 160
KILLS = 10

pytestmark = pytest.mark.slow


def _plan() -> str:
    raw = yaml.safe_load(big_plan(LEADS, 1))
    for person in raw["people"]:
        person["slack"] = "U" + person["id"].upper().replace("-", "")
    return yaml.safe_dump(raw, allow_unicode=True)


def _start(database_url: str, fake: FakeSlack, log: Path) -> subprocess.Popen[bytes]:
    env = child_env(database_url, {"SLACK_BOT_TOKEN": fake.bot_token, "SLACK_API_URL": fake.url, "SLACK_POSTS_PER_MINUTE": "100000"})
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run-job", "quarterly-prompts", "--at", "2019-12-16T09:00"],
            stdout=out, stderr=out, env=env, cwd=ROOT,
        )


def _posts(fake: FakeSlack) -> int:
    return sum(1 for call in fake.calls_to("chat.postMessage") if call.ok)


def _keys_posted(fake: FakeSlack, users: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for user_id in users:
        for message in fake.messages(user_id):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == "planbot_send":
                found[metadata["event_payload"]["key"]] += 1
    return found


def test_kills_at_random_points_of_a_fan_out_lose_and_double_nothing(
    fake_slack: FakeSlack, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    text = _plan()
    load_text(engine, text)
    people = yaml.safe_load(text)["people"]
    for person in people:
        fake_slack.add_user(person["slack"], email=f"{person['id']}@example.org", real_name=person["name"])
    leads = [p["slack"] for p in people if p["id"].startswith("lead-")]
    log = tmp_path / "runs.log"
    pick = random.Random()
    kills = 0
    while kills < KILLS:
        before = _posts(fake_slack)
        if before >= LEADS:
            break
        target = before + pick.randint(1, max(1, (LEADS - before) // (KILLS - kills + 1)))
        run = _start(db_url, fake_slack, log)
        deadline = time.monotonic() + 60
        while _posts(fake_slack) < target and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        if run.poll() is None:
            run.send_signal(signal.SIGKILL)
            kills += 1
        run.wait(timeout=60)  # reaped: its process id is gone, as after a real crash
    last = _start(db_url, fake_slack, log)
    assert last.wait(timeout=120) == 0, log.read_text()

    posted = _keys_posted(fake_slack, leads)
    rows = ledger(engine, kind="quarterly-prompt")
    assert kills == KILLS, f"only {kills} kills landed mid-fan-out"
    assert len(rows) == LEADS and {r.status for r in rows} == {SendStatus.SENT}, Counter(r.status for r in rows)
    assert set(posted) == {r.key for r in rows}, "none lost"
    assert max(posted.values()) == 1, [k for k, n in posted.items() if n > 1]
    assert sum(1 for user in leads for _ in fake_slack.messages(user)) == LEADS, "no message without its key either"
    assert fake_slack.calls_to("conversations.history"), "the killed runs' claims were looked up, not resent blind"
