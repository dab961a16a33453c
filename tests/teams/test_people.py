"""Who a Teams user is, where their prompts go, and what group chats and channels get."""

from __future__ import annotations

import pytest

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.teams.agent import FILE_DIRECT, SENT_DIRECT
from storage.addresses import get_address
from storage.db import session_scope
from storage.models import Address, Conversation
from tests.teams_fake.harness import AAD, TENANT, TeamsWorld, teams_user_id, text_of


def shown(replies: list[dict]) -> str:
    return "\n".join(text_of(a) for a in replies)


def address(engine: Engine, person: str) -> Address | None:
    with session_scope(engine) as session:
        row = get_address(session, person_id=person, platform="teams")
        if row is not None:
            session.expunge(row)
        return row


def test_a_plan_person_is_known_by_entra_object_id_or_teams_user_id(world: TeamsWorld, teams_engine: Engine) -> None:
    by_object_id = shown(world.say("cal", "help"))
    by_teams_id = shown(world.say("alex", "help"))

    assert "don't know you" not in by_object_id and "plan-update" in by_object_id
    assert "don't know you" not in by_teams_id
    assert address(teams_engine, "cal").user_id == AAD["cal"]
    assert address(teams_engine, "alex").user_id == "29:alex"


def test_someone_without_a_teams_id_is_recognised_by_the_plans_email(world: TeamsWorld, teams_engine: Engine) -> None:
    answer = shown(world.say("bea", "help"))

    assert "don't know you" not in answer
    row = address(teams_engine, "bea")
    assert row is not None and row.user_id == AAD["bea"] and row.source in ("email", "event")
    assert ("GET", f"/v3/conversations/{world.conversation('bea')['id']}/members/{teams_user_id('bea')}") in world.fake.requests


def test_a_guest_from_a_partner_organisation_is_recognised_by_email_too(world: TeamsWorld, teams_engine: Engine) -> None:
    world.fake.profiles[teams_user_id("bea")].update({"email": None, "userPrincipalName": "BEA.SAMPLE@example.org", "tenantId": "partner-tenant"})

    assert "don't know you" not in shown(world.say("bea", "help"))


def test_a_stranger_gets_a_polite_reply_naming_whom_to_ask_and_nothing_is_kept(world: TeamsWorld, teams_engine: Engine) -> None:
    answer = shown(world.say("nobody", "plan-update 5"))

    assert "don't know you" in answer and "Robin" in answer and AAD["nobody"] in answer
    with session_scope(teams_engine) as session:
        assert list(session.exec(select(Address).where(Address.user_id == AAD["nobody"]))) == []
        assert list(session.exec(select(Conversation))) == []


def test_the_personal_chat_is_stored_on_install_and_a_group_install_never_replaces_it(world: TeamsWorld, teams_engine: Engine) -> None:
    install = world.activity("cal", type="installationUpdate", action="add")
    install["type"] = "installationUpdate"
    assert world.post(install).status_code in (200, 202)
    row = address(teams_engine, "cal")
    assert row.channel == world.conversation("cal")["id"] and row.source == "install"
    assert row.reference["serviceUrl"] == world.service_url and row.reference["conversation"]["tenantId"] == TENANT

    group = world.activity("cal", "groupChat", type="conversationUpdate", membersAdded=[{"id": "28:planbot-test"}])
    group["type"] = "conversationUpdate"
    world.post(group)
    world.say("cal", "plan-status", "groupChat", mention=True)

    assert address(teams_engine, "cal").channel == world.conversation("cal")["id"]
    welcome = [p for p in world.fake.in_conversation(world.conversation("cal")["id"]) if "Planbot" in text_of(p.activity)]
    assert welcome, "the personal install says hello"


def test_in_a_group_chat_the_mention_is_stripped_and_a_shared_status_answered_there(world: TeamsWorld) -> None:
    answer = shown(world.say("robin", "plan-status share", "groupChat", mention=True))

    assert "Partnership health and shared ownership" in answer


