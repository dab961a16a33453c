"""Teams file consent: the return goes only to the coordinator it was offered to, once,
within a day, and only to OneDrive or SharePoint; everything else is refused with the
reason and uploads nothing. Offers live in the database, so any web process honours them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.clock import FixedClock
from storage.db import session_scope
from storage.models import FileOffer, Person
from tests.teams_fake.harness import TeamsWorld, text_of

FILE = "quarterly-return-2019-Q3.md"


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    """SQLite only: the offers' storage runs on both engines in the storage suites."""
    return sqlite_db_url


def offered(world: TeamsWorld, person: str = "robin") -> dict[str, Any]:
    answers = world.say(person, "plan-status export 2019-Q3 md")
    cards = [a["attachments"][0] for a in answers if (a.get("attachments") or [{}])[0].get("contentType", "").endswith("file.consent")]
    [card] = [c for c in cards if c["name"] == FILE]
    return card


def accept(world: TeamsWorld, person: str, card: dict[str, Any], *, url: str | None = None, action: str = "accept") -> str:
    """The person accepts (or declines) the card; what the bot then says in their personal chat."""
    conversation = world.conversation(person)["id"]
    before = len(world.fake.in_conversation(conversation))
    activity = world.activity(person, type="invoke", name="fileConsent/invoke")
    activity.update(
        type="invoke",
        value={
            "type": "fileUpload",
            "action": action,
            "context": card["content"]["acceptContext"],
            "uploadInfo": {
                "uploadUrl": url or f"{world.service_url}upload/{FILE}",
                "contentUrl": "https://contoso-my.sharepoint.com/personal/x",
                "name": FILE,
                "uniqueId": "u1",
                "fileType": "md",
            },
        },
    )
    assert world.post(activity).status_code == 200
    return "\n".join(text_of(p.activity) for p in world.fake.in_conversation(conversation)[before:])


def test_the_card_carries_a_one_time_token_and_only_its_hash_is_stored(world: TeamsWorld, teams_engine: Engine) -> None:
    card = offered(world)
    token = card["content"]["acceptContext"]["offer"]
    assert len(token) >= 32 and card["content"]["declineContext"] == card["content"]["acceptContext"]
    with session_scope(teams_engine) as session:
        rows = session.exec(select(FileOffer)).all()
    assert {(r.person_id, r.file_name) for r in rows} >= {("robin", FILE)}
    assert all(token not in (r.token_hash, r.file_name) for r in rows)


@pytest.mark.parametrize("who", ["cal", "nobody"])
def test_a_lead_or_a_stranger_accepting_a_coordinators_offer_gets_nothing(world: TeamsWorld, who: str) -> None:
    card = offered(world)

    said = accept(world, who, card)

    assert world.fake.uploads == {}
    assert "offered to someone else" in said or "only coordinators" in said.lower()
    assert "uploaded" not in said


def test_an_offer_is_good_for_one_upload_and_a_failed_upload_can_be_retried(world: TeamsWorld) -> None:
    card = offered(world)
    world.fake.fail(500, method="PUT", path_contains="/upload/")

    failed = accept(world, "robin", card)
    assert "failed" in failed and world.fake.uploads == {}

    accept(world, "robin", card)
    assert "Partnership health and shared ownership" in world.fake.uploads[FILE].decode()

    del world.fake.uploads[FILE]
    again = accept(world, "robin", card)
    assert "already been sent" in again and world.fake.uploads == {}


def test_an_offer_expires_after_a_day(world: TeamsWorld, clock: FixedClock) -> None:
    card = offered(world)
    clock.advance(hours=24, minutes=1)

    said = accept(world, "robin", card)

    assert "expired" in said and world.fake.uploads == {}


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.blob.core.windows.net/drop/return.md",
        "http://contoso-my.sharepoint.com/upload",
        "https://contoso-my.sharepoint.com.evil.example/upload",
        "https://user@contoso-my.sharepoint.com/upload",
        "https://contoso-my.sharepoint.com:8443/upload",
    ],
)
def test_uploads_go_only_to_sharepoint_over_https_and_the_offer_stands(world: TeamsWorld, url: str) -> None:
    card = offered(world)

    said = accept(world, "robin", card, url=url)

    assert "outside OneDrive and SharePoint" in said and world.fake.uploads == {}
    accept(world, "robin", card)
    assert FILE in world.fake.uploads, "the offer was not spent by the refused address"


def test_a_coordinator_dropped_after_the_offer_gets_nothing(world: TeamsWorld, teams_engine: Engine) -> None:
    card = offered(world)
    with session_scope(teams_engine) as session:
        robin = session.get(Person, "robin")
        assert robin is not None
        robin.is_coordinator = False
        session.add(robin)

    said = accept(world, "robin", card)

    assert "Only coordinators" in said and world.fake.uploads == {}


def test_a_declined_offer_cannot_be_accepted_later(world: TeamsWorld) -> None:
    card = offered(world)

    assert "haven't sent" in accept(world, "robin", card, action="decline")
    assert "already been sent" in accept(world, "robin", card) and world.fake.uploads == {}


def test_another_web_process_honours_the_offer(world: TeamsWorld) -> None:
    card = offered(world)
    world.restart()  # nothing kept in memory: the offer is in the database

    accept(world, "robin", card)

    assert FILE in world.fake.uploads


def test_a_card_without_a_token_uploads_nothing(world: TeamsWorld) -> None:
    card = offered(world)
    card["content"]["acceptContext"] = {"file": FILE}

    accept(world, "robin", card)

    assert world.fake.uploads == {}


def test_old_offers_are_pruned_with_the_retention_setting(world: TeamsWorld, teams_engine: Engine, clock: FixedClock) -> None:
    from schedules.retention import RetentionJob

    offered(world)
    clock.advance(days=31)
    RetentionJob(teams_engine, clock, days=30).run()
    with session_scope(teams_engine) as session:
        assert session.exec(select(FileOffer)).all() == []


def test_a_decline_by_anyone_else_leaves_the_offer_standing(world: TeamsWorld) -> None:
    card = offered(world)

    accept(world, "cal", card, action="decline")
    accept(world, "robin", card)

    assert FILE in world.fake.uploads
