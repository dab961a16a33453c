"""Messages over real HTTP to the web app, answers in expect-replies mode."""

from __future__ import annotations

from tests.teams_fake.harness import TeamsWorld, text_of


def test_plan_status_typed_without_a_slash_answers_in_the_response(world: TeamsWorld) -> None:
    replies = world.say("robin", "plan-status")

    assert replies, "expect-replies returns the answer in the HTTP response"
    shown = "\n".join(text_of(a) for a in replies)
    assert "Partnership health and shared ownership" in shown
