"""Load a validated plan into the database.

An item's number, a person's id and a KPI's or milestone's key are identities:
reloading an edited plan updates them in place and keeps every stored update.
What the new plan drops is marked `in_plan = False`, never deleted, so history
stays readable. The whole load is one transaction: a failed load changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from schedules.periods import plan_periods
from storage.models import (
    Item,
    Kpi,
    Meeting,
    MeetingDate,
    Milestone,
    MonitoringLine,
    Period,
    Person,
    Plan,
    utcnow,
)
from storage.planfile import PlanDocument


@dataclass
class LoadReport:
    """What a load changed, for `planbot plan load` to print."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"added {x}" for x in self.added] + [f"changed {x}" for x in self.changed]
        return out + [f"no longer in the plan (history kept): {x}" for x in self.retired]


def _upsert(session: Session, model: type, key: tuple | str | int, values: dict, label: str, report: LoadReport) -> None:
    row = session.get(model, key)
    if row is None:
        session.add(model(**values))
        report.added.append(label)
        return
    dirty = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            dirty = True
    if dirty:
        report.changed.append(label)


def _retire(session: Session, rows: list, keep: set, key, label, report: LoadReport) -> None:
    for row in rows:
        if key(row) not in keep and getattr(row, "in_plan", True):
            row.in_plan = False
            report.retired.append(label(row))


def load_plan(session: Session, doc: PlanDocument, *, source: str = "") -> LoadReport:
    """Write `doc` into the database inside the caller's transaction."""
    report = LoadReport()
    info = doc.plan
    _upsert(
        session,
        Plan,
        1,
        dict(
            id=1,
            title=info.title,
            organisation=info.organisation,
            year_start=info.year_start,
            year_end=info.year_end,
            timezone=info.timezone,
            holidays=info.holidays,
            document=doc.model_dump(mode="json"),
            source=source,
            loaded_at=utcnow(),
        ),
        f"plan '{info.title}'",
        LoadReport(),
    )
    for spec in doc.people:
        _upsert(
            session,
            Person,
            spec.id,
            dict(
                id=spec.id,
                name=spec.name,
                email=spec.email,
                slack=spec.slack,
                teams=spec.teams,
                is_lead="lead" in spec.roles,
                is_coordinator="coordinator" in spec.roles,
                active=spec.active,
                in_plan=True,
            ),
            f"person {spec.id}",
            report,
        )
    session.flush()
    _retire(session, list(session.exec(select(Person))), {p.id for p in doc.people}, lambda p: p.id, lambda p: f"person {p.id}", report)

    for spec in doc.items:
        n = spec.number
        _upsert(
            session,
            Item,
            n,
            dict(number=n, title=spec.title, summary=spec.summary, lead_id=spec.lead, deputy_id=spec.deputy, in_plan=True),
            f"item {n}",
            report,
        )
        session.flush()
        for position, kpi in enumerate(spec.kpis, start=1):
            _upsert(session, Kpi, (n, kpi.id), dict(item_number=n, key=kpi.id, position=position, text=kpi.text, in_plan=True), f"item {n} KPI {kpi.id}", report)
        for position, ms in enumerate(spec.milestones, start=1):
            _upsert(
                session,
                Milestone,
                (n, ms.id),
                dict(item_number=n, key=ms.id, position=position, text=ms.text, due=ms.due, in_plan=True),
                f"item {n} milestone {ms.id}",
                report,
            )
        old_lines = {m.position: m for m in session.exec(select(MonitoringLine).where(MonitoringLine.item_number == n))}
        for position, text in enumerate(spec.monitoring, start=1):
            _upsert(session, MonitoringLine, (n, position), dict(item_number=n, position=position, text=text), f"item {n} monitoring line {position}", report)
        for position, line in old_lines.items():
            if position > len(spec.monitoring):
                session.delete(line)
                report.changed.append(f"item {n} monitoring line {position} removed")
        session.flush()
        _retire(session, list(session.exec(select(Kpi).where(Kpi.item_number == n))), {k.id for k in spec.kpis}, lambda k: k.key, lambda k: f"item {k.item_number} KPI {k.key}", report)
        _retire(
            session,
            list(session.exec(select(Milestone).where(Milestone.item_number == n))),
            {m.id for m in spec.milestones},
            lambda m: m.key,
            lambda m: f"item {m.item_number} milestone {m.key}",
            report,
        )
    _retire(session, list(session.exec(select(Item))), {i.number for i in doc.items}, lambda i: i.number, lambda i: f"item {i.number}", report)

    for spec in doc.meetings:
        _upsert(
            session,
            Meeting,
            spec.id,
            dict(
                id=spec.id,
                title=spec.title,
                kind=spec.kind,
                weekday=spec.weekday,
                time=spec.time,
                duration_minutes=spec.duration_minutes,
                cancelled=[d.isoformat() for d in spec.cancelled],
            ),
            f"meeting {spec.id}",
            report,
        )
        session.flush()
        for old in session.exec(select(MeetingDate).where(MeetingDate.meeting_id == spec.id)):
            session.delete(old)
        session.flush()
        for occ in spec.occurrences:
            session.add(MeetingDate(meeting_id=spec.id, date=occ.date, time=occ.time, agenda=occ.agenda))
    for meeting in session.exec(select(Meeting)):
        if meeting.id not in {m.id for m in doc.meetings}:
            for old in session.exec(select(MeetingDate).where(MeetingDate.meeting_id == meeting.id)):
                session.delete(old)
            session.flush()
            session.delete(meeting)
            report.retired.append(f"meeting {meeting.id}")

    for span in plan_periods(info.year_start, info.year_end, info.period_months):
        _upsert(
            session,
            Period,
            span.key,
            dict(key=span.key, position=span.position, label=span.label, start=span.start, end=span.end),
            f"period {span.key}",
            LoadReport(),
        )
    session.flush()
    return report
