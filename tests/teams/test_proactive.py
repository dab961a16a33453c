"""Proactive sends through `TeamsPort` to the fake Bot Connector: prompts to
personal chats (created when none is stored), 403 recorded for coordinators,
429/412/502/504 retried with backoff."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.events import Command, Sender
from bot.core.ports import PlatformAddress, Recipient, RecipientGone, SendFailed
from bot.core.replies import Paragraph, Reply
from bot.core.reply_codec import decode
from schedules.reconcile import Reconciler
from storage.addresses import get_address
from storage.db import session_scope
from storage.inbox import messages
from storage.models import Address
from tests.teams_fake.harness import AAD, TENANT, TeamsWorld, text_of


def run(world: TeamsWorld, job: str = "quarterly-prompts") -> None:
    Reconciler(world.engine, world.core.bot.port, world.clock, by="test").run(job)


def personal(world: TeamsWorld, person: str) -> list:
    return world.fake.in_conversation(world.conversation(person)["id"])


def test_a_prompt_creates_the_personal_chat_and_later_ones_continue_it(world: TeamsWorld, teams_engine: Engine) -> None:
    run(world)

    [created] = [c for c in world.fake.created if c["members"] == [{"id": AAD["cal"]}]]
    assert created["tenantId"] == TENANT and created["members"] == [{"id": AAD["cal"]}] and created["isGroup"] is False
    prompts = [text_of(p.activity) for p in personal(world, "cal")]
    assert any("Item 5: Partnership health and shared ownership" in t for t in prompts)
    assert all("text" not in p.activity for p in personal(world, "cal")), "a prompt is a card sent on its own"
    with session_scope(teams_engine) as session:
        row = get_address(session, person_id="cal", platform="teams")
        assert row.channel == world.conversation("cal")["id"] and row.reference["serviceUrl"] == world.service_url

    creations = len(world.fake.created)
    world.clock.at = world.clock.at.replace(day=19)
    run(world, "chasers")
    assert len(world.fake.created) == creations, "the stored chat is continued, not created again"


def test_a_prompt_is_updated_in_place_when_the_update_is_saved(world: TeamsWorld) -> None:
    run(world)
    world.say("cal", "plan-update 5")
    for answer in ["green", "Board endorsed the LIS draft", "skip", "done", "on track", "none", "Federal boards on board", "yes"]:
        world.say("cal", answer)

    [prompt] = [p for p in personal(world, "cal") if "Item 5:" in text_of(p.versions[0])]
    assert len(prompt.versions) == 2
    assert "Done: version 1" in text_of(prompt.activity) and "Green (on track)" in text_of(prompt.activity)


def test_a_403_is_recorded_and_the_prompt_waits_in_the_inbox(world: TeamsWorld, teams_engine: Engine) -> None:
    world.fake.not_installed.add("29:cal")
    run(world)

    with session_scope(teams_engine) as session:
        row = get_address(session, person_id="cal", platform="teams")
        assert row is not None and row.unreachable
        assert any("Item 5:" in decode(m.reply).text for m in messages(session, person_id="cal")), "the prompt is kept in the inbox"
    schedule = world.core.bot.handle(Command(Sender("teams", AAD["robin"]), "plan-schedule"))
    assert "Cal Placeholder" in "\n".join(r.text for r in schedule)
    before = len(world.fake.requests)
    run(world)
    assert world.fake.requests[before:] == [], "not tried again until the person is seen in Teams"


def recipient(world: TeamsWorld) -> Recipient:
    reference = {"serviceUrl": world.service_url, "conversation": {"id": world.conversation("cal")["id"]}}
    return Recipient("cal", "Cal Placeholder", teams=AAD["cal"], address=PlatformAddress("teams", AAD["cal"], TENANT, reference=reference))


@pytest.mark.parametrize("status", [429, 412, 502, 504])
def test_throttling_and_gateway_errors_are_retried_with_backoff(world: TeamsWorld, status: int) -> None:
    world.fake.fail(status, times=2, retry_after=0.01 if status == 429 else None, method="POST")

    sent = world.port.send(recipient(world), Reply([Paragraph("Hello")], key="k"))

    assert sent.message_id and [p.id for p in personal(world, "cal")] == [sent.message_id]
    assert len([r for r in world.fake.requests if r[0] == "POST"]) == 3


def test_still_failing_it_hands_the_retry_to_the_clock_with_the_wait_asked(world: TeamsWorld) -> None:
    world.fake.fail(429, times=5, retry_after=120, method="POST")

    with pytest.raises(SendFailed) as failed:
        world.port.send(recipient(world), Reply([Paragraph("Hello")]))

    assert failed.value.retryable and failed.value.retry_after == 120
    assert personal(world, "cal") == []


def test_a_403_on_a_stored_chat_is_recipient_gone(world: TeamsWorld) -> None:
    world.fake.fail(403, method="POST")

    with pytest.raises(RecipientGone):
        world.port.send(recipient(world), Reply([Paragraph("Hello")]))
    assert len(world.fake.requests) == 1


def test_a_stored_service_url_off_the_allowed_hosts_is_never_posted_to(world: TeamsWorld) -> None:
    evil = Recipient("cal", "Cal", address=PlatformAddress("teams", AAD["cal"], TENANT, reference={"serviceUrl": "https://evil.example/", "conversation": {"id": "x"}}))

    with pytest.raises(SendFailed) as failed:
        world.port.send(evil, Reply([Paragraph("Hello")]))
    assert not failed.value.retryable


def test_someone_without_a_teams_address_is_skipped_by_teams(world: TeamsWorld, teams_engine: Engine) -> None:
    run(world)

    with session_scope(teams_engine) as session:
        assert get_address(session, person_id="bea", platform="teams") is None
        assert any("Item 3:" in decode(m.reply).text for m in messages(session, person_id="bea")), "bea's prompts wait in the inbox"
        assert list(session.exec(select(Address).where(Address.person_id == "bea"))) == []
