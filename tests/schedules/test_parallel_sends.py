"""The reconcile's sender threads: every planned message goes out exactly once, with
any number of threads and any number of clocks; one person's sends are spread out;
a failure among many is recorded and retried, and the outcomes keep the planned order."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.ports import Recipient, SendFailed, SentMessage
from bot.core.replies import Reply
from schedules.planner import JOBS, PlannedSend, Window, planned
from schedules.reconcile import Reconciler, interleaved
from schedules.world import load_world
from storage.db import session_scope
from storage.models import SendStatus
from tests.schedules.conftest import ledger, load_variant, london

PROMPTS_DUE = london(2019, 12, 16, 9)
LEADS, ITEMS_EACH = 12, 3


class SlowPort:
    """A platform that takes a few milliseconds a message, counts how many are in flight
    at once, and can refuse chosen messages a number of times."""

    platform = "fake"

    def __init__(self, *, delay: float = 0.004, refuse: dict[tuple[str, str], int] | None = None) -> None:
        self.delay = delay
        self.refuse = dict(refuse or {})
        self.lock = threading.Lock()
        self.sent: list[tuple[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        what = (recipient.person_id, reply.key or "")
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            refused = self.refuse.get(what, 0) > 0
            if refused:
                self.refuse[what] -= 1
        try:
            time.sleep(self.delay)
            if refused:
                raise SendFailed("service_unavailable", retryable=True)
            with self.lock:
                self.sent.append(what)
                number = len(self.sent)
            return SentMessage(self.platform, f"D-{recipient.person_id}", str(number))
        finally:
            with self.lock:
                self.in_flight -= 1

    def update(self, sent: SentMessage, reply: Reply) -> None:
        pass


def many_leads(raw: dict[str, Any]) -> None:
    """The bundled plan with its leads replaced by LEADS leads of ITEMS_EACH items each."""
    coordinators = [p for p in raw["people"] if "coordinator" in p.get("roles", [])]
    raw["people"] = coordinators + [{"id": f"lead-{n:02d}", "name": f"Lead {n:02d}", "roles": ["lead"]} for n in range(LEADS)]
    raw["items"] = [
        {"number": n + 1, "title": f"Item {n + 1}", "lead": f"lead-{n // ITEMS_EACH:02d}", "kpis": ["An outcome"], "milestones": ["A step"]}
        for n in range(LEADS * ITEMS_EACH)
    ]


@pytest.fixture
def big_plan(engine: Engine) -> Engine:
    load_variant(engine, many_leads)
    return engine


def planned_prompts(engine: Engine, at: dt.datetime) -> list[PlannedSend]:
    with session_scope(engine) as session:
        world = load_world(session, kinds=[])
    assert world is not None
    return planned(world, JOBS["quarterly-prompts"], Window(at - dt.timedelta(hours=1), at))


def test_parallel_senders_send_each_planned_message_exactly_once_in_the_planned_order(big_plan: Engine) -> None:
    port = SlowPort()
    expected = planned_prompts(big_plan, PROMPTS_DUE)
    assert len(expected) == LEADS * ITEMS_EACH

    outcomes = Reconciler(big_plan, port, FixedClock(PROMPTS_DUE), by="clock", senders=8).run("quarterly-prompts")

    assert [o.send.key for o in outcomes] == [s.key for s in expected], "reported in the planned order, as run-job prints it"
    assert {o.status for o in outcomes} == {SendStatus.SENT}
    assert Counter(port.sent) == Counter({(s.person_id, f"prompt:{s.item_number}:2019-Q3"): 1 for s in expected})
    rows = ledger(big_plan, kind="quarterly-prompt")
    assert len(rows) == len(expected) and {r.status for r in rows} == {SendStatus.SENT}
    assert port.most_in_flight > 1, "the sends overlapped"
    for lead in {who for who, _ in port.sent}:
        theirs = [int(key.split(":")[1]) for who, key in port.sent if who == lead]
        assert theirs == sorted(theirs), f"{lead}'s prompts arrive in order"


def test_two_clocks_with_parallel_senders_never_send_twice(big_plan: Engine) -> None:
    port = SlowPort()
    clocks = [Reconciler(big_plan, port, FixedClock(PROMPTS_DUE), by=f"clock-{n}", senders=4) for n in range(2)]
    results: dict[str, list[Any]] = {}
    start = threading.Barrier(2)

    def run(reconciler: Reconciler) -> None:
        start.wait()
        results[reconciler.by] = reconciler.run("quarterly-prompts")

    threads = [threading.Thread(target=run, args=(r,)) for r in clocks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(port.sent) == LEADS * ITEMS_EACH and len(set(port.sent)) == len(port.sent), "every prompt once"
    sent_by = Counter(r.claimed_by for r in ledger(big_plan, kind="quarterly-prompt", status=SendStatus.SENT))
    assert sum(sent_by.values()) == LEADS * ITEMS_EACH
    reported = [o.send.key for outcomes in results.values() for o in outcomes]
    assert sorted(reported) == sorted(r.key for r in ledger(big_plan, kind="quarterly-prompt")), "each reported by one clock"


def test_one_persons_sends_are_spread_out() -> None:
    sends = [_send("alex", 1), _send("alex", 2), _send("alex", 3), _send("bea", 4), _send("bea", 5), _send("cal", 6)]
    order = [sends[i].person_id for i in interleaved(sends)]
    assert order == ["alex", "bea", "cal", "alex", "bea", "alex"]


def test_the_reconcile_sends_in_turn_by_person(big_plan: Engine) -> None:
    port = SlowPort(delay=0)
    Reconciler(big_plan, port, FixedClock(PROMPTS_DUE), by="clock", senders=1).run("quarterly-prompts")

    people = [who for who, _ in port.sent]
    assert people[:LEADS] == sorted(set(people)), "everyone's first prompt before anyone's second"
    assert all(people[i] != people[i + 1] for i in range(len(people) - 1)), "no one gets two in a row"


def test_a_failing_send_among_many_is_recorded_and_retried_later(big_plan: Engine) -> None:
    unlucky = ("lead-05", "prompt:16:2019-Q3")
    port = SlowPort(refuse={unlucky: 1})
    clock = FixedClock(PROMPTS_DUE)
    reconciler = Reconciler(big_plan, port, clock, by="clock", senders=8)

    first = reconciler.run("quarterly-prompts")
    failed = [o for o in first if o.status == SendStatus.FAILED]
    assert [(o.send.person_id, o.send.item_number) for o in failed] == [("lead-05", 16)]
    assert "service_unavailable" in failed[0].error
    rows = {r.item_number: r for r in ledger(big_plan, kind="quarterly-prompt")}
    assert rows[16].status == SendStatus.FAILED and "service_unavailable" in rows[16].last_error
    assert sum(r.status == SendStatus.SENT for r in rows.values()) == LEADS * ITEMS_EACH - 1

    clock.at = PROMPTS_DUE + dt.timedelta(minutes=10)
    second = reconciler.run("quarterly-prompts")
    assert [(o.send.person_id, o.send.item_number, o.status) for o in second] == [("lead-05", 16, SendStatus.SENT)]
    assert Counter(port.sent)[unlucky] == 1 and len(port.sent) == LEADS * ITEMS_EACH
    assert {r.status for r in ledger(big_plan, kind="quarterly-prompt")} == {SendStatus.SENT}


def _send(person_id: str, item: int) -> PlannedSend:
    return PlannedSend(
        kind="quarterly-prompt", person_id=person_id, item_number=item, occurrence="2019-Q3", due=PROMPTS_DUE
    )
