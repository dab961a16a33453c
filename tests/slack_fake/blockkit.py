"""Block Kit checks: what Slack answers with ``invalid_blocks`` (or ``invalid_arguments``
for views), found two ways.

1. slack_sdk's models parse each block and view and run their own validators
   (``to_dict`` calls ``validate_json``); a field the models drop on the round trip is a
   field Slack does not know.
2. Slack's documented limits, checked here directly, since the models check only some of
   them: 50 blocks in a message and 100 in a modal or home tab, 3,000 characters of section
   text, 150 of header, 75 of button text, 255 of block_id/action_id, modal titles of 24,
   initial values of 3,000, 100 options in a menu, no empty text, no duplicate ids.

Each function returns a list of human-readable problems; empty means Slack would accept it.
"""

from __future__ import annotations

import json
import logging
import warnings
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
SECTION_TEXT = 3_000
SECTION_FIELD = 2_000
SECTION_FIELDS = 10
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2_000
URL = 3_000
ID = 255
VIEW_TITLE = 24
PRIVATE_METADATA = 3_000
INITIAL_VALUE = 3_000
INPUT_MAX_LENGTH = 3_000
LABEL = 2_000
PLACEHOLDER = 150
OPTION_TEXT = 75
OPTION_VALUE = 150
MENU_OPTIONS = 100
CHOICE_OPTIONS = 10
ACTIONS_ELEMENTS = 25
CONTEXT_ELEMENTS = 10
ALT_TEXT = 2_000

SPECIAL_MENTIONS = ("<!channel>", "<!here>", "<!everyone>")
_TEXT_TYPES = {"plain_text", "mrkdwn"}
_BUTTON_STYLES = {"primary", "danger"}
_MENUS = {
    "static_select",
    "multi_static_select",
    "external_select",
    "multi_external_select",
    "users_select",
    "multi_users_select",
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "multi_channels_select",
}
_CHOICES = {"radio_buttons", "checkboxes"}
_INPUT_ELEMENTS = _MENUS | _CHOICES | {
    "plain_text_input",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "email_text_input",
    "number_input",
    "url_text_input",
    "file_input",
    "rich_text_input",
}

# The models' loggers say "Unknown block detected and skipped" when a type is unknown; the
# check below reports that itself, so the log line is only noise in test output.
logging.getLogger("slack_sdk.models").setLevel(logging.ERROR)


def block_problems(blocks: Any, *, surface: str = "message") -> list[str]:
    """Problems Slack would reject in ``blocks`` shown on ``surface`` ("message", "modal", "home")."""
    if not isinstance(blocks, list):
        return [f"blocks must be a JSON array, got {type(blocks).__name__}"]
    problems: list[str] = []
    limit = MESSAGE_BLOCKS if surface == "message" else VIEW_BLOCKS
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks in a {surface}, Slack allows at most {limit}")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        if not isinstance(block, dict):
            problems.append(f"{where} is not an object")
            continue
        problems += _model_problems(block, where)
        problems += _limit_problems(block, where, surface)
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in block_ids:
                problems.append(f"{where}: duplicate block_id {block_id!r}")
            block_ids.add(block_id)
    return problems


def view_problems(view: Any) -> list[str]:
    """Problems Slack would reject in a modal or home-tab ``view``."""
    if not isinstance(view, dict):
        return [f"view must be a JSON object, got {type(view).__name__}"]
    problems: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"view type must be 'modal' or 'home', got {kind!r}"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            View(**view).to_dict()
    except Exception as exc:  # noqa: BLE001 - whatever the models choke on, Slack refuses too
        problems.append(f"view: {type(exc).__name__}: {exc}")
    blocks = view.get("blocks")
    if not blocks:
        problems.append("view: blocks are required (at least one)")
        blocks = []
    else:
        problems += [f"view {p}" for p in block_problems(blocks, surface=kind)]
        if not isinstance(blocks, list):
            blocks = []
    if kind == "modal":
        for key in ("title", "submit", "close"):
            if key in view:
                problems += _text_problems(view[key], f"view.{key}", max_length=VIEW_TITLE, plain=True)
        if "title" not in view:
            problems.append("view.title is required in a modal")
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks or [])
        if has_input and "submit" not in view:
            problems.append("view.submit is required when a modal has input blocks")
    elif any(key in view for key in ("submit", "close")):
        problems.append("a home view cannot have submit or close")
    for key, limit in (("private_metadata", PRIVATE_METADATA), ("callback_id", ID), ("external_id", ID)):
        value = view.get(key)
        if isinstance(value, str) and len(value) > limit:
            problems.append(f"view.{key} is {len(value)} characters, at most {limit}")
    return problems


