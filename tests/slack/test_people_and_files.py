"""Who is who in Slack, the App Home, and exports handed over as files."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage.addresses import addresses_of
from storage.db import session_scope
from storage.models import Person
from tests.slack.conftest import SlackWorld, shown


def give_plan_slack_id(engine: Engine, person_id: str, user_id: str) -> None:
    """As a plan file naming `slack: USER` for the person, loaded."""
    with session_scope(engine) as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.slack = user_id
        session.add(person)


async def test_a_new_colleague_is_matched_by_their_plan_email(slack: SlackWorld, plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        person = session.get(Person, "dee")
        person.email = "Dee.New@Example.org"
        session.add(person)
    slack.fake.add_user("UDEENEW", email="dee.new@example.org", real_name="Dee Demo")
    answers = await slack.dm("UDEENEW", "help")

    assert answers.status == 200
    assert "don't know you" not in shown(slack.dm_messages("UDEENEW")[-1])
    with session_scope(plan_engine) as session:
        address = addresses_of(session, person_id="dee")["slack"]
        assert (address.user_id, address.channel) == ("UDEENEW", slack.fake.dm_channel("UDEENEW"))


async def test_a_partner_over_slack_connect_is_known_by_the_plans_id(slack: SlackWorld, plan_engine: Engine) -> None:
    give_plan_slack_id(plan_engine, "dee", "UPARTNER")
    slack.fake.add_user("UPARTNER", email="dee@partner.example", team_id="TPARTNER")
    answer = await slack.command("UPARTNER", "/plan-status", "dee")

    assert "don't know you" not in answer.text and "Dee Demo" in answer.text


async def test_someone_from_another_workspace_is_not_matched_by_email(slack: SlackWorld) -> None:
    slack.fake.add_user("UOTHER", email="cal.placeholder@example.org", team_id="TOTHER")
    answer = await slack.command("UOTHER", "/plan-update", "5")

    assert "don't know you yet" in answer.text and "Robin Fictional" in answer.text


async def test_a_deactivated_account_is_not_matched(slack: SlackWorld) -> None:
    slack.fake.add_user("UGONE", email="alex.example@example.org", deleted=True)
    answer = await slack.command("UGONE", "/plan-status")

    assert "don't know you yet" in answer.text


async def test_the_app_home_shows_the_persons_items(slack: SlackWorld) -> None:
    await slack.post_event({"type": "app_home_opened", "user": "UCAL", "channel": "D0HOME", "tab": "home", "event_ts": "1.2"})

    home = slack.fake.home("UCAL")
    assert home is not None
    text = shown(home)
    assert "Planbot for Cal Placeholder" in text and "Partnership health" in text


async def test_an_export_is_handed_over_as_a_file_after_the_acknowledgement(slack: SlackWorld) -> None:
    answer = await slack.command("robin", "/plan-status", "export 2019-Q3")

    assert "Working on it" in answer.text
    [upload] = slack.fake.uploads
    assert upload["channel_id"] == slack.fake.dm_channel("UROBIN")
    assert upload["content"].startswith(b"PK"), "the Word file itself was uploaded"
    assert upload["filename"] == "quarterly-return-2019-Q3.docx" and upload["title"].startswith("Quarterly return")
    responses = slack.fake.responses(answer.response_name)  # type: ignore[attr-defined]
    assert any("direct message" in (r.get("text") or "") for r in responses)
    assert not slack.fake.calls_to("files.upload"), "the retired method is never used"