@pytest.mark.parametrize("view", ["", "5", "Cal Placeholder", "overdue", "changes"])
@pytest.mark.parametrize("kind", ["groupChat", "channel"])
def test_every_status_view_asked_in_a_group_goes_to_the_personal_chat_unless_shared(world: TeamsWorld, view: str, kind: str) -> None:
    """Every status view names people or their updates: only the asker sees it, as in Slack."""
    asked_in_private = shown(world.say("robin", f"plan-status {view}".strip()))
    here = shown(world.say("robin", f"plan-status {view}".strip(), kind, mention=True))
    personal = world.fake.in_conversation(world.conversation("robin")["id"])

    assert here == SENT_DIRECT
    assert personal and shown([p.activity for p in personal]) == asked_in_private

    shared = shown(world.say("robin", f"plan-status share {view}".strip(), kind, mention=True))
    assert shared != SENT_DIRECT and shared.strip()
    assert len(world.fake.in_conversation(world.conversation("robin")["id"])) == len(personal), "a shared answer stays in the group"


def test_an_update_asked_for_in_a_group_carries_on_in_the_personal_chat(world: TeamsWorld) -> None:
    here = shown(world.say("cal", "plan-update 5", "groupChat", mention=True))
    personal = world.fake.in_conversation(world.conversation("cal")["id"])

    assert "direct message" in here or "personal" in here
    assert any("Question 1 of 7" in text_of(p.activity) for p in personal)


@pytest.mark.parametrize("words", ["plan-status export 2019-Q3 md", "plan-status export 2019-Q3 md share"])
def test_export_asked_in_a_group_is_offered_in_the_personal_chat_even_with_share(world: TeamsWorld, words: str) -> None:
    here = shown(world.say("robin", words, "groupChat", mention=True))
    personal = world.fake.in_conversation(world.conversation("robin")["id"])

    assert FILE_DIRECT in here and "quarterly-return" not in here
    offered = {p.activity["attachments"][0]["name"] for p in personal if (p.activity.get("attachments") or [{}])[0].get("contentType", "").endswith("file.consent")}
    assert offered == {"quarterly-return-2019-Q3.md", "quarterly-return-2019-Q3-heatmap.png"}


def test_export_in_the_personal_chat_is_handed_over_with_file_consent(world: TeamsWorld) -> None:
    offered = [a["attachments"][0] for a in world.say("robin", "plan-status export 2019-Q3 md") if (a.get("attachments") or [{}])[0].get("contentType", "").endswith("file.consent")]
    assert {o["name"] for o in offered} == {"quarterly-return-2019-Q3.md", "quarterly-return-2019-Q3-heatmap.png"}
    [attachment] = [o for o in offered if o["name"].endswith(".md")]
    name = attachment["name"]
    assert attachment["content"]["sizeInBytes"] > 0

    accept = world.activity("robin", type="invoke", name="fileConsent/invoke")
    accept.update(
        type="invoke",
        value={
            "type": "fileUpload",
            "action": "accept",
            "context": attachment["content"]["acceptContext"],
            "uploadInfo": {"uploadUrl": f"{world.service_url}upload/{name}", "contentUrl": "https://contoso.sharepoint.com/x", "name": name, "uniqueId": "u1", "fileType": "md"},
        },
    )
    assert world.post(accept).status_code == 200

    assert "Partnership health and shared ownership" in world.fake.uploads[name].decode("utf-8")
    info = [p for p in world.fake.in_conversation(world.conversation("robin")["id"]) if p.activity["attachments"][0]["contentType"].endswith("file.info")]
    assert info and info[0].activity["attachments"][0]["name"] == name


def test_a_consent_naming_another_file_uploads_nothing(world: TeamsWorld) -> None:
    accept = world.activity("robin", type="invoke", name="fileConsent/invoke")
    accept.update(type="invoke", value={"action": "accept", "context": {"file": "../../etc/passwd"}, "uploadInfo": {"uploadUrl": f"{world.service_url}upload/x"}})

    assert world.post(accept).status_code == 200
    assert world.fake.uploads == {}
