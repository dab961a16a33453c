"""Tables. One short class per entity; the plan's own ids are the keys.

An item's number, a person's id, a KPI's or milestone's key and a period's key
are identities taken from the plan file, so reloading an edited plan keeps every
stored update attached to what it was about.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Stored as UTC, read back aware. SQLite keeps no offset: without this a
    London 23:30 BST came back as a naive 23:30, an hour out and on the wrong day
    in UTC. A naive value is taken to be UTC already."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _tz(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column (principle 6: time is explicit)."""
    return Field(sa_column=Column(UtcDateTime(), **kwargs))


class Rag(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track", "complete": "Complete"}[self.value]

    @property
    def colour(self) -> str:
        return {"on_track": "Green", "at_risk": "Amber", "off_track": "Red", "complete": "Blue"}[self.value]


class MilestoneState(StrEnum):
    DONE = "done"
    ON_TRACK = "on_track"
    SLIPPED = "slipped"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return {"done": "Done", "on_track": "On track", "slipped": "Slipped", "not_started": "Not started"}[self.value]


class Plan(SQLModel, table=True):
    """The loaded plan (one per database); the validated document is kept whole too."""

    id: int = Field(default=1, primary_key=True)
    title: str
    organisation: str | None = None
    year_start: dt.date
    year_end: dt.date
    timezone: str = "Europe/London"
    holidays: str = "GB-ENG"
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source: str = ""
    loaded_at: dt.datetime = _tz(nullable=False)


class Person(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    email: str | None = None
    slack: str | None = Field(default=None, index=True)
    teams: str | None = Field(default=None, index=True)
    is_lead: bool = False
    is_coordinator: bool = False
    active: bool = True
    in_plan: bool = True


class Item(SQLModel, table=True):
    number: int = Field(primary_key=True)
    title: str
    summary: str | None = Field(default=None, sa_column=Column(Text))
    lead_id: str = Field(foreign_key="person.id", index=True)
    deputy_id: str | None = Field(default=None, foreign_key="person.id")
    in_plan: bool = True


class Kpi(SQLModel, table=True):
    item_number: int = Field(foreign_key="item.number", primary_key=True)
    key: str = Field(primary_key=True)
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    in_plan: bool = True


class Milestone(SQLModel, table=True):
    item_number: int = Field(foreign_key="item.number", primary_key=True)
    key: str = Field(primary_key=True)
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    due: dt.date | None = None
    in_plan: bool = True


class MonitoringLine(SQLModel, table=True):
    item_number: int = Field(foreign_key="item.number", primary_key=True)
    position: int = Field(primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))


class Meeting(SQLModel, table=True):
    id: str = Field(primary_key=True)
    title: str
    kind: str
    weekday: str | None = None
    time: dt.time
    duration_minutes: int = 60
    cancelled: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class MeetingDate(SQLModel, table=True):
    """A dated occurrence (Board meetings) with its agenda note."""

    meeting_id: str = Field(foreign_key="meeting.id", primary_key=True)
    date: dt.date = Field(primary_key=True)
    time: dt.time | None = None
    agenda: str | None = None


class Period(SQLModel, table=True):
    """A reporting period of the plan year; key like '2019-Q1'."""

    key: str = Field(primary_key=True)
    position: int = Field(index=True)
    label: str
    start: dt.date
    end: dt.date


class Update(SQLModel, table=True):
    """One version of a lead's update for (item, period). Edits add versions."""

    __table_args__ = (
        UniqueConstraint("item_number", "period_key", "version", name="uq_update_version"),
        Index("ix_update_latest", "is_latest", "period_key", "item_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_number: int = Field(foreign_key="item.number", index=True)
    period_key: str = Field(foreign_key="period.key")
    version: int
    is_latest: bool = True
    rag: Rag = Field(sa_type=String(16))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    blockers: str = Field(default="", sa_column=Column(Text, nullable=False))
    rag_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """What the lead wrote after the status ("amber, the consultation slipped")."""
    author_id: str = Field(foreign_key="person.id")
    on_behalf_of_id: str | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = _tz(nullable=False)
    source: str = "chat"


class UpdateKpi(SQLModel, table=True):
    """Progress against one KPI; the KPI's text is kept as it read when written."""

    update_id: int = Field(foreign_key="update.id", primary_key=True)
    kpi_key: str = Field(primary_key=True)
    kpi_text: str = Field(sa_column=Column(Text, nullable=False))
    progress: str = Field(sa_column=Column(Text, nullable=False))


class UpdateMilestone(SQLModel, table=True):
    update_id: int = Field(foreign_key="update.id", primary_key=True)
    milestone_key: str = Field(primary_key=True)
    milestone_text: str = Field(sa_column=Column(Text, nullable=False))
    state: MilestoneState = Field(sa_type=String(16))
    new_date: dt.date | None = None
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """What the lead wrote after the state or date ("slipped to end of January, awaiting sign-off")."""


class Conversation(SQLModel, table=True):
    """Where a person is in a multi-turn exchange, so a restart loses nothing.

    One per (platform, person): a DM, a thread reply, a button and a modal all
    land in it. `channel` is where it was last spoken to, not part of its key."""

    __table_args__ = (UniqueConstraint("platform", "person_id", name="uq_conversation"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    person_id: str = Field(foreign_key="person.id")
    channel: str
    state: str
    step: int = 0
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = _tz(nullable=False)


class Delivery(SQLModel, table=True):
    """Platform delivery ids already handled, so a retried or replayed event changes nothing twice."""

    key: str = Field(primary_key=True, max_length=200)
    received_at: dt.datetime = _tz(nullable=False)


class SendStatus(StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    MISSED = "missed"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"
    """The platform may have taken it but could not say (never sent again blind)."""


class Send(SQLModel, table=True):
    """The send ledger: every scheduled message is claimed here first.

    `key` is unique per send (`storage.sends.send_key`: an item's send leaves the
    person out, as it goes to the lead or a deputy), so two clock processes cannot
    both claim a send, and a restart sees what went out.
    """

    __table_args__ = (Index("ix_send_lookup", "kind", "item_number", "occurrence"),)

    key: str = Field(primary_key=True, max_length=300)
    kind: str = Field(max_length=40)
    person_id: str = Field(foreign_key="person.id", index=True)
    item_number: int | None = None
    occurrence: str = Field(max_length=100)
    due: dt.datetime = _tz(nullable=False)
    status: SendStatus = Field(default=SendStatus.CLAIMED, sa_type=String(16))
    attempts: int = 0
    claimed_by: str = ""
    claimed_at: dt.datetime = _tz(nullable=False)
    sent_at: dt.datetime | None = _tz(nullable=True)
    last_error: str = ""
    retry_at: dt.datetime | None = _tz(nullable=True)
    platform: str | None = None
    channel: str | None = None
    message_id: str | None = None


class InboxMessage(SQLModel, table=True):
    """A message the clock sent while no chat platform is configured: the terminal
    shell shows a person's unread ones when they open it."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", index=True)
    reply: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = _tz(nullable=False)
    read_at: dt.datetime | None = _tz(nullable=True)


class Absence(SQLModel, table=True):
    """`away until DATE` or `snooze 2d`: the clock holds a person's sends until `until`."""

    person_id: str = Field(foreign_key="person.id", primary_key=True)
    kind: str = Field(max_length=16)
    until: dt.datetime = _tz(nullable=False)
    set_at: dt.datetime = _tz(nullable=False)


class ItemDeputy(SQLModel, table=True):
    """A deputy named in chat; stands in for the item's lead while the lead is away.
    Kept apart from Item.deputy_id so reloading the plan file does not wipe it."""

    item_number: int = Field(foreign_key="item.number", primary_key=True)
    deputy_id: str = Field(foreign_key="person.id")
    set_by_id: str = Field(foreign_key="person.id")
    set_at: dt.datetime = _tz(nullable=False)


class CallNote(SQLModel, table=True):
    """What a lead flagged before a weekly call; the coordinators' brief lists it."""

    id: int | None = Field(default=None, primary_key=True)
    occurrence: str = Field(max_length=100, index=True)
    person_id: str = Field(foreign_key="person.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = _tz(nullable=False)


class MilestoneCheck(SQLModel, table=True):
    """A lead's answer when a milestone fell due: done, on track, or slipped to a new date."""

    id: int | None = Field(default=None, primary_key=True)
    item_number: int = Field(foreign_key="item.number", index=True)
    milestone_key: str
    asked_due: dt.date
    state: MilestoneState = Field(sa_type=String(16))
    new_date: dt.date | None = None
    person_id: str = Field(foreign_key="person.id")
    answered_at: dt.datetime = _tz(nullable=False)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """The lead's words after the state or date."""


class ReconcileMark(SQLModel, table=True):
    """The latest instant each scheduled job has reconciled up to: sends that fell
    due after it and are now past the grace window are recorded as missed."""

    job: str = Field(primary_key=True, max_length=40)
    last_at: dt.datetime = _tz(nullable=False)


class Address(SQLModel, table=True):
    """How to reach one person on one platform, written by adapters from inbound
    events and installs; it survives plan reloads (the plan holds no addresses).

    `user_id` is the platform's id for the person (Slack user id; Teams Entra
    object id or user id). `channel` is the direct conversation (Slack DM channel;
    Teams personal conversation id); `reference` the platform's whole
    conversation reference where it needs one (Teams)."""

    __table_args__ = (UniqueConstraint("platform", "user_id", name="uq_address_user"),)

    person_id: str = Field(foreign_key="person.id", primary_key=True)
    platform: str = Field(primary_key=True, max_length=20)
    user_id: str = Field(max_length=200)
    team_id: str | None = Field(default=None, max_length=200)
    channel: str | None = Field(default=None, max_length=200)
    reference: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    source: str = Field(default="event", max_length=20)
    last_seen: dt.datetime | None = _tz(nullable=True)
    unreachable: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    unreachable_at: dt.datetime | None = _tz(nullable=True)


class MessageHandle(SQLModel, table=True):
    """Where a keyed reply was posted (Slack channel + ts; Teams conversation +
    activity id; the terminal's message id), so a later edit of that key reaches
    every copy from any process."""

    __table_args__ = (UniqueConstraint("platform", "channel", "message_id", name="uq_message_handle"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True)
    platform: str = Field(max_length=20)
    channel: str = Field(max_length=200)
    message_id: str = Field(max_length=200)
    person_id: str | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = _tz(nullable=False)


class Draft(SQLModel, table=True):
    """An unfinished update set aside (or left idle), per person and item, so it
    resumes where it stopped; nothing in it is an update until confirmed."""

    person_id: str = Field(foreign_key="person.id", primary_key=True)
    item_number: int = Field(foreign_key="item.number", primary_key=True)
    period_key: str = Field(foreign_key="period.key", primary_key=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = _tz(nullable=False)


class AuditEntry(SQLModel, table=True):
    """One change to who does what (plan loads, roles, deputies, absences,
    on-behalf updates), written in the same transaction as the change.

    Append-only: nothing updates or deletes these rows, except erasure, which
    replaces an erased person's id and name in them (docs/data-protection.md).
    `actor_id` and `subject_id` are plain ids, not foreign keys, so the trail
    outlives the people in it."""

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = _tz(nullable=False, index=True)
    action: str = Field(max_length=40)
    actor_id: str | None = Field(default=None, max_length=200)
    subject_id: str | None = Field(default=None, max_length=200)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))


class Tombstone(SQLModel, table=True):
    """An erased person's identifiers (plan id, email, platform ids) as keyed
    hashes: enough to refuse a plan that names them again, and nothing to read
    them back from. `kind` says which identifier; `erased_on` is when."""

    digest: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=20)
    erased_on: dt.date


class TombstoneKey(SQLModel, table=True):
    """The random key the tombstones' hashes are made with (one row, made at the
    first erasure), so a tombstone cannot be matched against a list of guesses
    made without this database."""

    id: int = Field(default=1, primary_key=True)
    key: str = Field(max_length=64)


class ChatReference(SQLModel, table=True):
    """A group conversation the bot was added to or mentioned in (a Teams channel
    or group chat), keyed by its conversation id, not by person: where the
    coordinators' briefs go when the plan names that chat. `reference` is the
    part of the conversation reference a proactive send needs (service URL,
    conversation, bot); who happened to install the app is not kept."""

    platform: str = Field(primary_key=True, max_length=20)
    conversation_id: str = Field(primary_key=True, max_length=300)
    reference: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    noted_at: dt.datetime = _tz(nullable=False)


class FileOffer(SQLModel, table=True):
    """A file offered in a Teams personal chat (file consent). The accept must carry
    the offer's one-time token (only its hash is stored), come from the person it
    names, within a day, once; a failed upload gives the token back for a retry."""

    token_hash: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(foreign_key="person.id", index=True)
    file_name: str = Field(max_length=255)
    offered_at: dt.datetime = _tz(nullable=False)
    used_at: dt.datetime | None = _tz(nullable=True)


class ClockBeat(SQLModel, table=True):
    """When each process that claims sends (`planbot clock`, `run-job`) last showed it was
    alive, in real time: a claim whose claimer stopped beating is an orphan, taken over
    within minutes instead of after the claim lease."""

    by: str = Field(primary_key=True, max_length=200)
    beat_at: dt.datetime = _tz(nullable=False)
