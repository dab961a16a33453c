"""Reconciles on a settable clock: downtime and the grace window, failures and
retries, people who cannot be reached, stale claims, and away/snooze/deputies.

The bundled plan's default schedule: grace 24 hours; sends at 09:00; the
weekly call on Thursdays at 10:00 with leads asked 24 hours before and the
coordinators' brief 1 hour before. The Q3 prompts go out on Mon 16 Dec 2019.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from schedules.reconcile import Reconciler
from storage import away
from storage.db import session_scope
from storage.models import SendStatus
from tests.schedules.conftest import (
    leave_claim,
    FailingPort,
    RecordingPort,
    ledger,
    load_variant,
    london,
)

Q3_PROMPTS = london(2019, 12, 16, 9)
LEADS = {"alex", "bea", "cal", "dee"}


def statuses(engine: Engine, kind: str) -> dict[str, str]:
    return {r.key: r.status for r in ledger(engine, kind=kind)}


def test_restarted_inside_the_grace_window_catches_up_exactly_once(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    clock.at = london(2019, 11, 20, 9, 0)
    assert reconciler.run("pre-call") == []
    clock.at = london(2019, 11, 20, 11, 30)  # down from 09:00; the prompts fell due at 10:00
    first = reconciler.run("pre-call")
    clock.at = london(2019, 11, 20, 11, 45)
    second = reconciler.run("pre-call")

    assert sorted(o.send.person_id for o in first) == sorted(LEADS) and second == []
    assert sorted(who for who, _ in port.sent) == sorted(LEADS)
    rows = ledger(plan_engine, kind="pre-call-prompt")
    assert {(r.status, r.due, r.sent_at) for r in rows} == {
        (SendStatus.SENT, london(2019, 11, 20, 10), london(2019, 11, 20, 11, 30))
    }


def test_restarted_after_the_grace_window_records_missed_and_tells_the_coordinators(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    clock.at = london(2019, 12, 15, 9)
    reconciler.run("quarterly-prompts")
    clock.at = london(2019, 12, 17, 10)  # 25 hours after the prompts fell due
    outcomes = reconciler.run("quarterly-prompts")

    assert [o.status for o in outcomes] == [SendStatus.MISSED] * 7
    assert port.sent == []
    assert {r.status for r in ledger(plan_engine, kind="quarterly-prompt")} == {SendStatus.MISSED}

    clock.at = london(2019, 12, 19, 9)
    reconciler.run("pre-call")
    brief = port.to("robin")[-1].text
    assert "Scheduled messages that did not go out:" in brief
    assert "quarterly-prompt to Alex Example (item 1), due Mon 16 Dec 2019, 09:00, not sent" in brief


def test_a_first_start_does_not_record_a_year_of_history_as_missed(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    clock.at = london(2019, 12, 17, 10)
    assert reconciler.run("all") == []
    assert ledger(plan_engine) == []


def test_a_send_that_fails_is_retried_and_only_marked_sent_once_it_goes(plan_engine: Engine, clock: FixedClock) -> None:
    port = FailingPort(times=4)
    reconciler = Reconciler(plan_engine, port, clock, by="test-clock")
    clock.at = london(2019, 11, 20, 10)
    failed = reconciler.run("pre-call")
    assert [o.status for o in failed] == [SendStatus.FAILED] * 4
    assert port.sent == []
    rows = ledger(plan_engine, kind="pre-call-prompt")
    assert {(r.status, r.sent_at, r.last_error) for r in rows} == {(SendStatus.FAILED, None, "service_unavailable")}

    clock.at = london(2019, 11, 20, 10, 15)
    retried = reconciler.run("pre-call")
    clock.at = london(2019, 11, 20, 10, 30)
    again = reconciler.run("pre-call")

    assert [o.status for o in retried] == [SendStatus.SENT] * 4 and again == []
    assert sorted(who for who, _ in port.sent) == sorted(LEADS)
    assert {(r.status, r.attempts, r.sent_at) for r in ledger(plan_engine, kind="pre-call-prompt")} == {
        (SendStatus.SENT, 2, london(2019, 11, 20, 10, 15))
    }


def test_a_send_that_keeps_failing_stops_being_retried_after_the_grace_window(
    plan_engine: Engine, clock: FixedClock
) -> None:
    port = FailingPort(times=10**6)
    reconciler = Reconciler(plan_engine, port, clock, by="test-clock")
    for at in (Q3_PROMPTS, london(2019, 12, 16, 12), london(2019, 12, 17, 10), london(2019, 12, 18, 10)):
        clock.at = at
        reconciler.run("quarterly-prompts")

    assert len(port.attempts) == 7 * 2  # at 09:00 and 12:00 on the 16th; not after the 24 hours
    assert {(r.status, r.attempts, r.sent_at) for r in ledger(plan_engine, kind="quarterly-prompt")} == {
        (SendStatus.FAILED, 2, None)
    }


def test_a_deactivated_account_is_skipped_once_and_flagged(plan_engine: Engine, clock: FixedClock) -> None:
    port = FailingPort(gone={"bea"})
    reconciler = Reconciler(plan_engine, port, clock, by="test-clock")
    for at in (Q3_PROMPTS, london(2019, 12, 16, 9, 30), london(2019, 12, 16, 12)):
        clock.at = at
        reconciler.run("quarterly-prompts")

    assert port.attempts.count("bea") == 2  # items 3 and 4, once each
    skipped = [r for r in ledger(plan_engine, kind="quarterly-prompt") if r.person_id == "bea"]
    assert {(r.item_number, r.status, r.last_error) for r in skipped} == {
        (3, SendStatus.SKIPPED, "Bea Sample cannot be reached: account_inactive"),
        (4, SendStatus.SKIPPED, "Bea Sample cannot be reached: account_inactive"),
    }
    assert sorted(who for who, _ in port.sent) == ["alex", "alex", "cal", "cal", "dee"]

    clock.at = london(2019, 12, 19, 9)
    reconciler.run("pre-call")
    brief = port.to("dee")[-1].text
    assert (
        "quarterly-prompt to Bea Sample (item 3), due Mon 16 Dec 2019, 09:00, skipped: Bea Sample cannot be reached"
        in brief
    )


def _cal_inactive(raw: dict[str, Any]) -> None:
    next(p for p in raw["people"] if p["id"] == "cal")["active"] = False


def test_a_lead_marked_inactive_in_the_plan_is_skipped_and_flagged(
    engine: Engine, clock: FixedClock, port: RecordingPort
) -> None:
    load_variant(engine, _cal_inactive)
    reconciler = Reconciler(engine, port, clock, by="test-clock")
    clock.at = Q3_PROMPTS
    reconciler.run("quarterly-prompts")
    clock.at = london(2019, 12, 18, 10)
    reconciler.run("pre-call")

    assert "cal" not in {who for who, _ in port.sent}
    cal_rows = [r for r in ledger(engine) if r.person_id == "cal"]
    assert [(r.kind, r.item_number, r.status) for r in cal_rows] == [
        ("quarterly-prompt", 5, SendStatus.SKIPPED),
        ("quarterly-prompt", 6, SendStatus.SKIPPED),
    ]
    assert cal_rows[0].last_error == "Cal Placeholder is marked inactive in the plan and item 5 has no deputy"
    assert sorted(r.person_id for r in ledger(engine, kind="pre-call-prompt")) == ["alex", "bea", "dee"]


def test_an_inactive_leads_item_goes_to_its_deputy(engine: Engine, clock: FixedClock, port: RecordingPort) -> None:
    def change(raw: dict[str, Any]) -> None:
        _cal_inactive(raw)
        next(i for i in raw["items"] if i["number"] == 5)["deputy"] = "bea"

    load_variant(engine, change)
    reconciler = Reconciler(engine, port, clock, by="test-clock")
    clock.at = Q3_PROMPTS
    reconciler.run("quarterly-prompts")

    to_bea = [r.text for r in port.to("bea")]
    assert len(to_bea) == 3  # items 3, 4 and 5
    assert "You're standing in for Cal Placeholder on item 5 while they're away." in to_bea[2]
    assert [(r.item_number, r.status) for r in ledger(engine, kind="quarterly-prompt") if r.person_id == "cal"] == [
        (6, SendStatus.SKIPPED)
    ]


def test_a_claim_left_by_a_dead_process_is_taken_over_after_the_lease(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    key = leave_claim(plan_engine, person_id="alex", item_number=1, occurrence="2019-Q3", due=Q3_PROMPTS, by="dead-clock")
    clock.at = london(2019, 12, 16, 9, 5)
    reconciler.run("quarterly-prompts")
    assert [r.text.splitlines()[0] for r in port.to("alex")] == [
        "== Item 2: Develop the Local Industrial Strategy (LIS) =="
    ]

    clock.at = london(2019, 12, 16, 9, 20)
    reconciler.run("quarterly-prompts")
    clock.at = london(2019, 12, 16, 9, 40)
    reconciler.run("quarterly-prompts")
    assert len(port.to("alex")) == 2
    row = next(r for r in ledger(plan_engine) if r.key == key)
    assert (row.status, row.claimed_by, row.sent_at) == (SendStatus.SENT, "test-clock", london(2019, 12, 16, 9, 20))


def test_away_with_a_deputy_sends_the_item_to_the_deputy_and_holds_the_rest(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    with session_scope(plan_engine) as session:
        away.set_absence(session, person_id="alex", kind="away", until=london(2019, 12, 20, 9), at=london(2019, 12, 10))
        away.set_deputy(session, item_number=1, deputy_id="bea", set_by_id="alex", at=london(2019, 12, 10))
    clock.at = london(2019, 12, 13)
    for day in (16, 17, 18, 19, 20, 23, 24, 27):
        clock.at = london(2019, 12, day, 9)
        reconciler.run("quarterly-prompts")
        reconciler.run("chasers")

    item1 = [(r.kind, r.person_id, r.due) for r in ledger(plan_engine) if r.item_number == 1]
    item2 = [(r.kind, r.person_id, r.due) for r in ledger(plan_engine) if r.item_number == 2]
    assert item1 == [
        ("quarterly-prompt", "bea", Q3_PROMPTS),
        ("chaser", "bea", london(2019, 12, 19, 9)),
        ("chaser", "alex", london(2019, 12, 24, 9)),  # alex is back on the 20th
    ]
    assert item2 == [
        ("quarterly-prompt", "alex", london(2019, 12, 20, 9)),  # held until alex is back
        ("chaser", "alex", london(2019, 12, 27, 9)),  # three working days after it actually went
    ]
    assert (
        "You're standing in for Alex Example on item 1 while they're away (until Fri 20 Dec 2019)."
        in port.to("bea")[0].text
    )


def test_a_snooze_holds_prompts_and_drops_a_call_prompt_that_would_come_after_the_call(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    with session_scope(plan_engine) as session:
        away.set_absence(
            session, person_id="bea", kind="snooze", until=london(2019, 11, 21, 12), at=london(2019, 11, 19, 12)
        )
    for at in (london(2019, 11, 20, 10), london(2019, 11, 21, 12), london(2019, 11, 27, 10)):
        clock.at = at
        reconciler.run("pre-call")

    asked = [(r.person_id, r.occurrence) for r in ledger(plan_engine, kind="pre-call-prompt")]
    assert ("bea", "clgu-weekly-call@2019-11-21") not in asked
    assert ("alex", "clgu-weekly-call@2019-11-21") in asked
    assert ("bea", "clgu-weekly-call@2019-11-28") in asked


def test_a_catch_up_never_goes_out_after_its_meeting_has_begun(
    reconciler: Reconciler, clock: FixedClock, port: RecordingPort, plan_engine: Engine
) -> None:
    clock.at = london(2019, 11, 21, 8)
    reconciler.run("pre-call")  # Wednesday's prompts, 22 hours late: still before the call
    clock.at = london(2019, 11, 21, 10, 30)
    outcomes = reconciler.run("pre-call")  # the 09:00 brief, 90 minutes late: the call has begun

    assert sorted(r.person_id for r in ledger(plan_engine, kind="pre-call-prompt", status=SendStatus.SENT)) == sorted(
        LEADS
    )
    assert [(o.send.kind, o.status) for o in outcomes] == [("pre-call-brief", SendStatus.MISSED)] * 2
    assert port.to("robin") == []
