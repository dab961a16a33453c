"""The shipped manifest declares exactly the commands the bot answers, the events it
listens to, interactivity, the App Home's Messages tab, and only the scopes it uses."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.syntax import SLASH_COMMANDS

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def test_every_command_is_declared_under_a_name_slack_allows() -> None:
    declared = [c["command"] for c in manifest()["features"]["slash_commands"]]

    assert sorted(declared) == sorted(SLASH_COMMANDS)
    assert not {"/away", "/status", "/remind", "/help", "/back"} & set(declared), "Slack's own names are left alone"
    for command in manifest()["features"]["slash_commands"]:
        assert command["url"].endswith("/slack/events") and len(command["description"]) <= 100


def test_events_interactivity_home_and_least_privilege() -> None:
    m = manifest()
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == {"message.im", "app_home_opened"}
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["features"]["app_home"]["messages_tab_enabled"] is True
    assert m["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    assert "socket_mode_enabled" in m["settings"]
    assert set(m["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "im:history", "im:write", "users:read", "users:read.email", "files:write",
        "channels:history", "groups:history",
    }
