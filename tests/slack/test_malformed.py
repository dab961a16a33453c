"""Signed requests whose bodies Slack would never send: one that cannot be read gets 400
and one log line; one that reads but has an unexpected shape gets 200 and changes
nothing (Slack expects a 200 for interactivity it sent, and retries every 500); none
gets a 500 or a traceback."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.db import session_scope
from storage.models import Conversation, Delivery
from tests.slack.conftest import SlackWorld

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def form(**fields: object) -> bytes:
    return urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}).encode()


UNREADABLE = {
    "invalid JSON": (b'{"type": "event_callback", ', JSON),
    "deep JSON": (b"[" * 200_000 + b"]" * 200_000, JSON),
    "bad UTF-8": (b"\xff\xfe\x00payload", FORM),
    "payload that is not JSON": (form(payload="not json at all"), FORM),
    "deep payload": (form(payload="[" * 100_000 + "]" * 100_000), FORM),
}
ODD_SHAPES = {
    "a JSON array": (b"[1, 2, 3]", JSON),
    "JSON null": (b"null", JSON),
    "an event that is not an object": (json.dumps({"type": "event_callback", "event": "hello", "event_id": "Ev1"}).encode(), JSON),
    "payload null": (form(payload=None), FORM),
    "actions not a list": (form(payload={"type": "block_actions", "user": {"id": "UALEX"}, "actions": {"a": 1}}), FORM),
    "an action that is a string": (form(payload={"type": "block_actions", "user": {"id": "UALEX"}, "actions": ["x"]}), FORM),
    "a view with no type": (form(payload={"type": "view_submission", "user": {"id": "UALEX"}, "view": {"id": "V1"}}), FORM),
    "an odd view state": (
        form(payload={"type": "view_submission", "user": {"id": "UALEX"}, "view": {"type": "modal", "id": "V1", "state": {"values": [1, 2]}}}),
        FORM,
    ),
    "a user that is a string": (form(payload={"type": "block_actions", "user": "UALEX", "actions": []}), FORM),
    "a command with no user": (form(command="/plan-status", text="", team_id="T0PLAN"), FORM),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
async def test_a_body_that_cannot_be_read_gets_400_and_one_log_line(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, headers = UNREADABLE[case]
    with caplog.at_level(logging.INFO):
        answer = await slack.post(body, {**headers, **signed(body)})

    assert answer.status == 400
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.exc_info]
    assert len([r for r in caplog.records if "bolt" not in r.name and r.levelno >= logging.INFO and "slack" in r.name]) <= 1


@pytest.mark.parametrize("case", sorted(ODD_SHAPES))
async def test_a_readable_body_of_an_odd_shape_gets_200_and_changes_nothing(
    slack: SlackWorld, plan_engine: Engine, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, headers = ODD_SHAPES[case]
    with caplog.at_level(logging.INFO):
        answer = await slack.post(body, {**headers, **signed(body)})

    assert answer.status == 200
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    with session_scope(plan_engine) as session:
        assert session.exec(select(Conversation)).all() == [] and session.exec(select(Delivery)).all() == []


def signed(body: bytes) -> dict[str, str]:
    from tests.slack.conftest import SECRET
    from tests.slack_fake import signed_headers

    return signed_headers(SECRET, body)
