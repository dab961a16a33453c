"""How to reach each person on each platform: written by adapters (inbound
events, installs, an id learned from an email) and by the routing port (a send
that failed for good). The plan holds no addresses, so reloading it keeps them;
but where the plan names a platform id, the plan wins over anything recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal, cast

from sqlalchemy import bindparam, func, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Address, Person
from storage.upserts import insert_for_person

Source = Literal["plan", "email", "event", "install"]
PLAN_FIELDS = ("slack", "teams")
"""The platforms whose ids the plan file may name (a `Person` column each)."""
SEEN = ("event", "install")
"""Sources that mean the person (or their platform, installing the app for them) was just seen."""


def plan_id(person: Person, platform: str) -> str | None:
    """The platform id the plan gives the person, if any."""
    return getattr(person, platform) if platform in PLAN_FIELDS else None


def _plan_owner(session: Session, *, platform: str, user_id: str) -> Person | None:
    """The in-plan person whose plan entry names this platform id."""
    if platform not in PLAN_FIELDS:
        return None
    column = getattr(Person, platform)
    return session.exec(select(Person).where(column == user_id, col(Person.in_plan))).first()


def plan_allows(session: Session, *, person: Person, platform: str, user_id: str) -> bool:
    """False when the plan says this id is someone else's, or gives the person another id."""
    own = plan_id(person, platform)
    if own is not None and own != user_id:
        return False
    owner = _plan_owner(session, platform=platform, user_id=user_id)
    return owner is None or owner.id == person.id


def get_address(session: Session, *, person_id: str, platform: str) -> Address | None:
    return session.get(Address, (person_id, platform))


def address_for_user(session: Session, *, platform: str, user_id: str) -> Address | None:
    """The address recorded for a platform id (unique per platform)."""
    return session.exec(select(Address).where(Address.platform == platform, Address.user_id == user_id)).first()


def addresses_of(session: Session, *, person_id: str) -> dict[str, Address]:
    """The person's addresses, by platform."""
    return {row.platform: row for row in session.exec(select(Address).where(Address.person_id == person_id))}


def all_addresses(session: Session) -> dict[str, dict[str, Address]]:
    """Everyone's addresses, by person and platform: one statement."""
    out: dict[str, dict[str, Address]] = {}
    for row in session.exec(select(Address)):
        out.setdefault(row.person_id, {})[row.platform] = row
    return out


def record_address(
    session: Session,
    *,
    person_id: str,
    platform: str,
    user_id: str,
    source: Source,
    at: dt.datetime,
    team_id: str | None = None,
    channel: str | None = None,
    reference: Mapping[str, Any] | None = None,
) -> Address | None:
    """Upsert the person's address on `platform`; None (nothing written) when the
    plan gives `user_id` to someone else or another id to this person.

    A platform id held by another person's recorded address moves to this one
    (the id is unique per platform). A new `user_id` starts a fresh address; the
    same one keeps the channel and reference unless new ones are given, and
    keeps how it was first learned (`source`). Recording clears `unreachable`:
    whoever records an address has just heard from the person or their platform.
    An event or an install also sets `last_seen`; learning an id from the plan
    or an email is not seeing the person.
    """
    person = session.get(Person, person_id)
    if person is None or not plan_allows(session, person=person, platform=platform, user_id=user_id):
        return None
    for _ in range(2):
        try:
            with session.begin_nested():
                return _upsert(session, person_id, platform, user_id, source, at, team_id, channel, reference)
        except IntegrityError:
            continue  # another process recorded the same address at the same moment: read it and update
    return _upsert(session, person_id, platform, user_id, source, at, team_id, channel, reference)


def _upsert(
    session: Session,
    person_id: str,
    platform: str,
    user_id: str,
    source: Source,
    at: dt.datetime,
    team_id: str | None,
    channel: str | None,
    reference: Mapping[str, Any] | None,
) -> Address:
    held = address_for_user(session, platform=platform, user_id=user_id)
    if held is not None and held.person_id != person_id:
        session.delete(held)
        session.flush()
    row = get_address(session, person_id=person_id, platform=platform)
    if row is None or row.user_id != user_id:
        if row is None:
            row = Address(person_id=person_id, platform=platform, user_id=user_id)
        row.user_id, row.source, row.team_id, row.channel, row.reference = user_id, source, None, None, None
        row.last_seen = None
    row.team_id = team_id or row.team_id
    row.channel = channel or row.channel
    row.reference = dict(reference) if reference is not None else row.reference
    if source in SEEN:
        row.last_seen = at
    row.unreachable, row.unreachable_at = "", None
    session.add(row)
    session.flush()
    return row


