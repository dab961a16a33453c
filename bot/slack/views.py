"""Modal and App Home views: pure builders from the core's replies.

A form opens in two steps, because a trigger id lasts three seconds: a loading
modal at once, then the form filled in with `views.update`. Slack's limits are
kept here: a title and a submit label of at most 24 characters, initial values
of at most 3,000, 100 blocks a view; a field's problems come back with
`response_action: errors`, keyed by the block id, which is the field's name.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.command_names import expand_reply
from bot.core.replies import Form, FormField, Reply
from bot.slack.blocks import MAX_SECTION, Json, block_kit, clip, plain, section
from bot.slack.syntax import SLACK

FORM_CALLBACK = "planbot-form"
VALUE_ACTION = "value"
MAX_TITLE = 24
MAX_INITIAL = 3000
MAX_VIEW_BLOCKS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_METADATA = 3000


def title_text(title: str) -> Json:
    return plain(title, MAX_TITLE)


def loading_view(title: str = "Planbot") -> Json:
    """Shown the instant a form is asked for, while the core builds it."""
    return {
        "type": "modal",
        "title": title_text(title),
        "close": title_text("Close"),
        "blocks": [section("Opening the form…")],
    }


def message_view(reply: Reply, title: str = "Planbot") -> Json:
    """A modal that only shows a reply (the form could not be opened, or the review was sent to the DM)."""
    reply = expand_reply(reply, SLACK)
    blocks = [b for n, block in enumerate(reply.blocks) for b in block_kit(block, n) if b.get("type") != "actions"]
    return {
        "type": "modal",
        "title": title_text(title),
        "close": title_text("Close"),
        "blocks": blocks[:MAX_VIEW_BLOCKS] or [section(" ")],
    }


def _option(value: str, label: str) -> Json:
    return {"text": plain(label, MAX_OPTION_TEXT), "value": clip(value, MAX_OPTION_VALUE)}


def _element(f: FormField) -> Json:
    initial = clip(f.initial, MAX_INITIAL)
    if f.kind == "choice":
        options = [_option(c.value, c.label) for c in f.options]
        element: Json = {"type": "static_select", "action_id": VALUE_ACTION, "options": options}
        chosen = [o for o in options if o["value"].lower() == initial.lower()]
        if chosen:
            element["initial_option"] = chosen[0]
        return element
    element = {"type": "plain_text_input", "action_id": VALUE_ACTION, "multiline": f.kind == "long_text", "max_length": MAX_INITIAL}
    if initial:
        element["initial_value"] = initial
    if f.kind == "date":
        element["placeholder"] = plain("e.g. 31 March 2020", 150)
    return element


def _input(f: FormField) -> Json:
    block: Json = {
        "type": "input",
        "block_id": f.name,
        "label": plain(f.label, 2000),
        "optional": f.optional,
        "element": _element(f),
    }
    if f.hint:
        block["hint"] = plain(f.hint, 2000)
    return block


def form_view(form: Form, *, metadata: dict[str, Any]) -> Json:
    """The update form as a modal; `metadata` travels back with the submission (the step and where to answer)."""
    reply = expand_reply(Reply([form]), SLACK)
    [form] = [b for b in reply.blocks if isinstance(b, Form)]
    private = json.dumps({**metadata, "step": form.step}, separators=(",", ":"))
    if len(private) > MAX_METADATA:
        private = json.dumps({"step": form.step}, separators=(",", ":"))
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": title_text(form.title),
        "submit": title_text(form.submit_label),
        "close": title_text("Cancel"),
        "private_metadata": private,
        "blocks": [_input(f) for f in form.fields][:MAX_VIEW_BLOCKS],
    }


def form_errors(form: Form) -> Json:
    """The `response_action: errors` answer: each problem under its field."""
    reply = expand_reply(Reply([form]), SLACK)
    [form] = [b for b in reply.blocks if isinstance(b, Form)]
    names = {f.name for f in form.fields}
    errors = {name: clip(message, 2000) for name, message in form.errors.items() if name in names}
    return {"response_action": "errors", "errors": errors}


def submitted_values(view: Json) -> dict[str, str]:
    """A submitted modal's values by field name: typed text, or the chosen option's value."""
    out: dict[str, str] = {}
    for block_id, actions in (view.get("state", {}).get("values", {}) or {}).items():
        state = actions.get(VALUE_ACTION) or next(iter(actions.values()), {})
        if state.get("type") == "static_select":
            chosen = state.get("selected_option") or {}
            out[block_id] = str(chosen.get("value") or "")
        elif state.get("type") == "datepicker":
            out[block_id] = str(state.get("selected_date") or "")
        else:
            out[block_id] = str(state.get("value") or "")
    return out


def home_view(name: str, replies: list[Reply]) -> Json:
    """The App Home tab: the person's items, what is due and their last updates (the core's
    own answer for them), and any question they left open, with its buttons."""
    blocks: list[Json] = [{"type": "header", "text": plain(f"Planbot for {name}", 150)}]
    for reply in replies:
        reply = expand_reply(reply, SLACK)
        for n, block in enumerate(reply.blocks):
            if not isinstance(block, Form):
                blocks.extend(block_kit(block, len(blocks) + n))
        blocks.append({"type": "divider"})
    blocks.append(
        section(
            f"Write to me in the *Messages* tab, or type `{SLACK.typed('plan-update')}` anywhere. "
            f"`{SLACK.typed('help')}` lists everything."
        )
    )
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = [*blocks[: MAX_VIEW_BLOCKS - 1], section(clip("There is more: type `/plan-status` to see it all.", MAX_SECTION))]
    return {"type": "home", "blocks": blocks}
