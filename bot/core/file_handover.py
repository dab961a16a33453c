"""Handing a file over where the platform asks the person first (Teams' file consent):
the offer names the person and the file with a one-time token, and the accept is
checked against the token, the person and the plan's roles before any upload.

Only coordinators may have the return's files, the same rule as `/plan-status
export`; the role is checked again at the accept, so someone dropped as a
coordinator after the offer gets nothing.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.file_offers import Claimed, Refusal, claim_offer, offer_file, release_offer, spend_offer
from storage.queries import find_person

__all__ = ["Claimed", "NotAllowed", "Refusal", "claim", "offer", "release", "spend"]


class NotAllowed(StrEnum):
    NOT_COORDINATOR = "not a coordinator"


def offer(engine: Engine, *, platform: str, user_id: str, file_name: str, at: dt.datetime) -> str | None:
    """A token for offering `file_name` to this platform user; None for someone the plan does not know."""
    with session_scope(engine) as session:
        person = find_person(session, platform=platform, user_id=user_id)
        if person is None:
            return None
        return offer_file(session, person_id=person.id, file_name=file_name, at=at)


def claim(engine: Engine, *, platform: str, user_id: str, token: str, at: dt.datetime) -> Claimed | Refusal | NotAllowed:
    """The offered file, taken for one upload by this user, or why not."""
    with session_scope(engine) as session:
        person = find_person(session, platform=platform, user_id=user_id)
        if person is None:
            return Refusal.SOMEONE_ELSE
        if not person.is_coordinator:
            return NotAllowed.NOT_COORDINATOR
        return claim_offer(session, token=token, person_id=person.id, at=at)


def release(engine: Engine, *, token: str) -> None:
    """The upload failed: the offer can be accepted again while it is valid."""
    with session_scope(engine) as session:
        release_offer(session, token=token)


def spend(engine: Engine, *, platform: str, user_id: str, token: str, at: dt.datetime) -> None:
    """Declined by the person it was offered to: the token is good for nothing more (anyone
    else's decline changes nothing)."""
    with session_scope(engine) as session:
        person = find_person(session, platform=platform, user_id=user_id)
        if person is not None:
            spend_offer(session, token=token, person_id=person.id, at=at)
