"""Notes leads flag before a weekly call, stored against that call's occurrence."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from storage.models import CallNote


def add_note(session: Session, *, occurrence: str, person_id: str, text: str, at: dt.datetime) -> CallNote:
    note = CallNote(occurrence=occurrence, person_id=person_id, text=text, created_at=at)
    session.add(note)
    session.flush()
    return note


def notes_for(session: Session, *, occurrence: str) -> list[CallNote]:
    query = (
        select(CallNote).where(CallNote.occurrence == occurrence).order_by(col(CallNote.created_at), col(CallNote.id))
    )
    return list(session.exec(query))
