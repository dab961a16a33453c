"""Proactive sends through `TeamsPort` to the fake Bot Connector: prompts to
personal chats (created when none is stored), 403 recorded for coordinators,
429/412/502/504 retried with backoff."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.events import Command, Sender
from bot.core.ports import OutcomeUnknown, PlatformAddress, Recipient, RecipientGone, SendFailed
from bot.core.replies import Paragraph, Reply
from bot.core.reply_codec import decode
from schedules.reconcile import Reconciler
from storage.addresses import get_address
from storage.db import session_scope
from storage.inbox import messages
from storage.models import Address, Send, SendStatus
from storage.sends import beat
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


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_on_a_new_message_is_unknown_not_resent(world: TeamsWorld, status: int) -> None:
    """Teams may have delivered it and cannot be asked: never posted again blind."""
    world.fake.fail(status, times=5, method="POST", path_contains="/activities")

    with pytest.raises(OutcomeUnknown):
        world.port.send(recipient(world), Reply([Paragraph("Hello")]))

    assert len([r for r in world.fake.requests if r[0] == "POST" and "/activities" in r[1]]) == 1, "one try, no blind retry"


def test_an_unknown_outcome_is_reported_and_never_sent_again(world: TeamsWorld) -> None:
    run(world)  # the personal chats exist and the first prompts are out
    world.clock.at = world.clock.at.replace(day=19)
    world.fake.fail(500, times=1, method="POST", path_contains="/activities")
    run(world, "chasers")
    first = len(personal(world, "cal"))
    run(world, "chasers")  # the next sweep

    assert len(personal(world, "cal")) == first, "not resent"
    with session_scope(world.engine) as session:
        unknown = session.exec(select(Send).where(Send.status == SendStatus.UNKNOWN)).all()
    assert len(unknown) == 1 and "may not have arrived" in unknown[0].last_error
    schedule = text_of_replies(world.core.bot.handle(Command(Sender("shell", "robin"), "plan-schedule")))
    assert "may not have arrived" in schedule


def test_a_claim_left_by_a_dead_clock_is_reported_not_resent(world: TeamsWorld) -> None:
    """Teams cannot be asked whether the dead clock's post arrived: reported within the next sweep."""
    import datetime as dt

    from storage.sends import claim

    with session_scope(world.engine) as session:
        claim(session, key="quarterly-prompt|*|5|2019-Q3", kind="quarterly-prompt", person_id="cal", item_number=5,
              occurrence="2019-Q3", due=world.clock.now(), by="elsewhere:1:gone", at=world.clock.now())
        beat(session, by="elsewhere:1:gone", at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    run(world)

    assert not [p for p in personal(world, "cal") if "Item 5:" in text_of(p.activity)]
    with session_scope(world.engine) as session:
        row = session.get(Send, "quarterly-prompt|*|5|2019-Q3")
    assert row is not None and row.status == SendStatus.UNKNOWN and row.claimed_by == "test"


def text_of_replies(replies: list) -> str:
    return "\n".join(r.text for r in replies)
