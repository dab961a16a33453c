"""The Block Kit checks read whatever the bot sends: any JSON gets a list of problems back,
never an exception (which would turn into a 500 from the fake and hide the real fault)."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.slack_fake.blockkit import block_problems, message_problems, view_ack_problems, view_problems

# The keys and types whose values the checks look into (others are passed through).
KEYS = ["text", "elements", "element", "fields", "accessory", "options", "option_groups", "label", "blocks",
        "title", "submit", "errors", "view", "response_action", "initial_value", "block_id", "action_id"]
TYPES = ["section", "header", "actions", "context", "input", "button", "plain_text", "mrkdwn", "static_select",
         "radio_buttons", "overflow", "plain_text_input", "modal", "home"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.sampled_from(TYPES + ["", "x" * 3001]))


def shaped(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects that look like Block Kit: a type Slack knows, and known keys holding anything."""
    return st.tuples(st.sampled_from(TYPES), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)).map(
        lambda pair: {**pair[1], "type": pair[0]}
    )


json_like: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), shaped(inner), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_like)
@example({"type": "section", "fields": 5})
@example({"type": "actions", "elements": "abc"})
@example({"type": "static_select", "options": 3, "option_groups": [{"options": 1}]})
@example({"type": "modal", "blocks": 5, "title": {"type": "plain_text", "text": "x"}})
@example({"response_action": "errors", "errors": {"x": 1}})
def test_any_json_gets_problems_not_an_exception(payload: Any) -> None:
    for problems in (
        block_problems(payload),
        block_problems([payload]),
        view_problems(payload),
        view_ack_problems(payload, {"blocks": [payload]}),
        message_problems({"text": "x", "blocks": payload} if not isinstance(payload, dict) else payload),
    ):
        assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
