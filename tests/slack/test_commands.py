"""Slash commands over signed HTTP: answers in the acknowledgement, private unless shared."""

from __future__ import annotations

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


async def test_a_stranger_is_told_whom_to_ask(slack: SlackWorld) -> None:
    slack.fake.add_user("USTRANGER", email="someone@elsewhere.example", real_name="Some One")
    answer = await slack.command("USTRANGER", "/plan-update", "5")

    assert "don't know you yet" in answer.text and "USTRANGER" in answer.text
    assert "Robin Fictional" in answer.text


async def test_help_spells_commands_the_slack_way(slack: SlackWorld) -> None:
    answer = await slack.command("robin", "/plan-help")

    assert "/plan-away" in answer.text and "/plan-status" in answer.text
    assert " /away" not in answer.text
