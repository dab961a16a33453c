"""Slash commands over signed HTTP: answers in the acknowledgement, private unless shared."""

from __future__ import annotations

import pytest

from tests.slack.conftest import SlackWorld


async def test_plan_status_is_answered_in_the_acknowledgement(slack: SlackWorld) -> None:
    answer = await slack.command("robin", "/plan-status")

    assert answer.status == 200
    assert answer.body["response_type"] == "ephemeral"
    assert "Partnership health and shared ownership" in answer.text
    assert slack.fake.responses(answer.response_name) == [], "nothing else was posted"  # type: ignore[attr-defined]


async def test_plan_status_share_shows_it_to_the_channel(slack: SlackWorld) -> None:
    answer = await slack.command("robin", "/plan-status", "5 share")

    assert answer.body["response_type"] == "in_channel"
    assert "Item 5" in answer.text


@pytest.mark.parametrize("view", ["", "5", "Cal Placeholder", "overdue", "changes"])
async def test_every_status_view_is_for_the_asker_alone_unless_shared_wherever_share_is_typed(slack: SlackWorld, view: str) -> None:
    private = await slack.command("robin", "/plan-status", view)
    shared_after = await slack.command("robin", "/plan-status", f"{view} share".strip())
    shared_before = await slack.command("robin", "/plan-status", f"SHARE {view}".strip())

    assert private.body["response_type"] == "ephemeral"
    assert shared_after.body["response_type"] == shared_before.body["response_type"] == "in_channel"
    assert shared_after.text == shared_before.text == private.text, "the word share is not read as part of the question"


async def test_share_is_only_a_status_word_elsewhere_it_is_what_was_typed(slack: SlackWorld) -> None:
    answer = await slack.command("alex", "/plan-flag", "share the funding letter with CLGU")

    assert answer.body["response_type"] == "ephemeral"
    assert "share the funding letter with CLGU" in answer.text


async def test_a_stranger_is_told_whom_to_ask(slack: SlackWorld) -> None:
    slack.fake.add_user("USTRANGER", email="someone@elsewhere.example", real_name="Some One")
    answer = await slack.command("USTRANGER", "/plan-update", "5")

    assert "don't know you yet" in answer.text and "USTRANGER" in answer.text
    assert "Robin Fictional" in answer.text


async def test_help_spells_commands_the_slack_way(slack: SlackWorld) -> None:
    answer = await slack.command("robin", "/plan-help")

    assert "/plan-away" in answer.text and "/plan-status" in answer.text
    assert " /away" not in answer.text


async def test_an_update_asked_for_in_a_channel_goes_on_in_the_dm(slack: SlackWorld) -> None:
    answer = await slack.command("cal", "/plan-update", "5")

    assert "I've sent you a direct message" in answer.text
    assert "Question 1 of 7" not in answer.text, "the question itself is not in the channel"
    assert any("Question 1 of 7" in str(m.get("blocks")) for m in slack.dm_messages("cal"))


async def test_coordinator_commands_are_refused_to_a_lead(slack: SlackWorld) -> None:
    refused = await slack.command("alex", "/plan-schedule")
    allowed = await slack.command("robin", "/plan-schedule")

    assert "/plan-schedule is for coordinators" in refused.text
    assert "The clock: the next 7 days" in allowed.text


async def test_the_mounted_endpoint_refuses_bad_signatures_and_big_bodies(slack: SlackWorld) -> None:
    body = b"command=%2Fplan-status&text=&user_id=UROBIN"
    before = len(slack.fake.calls)
    unsigned = await slack.post(body, {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"})
    big = await slack.post(b"x" * (1024 * 1024 + 10))

    assert (unsigned.status, big.status) == (401, 413)
    assert len(slack.fake.calls) == before, "nothing reached bolt, so it called nothing"


async def test_url_verification_is_answered(slack: SlackWorld) -> None:
    from tests.slack_fake import url_verification_body

    answer = await slack.post(url_verification_body("the-challenge"))

    assert answer.status == 200 and answer.body == {"challenge": "the-challenge"}
