"""Briefs in the coordinators' Teams chat: the chat's reference is stored when the app
is added there, the brief continues that conversation once (not a personal chat each,
never twice after a restart), and without a stored reference it goes to each
coordinator's personal chat and the problem is shown."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.core.events import Command, Sender
from schedules.reconcile import Reconciler
from storage.chat_references import chat_reference
from storage.db import session_scope
from tests.schedules.conftest import ledger, load_variant, london
from tests.teams_fake.harness import AAD, TeamsWorld, give_teams_ids, text_of

GROUP = "19:groupChat-chat@thread.v2"


def name_the_chat(world: TeamsWorld) -> None:
    load_variant(world.engine, lambda raw: raw["plan"].update(coordinators={"teams": GROUP}))
    give_teams_ids(world.engine)
    world.clock.at = london(2019, 12, 19, 9)


def run(world: TeamsWorld, by: str) -> None:
    Reconciler(world.engine, world.core.bot.port, world.clock, by=by).run("pre-call")


def briefs_in(world: TeamsWorld, conversation: str) -> list[dict]:
    return [p.activity for p in world.fake.in_conversation(conversation) if "Brief for the" in text_of(p.activity)]


def test_after_the_app_is_added_to_the_chat_the_brief_goes_there_once(world: TeamsWorld, teams_engine: Engine) -> None:
    name_the_chat(world)
    added = world.activity("cal", "groupChat", membersAdded=[{"id": "28:planbot-test"}])
    added["type"] = "conversationUpdate"
    assert world.post(added).status_code in (200, 202)
    with session_scope(teams_engine) as session:
        ref = chat_reference(session, platform="teams", conversation_id=GROUP)
    assert ref is not None and ref["serviceUrl"] == world.service_url and ref["conversation"]["id"] == GROUP
    assert "user" not in ref, "who added the app is not kept with the chat"

    run(world, "first")
    [brief] = briefs_in(world, GROUP)
    assert "Brief for the CLGU" in text_of(brief)
    assert not [e for e in brief.get("entities") or [] if e.get("type") == "mention"], "no @mentions: nobody is pinged"
    assert briefs_in(world, world.conversation("robin")["id"]) == [] and briefs_in(world, world.conversation("dee")["id"]) == []
    rows = {r.person_id: (r.status, r.channel) for r in ledger(teams_engine, kind="pre-call-brief") if "#" not in r.key}
    assert rows == {"dee": ("sent", GROUP), "robin": ("sent", GROUP)}

    world.restart()
    run(world, "restarted")
    world.clock.at = london(2019, 12, 19, 9, 40)
    run(world, "again")
    assert len(briefs_in(world, GROUP)) == 1, "a restart never posts it again"


def test_a_mention_in_a_channel_thread_stores_the_channel_itself(world: TeamsWorld, teams_engine: Engine) -> None:
    message = world.message("robin", "help", "channel", mention=True)
    message["conversation"]["id"] = "19:channel-chat@thread.tacv2;messageid=1700000000000"
    message["conversation"]["conversationType"] = "channel"
    assert world.post(message).status_code == 200
    with session_scope(teams_engine) as session:
        ref = chat_reference(session, platform="teams", conversation_id="19:channel-chat@thread.tacv2")
    assert ref is not None and ref["conversation"]["id"] == "19:channel-chat@thread.tacv2"


def test_without_a_stored_reference_the_brief_goes_to_personal_chats_and_is_shown(world: TeamsWorld, teams_engine: Engine) -> None:
    name_the_chat(world)
    run(world, "first")
    run(world, "restarted")

    assert briefs_in(world, GROUP) == []
    assert len(briefs_in(world, world.conversation("robin")["id"])) == 1
    assert len(briefs_in(world, world.conversation("dee")["id"])) == 1
    world.clock.at = london(2019, 12, 19, 9, 30)
    schedule = "\n".join(r.text for r in world.core.bot.handle(Command(Sender("teams", AAD["robin"]), "plan-schedule")))
    assert f"pre-call-brief to the coordinators' Teams channel {GROUP}" in schedule
    assert "has not been added to that chat" in schedule and "by DM instead" in schedule


def test_a_403_from_the_chat_falls_back_to_personal_chats(world: TeamsWorld, teams_engine: Engine) -> None:
    name_the_chat(world)
    added = world.activity("cal", "groupChat", membersAdded=[{"id": "28:planbot-test"}])
    added["type"] = "conversationUpdate"
    world.post(added)
    world.fake.fail(403, times=1, method="POST", path_contains="groupChat-chat")
    run(world, "first")

    assert briefs_in(world, GROUP) == []
    assert len(briefs_in(world, world.conversation("robin")["id"])) == 1
    [place] = [r for r in ledger(teams_engine, kind="pre-call-brief") if "#" in r.key]
    assert place.status == "skipped" and "403" in place.last_error
