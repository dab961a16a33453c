"""How Slack users type the core's commands.

Slack keeps `/away`, `/status`, `/remind` and other short names for itself, and an
app's commands must not clash with them, so every command lives in the `plan-`
namespace: `/plan-status`, `/plan-update`, `/plan-away`, `/plan-help`. The same
names are declared in `slack/manifest.yml`, listed in /plan-help and the README.
Plain words typed in the DM ("status 3", "away") keep working: the core reads
every spelling.
"""

from __future__ import annotations

from bot.core.command_names import NAMES, namespaced

SLACK = namespaced("/")

SLASH_COMMANDS: tuple[str, ...] = tuple(SLACK.typed(name) for name in NAMES)
"""Every slash command the app declares in its manifest and answers."""


def core_name(slash_command: str) -> str:
    """'/plan-away' -> 'away': the core's canonical name of a Slack slash command."""
    typed = slash_command.lstrip("/").lower()
    for name in NAMES:
        if SLACK.typed(name).lstrip("/") == typed:
            return name
    return typed
