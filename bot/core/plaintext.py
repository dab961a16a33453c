"""Render replies as plain text: the terminal's view and every adapter's fallback."""

from __future__ import annotations

from bot.core.command_names import TERMINAL, CommandSyntax, expand_reply
from bot.core.replies import (
    Bullets,
    Choices,
    Fields,
    File,
    Form,
    Heading,
    Paragraph,
    Reply,
    Table,
)


def _table(block: Table) -> list[str]:
    rows = [block.columns, *block.rows]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(block.columns))]
    widths = [min(w, 60) for w in widths]

    def line(row: list[str]) -> str:
        cells = [str(c) if len(str(c)) <= w else str(c)[: w - 1] + "…" for c, w in zip(row, widths, strict=True)]
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [block.title] if block.title else []
    out += [line(block.columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in block.rows]
    return out


def render_block(block: object) -> list[str]:
    match block:
        case Heading(text):
            return [f"== {text} =="]
        case Paragraph(text):
            return [text]
        case Fields(pairs):
            return [f"{label}: {value}" for label, value in pairs]
        case Bullets(items):
            return [f"  - {item}" for item in items]
        case Choices(prompt, choices, _, free_text):
            lines = [prompt] if prompt else []
            if free_text:
                return lines + ["  (or type: " + " / ".join(c.value for c in choices) + ")"] if choices else lines
            return lines + [f"  {i}. {c.label}" for i, c in enumerate(choices, start=1)]
        case Table():
            return _table(block)
        case Form(title, _, _, _):
            return [f"[{title}: a form in Slack and Teams; here, answer the questions one by one]"]
        case File(path, title):
            return [f"{title}: {path}"]
    raise TypeError(f"unknown block {block!r}")


def render(reply: Reply, syntax: CommandSyntax = TERMINAL) -> str:
    """The reply as plain text, commands spelled the way `syntax`'s users type them."""
    reply = expand_reply(reply, syntax)
    lines: list[str] = []
    if reply.replaces:
        lines.append("(updated)")
    for block in reply.blocks:
        lines.extend(render_block(block))
    return "\n".join(lines)
