"""Fakes at the chat-port boundary and helpers to drive the clock through time.

The bundled plan: alex leads items 1-2, bea 3-4, cal 5-6, dee (also a
coordinator) 7; robin is a coordinator. The CLGU call is every Thursday at
10:00 London time (cancelled 26 Dec and 2 Jan); the Strategic Board meets on
21 Jun, 20 Sep, 6 Dec 2019 and 20 Mar 2020 at 10:00.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.core.clock import FixedClock
from bot.core.ports import Recipient, RecipientGone, SendFailed, SentMessage
from bot.core.replies import Reply
from schedules.planner import ALL_KINDS, next_due
from schedules.reconcile import Outcome, Reconciler
from schedules.world import load_world
from storage.db import session_scope
from storage.models import Send
from storage.sends import send_key
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, parse_plan

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


class RecordingPort:
    """A chat platform that accepts everything and remembers it, in order."""

    platform = "fake"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self.attempts: list[str] = []

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        self.attempts.append(recipient.person_id)
        self.sent.append((recipient.person_id, reply))
        return SentMessage(self.platform, f"D-{recipient.person_id}", str(len(self.sent)))

    def update(self, sent: SentMessage, reply: Reply) -> None:
        self.sent.append((sent.channel, reply))

    def to(self, person_id: str) -> list[Reply]:
        return [reply for who, reply in self.sent if who == person_id]


class FailingPort(RecordingPort):
    """Refuses sends: the first `times` of them, or every send to `gone` (a deactivated account)."""

    def __init__(self, *, times: int = 0, gone: set[str] | None = None) -> None:
        super().__init__()
        self.times = times
        self.gone = gone or set()
        self.lock = threading.Lock()  # the reconcile's sender threads share it

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        if recipient.person_id in self.gone:
            self.attempts.append(recipient.person_id)
            raise RecipientGone("account_inactive")
        with self.lock:
            refuse = self.times > 0
            self.times -= refuse
        if refuse:
            self.attempts.append(recipient.person_id)
            raise SendFailed("service_unavailable")
        return super().send(recipient, reply)


def ledger(engine: Engine, **where: Any) -> list[Send]:
    with session_scope(engine) as session:
        query = select(Send).order_by(col(Send.due), col(Send.key))
        for name, value in where.items():
            query = query.where(getattr(Send, name) == value)
        return list(session.exec(query))


def leave_claim(engine: Engine, *, person_id: str, item_number: int, occurrence: str, due: dt.datetime, by: str) -> str:
    """A quarterly prompt claimed by a clock that died before sending; returns its key."""
    key = send_key(kind="quarterly-prompt", person_id=person_id, item_number=item_number, occurrence=occurrence)
    with session_scope(engine) as session:
        session.add(
            Send(
                key=key,
                kind="quarterly-prompt",
                person_id=person_id,
                item_number=item_number,
                occurrence=occurrence,
                due=due,
                claimed_by=by,
                claimed_at=due,
            )
        )
    return key


def simulate(reconciler: Reconciler, clock: FixedClock, until: dt.datetime) -> list[Outcome]:
    """Run the clock the way `planbot clock` does: reconcile every job, then jump
    to the next instant anything falls due, until `until`."""
    outcomes = reconciler.run("all")
    while True:
        with session_scope(reconciler.engine) as session:
            world = load_world(session, kinds=list(ALL_KINDS))
            upcoming = next_due(world, clock.now()) if world is not None else None
        if upcoming is None or upcoming > until:
            return outcomes
        clock.at = upcoming
        outcomes += reconciler.run("all")


def bundled_yaml() -> dict[str, Any]:
    return yaml.safe_load(Path(BUNDLED_PLAN).read_text(encoding="utf-8"))


def load_variant(engine: Engine, change: Callable[[dict[str, Any]], None]) -> None:
    """Load the bundled plan with `change` applied to its YAML (e.g. a lead marked inactive)."""
    raw = bundled_yaml()
    change(raw)
    with session_scope(engine) as session:
        load_plan(session, parse_plan(yaml.safe_dump(raw, allow_unicode=True), "variant"), source="variant")


@pytest.fixture
def port() -> RecordingPort:
    return RecordingPort()


@pytest.fixture
def reconciler(plan_engine: Engine, port: RecordingPort, clock: FixedClock) -> Reconciler:
    return Reconciler(plan_engine, port, clock, by="test-clock")


def big_plan(leads: int, items_each: int) -> str:
    """The bundled plan's year, meetings and coordinators, with `leads` x `items_each` lead-items."""
    raw = bundled_yaml()
    coordinators = [p for p in raw["people"] if "coordinator" in p.get("roles", [])]
    people = [{"id": f"lead-{n:04d}", "name": f"Lead {n:04d}", "roles": ["lead"]} for n in range(leads)]
    items = [
        {
            "number": lead * items_each + k + 1,
            "title": f"Improvement {lead * items_each + k + 1}",
            "lead": f"lead-{lead:04d}",
            "kpis": ["A measurable outcome"],
            "milestones": ["A first step"],
        }
        for lead in range(leads)
        for k in range(items_each)
    ]
    raw.update(people=[{k: v for k, v in p.items() if k != "email"} for p in coordinators] + people, items=items)
    return yaml.safe_dump(raw, allow_unicode=True)


def load_text(engine: Engine, text: str) -> None:
    with session_scope(engine) as session:
        load_plan(session, parse_plan(text, "generated"), source="generated")
