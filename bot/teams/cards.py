"""Pure Adaptive Card 1.5 builders from the core's replies.

Every piece of text from the core (and so from people: a lead's update, an item
title) goes into a `RichTextBlock` as `TextRun`s, which render no Markdown, so
`[gov.uk](https://evil.example)` typed by a lead shows literally and never
becomes a link. Buttons are `Action.Execute` (Universal Actions) carrying the
choice's value and the question's step; the whole update is one card of inputs
with an `Action.Execute` submit, each field's problem shown under it.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.command_names import CommandSyntax, expand_reply
from bot.core.replies import Block, Bullets, Choice, Choices, Fields, File, Form, FormField, Heading, Paragraph, Reply, Table
from bot.teams.syntax import TEAMS

Card = dict[str, Any]
Element = dict[str, Any]

VERSION = "1.5"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
VERB_CHOICE = "planbot.choice"
VERB_FORM = "planbot.form"
_STYLES = {"primary": "positive", "danger": "destructive"}


def run(text: str, **style: Any) -> Element:
    """A TextRun: plain text, never Markdown."""
    return {"type": "TextRun", "text": text, **style}


def rich(*runs: Element, **props: Any) -> Element:
    return {"type": "RichTextBlock", "inlines": list(runs), **props}


def plain(text: str, **style: Any) -> Element:
    """One paragraph of plain text."""
    return rich(run(text, **style))


def _choice_action(choice: Choice, step: str) -> Element:
    action: Element = {
        "type": "Action.Execute",
        "title": choice.label,
        "verb": VERB_CHOICE,
        "data": {"value": choice.value, "step": step},
    }
    if choice.style in _STYLES:
        action["style"] = _STYLES[choice.style]
    return action


def _table(block: Table) -> list[Element]:
    def cell(text: str, **style: Any) -> Element:
        return {"type": "TableCell", "items": [plain(text, **style)]}

    rows = [{"type": "TableRow", "cells": [cell(c, weight="bolder") for c in block.columns]}]
    rows += [{"type": "TableRow", "cells": [cell(str(c)) for c in row]} for row in block.rows]
    table: Element = {
        "type": "Table",
        "columns": [{"type": "TableColumnDefinition", "width": 1} for _ in block.columns],
        "rows": rows,
        "firstRowAsHeader": True,
        "showGridLines": True,
    }
    return ([plain(block.title, weight="bolder")] if block.title else []) + [table]


def _input(field: FormField) -> Element:
    label = field.label + ("" if field.optional else " (required)")
    base: Element = {"id": field.name, "label": label, "isRequired": not field.optional}
    if not field.optional:
        base["errorMessage"] = f"{field.label}: please fill this in"
    match field.kind:
        case "choice":
            element: Element = {
                "type": "Input.ChoiceSet",
                **base,
                "style": "compact",
                "choices": [{"title": c.label, "value": c.value} for c in field.options],
            }
            if field.initial and any(c.value == field.initial for c in field.options):
                element["value"] = field.initial
            return element
        case "long_text" | "text" | "date":
            element = {"type": "Input.Text", **base, "isMultiline": field.kind == "long_text", "maxLength": 3000}
            if field.initial:
                element["value"] = field.initial
            if field.hint:
                element["placeholder"] = field.hint
            return element
    raise ValueError(f"unknown field kind {field.kind!r}")


def _form(block: Form) -> list[Element]:
    body: list[Element] = [plain(block.title, weight="bolder", size="medium")]
    if block.errors:
        body.append(plain("Some answers need fixing: see the notes under them.", color="attention"))
    for field in block.fields:
        body.append(_input(field))
        if field.hint and field.kind == "choice":
            body.append(plain(field.hint, isSubtle=True, size="small"))
        if field.name in block.errors:
            body.append(plain(block.errors[field.name], color="attention"))
    submit = {"type": "Action.Execute", "title": block.submit_label, "verb": VERB_FORM, "data": {"step": block.step}, "style": "positive"}
    body.append({"type": "ActionSet", "actions": [submit]})
    return body


def elements(block: Block) -> list[Element]:
    """The card elements of one block (its text already spelled for Teams)."""
    match block:
        case Heading(text):
            return [plain(text, weight="bolder", size="medium")]
        case Paragraph(text):
            return [plain(text)] if text else []
        case Fields(pairs):
            return [rich(run(f"{label}: ", weight="bolder"), run(value)) for label, value in pairs]
        case Bullets(items):
            return [plain(f"• {item}") for item in items]
        case Choices(prompt, choices, step, _):
            out = [plain(prompt)] if prompt else []
            if choices:
                out.append({"type": "ActionSet", "actions": [_choice_action(c, step) for c in choices]})
            return out
        case Table():
            return _table(block)
        case Form():
            return _form(block)
        case File(_, title):
            return [plain(title)]
    raise TypeError(f"unknown block {block!r}")


class Sealed(dict[str, Any]):
    """A finished card: read-only, so the SDK's defensive deep copy of every activity it
    sends (about as costly as building the card again) can hand back the card itself,
    and a card kept for a repeated answer is shared safely. The elements inside are
    plain dicts that nothing touches once the card is built."""

    __slots__ = ("_json",)

    def json(self) -> str:
        """The card as JSON text, written once (what `bot.teams.replies_body` splices in)."""
        try:
            return self._json
        except AttributeError:
            self._json: str = json.dumps(self)
            return self._json

    def __deepcopy__(self, memo: dict[int, Any]) -> Sealed:
        return self

    def __copy__(self) -> Sealed:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a built card is read-only")

    __setitem__ = __delitem__ = __ior__ = _refuse  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]


def card(body: list[Element]) -> Card:
    return Sealed(type="AdaptiveCard", **{"$schema": SCHEMA}, version=VERSION, body=body or [plain(" ")])


def reply_card(reply: Reply, syntax: CommandSyntax = TEAMS) -> Card:
    """The whole reply as one card (commands spelled as Teams users type them)."""
    reply = expand_reply(reply, syntax)
    return card([e for block in reply.blocks for e in elements(block)])


def size(value: Any) -> int:
    """Bytes of the JSON Teams would receive."""
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
