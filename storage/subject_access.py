"""Everything held about one person, for a subject-access request (`planbot person export`).

Every table the registry (storage.personal_data) says names people is read for
the rows naming this person; the parts of an update (its KPI progress and
milestone states) come with it. Other people in those rows are shown as
"[another person]": their ids in person columns, and their names, emails and
ids wherever they are written, so the export is about this person only.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session, SQLModel
from sqlmodel import select as sqlselect

from storage.models import Person
from storage.personal_data import TABLES
from storage.redaction import Needles, needles_of, redact

ANOTHER = "[another person]"
PARTS = {"update": ("updatekpi", "updatemilestone")}
"""Tables whose rows are parts of another's rows (by their `update_id`), exported inside them."""


class NoSuchPerson(LookupError):
    pass


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _others(session: Session, person: Person) -> re.Pattern[str] | None:
    """One pattern for every other person's identifiers (never matching this person's own)."""
    own = needles_of(session, person).values()
    words: list[str] = []
    ids: list[str] = []
    for other in session.exec(sqlselect(Person).where(Person.id != person.id)):
        found = needles_of(session, other)
        words += [w for w in found.words if w not in own]
        ids += [i for i in found.ids if i not in own]
    return Needles(tuple(words), tuple(ids)).pattern()


def export_person(session: Session, *, person_id: str, at: dt.datetime) -> dict[str, Any]:
    """The export as a JSON-ready dict: one section per kind of record, each saying
    what it is, why it is held and for how long, with the rows."""
    person = session.get(Person, person_id)
    if person is None:
        raise NoSuchPerson(f"there is no person '{person_id}' in this database (ids are the plan file's)")
    others = _others(session, person)

    def clean(row: dict[str, Any], person_columns: set[str]) -> dict[str, Any]:
        out = {}
        for name, value in row.items():
            if name in person_columns and value is not None and value != person.id:
                value = ANOTHER
            elif others is not None:
                value = redact(value, others, ANOTHER)
            out[name] = _plain(value)
        return out

    sections = []
    for name, rule in TABLES.items():
        if not rule.personal:
            continue
        table = SQLModel.metadata.tables[name]
        where = or_(*[table.c[c] == person.id for c in rule.person_columns])
        rows = [clean(dict(r), set(rule.person_columns)) for r in session.execute(select(table).where(where)).mappings()]
        for part in PARTS.get(name, ()):
            part_table = SQLModel.metadata.tables[part]
            for row in rows:
                found = session.execute(select(part_table).where(part_table.c.update_id == row["id"])).mappings()
                row[part] = [clean(dict(r), set()) for r in found]
        sections.append({"table": name, "what": rule.what, "why": rule.why, "kept": rule.kept, "rows": rows})
    return {
        "about": (
            f"Everything Planbot holds about {person.name} ({person.id}), exported {at.isoformat(timespec='seconds')}. "
            f"Each section is one kind of record: what it is, why it is held, how long it is kept, and the records. "
            f"Other people named in them are shown as {ANOTHER}."
        ),
        "person": person.id,
        "exported_at": at.isoformat(timespec="seconds"),
        "sections": sections,
    }
