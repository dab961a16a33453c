"""Keyword-only storage functions; each takes the caller's session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, update as sa_update
from sqlmodel import Session, col, select

from storage import audit
from storage.addresses import PLAN_FIELDS, address_for_user, plan_id
from storage.models import (
    Item,
    Kpi,
    Milestone,
    MilestoneState,
    MonitoringLine,
    Period,
    Person,
    Plan,
    Rag,
    Update,
    UpdateKpi,
    UpdateMilestone,
)

TERMINAL = "shell"
"""The terminal: the only platform whose users are named by their plan person id."""
CHAT_PLATFORMS = PLAN_FIELDS
"""The chat platforms a person is known on through the plan's id field or a recorded address."""


class UnknownPlatform(ValueError):
    """An event named a platform the core does not know: an adapter bug, never a stranger."""


def get_plan(session: Session) -> Plan | None:
    return session.get(Plan, 1)


def find_person(session: Session, *, platform: str, user_id: str) -> Person | None:
    """The active plan person behind a platform identity, or None for a stranger.

    The terminal names people by plan id. Slack and Teams users are known only by
    that platform's id: the plan's `slack`/`teams` field, else an address an
    adapter recorded (say, from the plan's email); where the plan gives the
    person another id, the plan wins. Display names never identify anyone, and
    no id counts across platforms. Raises UnknownPlatform for any other platform.
    """
    person = plan_person(session, platform=platform, user_id=user_id)
    return person if person is not None and person.active else None


def plan_person(session: Session, *, platform: str, user_id: str) -> Person | None:
    """Like `find_person`, but an inactive person is returned too (to tell them so)."""
    if platform == TERMINAL:
        person = session.get(Person, user_id)
    elif platform in CHAT_PLATFORMS:
        column = getattr(Person, platform)
        person = session.exec(select(Person).where(column == user_id, col(Person.in_plan))).first()
        if person is None:
            address = address_for_user(session, platform=platform, user_id=user_id)
            person = session.get(Person, address.person_id) if address is not None else None
            if person is not None and plan_id(person, platform) not in (None, user_id):
                person = None
    else:
        raise UnknownPlatform(f"no such platform {platform!r}: events come from {TERMINAL}, {', '.join(CHAT_PLATFORMS)}")
    return person if person is not None and person.in_plan else None


def people(session: Session) -> list[Person]:
    return list(session.exec(select(Person).where(Person.in_plan).order_by(Person.name)))


def items(session: Session) -> list[Item]:
    return list(session.exec(select(Item).where(Item.in_plan).order_by(Item.number)))


def kpis(session: Session, *, item_number: int) -> list[Kpi]:
    query = select(Kpi).where(Kpi.item_number == item_number, Kpi.in_plan).order_by(Kpi.position)
    return list(session.exec(query))


def milestones(session: Session, *, item_number: int) -> list[Milestone]:
    query = select(Milestone).where(Milestone.item_number == item_number, Milestone.in_plan).order_by(Milestone.position)
    return list(session.exec(query))


def kpis_of(session: Session, *, item_numbers: list[int]) -> dict[int, list[Kpi]]:
    """The KPIs of several items, by item, in order: one statement."""
    out: dict[int, list[Kpi]] = {}
    query = select(Kpi).where(col(Kpi.item_number).in_(item_numbers), Kpi.in_plan).order_by(Kpi.item_number, Kpi.position)
    for row in session.exec(query):
        out.setdefault(row.item_number, []).append(row)
    return out


def milestones_of(session: Session, *, item_numbers: list[int]) -> dict[int, list[Milestone]]:
    """The milestones of several items, by item, in order: one statement."""
    out: dict[int, list[Milestone]] = {}
    query = (
        select(Milestone)
        .where(col(Milestone.item_number).in_(item_numbers), Milestone.in_plan)
        .order_by(Milestone.item_number, Milestone.position)
    )
    for row in session.exec(query):
        out.setdefault(row.item_number, []).append(row)
    return out


def monitoring(session: Session, *, item_number: int) -> list[MonitoringLine]:
    query = select(MonitoringLine).where(MonitoringLine.item_number == item_number).order_by(MonitoringLine.position)
    return list(session.exec(query))


def plan_periods(session: Session) -> list[Period]:
    """The loaded plan year's periods, in order."""
    plan = get_plan(session)
    if plan is None:
        return []
    query = select(Period).where(Period.start >= plan.year_start, Period.end <= plan.year_end).order_by(Period.position)
    return list(session.exec(query))


def period_at(session: Session, *, day: dt.date) -> Period | None:
    return session.exec(select(Period).where(Period.start <= day, Period.end >= day)).first()


@dataclass(frozen=True)
class MilestoneAnswer:
    state: MilestoneState
    new_date: dt.date | None = None
    note: str = ""


