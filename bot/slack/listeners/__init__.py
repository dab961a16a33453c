"""One `register(app, runtime)` per kind of Slack request."""

from __future__ import annotations

from typing import Any

from bot.slack.listeners import actions, commands, home, messages, views
from bot.slack.runtime import SlackRuntime


def register(app: Any, runtime: SlackRuntime) -> None:
    for kind in (commands, actions, views, messages, home):
        kind.register(app, runtime)
