"""One rule for who sees an answer, the same on every platform.

An answer that names people or their updates (every `/plan-status` view, the
coordinators' `/plan-schedule`) is for the asker: asked where others can read
(a Slack channel, a Teams group chat or channel), each adapter shows it to the
asker alone: Slack as an ephemeral answer, Teams in the asker's personal chat.
`share` in the command posts it for everyone there instead. A file (the return's
export) is handed over only in the asker's direct conversation, `share` or not.
The core marks each reply (`Reply.audience`); adapters only honour the mark.
"""

from __future__ import annotations

import dataclasses
import re

from bot.core.replies import File, Reply

NAMES_PEOPLE = frozenset({"plan-status", "plan-schedule"})
"""Commands whose answers name people or their updates."""
_SHARE = re.compile(r"(?:^|\s)share(?=\s|$)", re.IGNORECASE)


def split_share(args: str) -> tuple[str, bool]:
    """The arguments without the word `share`, and whether it was there."""
    if not _SHARE.search(args):
        return args, False
    return " ".join(_SHARE.sub(" ", args).split()), True


def marked(replies: list[Reply], *, shared: bool) -> list[Reply]:
    """Each reply marked for the asker alone, or for everyone where asked when `shared`;
    a reply carrying a file goes to the asker's direct conversation either way."""
    return [_marked(r, shared=shared) for r in replies]


def _marked(reply: Reply, *, shared: bool) -> Reply:
    if any(isinstance(b, File) for b in reply.blocks):
        return dataclasses.replace(reply, audience="asker", direct=True)
    if reply.direct:  # already bound for the direct conversation
        return dataclasses.replace(reply, audience="asker")
    return dataclasses.replace(reply, audience="here" if shared else "asker")
