"""Briefs in the coordinators' Slack channel: posted once there instead of a DM each,
never twice after a restart, and a channel the bot is not in falls back to DMs and
is shown to coordinators."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.events import Command, Sender
from bot.core.planbot import Planbot
from bot.shell.inbox_port import InboxPort
from bot.slack.port import Pacer, SlackPort
from schedules.reconcile import Reconciler
from schedules.routing import RoutingPort
from storage.call_notes import add_note
from storage.db import session_scope
from tests.schedules.conftest import ledger, load_variant, london
from tests.slack.conftest import add_people, texts_of
from tests.slack_fake import FakeSlack

CHANNEL = "C0COORDS"
CALL = "clgu-weekly-call@2019-11-21"


@pytest.fixture
def routing(fake_slack: FakeSlack, plan_engine: Engine) -> RoutingPort:
    load_variant(plan_engine, lambda raw: raw["plan"].update(coordinators={"slack": CHANNEL}))
    add_people(fake_slack)
    port = SlackPort(plan_engine, token=fake_slack.bot_token, base_url=fake_slack.url, sleep=lambda _: None, pacer=Pacer(per_channel=0))
    port.prepare()
    return RoutingPort(plan_engine, {"slack": port}, InboxPort(plan_engine))


def briefs_in(fake: FakeSlack, channel: str) -> list[str]:
    shown = ["\n".join([m["text"], texts_of(m["blocks"])]) for m in fake.messages(channel)]
    return [text for text in shown if "Brief for the" in text]


def test_the_brief_is_posted_once_in_the_channel_and_not_as_dms(
    routing: RoutingPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock
) -> None:
    fake_slack.add_channel(CHANNEL, name="plan-coordinators", is_member=True)
    with session_scope(plan_engine) as session:
        add_note(session, occurrence=CALL, person_id="cal", text="<!channel> ask <@UBEA> about *this*", at=london(2019, 11, 20, 11))
    clock.at = london(2019, 11, 21, 9)
    Reconciler(plan_engine, routing, clock, by="first").run("pre-call")

    posted = briefs_in(fake_slack, CHANNEL)
    assert len(posted) == 1 and "Brief for the CLGU" in posted[0]
    assert briefs_in(fake_slack, "UROBIN") == [] and briefs_in(fake_slack, "UDEE") == []
    raw = fake_slack.messages(CHANNEL)[0]
    assert "<!channel>" not in raw["text"] and "<@UBEA>" not in raw["text"], "no pings: user text is escaped"
    assert "&lt;!channel&gt;" in raw["text"]
    assert not [c for c in fake_slack.calls_to("users.info") if c.args.get("user") == CHANNEL]
    rows = {r.person_id: r for r in ledger(plan_engine, kind="pre-call-brief") if "#" not in r.key}
    assert {p: (r.status, r.channel) for p, r in rows.items()} == {"dee": ("sent", CHANNEL), "robin": ("sent", CHANNEL)}

    Reconciler(plan_engine, routing, clock, by="restarted").run("pre-call")
    clock.at = london(2019, 11, 21, 9, 30)
    Reconciler(plan_engine, routing, clock, by="restarted-again").run("pre-call")
    assert len(briefs_in(fake_slack, CHANNEL)) == 1, "a restart never posts it again"
    assert briefs_in(fake_slack, "UROBIN") == []


def test_a_channel_the_bot_is_not_in_falls_back_to_dms_and_is_shown(
    routing: RoutingPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock
) -> None:
    fake_slack.add_channel(CHANNEL, name="plan-coordinators", is_member=False)
    clock.at = london(2019, 11, 21, 9)
    Reconciler(plan_engine, routing, clock, by="first").run("pre-call")
    Reconciler(plan_engine, routing, clock, by="restarted").run("pre-call")

    assert briefs_in(fake_slack, CHANNEL) == []
    assert len(briefs_in(fake_slack, "UROBIN")) == 1 and len(briefs_in(fake_slack, "UDEE")) == 1
    tries = [c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("channel") == CHANNEL]
    assert len(tries) == 1 and tries[0].error == "not_in_channel", "tried once for the occurrence, not per coordinator"

    clock.at = london(2019, 11, 21, 9, 30)
    bot = Planbot(plan_engine, clock, platforms=routing.platforms, port=routing)
    schedule = "\n".join(r.text for r in bot.handle(Command(Sender("shell", "robin"), "plan-schedule")))
    assert f"pre-call-brief to the coordinators' Slack channel {CHANNEL}" in schedule
    assert "not_in_channel" in schedule and "/invite @Planbot" in schedule and "by DM instead" in schedule


def test_a_plan_without_a_channel_still_sends_dms(fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock) -> None:
    add_people(fake_slack)
    port = SlackPort(plan_engine, token=fake_slack.bot_token, base_url=fake_slack.url, sleep=lambda _: None, pacer=Pacer(per_channel=0))
    port.prepare()
    routing = RoutingPort(plan_engine, {"slack": port}, InboxPort(plan_engine))
    clock.at = london(2019, 11, 21, 9)
    Reconciler(plan_engine, routing, clock, by="first").run("pre-call")
    assert len(briefs_in(fake_slack, "UROBIN")) == 1 and len(briefs_in(fake_slack, "UDEE")) == 1


def test_the_board_summary_goes_to_the_channel_too(routing: RoutingPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock) -> None:
    fake_slack.add_channel(CHANNEL, name="plan-coordinators", is_member=True)
    clock.at = london(2019, 12, 4, 9)
    Reconciler(plan_engine, routing, clock, by="first").run("board")
    Reconciler(plan_engine, routing, clock, by="restarted").run("board")

    summaries = [m for m in fake_slack.messages(CHANNEL) if "Summary for the" in m["text"] + texts_of(m["blocks"])]
    assert len(summaries) == 1
    assert not [m for m in fake_slack.messages("UROBIN") if "Summary for the" in m["text"] + texts_of(m["blocks"])]


def test_a_platform_this_clock_does_not_run_is_shown_and_dms_go_out(
    fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock
) -> None:
    load_variant(plan_engine, lambda raw: raw["plan"].update(coordinators={"teams": "19:coords@thread.v2"}))
    add_people(fake_slack)
    port = SlackPort(plan_engine, token=fake_slack.bot_token, base_url=fake_slack.url, sleep=lambda _: None, pacer=Pacer(per_channel=0))
    port.prepare()
    routing = RoutingPort(plan_engine, {"slack": port}, InboxPort(plan_engine))
    clock.at = london(2019, 11, 21, 9)
    Reconciler(plan_engine, routing, clock, by="first").run("pre-call")

    assert len(briefs_in(fake_slack, "UROBIN")) == 1 and len(briefs_in(fake_slack, "UDEE")) == 1
    [place] = [r for r in ledger(plan_engine, kind="pre-call-brief") if "#" in r.key]
    assert place.status == "skipped" and "Teams is not configured for this clock" in place.last_error


@pytest.mark.parametrize("posted_before_dying", [True, False])
def test_a_channel_post_claimed_by_a_dead_clock_is_looked_up_then_made_once(
    routing: RoutingPort, fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock, posted_before_dying: bool
) -> None:
    """The board summary's channel post was claimed by a clock that died (its beat two
    minutes old), perhaps after Slack took it: the next clock looks before it posts."""
    from bot.core.replies import Paragraph, Reply
    from storage.sends import beat, claim, place_key

    fake_slack.add_channel(CHANNEL, name="plan-coordinators", is_member=True)
    clock.at = london(2019, 12, 4, 9)
    key = place_key(kind="board-summary", platform="slack", place=CHANNEL, occurrence=_board_occurrence(plan_engine, clock))
    with session_scope(plan_engine) as session:
        claim(session, key=key, kind="board-summary", person_id="robin", item_number=None, occurrence=key.split("|")[3],
              due=clock.now(), by="elsewhere:3:dead", at=clock.now())
        beat(session, by="elsewhere:3:dead", at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    if posted_before_dying:
        routing.ports["slack"].send_to_place(CHANNEL, Reply([Paragraph("Summary for the Board (posted by the clock that died)")]), key=key)

    Reconciler(plan_engine, routing, clock, by="next").run("board")

    summaries = [m for m in fake_slack.messages(CHANNEL) if "Summary for the" in m["text"] + texts_of(m["blocks"])]
    assert len(summaries) == 1
    [row] = [r for r in ledger(plan_engine, kind="board-summary") if r.key == key]
    assert row.status == "sent" and row.claimed_by == "next"


def _board_occurrence(engine: Engine, clock: FixedClock) -> str:
    """The occurrence the board job sends its summary for at this time (as a first run would claim it)."""
    from schedules.planner import JOBS, Window, planned
    from schedules.world import load_world

    with session_scope(engine) as session:
        world = load_world(session, kinds=list(JOBS["board"].reads))
    assert world is not None
    window = Window(clock.now() - dt.timedelta(days=1), clock.now())
    return next(s.occurrence for s in planned(world, JOBS["board"], window) if s.kind == "board-summary")
