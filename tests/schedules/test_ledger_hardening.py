"""The send ledger's edges: two clocks that disagree about an absence, a claim
left behind past the grace window, and a platform that asks us to wait.

Bundled plan: alex leads items 1 and 2; the Q3 prompts fall due Mon 16 Dec 2019
at 09:00; the grace window is 24 hours.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.planbot import Planbot
from bot.core.ports import Recipient, SendFailed, SentMessage
from bot.core.replies import Reply
from schedules.clock import DueTrigger
from schedules.planner import JOBS
from schedules.reconcile import Reconciler
from schedules.world import World, load_world
from storage import away
from storage.db import session_scope
from storage.models import SendStatus
from tests.conftest import Chat
from tests.schedules.conftest import RecordingPort, leave_claim, ledger, london

Q3_PROMPTS = london(2019, 12, 16, 9)
PROMPTS = JOBS["quarterly-prompts"]


def _world(engine: Engine) -> World:
    with session_scope(engine) as session:
        world = load_world(session, kinds=[])
    assert world is not None
    return world


def test_two_clocks_that_disagree_about_an_absence_send_an_items_prompt_once(
    plan_engine: Engine, clock: FixedClock
) -> None:
    with session_scope(plan_engine) as session:
        away.set_absence(session, person_id="alex", kind="away", until=london(2019, 12, 20, 9), at=london(2019, 12, 10))
        away.set_deputy(session, item_number=1, deputy_id="bea", set_by_id="alex", at=london(2019, 12, 10))
    knows_alex_is_away = _world(plan_engine)
    with session_scope(plan_engine) as session:
        away.clear_absence(session, person_id="alex")
    thinks_alex_is_here = _world(plan_engine)
    # The second clock read the ledger before the first one claimed anything.
    thinks_alex_is_here.read_ledger = lambda session, kinds: None  # type: ignore[method-assign]

    first, second = RecordingPort(), RecordingPort()
    clock.at = Q3_PROMPTS
    Reconciler(plan_engine, first, clock, by="clock-a").run_job(knows_alex_is_away, PROMPTS)
    Reconciler(plan_engine, second, clock, by="clock-b").run_job(thinks_alex_is_here, PROMPTS)

    about_item_1 = [(who, r) for port in (first, second) for who, r in port.sent if "Item 1:" in r.text]
    assert [who for who, _ in about_item_1] == ["bea"], "the deputy got it, and the lead did not get it as well"
    rows = [r for r in ledger(plan_engine, kind="quarterly-prompt") if r.item_number == 1]
    assert [(r.person_id, r.status, r.claimed_by) for r in rows] == [("bea", SendStatus.SENT, "clock-a")]


def test_a_claim_left_past_the_grace_window_is_reported_as_maybe_not_arrived(
    plan_engine: Engine, clock: FixedClock, port: RecordingPort, reconciler: Reconciler, tmp_path: Path
) -> None:
    key = leave_claim(plan_engine, person_id="alex", item_number=1, occurrence="2019-Q3", due=Q3_PROMPTS, by="clock-that-died")
    clock.at = london(2019, 12, 17, 10)  # 25 hours on: past the grace window
    reconciler.run("quarterly-prompts")

    [row] = [r for r in ledger(plan_engine) if r.key == key]
    assert row.status == SendStatus.UNKNOWN and row.sent_at is None
    assert "stopped mid-send" in row.last_error
    assert not [r for who, r in port.sent if who == "alex" and "Item 1:" in r.text], "never sent late"
    schedule = Chat(Planbot(plan_engine, clock, exports_dir=tmp_path), "robin").text("/plan-schedule")
    assert "quarterly-prompt to Alex Example (item 1), due Mon 16 Dec 2019, 09:00" in schedule
    assert "may not have arrived" in schedule


class RateLimited(RecordingPort):
    """Answers the first send with a 429 that asks to wait two minutes."""

    def __init__(self) -> None:
        super().__init__()
        self.limited = 1
        self.keys: list[str | None] = []

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        self.keys.append(recipient.send_key)
        if self.limited:
            self.limited -= 1
            self.attempts.append(recipient.person_id)
            raise SendFailed("ratelimited", retry_after=120)
        return super().send(recipient, reply)


def test_a_429_with_retry_after_is_retried_no_sooner_than_asked(plan_engine: Engine, clock: FixedClock) -> None:
    port = RateLimited()
    reconciler = Reconciler(plan_engine, port, clock, by="clock")
    clock.at = Q3_PROMPTS
    reconciler.run("quarterly-prompts")
    [failed] = [r for r in ledger(plan_engine) if r.status == SendStatus.FAILED]
    assert failed.retry_at == Q3_PROMPTS + dt.timedelta(seconds=120)
    assert "asked to wait 120 s" in failed.last_error
    assert port.keys[0] == failed.key, "the send carries its ledger key to the port"

    wake = DueTrigger(plan_engine, PROMPTS).get_next_fire_time(Q3_PROMPTS, Q3_PROMPTS)
    assert wake == Q3_PROMPTS + dt.timedelta(seconds=120), "the clock wakes when the platform said to"

    clock.at = Q3_PROMPTS + dt.timedelta(seconds=60)
    reconciler.run("quarterly-prompts")
    assert port.keys.count(failed.key) == 1, "not retried before the platform's Retry-After"

    clock.at = Q3_PROMPTS + dt.timedelta(seconds=130)
    reconciler.run("quarterly-prompts")
    [row] = [r for r in ledger(plan_engine) if r.key == failed.key]
    assert (row.status, row.attempts) == (SendStatus.SENT, 2)
    assert port.keys.count(failed.key) == 2
