"""Modals and the App Home from core forms and replies, within Slack's limits."""

from __future__ import annotations

import json

from slack_sdk.models.views import View

from bot.core.replies import Choice, Form, FormField, Paragraph, Reply, Table
from bot.slack.views import form_errors, form_view, home_view, loading_view, message_view, submitted_values


def form(**errors: str) -> Form:
    return Form(
        "Item 5 update, Q3 2019-20 with a very long title",
        [
            FormField("rag", "RAG status", "choice", [Choice("green", "Green: on track"), Choice("red", "Red: off track")], "green", optional=False),
            FormField("kpi:kpi1", "KPI 1: a KPI", "long_text", initial="x" * 5000, hint="Progress"),
            FormField("ms_date:m1", "Milestone 1: new date if slipped", "date"),
            FormField("summary", "One-line summary", "text", optional=False),
        ],
        step="checkin:form:5:2019-Q3",
        errors=dict(errors),
    )


def test_the_form_is_a_valid_modal_within_limits() -> None:
    view = form_view(form(), metadata={"c": "D1"})

    View(**view).validate_json()
    assert len(view["title"]["text"]) <= 24
    assert [b["block_id"] for b in view["blocks"]] == ["rag", "kpi:kpi1", "ms_date:m1", "summary"]
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "green"
    assert len(view["blocks"][1]["element"]["initial_value"]) <= 3000
    assert view["blocks"][0]["optional"] is False and view["blocks"][1]["optional"] is True
    assert json.loads(view["private_metadata"]) == {"c": "D1", "step": "checkin:form:5:2019-Q3"}


def test_errors_go_under_their_fields() -> None:
    answer = form_errors(form(rag="'purple' is not a RAG status", summary="A summary is needed", other="ignored"))

    assert answer == {
        "response_action": "errors",
        "errors": {"rag": "'purple' is not a RAG status", "summary": "A summary is needed"},
    }


def test_submitted_values_by_field() -> None:
    view = {
        "state": {
            "values": {
                "rag": {"value": {"type": "static_select", "selected_option": {"value": "red"}}},
                "summary": {"value": {"type": "plain_text_input", "value": "Stalled"}},
                "kpi:kpi1": {"value": {"type": "plain_text_input", "value": None}},
            }
        }
    }

    assert submitted_values(view) == {"rag": "red", "summary": "Stalled", "kpi:kpi1": ""}


def test_loading_message_and_home_views_are_valid() -> None:
    View(**loading_view()).validate_json()
    View(**message_view(Reply([Paragraph("You can't write item 5 <@U1>")]))).validate_json()
    home = home_view("Cal <Placeholder>", [Reply([Table(["Item", "Status"], [["5. Partnership", "Amber"]])])])
    View(**home).validate_json()
    assert "*5. Partnership* · Status: Amber" in json.dumps(home, ensure_ascii=False)
