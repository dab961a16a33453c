"""Single-statement inserts that tolerate a row someone else wrote first.

The clock's fan-out writes a ledger claim, a message handle and sometimes an
address for every send; an ORM add inside a savepoint costs four round trips and
a good deal of Python for each. `INSERT ... SELECT ... WHERE EXISTS (the person)
ON CONFLICT ...` does the same in one: a conflict on a unique key is the other
writer's row (nothing written, or the given columns updated), and a person who
is gone (erased meanwhile) writes nothing instead of failing the transaction.
Both engines (PostgreSQL, SQLite 3.35 and later) take the same statement; RETURNING
says whether a row was written (a session's rowcount for it is not reliable).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import bindparam, exists, literal, select
from sqlmodel import Session, SQLModel

from storage.models import Person


def insert_for_person(
    session: Session,
    model: type[SQLModel],
    values: Mapping[str, Any],
    *,
    person_id: str | None,
    conflict: Sequence[str] | None = None,
    update: Sequence[str] = (),
) -> bool:
    """Insert one row of `model` if the person `person_id` exists (any time, when None);
    on a unique conflict do nothing, or (with `conflict`, the unique columns, and
    `update`) set the `update` columns from the new row. True when a row was inserted
    or updated."""
    statement = _insert(
        session.get_bind().dialect.name, model, tuple(values), person_id is not None, tuple(conflict or ()), tuple(update)
    )
    return session.execute(statement, {**values, GUARD: person_id}).first() is not None


GUARD = "guard_person_id"


@lru_cache(maxsize=32)
def _insert(
    dialect: str, model: type[SQLModel], columns: tuple[str, ...], guarded: bool, conflict: tuple[str, ...], update: tuple[str, ...]
) -> Any:
    """The statement for one shape of insert, built once (building it is most of its cost
    in Python); the values are bound when it runs."""
    table = cast(Any, model).__table__
    source = select(*(bindparam(name, type_=table.c[name].type) for name in columns))
    if guarded:
        source = source.where(exists().where(cast(Any, Person).id == bindparam(GUARD)))
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement: Any = insert(table).from_select(list(columns), source)
    if conflict and update:
        statement = statement.on_conflict_do_update(
            index_elements=list(conflict), set_={name: statement.excluded[name] for name in update}
        )
    else:
        statement = statement.on_conflict_do_nothing()
    return statement.returning(literal(1))
