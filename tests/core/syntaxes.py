"""Example platform syntaxes for tests: how a Slack-like and a Teams-like adapter
would build theirs with the core's helper."""

from __future__ import annotations

import re

from bot.core.command_names import CommandSyntax, namespaced

SLACK_LIKE: CommandSyntax = namespaced("/")
"""`/plan-away`: Slack keeps `/away`, `/status` and `/remind` for itself."""
TEAMS_LIKE: CommandSyntax = namespaced("")
"""`plan-away`: Teams users type commands without a slash."""

SLASH_COMMAND = re.compile(r"(?<![\w/:.])/[A-Za-z][\w-]*(?![\w/])")
"""A slash-command spelling ("/away", "/plan-status."), but not a date (12/06/2019),
a URL (https://example.org/x) or a file path (/tmp/exports/...)."""


def slash_commands(text: str) -> list[str]:
    return SLASH_COMMAND.findall(text)
