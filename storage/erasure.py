"""Erasing one person (`planbot person erase`), as docs/data-protection.md sets out.

One transaction: rows that are only about them go; the organisation's records
(updates, milestone answers, the ledger, the audit trail) stay, pointed at an
anonymous stand-in person ("former lead (erased 2026-12-01)"); their name,
email and ids are redacted wherever else they are written; and tombstones keep
their identifiers from being loaded again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, String, Table, Text, delete, or_, select, update
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as sqlselect

from storage import audit
from storage.models import Address, MessageHandle, Person, Send
from storage.personal_data import TABLES, OnErase
from storage.redaction import needles_of, redact
from storage.tombstones import bury


class ErasureRefused(Exception):
    """Erasure cannot go ahead; the message says why and what to do."""


@dataclass
class ErasureReport:
    label: str
    stand_in: str
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    redacted: dict[str, int] = field(default_factory=dict)
    tombstones: int = 0

    def lines(self) -> list[str]:
        out = [f"deleted {n} {table} row{'s' * (n != 1)}" for table, n in sorted(self.deleted.items()) if n]
        out += [f"kept {n} {table} row{'s' * (n != 1)} as {self.label}" for table, n in sorted(self.anonymised.items()) if n]
        out += [f"redacted mentions in {n} {table} row{'s' * (n != 1)}" for table, n in sorted(self.redacted.items()) if n]
        return out + [f"{self.tombstones} identifier{'s' * (self.tombstones != 1)} kept as tombstones (hashes only)"]


def check_erasable(session: Session, *, person_id: str) -> Person:
    """The person to erase, or ErasureRefused saying why not."""
    person = session.get(Person, person_id)
    if person is None:
        raise ErasureRefused(
            f"there is no person '{person_id}' in this database (ids are the plan file's; "
            "someone already erased has nothing left to erase)"
        )
    if person.in_plan:
        raise ErasureRefused(
            f"{person.id} ({person.name}) is still in the plan. Remove them from the plan file "
            "(give their items another lead) and load it first (`planbot plan load FILE`), then erase them."
        )
    return person


def _label(person: Person, on: dt.date) -> str:
    role = "lead" if person.is_lead else "coordinator" if person.is_coordinator else "member"
    return f"former {role} (erased {on.isoformat()})"


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _ledger_rows_naming(session: Session, person_id: str) -> list[str]:
    """Ledger keys that carry the person's id (a person's own sends, and history kept under '~id')."""
    keys = session.exec(sqlselect(Send.key).where(Send.person_id == person_id)).all()
    return [k for k in keys if person_id in k.replace("~", "|").split("|")]


def _redact_everywhere(session: Session, pattern: Any, replacement: str, report: ErasureReport) -> None:
    """Replace matches in every text and JSON column that is not a key."""
    for name, rule in TABLES.items():
        if not rule.redact_text:
            continue
        table = _table(name)
        keys = [c for c in table.primary_key.columns]
        columns = [
            c for c in table.columns
            if not c.primary_key and isinstance(c.type, String | Text | JSON) and not c.foreign_keys
        ]
        if not columns:
            continue
        changed = 0
        for row in session.execute(select(*keys, *columns)).mappings().all():
            values = {c.name: redact(row[c.name], pattern, replacement) for c in columns}
            values = {k: v for k, v in values.items() if v != row[k]}
            if values:
                session.execute(update(table).where(*[k == row[k.name] for k in keys]).values(**values))
                changed += 1
        if changed:
            report.redacted[name] = changed


def erase_person(session: Session, *, person_id: str, at: dt.datetime, also: tuple[str, ...] = ()) -> ErasureReport:
    """Erase `person_id` in the caller's transaction (see the module docstring).

    `also`: other spellings of their name to redact (a nickname, a first name
    used on its own). Raises ErasureRefused before changing anything."""
    person = check_erasable(session, person_id=person_id)
    needles = needles_of(session, person, also=also)
    addresses = list(session.exec(sqlselect(Address).where(Address.person_id == person.id)))
    channels = [a.channel for a in addresses if a.channel]
    learned = [(a.platform, a.user_id) for a in addresses if a.platform in ("slack", "teams")]
    label = _label(person, at.date())
    stand_in = Person(id=f"erased-{secrets.token_hex(4)}", name=label, in_plan=False, active=False)
    session.add(stand_in)
    session.flush()
    report = ErasureReport(label=label, stand_in=stand_in.id)

    doomed = _ledger_rows_naming(session, person.id)
    if doomed:
        session.execute(delete(Send).where(col(Send.key).in_(doomed)))
        report.deleted["send"] = len(doomed)
    if channels:
        gone = session.execute(delete(MessageHandle).where(col(MessageHandle.channel).in_(channels)))
        report.deleted["messagehandle"] = gone.rowcount  # type: ignore[attr-defined]
    for name, rule in TABLES.items():
        if name == "person" or not rule.personal:
            continue
        table = _table(name)
        dropped = [table.c[c] == person.id for c, how in rule.person_columns.items() if how == OnErase.DELETE]
        if dropped:
            result = session.execute(delete(table).where(or_(*dropped)))
            report.deleted[name] = report.deleted.get(name, 0) + result.rowcount  # type: ignore[attr-defined]
        kept = 0
        for column, how in rule.person_columns.items():
            if how == OnErase.REASSIGN:
                values: dict[str, Any] = {column: stand_in.id}
                if name == "send":
                    values |= {"channel": None, "message_id": None}  # their direct conversation's ids
                result = session.execute(update(table).where(table.c[column] == person.id).values(**values))
                kept += result.rowcount  # type: ignore[attr-defined]
        if kept:
            report.anonymised[name] = kept
    session.delete(person)
    session.flush()
    report.deleted["person"] = 1

    pattern = needles.pattern()
    if pattern is not None:
        # The stand-in's own row holds only the label: nothing of theirs to find there.
        _redact_everywhere(session, pattern, label, report)
    report.tombstones = bury(
        session,
        identifiers=[("id", person.id), ("email", person.email or ""), ("slack", person.slack or ""), ("teams", person.teams or "")]
        + learned,
        on=at.date(),
    )
    audit.record(
        session,
        action="erasure",
        at=at,
        subject_id=stand_in.id,
        detail=f"a person's data was erased; their records are kept as {stand_in.id} ({label})",
    )
    return report

