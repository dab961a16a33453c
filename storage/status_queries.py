"""Read queries for /plan-status.

Each loads one thing for the whole plan (or one item) in one statement, so a
summary costs the same number of statements however long the history grows:
only the latest version of each (item, period) is read, through the
`is_latest` flag and its index, never a row per item or per version.
"""

from __future__ import annotations

from sqlalchemy import and_, func, true
from sqlmodel import Session, col, select

from storage.models import Period, Person, Update


def people_by_id(session: Session) -> dict[str, Person]:
    """Everyone the database knows, retired people too, so an old author keeps a name."""
    return {p.id: p for p in session.exec(select(Person))}


def newest_updates(session: Session, *, period_keys: list[str]) -> dict[int, Update]:
    """Each item's latest version from the newest of `period_keys` it has an update for."""
    if not period_keys:
        return {}
    latest = col(Update.is_latest) == true()  # '= 1' on SQLite, which its index can use
    in_periods = col(Update.period_key).in_(period_keys)
    newest = (
        select(col(Update.item_number).label("item_number"), func.max(Period.position).label("position"))
        .join(Period, col(Period.key) == col(Update.period_key))
        .where(latest, in_periods)
        .group_by(col(Update.item_number))
        .subquery()
    )
    query = (
        select(Update)
        .select_from(newest)
        .join(Period, and_(col(Period.position) == newest.c.position, col(Period.key).in_(period_keys)))
        .join(Update, and_(col(Update.period_key) == col(Period.key), col(Update.item_number) == newest.c.item_number))
        .where(latest)
    )
    return {u.item_number: u for u in session.exec(query)}


def item_updates(session: Session, *, item_number: int, period_keys: list[str]) -> dict[str, Update]:
    """One item's latest version in each of `period_keys`, by period key (its RAG trail)."""
    if not period_keys:
        return {}
    query = select(Update).where(
        col(Update.is_latest) == true(),
        col(Update.period_key).in_(period_keys),
        Update.item_number == item_number,
    )
    return {u.period_key: u for u in session.exec(query)}


def items_with_updates(session: Session, *, period_key: str) -> set[int]:
    """The items that have an update for the period (is it missing?), without loading the updates."""
    query = select(Update.item_number).where(col(Update.is_latest) == true(), Update.period_key == period_key)
    return set(session.exec(query))


def periods_with_updates(session: Session, *, period_keys: list[str]) -> set[str]:
    """Which of `period_keys` have at least one update (for /plan-status changes)."""
    if not period_keys:
        return set()
    query = (
        select(Update.period_key)
        .where(col(Update.is_latest) == true(), col(Update.period_key).in_(period_keys))
        .distinct()
    )
    return set(session.exec(query))
