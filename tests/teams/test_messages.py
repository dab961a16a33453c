"""Messages over real HTTP to the web app, answers in expect-replies mode."""

from __future__ import annotations


import pytest

from tests.teams_fake.harness import TeamsWorld, text_of


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    """SQLite only: what is checked here does not depend on the engine (the
    conversation suite and the proactive tests run Teams on PostgreSQL too)."""
    return sqlite_db_url


def test_plan_status_typed_without_a_slash_answers_in_the_response(world: TeamsWorld) -> None:
    replies = world.say("robin", "plan-status")

    assert replies, "expect-replies returns the answer in the HTTP response"
    shown = "\n".join(text_of(a) for a in replies)
    assert "Partnership health and shared ownership" in shown


def test_a_leads_markdown_link_shows_literally_never_as_a_link(world: TeamsWorld) -> None:
    link = "[gov.uk](https://evil.example)"
    world.say("cal", "plan-update 5")
    for answer in ["green", link, "skip", "done", "on track", "none", f"See {link}", "yes"]:
        world.say("cal", answer)

    answer = world.say("robin", "plan-status 5")

    texts = [a.get("text", "") for a in answer if a.get("text")]
    runs = [r for a in answer for r in _runs(a.get("attachments"))]
    assert any(link in t for t in texts + [r["text"] for r in runs])
    assert all(a.get("textFormat") == "plain" for a in answer if a.get("text"))
    assert "TextBlock" not in str(answer), "only TextRuns, which render no Markdown"


def test_help_lists_commands_as_teams_users_type_them(world: TeamsWorld) -> None:
    shown = "\n".join(text_of(a) for a in world.say("cal", "help"))

    assert "plan-update" in shown and "plan-away" in shown
    assert "/plan-update" not in shown and "/away" not in shown


def _runs(node: object) -> list[dict]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "TextRun" else []
        return found + [r for v in node.values() for r in _runs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _runs(v)]
    return []


def test_a_repeated_plan_status_is_the_same_answer_until_the_plan_changes(world: TeamsWorld) -> None:
    """Asked again, the same answer; a change made elsewhere (another process's write,
    or psql by hand) shows in the very next answer."""
    from sqlalchemy import text

    first = world.say("robin", "plan-status")
    again = world.say("robin", "plan-status")
    assert [a["attachments"] for a in again] == [a["attachments"] for a in first]
    assert [a["replyToId"] for a in again] != [a["replyToId"] for a in first], "each an answer to its own message"
    with world.engine.begin() as conn:
        conn.execute(text("UPDATE item SET title = 'Renamed elsewhere' WHERE title = 'Partnership health and shared ownership'"))
    after = "\n".join(text_of(a) for a in world.say("robin", "plan-status"))
    assert "Renamed elsewhere" in after and "Partnership health and shared ownership" not in after


def test_two_peoples_messages_sharing_an_activity_id_in_different_chats_are_both_handled(world: TeamsWorld) -> None:
    """Teams activity ids are unique only within a conversation: the same id from two
    people in two chats is two deliveries, while the same activity again is a replay."""
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import Absence

    shared = "1712345678901"
    cal = world.message("cal", "plan-away until 2020-01-20", id=shared)
    robin = world.message("robin", "plan-away until 2020-01-24", id=shared)

    assert "away" in "\n".join(text_of(a) for a in _answers(world.post(cal))).lower()
    assert "away" in "\n".join(text_of(a) for a in _answers(world.post(robin))).lower()
    assert _answers(world.post(robin)) == [], "the same activity again changes nothing"
    with session_scope(world.engine) as session:
        away = {a.person_id: a.until.date().isoformat() for a in session.exec(select(Absence))}
    assert away == {"cal": "2020-01-20", "robin": "2020-01-24"}


def test_a_retry_of_a_delivery_recorded_before_ids_were_scoped_is_still_dropped(world: TeamsWorld) -> None:
    """A delivery stored in the earlier form (`teams:` and the activity id) across an upgrade."""
    import datetime as dt

    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import Absence, Delivery

    with session_scope(world.engine) as session:
        session.add(Delivery(key="teams:act-before-upgrade", received_at=dt.datetime(2020, 1, 6, tzinfo=dt.UTC)))
    assert _answers(world.post(world.message("cal", "plan-away until 2020-01-20", id="act-before-upgrade"))) == []
    with session_scope(world.engine) as session:
        assert session.exec(select(Absence)).all() == []


def _answers(response: object) -> list[dict]:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    return [a for a in response.json().get("activities", []) if a.get("type") == "message"]  # type: ignore[attr-defined]
