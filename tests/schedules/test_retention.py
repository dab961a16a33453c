"""The retention prune on both databases: exactly what is older than
PLANBOT_RETENTION_DAYS goes (deliveries, inbox, ledger, message handles, call notes, file
offers, exported files), the
rest stays, a second run deletes nothing, and the clock runs it daily."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.clock import FixedClock
from schedules.clock import ClockProcess
from schedules.reconcile import Reconciler
from schedules.retention import RetentionJob
from storage.call_notes import add_note
from storage.conversations import claim_delivery
from storage.db import session_scope
from storage.handles import remember_handle
from storage.inbox import put_message
from storage.file_offers import offer_file
from storage.models import CallNote, ClockBeat, Delivery, FileOffer, InboxMessage, MessageHandle, Send
from storage.sends import beat, claim

NOW = dt.datetime(2020, 6, 1, 12, 0, tzinfo=dt.UTC)
DAYS = 30
CUTOFF = NOW - dt.timedelta(days=DAYS)
AGES = {"old": CUTOFF - dt.timedelta(seconds=1), "edge": CUTOFF, "new": CUTOFF + dt.timedelta(seconds=1)}


def fill(engine: Engine) -> None:
    with session_scope(engine) as session:
        for label, at in AGES.items():
            claim_delivery(session, key=f"delivery-{label}", at=at)
            put_message(session, person_id="alex", payload={"text": label}, at=at)
            claim(session, key=f"pre-call-prompt|alex|-|{label}", kind="pre-call-prompt", person_id="alex",
                  item_number=None, occurrence=label, due=at, by="test", at=at)
            remember_handle(session, key=f"handle-{label}", platform="shell", channel="alex", message_id=label,
                            person_id="alex", at=at)
            add_note(session, occurrence="2020-05-07", person_id="alex", text=label, at=at)
            offer_file(session, person_id="alex", file_name=label, at=at)
            beat(session, by=f"clock-{label}", at=at)


def left(engine: Engine) -> dict[str, set[str]]:
    with session_scope(engine) as session:
        return {
            "delivery": {k.removeprefix("delivery-") for k in session.exec(select(Delivery.key))},
            "inboxmessage": {r["text"] for r in session.exec(select(InboxMessage.reply))},
            "send": set(session.exec(select(Send.occurrence))),
            "messagehandle": set(session.exec(select(MessageHandle.message_id))),
            "callnote": set(session.exec(select(CallNote.text))),
            "fileoffer": set(session.exec(select(FileOffer.file_name))),
            "clockbeat": {by.removeprefix("clock-") for by in session.exec(select(ClockBeat.by))},
        }


def test_prune_removes_exactly_what_is_older_than_the_setting(plan_engine: Engine) -> None:
    fill(plan_engine)
    job = RetentionJob(plan_engine, FixedClock(NOW), days=DAYS)
    tables = ("delivery", "inboxmessage", "send", "messagehandle", "callnote", "fileoffer", "clockbeat")
    assert job.run() == dict.fromkeys(tables, 1)
    assert left(plan_engine) == dict.fromkeys(tables, {"edge", "new"})
    assert job.run() == dict.fromkeys(tables, 0)


def test_exported_files_older_than_the_setting_are_deleted_and_nothing_else(plan_engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    exports = tmp_path / "exports"
    exports.mkdir()
    now = time.time()
    ages = {"old.docx": now - DAYS * 86400 - 60, "new.docx": now - DAYS * 86400 + 60}
    for name, mtime in ages.items():
        (exports / name).write_bytes(b"return")
        os.utime(exports / name, (mtime, mtime))
    (exports / "kept-folder").mkdir()
    os.utime(exports / "kept-folder", (0, 0))
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not an export")
    os.utime(outside, (0, 0))
    (exports / "link.docx").symlink_to(outside)

    counts = RetentionJob(plan_engine, FixedClock(NOW), days=DAYS, exports=exports).run()

    assert counts["exports"] == 1
    assert sorted(p.name for p in exports.iterdir()) == ["kept-folder", "link.docx", "new.docx"]
    assert outside.exists()
    assert RetentionJob(plan_engine, FixedClock(NOW), days=DAYS, exports=tmp_path / "none").run()["exports"] == 0


def test_the_clock_prunes_at_start_and_then_daily(plan_engine: Engine, port) -> None:  # type: ignore[no-untyped-def]
    fill(plan_engine)
    clock = FixedClock(NOW)
    process = ClockProcess(
        Reconciler(plan_engine, port, clock, by="test"),
        ZoneInfo("Europe/London"),
        retention=RetentionJob(plan_engine, clock, days=DAYS),
    )
    process.prune()
    assert left(plan_engine)["send"] == {"edge", "new"}
    process.add_jobs(NOW)
    job = process.scheduler.get_job("retention")
    assert job is not None and job.trigger.interval == dt.timedelta(days=1)
