"""Commands by name: replies name a command symbolically, and each adapter says
how its users type it (`/away` in the terminal, `/plan-away` in Slack, where
`/away` is Slack's own, `plan-away` in Teams, where commands have no slash).

The core writes `cmd("away")` into reply text; a renderer turns the marker into
the platform's spelling with `expand`. The markers are two private-use
characters that `text.clean` removes from whatever people type, so user text
can never forge one.

An adapter builds its syntax once, e.g. `namespaced("/")` for Slack and
`namespaced("")` for Teams, and renders every reply with it; `NAMES` is what it
registers with its platform (Slack slash commands, a Teams command list). Typed
words are read the same everywhere (`bot.core.commands.resolve`), so any
platform's spelling works on every platform.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.core.replies import Block, Bullets, Choice, Choices, Fields, File, Form, Reply, Table

OPEN, CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{OPEN}([a-z?-]+){CLOSE}")


def cmd(name: str) -> str:
    """A command named in reply text, e.g. f"Type {cmd('plan-update')} 3"."""
    return f"{OPEN}{name}{CLOSE}"


@dataclass(frozen=True)
class CommandSyntax:
    """How one platform's users type the core's commands."""

    prefix: str = "/"
    renames: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def typed(self, name: str) -> str:
        return self.prefix + self.renames.get(name, name)


TERMINAL = CommandSyntax("/")
"""The terminal's spelling, which is also the core's canonical one."""

NAMESPACE = "plan-"
"""The prefix that keeps the bot's commands apart from a platform's own (`/away` in Slack)."""

NAMES: tuple[str, ...] = (
    "plan-status",
    "plan-update",
    "help",
    "away",
    "snooze",
    "back",
    "deputy",
    "flag",
    "milestone",
    "plan-schedule",
)
"""Every command the core answers, by canonical name; registering a handler under
any other name fails, so an adapter's list of commands cannot fall behind."""


def namespaced(prefix: str) -> CommandSyntax:
    """Every command spelled inside `plan-` (`plan-away`, `plan-help`), typed after
    `prefix`: "/" for Slack, where short names belong to Slack, "" for Teams,
    where commands have no slash."""
    renames = {name: NAMESPACE + name for name in NAMES if not name.startswith(NAMESPACE)}
    return CommandSyntax(prefix, MappingProxyType(renames))


def expand(text: str, syntax: CommandSyntax = TERMINAL) -> str:
    """Reply text with every command marker spelled as `syntax` types it."""
    if OPEN not in text:
        return text
    return _MARKER.sub(lambda m: syntax.typed(m[1]), text)


def _block(block: Block, syntax: CommandSyntax) -> Block:
    def ex(text: str) -> str:
        return expand(text, syntax)

    def choice(c: Choice) -> Choice:
        return dataclasses.replace(c, label=ex(c.label))

    match block:
        case Fields(pairs):
            return Fields([(ex(a), ex(b)) for a, b in pairs])
        case Bullets(items):
            return Bullets([ex(i) for i in items])
        case Choices():
            return dataclasses.replace(block, prompt=ex(block.prompt), choices=[choice(c) for c in block.choices])
        case Table(columns, rows, title):
            return Table([ex(c) for c in columns], [[ex(c) for c in row] for row in rows], ex(title))
        case Form():
            fields = [
                dataclasses.replace(f, label=ex(f.label), hint=ex(f.hint), options=[choice(c) for c in f.options])
                for f in block.fields
            ]
            errors = {name: ex(message) for name, message in block.errors.items()}
            return dataclasses.replace(block, title=ex(block.title), fields=fields, errors=errors)
        case File():
            return dataclasses.replace(block, title=ex(block.title))
    return dataclasses.replace(block, text=ex(block.text))  # type: ignore[call-arg]


def expand_reply(reply: Reply, syntax: CommandSyntax = TERMINAL) -> Reply:
    """The reply with every command marker spelled for `syntax` (labels and text; values untouched)."""
    return dataclasses.replace(reply, blocks=[_block(b, syntax) for b in reply.blocks])



