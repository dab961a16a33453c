"""The Block Kit checks read whatever the bot sends: any JSON gets a list of problems back,
never an exception (which would turn into a 500 from the fake and hide the real fault)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.slack_fake.blockkit import block_problems, message_problems, view_ack_problems, view_problems

KEYS = ["type", "text", "block_id", "action_id", "elements", "element", "fields", "accessory", "options",
        "option_groups", "label", "hint", "placeholder", "initial_value", "max_length", "value", "url", "style",
        "title", "submit", "close", "blocks", "alt_text", "response_action", "errors", "view", "optional"]
TYPES = ["section", "header", "actions", "context", "input", "image", "divider", "button", "plain_text",
         "mrkdwn", "static_select", "radio_buttons", "checkboxes", "overflow", "plain_text_input", "modal", "home"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.sampled_from(TYPES), st.text(max_size=8))


def shaped(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects that look like Block Kit: a type Slack knows, and known keys holding anything."""
    return st.fixed_dictionaries({"type": st.sampled_from(TYPES)}, optional={key: inner for key in KEYS if key != "type"})


json_like: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), shaped(inner), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
    max_leaves=40,
)


@settings(max_examples=500, deadline=None)
@given(json_like)
def test_any_json_gets_problems_not_an_exception(payload: Any) -> None:
    for problems in (
        block_problems(payload),
        block_problems([payload]),
        view_problems(payload),
        view_ack_problems(payload, {"blocks": [payload]}),
        message_problems({"text": "x", "blocks": payload} if not isinstance(payload, dict) else payload),
    ):
        assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