def store_channel(
    session: Session,
    *,
    person_id: str,
    platform: str,
    user_id: str,
    channel: str,
    at: dt.datetime,
    team_id: str | None = None,
    named_in_plan: bool = False,
) -> bool:
    """The direct channel a send to the person's own address answered with, as
    `record_address` (source "event") and `touch_address` would store it, in one
    statement: when the plan names `user_id` for them (`named_in_plan`: nobody else
    may hold it) and they have no address yet, a new one; else an update of their
    recorded address for `user_id`. False when neither applies (another id recorded
    for them, or the id held by someone else): the caller records it the long way."""
    if named_in_plan:
        row = {
            "person_id": person_id,
            "platform": platform,
            "user_id": user_id,
            "team_id": team_id,
            "channel": channel,
            "source": "event",
            "last_seen": at,
            "unreachable": "",
        }
        if insert_for_person(session, Address, row, person_id=person_id):
            return True  # the first send to them: no address yet
    params = {"b_person": person_id, "b_platform": platform, "b_user": user_id, "b_channel": channel, "b_at": at, "b_team": team_id}
    result = session.execute(_STORE_CHANNEL, params)
    return cast("CursorResult[Any]", result).rowcount == 1


def _store_channel_statement() -> Any:
    table = cast(Any, Address).__table__
    return (
        update(table)
        .where(
            table.c.person_id == bindparam("b_person"),
            table.c.platform == bindparam("b_platform"),
            table.c.user_id == bindparam("b_user"),
        )
        .values(
            channel=bindparam("b_channel"),
            team_id=func.coalesce(bindparam("b_team", type_=table.c.team_id.type), table.c.team_id),
            last_seen=bindparam("b_at", type_=table.c.last_seen.type),
            unreachable="",
            unreachable_at=None,
        )
    )


_STORE_CHANNEL = _store_channel_statement()
"""`store_channel`'s UPDATE, built once: the values are bound when it runs."""


def touch_address(session: Session, *, person_id: str, platform: str, at: dt.datetime) -> Address | None:
    """The person was just seen on `platform`: `last_seen`, and reachable again."""
    row = get_address(session, person_id=person_id, platform=platform)
    if row is not None:
        row.last_seen = at
        row.unreachable, row.unreachable_at = "", None
        session.add(row)
        session.flush()
    return row


def mark_unreachable(
    session: Session, *, person_id: str, platform: str, user_id: str, reason: str, at: dt.datetime
) -> Address | None:
    """A send failed for good (deactivated, left the workspace): routing skips this
    address until it is recorded again or a send through it succeeds. An id known
    only from the plan gets a row here, so the mark has somewhere to live."""
    row = get_address(session, person_id=person_id, platform=platform)
    if row is None or row.user_id != user_id:
        row = record_address(session, person_id=person_id, platform=platform, user_id=user_id, source="plan", at=at)
        if row is None:
            return None
    row.unreachable, row.unreachable_at = reason[:1000] or "unreachable", at
    session.add(row)
    session.flush()
    return row


def mark_reachable(session: Session, *, person_id: str, platform: str) -> Address | None:
    """A send through this address succeeded: clear any unreachable mark."""
    row = get_address(session, person_id=person_id, platform=platform)
    if row is not None and (row.unreachable or row.unreachable_at is not None):
        row.unreachable, row.unreachable_at = "", None
        session.add(row)
        session.flush()
    return row


def drop_contradicted(session: Session) -> list[str]:
    """After a plan load: forget addresses the plan now contradicts (the plan wins),
    so a Slack id given to someone else never reaches its old holder's DM."""
    owners = {
        (platform, user_id): person_id
        for platform in PLAN_FIELDS
        for person_id, user_id in session.exec(
            select(Person.id, getattr(Person, platform)).where(col(Person.in_plan), getattr(Person, platform).is_not(None))
        )
    }
    people = {p.id: p for p in session.exec(select(Person))}
    dropped: list[str] = []
    for row in session.exec(select(Address)):
        owner = owners.get((row.platform, row.user_id))
        person = people.get(row.person_id)
        own = plan_id(person, row.platform) if person is not None else None
        if owner is not None and owner != row.person_id:
            why = f"the plan gives it to {owner}"
        elif own is not None and own != row.user_id:
            why = f"the plan gives {row.person_id} {own}"
        else:
            continue
        dropped.append(f"{row.platform} address of {row.person_id} ({row.user_id}): forgotten, {why}")
        session.delete(row)
    session.flush()
    return dropped


def preferred_platforms(document: Mapping[str, Any]) -> dict[str, str]:
    """Each person's preferred chat platform (`chat:` in the plan file), by person id."""
    return {p["id"]: p["chat"] for p in document.get("people", []) if isinstance(p, dict) and p.get("chat")}