def message_problems(args: dict[str, Any], *, require_text: bool = True) -> list[str]:
    """Problems with a message's text and blocks (chat.postMessage/update/postEphemeral, response_url)."""
    problems: list[str] = []
    text = args.get("text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        problems.append(f"text is {len(text)} characters, Slack allows at most {MESSAGE_TEXT} (msg_too_long)")
    blocks = args.get("blocks")
    if blocks is not None:
        problems += block_problems(blocks, surface="message")
    if require_text:
        problems += text_fallback_problems(args)
    return problems


def text_fallback_problems(args: dict[str, Any]) -> list[str]:
    """Blocks with no `text`: Slack accepts them, but notifications and screen readers get nothing."""
    if args.get("blocks") is not None and not args.get("text"):
        return ["blocks without a text fallback: notifications and screen readers show nothing"]
    return []


def mention_problems(payload: dict[str, Any]) -> list[str]:
    """``<!channel>``, ``<!here>`` or ``<!everyone>`` in what the bot sends: it would notify a
    whole channel, which echoed user text must never do (escape ``&``, ``<``, ``>``)."""
    content = json.dumps([payload.get("text"), payload.get("blocks"), payload.get("attachments")])
    return [f"{m} would notify everyone (escape user text)" for m in SPECIAL_MENTIONS if m in content]


def _model_problems(block: dict[str, Any], where: str) -> list[str]:
    """Parse with slack_sdk's models; report what they reject and fields they do not know."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = Block.parse(dict(block))
            if parsed is None:
                return [f"{where}: unknown block type {block.get('type')!r}"]
            round_trip = parsed.to_dict()
    except SlackObjectFormationError as exc:
        return [f"{where} ({block.get('type')}): {exc}"]
    except Exception as exc:  # noqa: BLE001 - whatever the models choke on, Slack refuses too
        return [f"{where} ({block.get('type')}): {type(exc).__name__}: {exc}"]
    return [f"{where}: unknown field {path}" for path in _dropped(block, round_trip, "")]


def _dropped(original: Any, round_trip: Any, path: str) -> list[str]:
    """Keys present in ``original`` but lost in ``round_trip`` (the models ignore unknown keys)."""
    lost: list[str] = []
    if isinstance(original, dict) and isinstance(round_trip, dict):
        for key, value in original.items():
            if key not in round_trip:
                if value is not None and not (hasattr(value, "__len__") and len(value) == 0):
                    lost.append(f"{path}.{key}" if path else key)
            else:
                lost += _dropped(value, round_trip[key], f"{path}.{key}" if path else key)
    elif isinstance(original, list) and isinstance(round_trip, list) and len(original) == len(round_trip):
        for index, (a, b) in enumerate(zip(original, round_trip)):
            lost += _dropped(a, b, f"{path}[{index}]")
    return lost


def _items(obj: dict[str, Any], key: str, where: str, problems: list[str]) -> list[Any]:
    """``obj[key]`` when it is an array (missing: empty); anything else is a problem."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}.{key} must be an array")
        return []
    return value


def _text_problems(obj: Any, where: str, *, max_length: int, plain: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where} must be a text object"]
    kind = obj.get("type")
    if kind not in _TEXT_TYPES:
        return [f"{where}.type must be plain_text or mrkdwn, got {kind!r}"]
    if plain and kind != "plain_text":
        return [f"{where} must be plain_text"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}.text must be a non-empty string"]
    if len(text) > max_length:
        return [f"{where}.text is {len(text)} characters, at most {max_length}"]
    return []


