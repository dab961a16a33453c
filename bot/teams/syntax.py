"""How Teams users type Planbot's commands: no slash, every command inside `plan-`."""

from __future__ import annotations

from bot.core.command_names import namespaced

TEAMS = namespaced("")
