"""What goes out when, for `planbot schedule` and /plan-schedule: the plan's
sends in a window, each with what the ledger says happened to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from schedules.planner import ALL_KINDS, JOBS, PlannedSend, planned
from schedules.world import World, load_world
from storage.sends import key_seq

PLANNED = "planned"
GOING_OUT = {PLANNED, "claimed", "sent"}


@dataclass(frozen=True)
class Line:
    send: PlannedSend
    status: str
    error: str = ""

    @property
    def going_out(self) -> bool:
        """Planned, on its way, or sent: what `--json` lists."""
        return self.status in GOING_OUT


def preview(session: Session, *, start: dt.datetime, end: dt.datetime) -> tuple[World | None, list[Line]]:
    """Every send due in [start, end): from the plan as it stands (assuming no
    more updates arrive), merged with the ledger's record of what already went."""
    world = load_world(session, kinds=list(ALL_KINDS))
    if world is None:
        return None, []
    lines: list[Line] = []
    seen: set[tuple[object, ...]] = set()
    for job in JOBS.values():
        for send in planned(world, job):
            row = world.ledger.get(send.slot)
            if row is not None:
                seen.add(send.slot)
                send = PlannedSend(row.kind, row.person_id, row.item_number, row.occurrence, row.due, seq=send.seq)
            if start <= send.due < end:
                lines.append(
                    Line(send, row.status if row is not None else PLANNED, row.last_error if row is not None else "")
                )
    for slot, row in world.ledger.items():
        if slot not in seen and start <= row.due < end:
            send = PlannedSend(row.kind, row.person_id, row.item_number, row.occurrence, row.due, seq=key_seq(row.key))
            lines.append(Line(send, row.status, row.last_error))
    lines.sort(key=lambda line: (line.send.due, line.send.kind, line.send.person_id, line.send.item_number or 0))
    return world, lines
