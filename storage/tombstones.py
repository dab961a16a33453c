"""Tombstones: what stops an erased person from coming back at the next plan load.

Each identifier (plan id, email, Slack and Teams ids) is kept only as an HMAC
keyed with this database's random TombstoneKey, so the table cannot be read
back into the identifiers, nor matched against guesses without the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlmodel import Session, col, select

from storage.models import Tombstone, TombstoneKey

KINDS = ("id", "email", "slack", "teams")


def _key(session: Session, *, create: bool) -> bytes | None:
    row = session.get(TombstoneKey, 1)
    if row is None:
        if not create:
            return None
        row = TombstoneKey(id=1, key=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.key)


def _digest(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}:{value.strip().casefold()}".encode(), hashlib.sha256).hexdigest()


def bury(session: Session, *, identifiers: Iterable[tuple[str, str]], on: dt.date) -> int:
    """Keep a tombstone for each (kind, value); returns how many are new."""
    key = _key(session, create=True)
    assert key is not None
    added = 0
    for kind, value in identifiers:
        if not value or not value.strip():
            continue
        digest = _digest(key, kind, value)
        if session.get(Tombstone, digest) is None:
            session.add(Tombstone(digest=digest, kind=kind, erased_on=on))
            added += 1
    session.flush()
    return added


def erased_matches(session: Session, *, identifiers: Iterable[tuple[str, str]]) -> list[tuple[str, str, dt.date]]:
    """The (kind, value, erased on) of each identifier that belongs to an erased person."""
    key = _key(session, create=False)
    if key is None:
        return []
    wanted = {_digest(key, kind, value): (kind, value) for kind, value in identifiers if value and value.strip()}
    if not wanted:
        return []
    rows = session.exec(select(Tombstone).where(col(Tombstone.digest).in_(list(wanted))))
    return [(*wanted[row.digest], row.erased_on) for row in rows]
