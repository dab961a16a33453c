"""The Adaptive Card and message builders, alone: every card valid against the
shipped Adaptive Cards 1.5 schema, user text never Markdown, Teams' size limit kept."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.command_names import cmd
from bot.core.replies import Bullets, Choice, Choices, Fields, Form, FormField, Heading, Paragraph, Reply, Table
from bot.teams import cards, outgoing
from tests.teams_fake.connector import CARD, activity_problems, card_problems

LINK = "[gov.uk](https://evil.example)"


def problems(activity: dict) -> list[str]:
    return activity_problems(activity, json.dumps(activity).encode())


def test_user_text_goes_into_text_runs_which_render_no_markdown() -> None:
    reply = Reply([Heading(f"Item 5: {LINK}"), Paragraph(f"Summary: {LINK}"), Fields([("KPI 1", LINK)]), Bullets([LINK])], key="prompt:5:2019-Q3")
    [activity] = outgoing.activities(reply)

    card = activity["attachments"][0]["content"]
    assert card_problems(card) == []
    dumped = json.dumps(card)
    assert '"TextBlock"' not in dumped, "TextBlock renders Markdown; user text goes in TextRuns"
    runs = [r["text"] for r in _runs(card)]
    assert f"Summary: {LINK}" in runs and LINK in runs


def test_a_text_only_reply_is_plain_text_and_shows_commands_as_teams_types_them() -> None:
    [activity] = outgoing.activities(Reply([Paragraph(f"Type {cmd('away')} until 3 Jan, or {cmd('plan-status')} 5. {LINK}")]))

    assert activity["textFormat"] == "plain"
    assert activity["text"] == f"Type plan-away until 3 Jan, or plan-status 5. {LINK}"
    assert problems(activity) == []


def test_rag_choices_carry_the_word_and_act_with_action_execute() -> None:
    reply = Reply([Choices("How is item 5 going?", [Choice("green", "Green: on track", "primary"), Choice("amber", "Amber: at risk"), Choice("red", "Red: off track", "danger")], step="checkin:3")])
    [activity] = outgoing.activities(reply)

    assert problems(activity) == []
    actions = [a for e in activity["attachments"][0]["content"]["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert [a["title"] for a in actions] == ["Green: on track", "Amber: at risk", "Red: off track"]
    assert {a["type"] for a in actions} == {"Action.Execute"}
    assert actions[0]["data"] == {"value": "green", "step": "checkin:3"} and actions[0]["verb"] == cards.VERB_CHOICE


def test_a_form_is_inputs_with_one_submit_and_each_problem_under_its_field() -> None:
    form = Form(
        "Item 5 update, Q3 2019-20",
        [
            FormField("rag", "Status", "choice", [Choice("green", "Green: on track"), Choice("amber", "Amber: at risk")], initial="amber", optional=False),
            FormField("summary", "Summary", "long_text", optional=False),
            FormField("ms:m1", "Federal board endorsement", "text", hint="done, on track or slipped"),
        ],
        step="checkin:form:4",
        errors={"rag": "'purple' is not a status: use green, amber or red", "summary": "Please write a summary"},
    )
    [activity] = outgoing.activities(Reply([form]))

    card = activity["attachments"][0]["content"]
    assert card_problems(card) == []
    body = card["body"]
    ids = [e.get("id") for e in body]
    assert ids.index("rag") < next(i for i, e in enumerate(body) if "purple" in json.dumps(e)) < ids.index("summary")
    chooser = body[ids.index("rag")]
    assert chooser["type"] == "Input.ChoiceSet" and chooser["value"] == "amber" and chooser["isRequired"] is True
    assert [c["title"] for c in chooser["choices"]] == ["Green: on track", "Amber: at risk"]
    [submit] = [a for e in body if e["type"] == "ActionSet" for a in e["actions"]]
    assert submit["type"] == "Action.Execute" and submit["verb"] == cards.VERB_FORM and submit["data"] == {"step": "checkin:form:4"}


def test_a_card_that_will_be_updated_is_sent_alone_without_text() -> None:
    [activity] = outgoing.activities(Reply([Paragraph("Item 5: due by 20 Dec")], key="prompt:5:2019-Q3"))

    assert "text" not in activity and len(activity["attachments"]) == 1
    assert activity["attachments"][0]["contentType"] == CARD


def test_a_long_answer_is_split_under_teams_limit_and_loses_nothing() -> None:
    lines = [f"Item {n}: {'progress note ' * 30}" for n in range(400)]
    parts = outgoing.activities(Reply([Paragraph("\n".join(lines))]))

    assert len(parts) > 1
    assert all(problems(p) == [] for p in parts)
    assert "\n".join(p["text"] for p in parts) == "\n".join(lines)


def test_a_long_table_is_split_between_rows_with_the_header_on_each_card() -> None:
    rows = [[str(n), f"Item {n} with a long title " * 3, "Cal Placeholder", "Green (on track)"] for n in range(120)]
    parts = outgoing.activities(Reply([Heading("Plan status"), Table(["#", "Item", "Lead", "Status"], rows)]))

    assert len(parts) > 1
    assert all(problems(p) == [] for p in parts), [problems(p) for p in parts][:1]
    tables = [e for p in parts for e in p["attachments"][0]["content"]["body"] if e["type"] == "Table"]
    assert all(t["rows"][0]["cells"][0]["items"][0]["inlines"][0]["text"] == "#" for t in tables)
    assert sum(len(t["rows"]) - 1 for t in tables) == 120


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=3000), st.text(max_size=200))
def test_any_text_makes_a_valid_card_and_a_valid_message(text: str, label: str) -> None:
    reply = Reply([Heading(label), Paragraph(text), Choices(label, [Choice("x", label or "x")], step="s")])
    for activity in outgoing.activities(reply) + outgoing.activities(Reply([Paragraph(text or ".")])):
        assert problems(activity) == []


def _runs(node: object) -> list[dict]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "TextRun" else []
        return found + [r for v in node.values() for r in _runs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _runs(v)]
    return []
