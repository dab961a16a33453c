"""Multi-turn flows and how events find theirs.

A conversation's `state` and every button's `step` start with the flow's name
("checkin:rag", "checkin:3:2019-Q3:7"), so a text answer goes to the flow of the
person's open conversation and a button press goes to the flow that showed the
button, even when another conversation has started since.
"""

from __future__ import annotations

from types import ModuleType

from bot.core import checkin, flags, milestone_check, prompt_answers, prompts
from bot.core.command_names import cmd
from bot.core.errors import BadInput

FLOWS: dict[str, ModuleType] = {
    "checkin": checkin,
    "flags": flags,
    "milestone": milestone_check,
    "prompt": prompts,
    "which": prompt_answers,
}


def flow_for(token: str) -> ModuleType:
    name = token.split(":", 1)[0]
    flow = FLOWS.get(name)
    if flow is None:
        raise BadInput(
            f"That button belongs to a question I no longer recognise; nothing was changed. Type {cmd('help')} to start again."
        )
    return flow
