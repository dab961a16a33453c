"""Block Kit from core replies: escaped, split to Slack's limits, readable tables, worded buttons."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.core.command_names import cmd
from bot.core.replies import Bullets, Choice, Choices, Fields, Form, FormField, Heading, Paragraph, Reply, Table
from bot.slack.blocks import (
    CHOICE_ACTION,
    FORM_ACTION,
    MAX_BLOCKS,
    MAX_MESSAGE,
    MAX_SECTION,
    escape,
    messages,
    read_button_value,
)


def texts(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if isinstance(b.get("text"), dict)]


def all_text(reply: Reply) -> str:
    return "\n".join(t for m in messages(reply) for t in texts(m.blocks))


def test_user_text_pings_nobody_and_links_nothing() -> None:
    reply = Reply([Paragraph("Summary: <!channel> ask <@U1> see <https://x|y> & more")])
    [message] = messages(reply)

    shown = all_text(reply)
    assert "&lt;!channel&gt;" in shown and "&lt;@U1&gt;" in shown and "&lt;https://x|y&gt;" in shown
    assert "<!channel>" not in json.dumps(message.body()) and "<@U1>" not in json.dumps(message.body())
    assert "&amp; more" in shown
    assert message.text.startswith("Summary: &lt;!channel&gt;"), "the notification text is escaped too"
    body = message.body()
    assert body["unfurl_links"] is False and body["unfurl_media"] is False
    assert all(b["text"].get("verbatim") for b in message.blocks if b["type"] == "section")


def test_a_long_answer_is_split_within_every_limit() -> None:
    rows = [[f"{n}. Item with a long title {'x' * 80}", "Cal Placeholder", "Green (on track)", "12 Jun 2019"] for n in range(400)]
    reply = Reply([Heading("Status"), Table(["Item", "Lead", "Status", "Updated"], rows), Paragraph("y " * 5000)])
    out = messages(reply)

    assert len(out) > 1
    for message in out:
        assert len(message.blocks) <= MAX_BLOCKS
        assert len(json.dumps(message.blocks)) + len(message.text) <= MAX_MESSAGE
        for block in message.blocks:
            Block.parse(block).validate_json()
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= MAX_SECTION
    shown = all_text(reply)
    assert "399. Item with a long title" in shown, "nothing is dropped"
    assert shown.count("Lead: Cal Placeholder") == 400


def test_a_table_reads_as_one_labelled_line_per_row() -> None:
    reply = Reply([Table(["Item", "Lead", "Status"], [["5. Partnership", "Cal", "Amber (at risk)"], ["6. Skills", "", "Green"]], "Q3")])
    shown = all_text(reply)

    assert "*Q3*" in shown
    assert "*5. Partnership* · Lead: Cal · Status: Amber (at risk)" in shown
    assert "*6. Skills* · Status: Green" in shown


def test_buttons_carry_their_word_and_the_question() -> None:
    choices = Choices("How is it going?", [Choice("green", "Green: on track", "primary"), Choice("form", "Open the form")], step="checkin:3")
    [message] = messages(Reply([choices]))
    [actions] = [b for b in message.blocks if b["type"] == "actions"]

    labels = [e["text"]["text"] for e in actions["elements"]]
    assert labels == ["Green: on track", "Open the form"]
    assert actions["elements"][0]["action_id"].startswith(CHOICE_ACTION)
    assert actions["elements"][1]["action_id"].startswith(FORM_ACTION)
    assert read_button_value(actions["elements"][0]["value"]) == ("checkin:3", "green")
    assert read_button_value("not ours") is None


def test_commands_are_spelled_the_slack_way() -> None:
    shown = all_text(Reply([Paragraph(f"Type {cmd('away')} or {cmd('plan-status')}."), Bullets([f"{cmd('help')}"])]))

    assert "/plan-away" in shown and "/plan-status" in shown and "/plan-help" in shown
    assert "/away" not in shown.replace("/plan-away", "")


def test_a_form_in_a_message_is_a_button_that_opens_it() -> None:
    form = Form("Item 5 update, Q3 2019-20", [FormField("rag", "RAG status")], step="checkin:form:5:2019-Q3")
    [message] = messages(Reply([form]))
    [actions] = [b for b in message.blocks if b["type"] == "actions"]

    assert actions["elements"][0]["text"]["text"] == "Open the form"
    assert read_button_value(actions["elements"][0]["value"]) == ("checkin:form:5:2019-Q3", "form")


def test_fields_and_headings() -> None:
    [message] = messages(Reply([Heading("Item 5: <b>"), Fields([("KPI 1", "a < b")])]))

    assert message.blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Item 5: <b>", "emoji": False}}
    assert "*KPI 1*: a &lt; b" in texts(message.blocks)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=4000), min_size=1, max_size=30))
def test_any_text_fits_and_stays_escaped(paragraphs: list[str]) -> None:
    reply = Reply([Paragraph(p) for p in paragraphs])
    out = messages(reply)

    for message in out:
        assert len(message.blocks) <= MAX_BLOCKS
        for text in texts(message.blocks):
            assert len(text) <= MAX_SECTION
            assert "<" not in text and ">" not in text
    joined = "".join(t.replace("\n", "") for m in out for t in texts(m.blocks))
    expected = "".join(escape(p).replace("\n", "") for p in paragraphs)
    assert joined.replace(" ", "") == expected.replace(" ", ""), "every character survives the split"