def _limit_problems(block: dict[str, Any], where: str, surface: str) -> list[str]:
    problems: list[str] = []
    kind = block.get("type")
    block_id = block.get("block_id")
    if isinstance(block_id, str) and len(block_id) > ID:
        problems.append(f"{where}.block_id is {len(block_id)} characters, at most {ID}")
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"{where}: a section needs text or fields")
        if "text" in block:
            problems += _text_problems(block["text"], f"{where}.text", max_length=SECTION_TEXT)
        fields = _items(block, "fields", where, problems)
        if len(fields) > SECTION_FIELDS:
            problems.append(f"{where}: {len(fields)} fields, at most {SECTION_FIELDS}")
        for i, field in enumerate(fields):
            problems += _text_problems(field, f"{where}.fields[{i}]", max_length=SECTION_FIELD)
        if "accessory" in block:
            problems += _element_problems(block["accessory"], f"{where}.accessory", set())
    elif kind == "header":
        problems += _text_problems(block.get("text"), f"{where}.text", max_length=HEADER_TEXT, plain=True)
    elif kind == "context":
        elements = _items(block, "elements", where, problems)
        if not elements or len(elements) > CONTEXT_ELEMENTS:
            problems.append(f"{where}: {len(elements)} context elements, 1 to {CONTEXT_ELEMENTS} allowed")
        for i, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") in _TEXT_TYPES:
                problems += _text_problems(element, f"{where}.elements[{i}]", max_length=SECTION_TEXT)
    elif kind == "actions":
        elements = _items(block, "elements", where, problems)
        if not elements or len(elements) > ACTIONS_ELEMENTS:
            problems.append(f"{where}: {len(elements)} action elements, 1 to {ACTIONS_ELEMENTS} allowed")
        action_ids: set[str] = set()
        for i, element in enumerate(elements):
            problems += _element_problems(element, f"{where}.elements[{i}]", action_ids)
    elif kind == "input":
        problems += _text_problems(block.get("label"), f"{where}.label", max_length=LABEL, plain=True)
        if "hint" in block:
            problems += _text_problems(block["hint"], f"{where}.hint", max_length=LABEL, plain=True)
        element = block.get("element")
        if not isinstance(element, dict):
            problems.append(f"{where}: an input block needs an element")
        else:
            if element.get("type") not in _INPUT_ELEMENTS:
                problems.append(f"{where}.element: {element.get('type')!r} cannot go in an input block")
            problems += _element_problems(element, f"{where}.element", set())
        if surface == "home":
            problems.append(f"{where}: input blocks are not allowed in a home tab")
    elif kind == "image":
        alt = block.get("alt_text")
        if not isinstance(alt, str) or not alt or len(alt) > ALT_TEXT:
            problems.append(f"{where}.alt_text must be 1 to {ALT_TEXT} characters")
    return problems