def save_update(
    session: Session,
    *,
    item_number: int,
    period_key: str,
    rag: Rag,
    summary: str,
    blockers: str,
    kpi_progress: dict[str, str],
    milestone_states: dict[str, MilestoneAnswer],
    author_id: str,
    on_behalf_of_id: str | None,
    at: dt.datetime,
    source: str = "chat",
    rag_reason: str = "",
) -> Update:
    """Store a new version of the (item, period) update; earlier versions stay.

    The item row is locked first, so two saves at once get versions n and n+1,
    never a clash: a no-op UPDATE of it takes PostgreSQL's row lock and SQLite's
    write lock (a SELECT alone would let SQLite read a stale version number).
    """
    session.exec(
        sa_update(Item)
        .where(col(Item.number) == item_number)
        .values(in_plan=col(Item.in_plan))
        .execution_options(synchronize_session=False)
    )
    session.exec(select(Item).where(Item.number == item_number).with_for_update()).one()
    current = session.exec(
        select(func.max(Update.version)).where(Update.item_number == item_number, Update.period_key == period_key)
    ).one()
    session.exec(
        sa_update(Update)
        .where(col(Update.item_number) == item_number, col(Update.period_key) == period_key, col(Update.is_latest))
        .values(is_latest=False)
    )
    update = Update(
        item_number=item_number,
        period_key=period_key,
        version=(current or 0) + 1,
        is_latest=True,
        rag=rag,
        summary=summary,
        blockers=blockers,
        rag_reason=rag_reason,
        author_id=author_id,
        on_behalf_of_id=on_behalf_of_id,
        created_at=at,
        source=source,
    )
    session.add(update)
    session.flush()
    kpi_texts = {k.key: k.text for k in kpis(session, item_number=item_number)}
    for key, progress in kpi_progress.items():
        session.add(UpdateKpi(update_id=update.id, kpi_key=key, kpi_text=kpi_texts.get(key, key), progress=progress))
    ms_texts = {m.key: m.text for m in milestones(session, item_number=item_number)}
    for key, answer in milestone_states.items():
        session.add(
            UpdateMilestone(
                update_id=update.id,
                milestone_key=key,
                milestone_text=ms_texts.get(key, key),
                state=answer.state,
                new_date=answer.new_date,
                note=answer.note,
            )
        )
    session.flush()
    if on_behalf_of_id and on_behalf_of_id != author_id:
        audit.record(
            session, action="on-behalf", at=at, actor_id=author_id, subject_id=on_behalf_of_id,
            detail=f"item {item_number} {period_key} version {update.version}: saved by {author_id} on behalf of {on_behalf_of_id}",
        )
    return update


def latest_update(session: Session, *, item_number: int, period_key: str) -> Update | None:
    query = select(Update).where(Update.item_number == item_number, Update.period_key == period_key, Update.is_latest)
    return session.exec(query).first()


def latest_before(session: Session, *, item_number: int, period_position: int) -> Update | None:
    """The newest update for the item from this or an earlier period (for 'last update')."""
    query = (
        select(Update)
        .join(Period, col(Period.key) == col(Update.period_key))
        .where(Update.item_number == item_number, Update.is_latest, Period.position <= period_position)
        .order_by(col(Period.position).desc())
        .limit(1)
    )
    return session.exec(query).first()


def latest_before_each(session: Session, *, item_numbers: list[int], period_position: int) -> dict[int, Update]:
    """`latest_before` for several items at once: one statement."""
    query = (
        select(Update, Period.position)
        .join(Period, col(Period.key) == col(Update.period_key))
        .where(col(Update.item_number).in_(item_numbers), Update.is_latest, Period.position <= period_position)
    )
    newest: dict[int, tuple[int, Update]] = {}
    for update, position in session.exec(query):
        if update.item_number not in newest or position > newest[update.item_number][0]:
            newest[update.item_number] = (position, update)
    return {number: update for number, (_, update) in newest.items()}


def update_history(session: Session, *, item_number: int, period_key: str) -> list[Update]:
    query = (
        select(Update)
        .where(Update.item_number == item_number, Update.period_key == period_key)
        .order_by(col(Update.version))
    )
    return list(session.exec(query))


def update_kpis(session: Session, *, update_ids: list[int]) -> dict[int, list[UpdateKpi]]:
    out: dict[int, list[UpdateKpi]] = {i: [] for i in update_ids}
    if update_ids:
        for row in session.exec(select(UpdateKpi).where(col(UpdateKpi.update_id).in_(update_ids))):
            out[row.update_id].append(row)
    return out


def update_milestones(session: Session, *, update_ids: list[int]) -> dict[int, list[UpdateMilestone]]:
    out: dict[int, list[UpdateMilestone]] = {i: [] for i in update_ids}
    if update_ids:
        for row in session.exec(select(UpdateMilestone).where(col(UpdateMilestone.update_id).in_(update_ids))):
            out[row.update_id].append(row)
    return out


def latest_updates_for_periods(session: Session, *, period_keys: list[str]) -> list[Update]:
    """Every item's latest version in each of the given periods: one statement."""
    if not period_keys:
        return []
    query = select(Update).where(Update.is_latest, col(Update.period_key).in_(period_keys))
    return list(session.exec(query))
