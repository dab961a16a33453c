"""One-time tokens for files offered in a chat (Teams' file-consent card).

The card carries a random token; the database keeps only its hash, with the person
the file was offered to and the file's name, so whichever web process receives the
accept can check it. An offer is good for `VALID` and for one upload: claiming it
is a single conditional UPDATE, so two accepts at once cannot both upload, and a
failed upload gives it back to be retried while it is still valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col

from storage.models import FileOffer

VALID = dt.timedelta(hours=24)


class Refusal(StrEnum):
    UNKNOWN = "unknown"
    SOMEONE_ELSE = "someone else"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class Claimed:
    file_name: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def offer_file(session: Session, *, person_id: str, file_name: str, at: dt.datetime) -> str:
    """A new token for offering `file_name` to `person_id`."""
    token = secrets.token_urlsafe(24)
    session.add(FileOffer(token_hash=_hash(token), person_id=person_id, file_name=file_name, offered_at=at))
    return token


def claim_offer(session: Session, *, token: str, person_id: str, at: dt.datetime) -> Claimed | Refusal:
    """Take the offer for an upload: its file, or why not."""
    row = session.get(FileOffer, _hash(token)) if token else None
    if row is None:
        return Refusal.UNKNOWN
    if row.person_id != person_id:
        return Refusal.SOMEONE_ELSE
    if at - row.offered_at > VALID:
        return Refusal.EXPIRED
    taken = session.execute(
        update(FileOffer).where(col(FileOffer.token_hash) == row.token_hash, col(FileOffer.used_at).is_(None)).values(used_at=at)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return Refusal.USED
    return Claimed(row.file_name)


def release_offer(session: Session, *, token: str) -> None:
    """The upload failed: the offer may be accepted again while it is valid."""
    session.execute(update(FileOffer).where(col(FileOffer.token_hash) == _hash(token)).values(used_at=None))


def spend_offer(session: Session, *, token: str, person_id: str, at: dt.datetime) -> None:
    """Declined by the person it was offered to: the card's token is good for nothing more."""
    session.execute(
        update(FileOffer)
        .where(col(FileOffer.token_hash) == _hash(token), col(FileOffer.person_id) == person_id, col(FileOffer.used_at).is_(None))
        .values(used_at=at)
    )