def _element_problems(element: Any, where: str, action_ids: set[str]) -> list[str]:
    if not isinstance(element, dict):
        return [f"{where} is not an object"]
    problems: list[str] = []
    kind = element.get("type")
    action_id = element.get("action_id")
    if isinstance(action_id, str):
        if len(action_id) > ID:
            problems.append(f"{where}.action_id is {len(action_id)} characters, at most {ID}")
        if action_id in action_ids:
            problems.append(f"{where}: duplicate action_id {action_id!r} in one block")
        action_ids.add(action_id)
    if "placeholder" in element:
        problems += _text_problems(element["placeholder"], f"{where}.placeholder", max_length=PLACEHOLDER, plain=True)
    if kind == "button":
        problems += _text_problems(element.get("text"), f"{where}.text", max_length=BUTTON_TEXT, plain=True)
        value = element.get("value")
        if isinstance(value, str) and len(value) > BUTTON_VALUE:
            problems.append(f"{where}.value is {len(value)} characters, at most {BUTTON_VALUE}")
        url = element.get("url")
        if isinstance(url, str) and len(url) > URL:
            problems.append(f"{where}.url is {len(url)} characters, at most {URL}")
        if "style" in element and element["style"] not in _BUTTON_STYLES:
            problems.append(f"{where}.style must be primary or danger, got {element['style']!r}")
    elif kind == "plain_text_input":
        initial = element.get("initial_value")
        if isinstance(initial, str) and len(initial) > INITIAL_VALUE:
            problems.append(f"{where}.initial_value is {len(initial)} characters, at most {INITIAL_VALUE}")
        max_length = element.get("max_length")
        if isinstance(max_length, int) and max_length > INPUT_MAX_LENGTH:
            problems.append(f"{where}.max_length is {max_length}, at most {INPUT_MAX_LENGTH}")
        if isinstance(initial, str) and isinstance(max_length, int) and len(initial) > max_length:
            problems.append(f"{where}.initial_value is longer than its max_length {max_length}")
    elif kind in _MENUS or kind in _CHOICES or kind == "overflow":
        options = _items(element, "options", where, problems)
        groups = _items(element, "option_groups", where, problems)
        limit = CHOICE_OPTIONS if kind in _CHOICES else 5 if kind == "overflow" else MENU_OPTIONS
        if len(options) > limit:
            problems.append(f"{where}: {len(options)} options, at most {limit}")
        if len(groups) > MENU_OPTIONS:
            problems.append(f"{where}: {len(groups)} option groups, at most {MENU_OPTIONS}")
        if kind == "overflow" and len(options) < 2:
            problems.append(f"{where}: an overflow menu needs 2 to 5 options")
        all_options = list(options)
        for i, group in enumerate(groups):
            if isinstance(group, dict):
                all_options += _items(group, "options", f"{where}.option_groups[{i}]", problems)
        values: set[str] = set()
        for i, option in enumerate(all_options):
            if not isinstance(option, dict):
                problems.append(f"{where}.options[{i}] is not an object")
                continue
            problems += _text_problems(
                option.get("text"), f"{where}.options[{i}].text", max_length=OPTION_TEXT, plain=kind not in _CHOICES
            )
            value = option.get("value")
            if not isinstance(value, str) or not value or len(value) > OPTION_VALUE:
                problems.append(f"{where}.options[{i}].value must be 1 to {OPTION_VALUE} characters")
            elif value in values:
                problems.append(f"{where}.options[{i}]: duplicate option value {value!r}")
            else:
                values.add(value)
    return problems


def view_ack_problems(ack: Any, submitted_view: dict[str, Any]) -> list[str]:
    """Problems in the answer to a ``view_submission`` (the HTTP ack body or the Socket Mode
    ack payload): ``response_action`` errors/update/push/clear as Slack takes them. Errors
    must name input blocks of the submitted view, or the user sees nothing."""
    if ack in (None, b"", ""):
        return []
    if not isinstance(ack, dict):
        return ["a view_submission answer must be a JSON object"]
    action = ack.get("response_action")
    if action is None:
        return [] if not ack else ["an answer to a view_submission without response_action is ignored"]
    if action == "errors":
        errors = ack.get("errors")
        if not isinstance(errors, dict) or not errors:
            return ["response_action errors needs a non-empty errors object"]
        blocks = submitted_view.get("blocks")
        inputs = {
            b.get("block_id")
            for b in (blocks if isinstance(blocks, list) else [])
            if isinstance(b, dict) and b.get("type") == "input"
        }
        problems = []
        for block_id, message in errors.items():
            if block_id not in inputs:
                problems.append(f"errors names {block_id!r}, which is not an input block of the submitted view")
            if not isinstance(message, str) or not message:
                problems.append(f"errors[{block_id!r}] must be a non-empty string")
        return problems
    if action in ("update", "push"):
        view = ack.get("view")
        if not isinstance(view, dict) or view.get("type") != "modal":
            return [f"response_action {action} needs a modal view"]
        return view_problems(view)
    if action == "clear":
        return []
    return [f"unknown response_action {action!r}"]
