"""Load a validated plan into the database.

An item's number, a person's id and a KPI's or milestone's key are identities:
reloading an edited plan updates them in place and keeps every stored update.
What the new plan drops is marked `in_plan = False`, never deleted, so history
stays readable. The whole load is one transaction: a failed load changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from plantime.periods import PeriodSpan, plan_periods
from storage import audit
from storage.invisible import strip_invisible
from storage.addresses import drop_contradicted
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
    Update,
    utcnow,
)
from storage.planfile import PlanDocument, PlanFileError
from storage.queries import get_plan
from storage.tombstones import KINDS, erased_matches


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


class PlanConflict(PlanFileError):
    """A valid plan that cannot be loaded into this database without losing or
    misattaching stored updates."""


def _another_plan(session: Session, doc: PlanDocument) -> str | None:
    """Why `doc` is a different plan from the stored one, or None.

    Items are matched by number, so another plan's item 1 would inherit this
    database's item 1 history. A new title and a new plan year together mean
    another plan; either alone is an edit of the same plan.
    """
    stored = get_plan(session)
    if stored is None or stored.title == doc.plan.title or stored.year_start == doc.plan.year_start:
        return None
    updates = session.exec(select(func.count()).select_from(Update)).one()
    origin = "the bundled example plan" if stored.source == "bundled" else stored.source
    return (
        f"plan: this database already holds another plan, '{stored.title}' "
        f"({stored.year_start:%-d %b %Y} to {stored.year_end:%-d %b %Y}, from {origin}, "
        f"{updates} stored update{'' if updates == 1 else 's'}). Loading '{doc.plan.title}' here would attach "
        "its items to that plan's history by number. Give this plan a database of its own (set DATABASE_URL), "
        "or load it with `planbot plan load --force` if it really replaces the stored plan."
    )


def _reconcile_periods(session: Session, doc: PlanDocument, spans: list[PeriodSpan]) -> list[str]:
    """Drop stored periods of this plan year that the new period length replaces.

    A period that holds updates is never dropped: the load is refused instead,
    so changing `period_months` mid-year cannot orphan anyone's update.
    """
    info = doc.plan
    keys = {span.key for span in spans}
    stale = [
        p
        for p in session.exec(select(Period).where(Period.end >= info.year_start, Period.start <= info.year_end))
        if p.key not in keys
    ]
    if not stale:
        return []
    used = session.exec(
        select(Update.period_key, func.count()).where(col(Update.period_key).in_([p.key for p in stale])).group_by(Update.period_key)
    ).all()
    if used:
        held = ", ".join(f"{count} in {key}" for key, count in used)
        raise PlanConflict(
            [
                f"plan.period_months: the stored updates use other periods ({held}); a period length of "
                f"{info.period_months} months would leave them outside every period. Keep the period length the "
                "stored updates were written for, or load this plan into a database of its own (set DATABASE_URL)."
            ],
            "plan",
        )
    for period in stale:
        session.delete(period)
    session.flush()
    return [f"period {p.key} (replaced by the new period length)" for p in stale]


def _erased_people(session: Session, doc: PlanDocument) -> list[str]:
    """Why the plan may not be loaded: it names people who were erased (one query for everyone)."""
    named = [(i, kind, getattr(spec, kind)) for i, spec in enumerate(doc.people) for kind in KINDS if getattr(spec, kind)]
    found = erased_matches(session, identifiers=[(kind, value) for _, kind, value in named])
    if not found:
        return []
    erased = {(kind, value): on for kind, value, on in found}
    problems = []
    for index, spec in enumerate(doc.people):
        hits = [(kind, value, erased[(kind, value)]) for i, kind, value in named if i == index and (kind, value) in erased]
        if hits:
            what = ", ".join(f"{'plan id' if kind == 'id' else kind} {value!r}" for kind, value, _ in hits)
            problems.append(
                f"people[{index}] ({spec.id}): this names a person whose data was erased on {hits[0][2]:%-d %b %Y} "
                f"({what}); an erased person cannot be loaded again. Remove them from the plan file "
                "(a new person needs an id, email and platform ids of their own)."
            )
    return problems


def _role_text(is_lead: bool, is_coordinator: bool, active: bool) -> str:
    roles = [r for r, on in (("lead", is_lead), ("coordinator", is_coordinator)) if on] or ["no role"]
    return " and ".join(roles) + ("" if active else ", inactive")


def _audit_people(session: Session, doc: PlanDocument, at: dt.datetime) -> None:
    """Audit rows for each person whose roles the load changes, before it writes them."""
    stored = {p.id: p for p in session.exec(select(Person))}
    for spec in doc.people:
        new = _role_text("lead" in spec.roles, "coordinator" in spec.roles, spec.active)
        old = stored.get(spec.id)
        if old is None or not old.in_plan:
            detail = f"{spec.id}: {'back in' if old is not None else 'added to'} the plan as {new}"
        elif (was := _role_text(old.is_lead, old.is_coordinator, old.active)) != new:
            detail = f"{spec.id}: {was} -> {new}"
        else:
            continue
        audit.record(session, action="role", at=at, subject_id=spec.id, detail=f"{detail} (plan file)")
    listed = {p.id for p in doc.people}
    for person in stored.values():
        if person.in_plan and person.id not in listed:
            audit.record(session, action="role", at=at, subject_id=person.id, detail=f"{person.id}: no longer in the plan (plan file)")


def _audit_deputies(session: Session, doc: PlanDocument, at: dt.datetime) -> None:
    """Audit rows for each deputy the plan file names, changes or drops."""
    stored = {i.number: i.deputy_id for i in session.exec(select(Item))}
    for spec in doc.items:
        old = stored.get(spec.number)
        if spec.deputy != old:
            detail = f"item {spec.number}: deputy {spec.deputy} (plan file)" if spec.deputy else f"item {spec.number}: deputy {old} dropped (plan file)"
            audit.record(session, action="deputy", at=at, subject_id=spec.deputy or old, detail=detail)


PLAN_SETTINGS = ("title", "organisation", "year_start", "year_end", "timezone", "holidays")


def load_plan(session: Session, doc: PlanDocument, *, source: str = "", force: bool = False) -> LoadReport:
    """Write `doc` into the database inside the caller's transaction.

    Raises PlanConflict, before writing anything, when `doc` is another plan
    than the stored one (unless `force`) or when its periods would orphan updates.
    """
    report = LoadReport()
    info = doc.plan
    conflict = None if force else _another_plan(session, doc)
    if conflict is not None:
        raise PlanConflict([conflict], source or "plan")
    erased = _erased_people(session, doc)
    if erased:
        raise PlanConflict(erased, source or "plan")
    now = utcnow()
    _audit_people(session, doc, now)
    _audit_deputies(session, doc, now)
    spans = plan_periods(info.year_start, info.year_end, info.period_months)
    report.retired += _reconcile_periods(session, doc, spans)
    document = doc.model_dump(mode="json")
    stored = get_plan(session)
    stored_source = stored.source if stored is not None else None
    if stored is not None:
        report.changed += [
            f"plan {name}: {getattr(stored, name)} -> {getattr(info, name)}"
            for name in PLAN_SETTINGS
            if getattr(stored, name) != getattr(info, name)
        ]
        if stored.document.get("schedule") != document["schedule"]:
            report.changed.append("plan schedule settings")
        if stored.document.get("plan", {}).get("period_months") != info.period_months:
            report.changed.append(f"plan period_months -> {info.period_months}")
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
            document=document,
            source=source,
            loaded_at=now,
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
                name=strip_invisible(spec.name).strip() or spec.id,
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
    report.changed += drop_contradicted(session)

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

    for span in spans:
        _upsert(
            session,
            Period,
            span.key,
            dict(key=span.key, position=span.position, label=span.label, start=span.start, end=span.end),
            f"period {span.key}",
            report if stored is not None else LoadReport(),
        )
    session.flush()
    if stored is None or report.lines() or stored_source != source:
        # A restart reloading an unchanged PLAN_FILE is not worth a row each time.
        audit.record(
            session,
            action="plan-load",
            at=now,
            detail=f"loaded '{info.title}' from {source or 'a plan file'}: {len(report.added)} added, "
            f"{len(report.changed)} changed, {len(report.retired)} no longer in the plan",
        )
    return report
