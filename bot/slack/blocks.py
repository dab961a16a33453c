"""Core replies as Slack messages: pure Block Kit builders, tested alone.

Every piece of text that reaches mrkdwn is escaped (`&`, `<`, `>`), so `<!channel>`,
`<@U1>` or `<https://x|y>` written in an update come out literally and ping or link
nobody; sections are `verbatim`, so Slack does not turn names or URLs into links
either, and messages are posted with unfurling off. Slack has no table block:
a table becomes one line per row, its first cell in bold and the others labelled
by their column. Long replies are split to Slack's limits (50 blocks, 3,000
characters a section, 40,000 a message) into as many messages as needed, never
failing. A button carries the choice's typed word and the question's step, so a
press goes through the core exactly as typing the word would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.core.command_names import expand_reply
from bot.core.plaintext import render
from bot.core.replies import Block, Bullets, Choice, Choices, Fields, File, Form, Heading, Paragraph, Reply, Table
from bot.slack.syntax import SLACK

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_MESSAGE = 40000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS = 25
MAX_FALLBACK = 3000

CHOICE_ACTION = "planbot-choice"
"""Prefix of every answer button's action_id (one listener for all of them)."""
FORM_ACTION = "planbot-form"
"""Prefix of every button that opens the update form as a modal."""

Json = dict[str, Any]


def escape(text: str) -> str:
    """Text safe inside mrkdwn: Slack's three control characters as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def section(mrkdwn: str) -> Json:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": True}}


def plain(text: str, limit: int = MAX_SECTION) -> Json:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": False}


def chunks(lines: list[str], limit: int = MAX_SECTION) -> list[str]:
    """Lines joined into pieces of at most `limit` characters; a single longer line is cut."""
    out: list[str] = []
    current = ""
    for line in lines:
        while len(line) > limit:
            if current:
                out.append(current)
                current = ""
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            out.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current:
        out.append(current)
    return out


def sections(lines: list[str]) -> list[Json]:
    """Escaped lines as sections of at most 3,000 characters, each line whole where it fits.

    Escaping happens per line before splitting, so an entity is never cut in two."""
    return [section(piece) for piece in chunks([escape(line) for line in lines if line is not None])]


def button_value(step: str, value: str) -> str:
    return json.dumps([step, value], separators=(",", ":"))


def read_button_value(raw: str) -> tuple[str, str] | None:
    """(step, value) from a button's value; None when it is not one of ours."""
    try:
        step, value = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return (step, value) if isinstance(step, str) and isinstance(value, str) else None


def opens_form(choice: Choice) -> bool:
    """The choice asks for the whole update as one form: "Open the form" on a question
    (value `form`) or on a scheduled prompt (`/plan-update 5 2019-Q3 form`)."""
    words = choice.value.strip().lower().split()
    return bool(words) and words[-1] == "form"


def _button(choice: Choice, step: str, n: int) -> Json:
    action = FORM_ACTION if opens_form(choice) else CHOICE_ACTION
    button: Json = {
        "type": "button",
        "action_id": f"{action}-{n}",
        "text": plain(choice.label, MAX_BUTTON_TEXT),
        "value": clip(button_value(step, choice.value), MAX_BUTTON_VALUE),
    }
    if choice.style:
        button["style"] = choice.style
    return button


def _table_lines(table: Table) -> list[str]:
    """One line per row: the first cell in bold, every other non-empty cell after its column's name."""
    lines = [f"*{escape(table.title)}*"] if table.title else []
    for row in table.rows:
        first, *rest = [str(c) for c in row] or [""]
        labelled = [f"{escape(col)}: {escape(cell)}" for col, cell in zip(table.columns[1:], rest, strict=False) if cell.strip()]
        lines.append(" · ".join([f"*{escape(first)}*", *labelled]) if first.strip() else " · ".join(labelled))
    return lines


def _escaped_sections(lines: list[str]) -> list[Json]:
    return [section(piece) for piece in chunks(lines)]


def block_kit(block: Block, n: int) -> list[Json]:
    """One core block as Slack blocks (`n` keeps action ids unique within a message)."""
    match block:
        case Heading(text):
            if len(text) <= MAX_HEADER:
                return [{"type": "header", "text": plain(text, MAX_HEADER)}]
            return sections([text])
        case Paragraph(text):
            return sections(text.split("\n")) if text else []
        case Fields(pairs):
            return _escaped_sections([f"*{escape(label)}*: {escape(value)}" for label, value in pairs])
        case Bullets(items):
            return sections([f"• {item}" for item in items])
        case Choices(prompt, choices, step, _):
            out = sections(prompt.split("\n")) if prompt else []
            buttons = [_button(c, step, n * 100 + i) for i, c in enumerate(choices)]
            for start in range(0, len(buttons), MAX_ACTIONS):
                out.append({"type": "actions", "elements": buttons[start : start + MAX_ACTIONS]})
            return out
        case Table():
            return _escaped_sections(_table_lines(block))
        case Form(title, _, _, step, _):
            return [
                section(f"*{escape(title)}*"),
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": f"{FORM_ACTION}-{n}",
                            "text": plain("Open the form", MAX_BUTTON_TEXT),
                            "value": button_value(step, "form"),
                            "style": "primary",
                        }
                    ],
                },
            ]
        case File(_, title):
            return [{"type": "context", "elements": [{"type": "mrkdwn", "text": escape(title), "verbatim": True}]}]
    raise TypeError(f"unknown block {block!r}")


@dataclass
class SlackMessage:
    """One chat.postMessage / chat.update body (without the channel)."""

    text: str
    blocks: list[Json] = field(default_factory=list)

    def body(self) -> Json:
        return {"text": self.text, "blocks": self.blocks, "unfurl_links": False, "unfurl_media": False}


def _size(block: Json) -> int:
    return len(json.dumps(block))


def messages(reply: Reply) -> list[SlackMessage]:
    """The reply as one Slack message, or several when it is longer than Slack takes in one."""
    reply = expand_reply(reply, SLACK)
    blocks = [b for n, block in enumerate(reply.blocks) for b in block_kit(block, n)]
    fallback = escape(clip(render(reply, SLACK), MAX_FALLBACK)) or " "
    if not blocks:
        return [SlackMessage(fallback)]
    groups: list[list[Json]] = [[]]
    size = 0
    for block in blocks:
        grown = size + _size(block)
        if groups[-1] and (len(groups[-1]) >= MAX_BLOCKS or grown > MAX_MESSAGE - MAX_FALLBACK - 1000):
            groups.append([])
            grown = _size(block)
        groups[-1].append(block)
        size = grown
    if len(groups) == 1:
        return [SlackMessage(fallback, groups[0])]
    return [SlackMessage(_group_text(group) or fallback, group) for group in groups]


def _group_text(blocks: list[Json]) -> str:
    """A continuation message's notification text: its own first words."""
    for block in blocks:
        text = block.get("text", {}).get("text") if isinstance(block.get("text"), dict) else None
        if text:
            return clip(text, 200)
    return ""


def plain_text(reply: Reply) -> str:
    """The reply as Slack users read it without blocks (ephemeral fallbacks, logs)."""
    return render(reply, SLACK)
