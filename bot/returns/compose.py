"""The quarterly return as plain data: what every format writer lays out.

One row per plan item in the seed's four columns (Improvement summary with its
KPIs | Milestones | Monitoring process | Area Lead progress update), the last
column written from the period's latest update version; a summary for the top;
and the RAG of every item across the periods so far. Nothing here knows about
Word, Excel or matplotlib, and nothing depends on the time of the export except
the 'produced' date the caller passes, so the same data gives the same return.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.core.errors import BadInput
from bot.core.wording import clip, counted, return_name
from bot.returns.periods import resolve_period, short_name
from storage import queries
from storage.ledger import chase_counts
from storage.models import (
    Item,
    MilestoneState,
    Period,
    Person,
    Plan,
    Rag,
    Update,
    UpdateKpi,
    UpdateMilestone,
)

COLUMNS = ("Improvement summary", "Milestones", "Monitoring process", "Area Lead progress update")
PROGRESS_NOTE = "To be completed on a quarterly basis, referencing progress on KPIs"
RAG_SECTION = "RAG status"
NEWS_CHARS = 70  # a milestone quoted in the news since the last return
RAG_ORDER = (Rag.ON_TRACK, Rag.AT_RISK, Rag.OFF_TRACK, Rag.COMPLETE)


class Style(StrEnum):
    """What a paragraph is, so each writer can format it its own way."""

    TITLE = "title"
    TEXT = "text"
    LABEL = "label"
    BULLET = "bullet"
    RAG = "rag"
    MISSING = "missing"
    BYLINE = "byline"
    FIELD = "field"


@dataclass(frozen=True)
class Para:
    text: str
    style: Style = Style.TEXT
    rag: Rag | None = None


Cell = tuple[Para, ...]


@dataclass(frozen=True)
class Row:
    number: int
    title: str
    rag: Rag | None
    cells: tuple[Cell, Cell, Cell, Cell]


@dataclass(frozen=True)
class Section:
    heading: str
    paras: tuple[Para, ...]


@dataclass(frozen=True)
class Heatmap:
    """RAG per item (rows) and period (columns); None where no update came in."""

    items: tuple[str, ...]
    periods: tuple[str, ...]
    cells: tuple[tuple[Rag | None, ...], ...]


@dataclass(frozen=True)
class QuarterlyReturn:
    plan_title: str
    period_key: str
    period_label: str
    produced: dt.date
    sections: tuple[Section, ...]
    rows: tuple[Row, ...]
    heatmap: Heatmap
    name: str = "quarterly return"

    @property
    def title(self) -> str:
        """'Quarterly return', 'Half-year return': the return's name as a heading."""
        return self.name[0].upper() + self.name[1:]

    @property
    def received_text(self) -> str:
        """'4 of 7 items have an update', '1 of 2 items has an update'."""
        received = len(self.rows) - self.missing_count
        verb = "has" if received == 1 else "have"
        return f"{received} of {counted(len(self.rows), 'item')} {verb} an update"

    @property
    def progress_header(self) -> str:
        return f"{COLUMNS[3]}: {self.period_label}"

    @property
    def stem(self) -> str:
        """The default file name, without extension."""
        return f"{self.name.replace(' ', '-')}-{self.period_key}"

    @property
    def missing_count(self) -> int:
        return sum(1 for row in self.rows if row.rag is None)


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def short_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def rag_words(rag: Rag | str) -> str:
    rag = Rag(rag)
    return f"{rag.label} ({rag.colour})"


def _name(text: str) -> str:
    """A KPI or milestone as a label before a colon: without its closing full stop."""
    return text.rstrip().removesuffix(".")


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def pick_period(session: Session, text: str | None) -> Period:
    """The named period, or else the latest period of the plan year that has updates."""
    periods = queries.plan_periods(session)
    if text:
        return resolve_period(periods, text)
    with_updates = {u.period_key for u in queries.latest_updates_for_periods(session, period_keys=[p.key for p in periods])}
    for period in reversed(periods):
        if period.key in with_updates:
            return period
    first = periods[0].key if periods else "2019-Q1"
    raise BadInput(
        f"No updates have been stored for this plan year yet, so there is no latest period to return. "
        f"Name the period to export the table without updates (e.g. {first})."
    )


class _People:
    """Names by person id, read once each (authors may have left the plan)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.names: dict[str, str] = {}

    def name(self, person_id: str) -> str:
        if person_id not in self.names:
            person = self.session.get(Person, person_id)
            self.names[person_id] = person.name if person is not None else person_id
        return self.names[person_id]


def _milestone_words(row: UpdateMilestone) -> str:
    words = MilestoneState(row.state).label
    if row.state == MilestoneState.SLIPPED and row.new_date is not None:
        words = f"Slipped, new date {short_date(row.new_date)}"
    return f"{words} ({row.note.strip()})" if row.note.strip() else words


def _summary_cell(item: Item, kpi_texts: list[str]) -> Cell:
    paras = [Para(f"{item.number}. {item.title}", Style.TITLE)]
    if item.summary:
        paras.append(Para(item.summary))
    if kpi_texts:
        paras.append(Para("KPIs:", Style.LABEL))
        paras.extend(Para(text, Style.BULLET) for text in kpi_texts)
    return tuple(paras)


def _progress_cell(
    update: Update,
    kpi_rows: list[UpdateKpi],
    ms_rows: list[UpdateMilestone],
    plan_kpis: list[tuple[str, str]],
    plan_ms: list[tuple[str, str]],
    people: _People,
    zone: ZoneInfo,
) -> Cell:
    paras = [Para(f"RAG status: {rag_words(update.rag)}", Style.RAG, Rag(update.rag))]
    if update.rag_reason.strip():
        paras.append(Para(f"Why: {update.rag_reason.strip()}", Style.FIELD))
    if update.summary.strip():
        paras.append(Para(update.summary.strip()))
    progress = {row.kpi_key: row for row in kpi_rows}
    if plan_kpis or progress:
        paras.append(Para("Progress against KPIs:", Style.LABEL))
        for key, text in plan_kpis:
            said = progress.pop(key, None)
            paras.append(Para(f"{_name(text)}: {said.progress.strip() if said else 'no progress reported'}", Style.BULLET))
        for key in sorted(progress):
            paras.append(Para(f"{_name(progress[key].kpi_text)}: {progress[key].progress.strip()}", Style.BULLET))
    states = {row.milestone_key: row for row in ms_rows}
    if states:
        paras.append(Para("Milestones:", Style.LABEL))
        order = [key for key, _ in plan_ms if key in states] + sorted(set(states) - {key for key, _ in plan_ms})
        texts = dict(plan_ms)
        for key in order:
            state = states[key]
            paras.append(Para(f"{_name(texts.get(key, state.milestone_text))}: {_milestone_words(state)}", Style.BULLET))
    if update.blockers.strip():
        paras.append(Para(f"Blockers and asks: {update.blockers.strip()}", Style.FIELD))
    written = update.created_at.astimezone(zone).date()
    byline = f"Update by {people.name(update.author_id)}"
    if update.on_behalf_of_id and update.on_behalf_of_id != update.author_id:
        byline += f" on behalf of {people.name(update.on_behalf_of_id)}"
    byline += f", {short_date(written)}"
    if update.version > 1:
        byline += f" (version {update.version})"
    paras.append(Para(byline, Style.BYLINE))
    return tuple(paras)


def _missing_cell(item: Item, chased: int, earlier: tuple[Period, Update] | None, people: _People) -> Cell:
    text = "No update received" + (f" - chased {_times(chased)}" if chased else "")
    paras = [Para(text, Style.MISSING), Para(f"Area lead: {people.name(item.lead_id)}", Style.FIELD)]
    if earlier is not None:
        period, update = earlier
        paras.append(Para(f"Last update: {period.label}, {rag_words(update.rag)}", Style.BYLINE))
    return tuple(paras)


def _changes(
    items: list[Item],
    current: dict[int, Update],
    previous: dict[int, Update],
    milestone_rows: dict[int, list[UpdateMilestone]],
    milestone_order: dict[tuple[int, str], int],
    previous_period: Period | None,
) -> tuple[Para, ...]:
    """RAG moves, missing updates and milestone news: one line per item that changed."""
    if previous_period is None:
        return (Para("This is the first period of the plan year: nothing to compare with."),)
    lines: list[str] = []
    for item in items:
        now, before = current.get(item.number), previous.get(item.number)
        news: list[str] = []
        if now is None:
            if before is not None:
                news.append(f"no update this period (was {rag_words(before.rag)})")
        elif before is None:
            news.append(f"{rag_words(now.rag)} (no update last period)")
        elif now.rag != before.rag:
            news.append(f"{Rag(before.rag).label} → {rag_words(now.rag)}")
        old_states = {m.milestone_key: m for m in milestone_rows.get(before.id, [])} if before and before.id else {}
        new_rows = milestone_rows.get(now.id, []) if now and now.id else []
        for row in sorted(new_rows, key=lambda m: (milestone_order.get((item.number, m.milestone_key), 10**6), m.milestone_key)):
            old = old_states.get(row.milestone_key)
            if old is not None and (old.state, old.new_date) == (row.state, row.new_date):
                continue
            if row.state == MilestoneState.DONE:
                news.append(f"milestone done: {clip(row.milestone_text, NEWS_CHARS)}")
            elif row.state == MilestoneState.SLIPPED:
                when = f" to {short_date(row.new_date)}" if row.new_date else ""
                news.append(f"milestone slipped{when}: {clip(row.milestone_text, NEWS_CHARS)}")
        if news:
            lines.append(f"{item.number}. {clip(item.title, 50)}: {'; '.join(news)}")
    if not lines:
        return (Para(f"No RAG or milestone changes since {previous_period.label}."),)
    return tuple(Para(line, Style.BULLET) for line in lines)


def compose(session: Session, *, period: Period, produced: dt.date) -> QuarterlyReturn:
    """Read everything the return shows for `period` in a fixed order."""
    plan = queries.get_plan(session)
    if plan is None:
        raise BadInput("No plan is loaded yet. Load one with `planbot plan load FILE` first.")
    zone = ZoneInfo(plan.timezone)
    periods = [p for p in queries.plan_periods(session) if p.position <= period.position]
    previous_period = periods[-2] if len(periods) > 1 else None
    items = queries.items(session)
    people = _People(session)

    latest = queries.latest_updates_for_periods(session, period_keys=[p.key for p in periods])
    by_cell = {(u.item_number, u.period_key): u for u in latest}
    current = {n: u for (n, key), u in by_cell.items() if key == period.key}
    previous = {n: u for (n, key), u in by_cell.items() if previous_period and key == previous_period.key}
    ids = [u.id for u in [*current.values(), *previous.values()] if u.id is not None]
    kpi_rows = queries.update_kpis(session, update_ids=ids)
    ms_rows = queries.update_milestones(session, update_ids=ids)
    chased = chase_counts(session, period_key=period.key)

    rows: list[Row] = []
    order: dict[tuple[int, str], int] = {}
    for item in items:
        plan_kpis = [(k.key, k.text) for k in queries.kpis(session, item_number=item.number)]
        plan_ms = queries.milestones(session, item_number=item.number)
        order.update({(item.number, m.key): m.position for m in plan_ms})
        lines = [m.text for m in queries.monitoring(session, item_number=item.number)]
        milestones_cell = tuple(
            Para(f"{m.text} (due {short_date(m.due)})" if m.due else m.text, Style.BULLET) for m in plan_ms
        )
        update = current.get(item.number)
        if update is not None and update.id is not None:
            progress = _progress_cell(
                update, kpi_rows[update.id], ms_rows[update.id], plan_kpis, [(m.key, m.text) for m in plan_ms], people, zone
            )
        else:
            earlier = next(
                ((p, by_cell[(item.number, p.key)]) for p in reversed(periods[:-1]) if (item.number, p.key) in by_cell),
                None,
            )
            progress = _missing_cell(item, chased.get(item.number, 0), earlier, people)
        rows.append(
            Row(
                number=item.number,
                title=item.title,
                rag=Rag(update.rag) if update else None,
                cells=(
                    _summary_cell(item, [text for _, text in plan_kpis]),
                    milestones_cell,
                    tuple(Para(line, Style.BULLET) for line in lines),
                    progress,
                ),
            )
        )

    sections = _sections(plan, period, produced, items, current, chased, people)
    sections.append(
        Section(
            f"Changes since {previous_period.label}" if previous_period else "Changes since the previous period",
            _changes(items, current, previous, ms_rows, order, previous_period),
        )
    )
    heatmap = Heatmap(
        items=tuple(f"{item.number}. {item.title}" for item in items),
        periods=tuple(short_name(p) for p in periods),
        cells=tuple(
            tuple(Rag(by_cell[(item.number, p.key)].rag) if (item.number, p.key) in by_cell else None for p in periods)
            for item in items
        ),
    )
    return QuarterlyReturn(
        plan_title=plan.title,
        period_key=period.key,
        period_label=period.label,
        produced=produced,
        sections=tuple(sections),
        rows=tuple(rows),
        heatmap=heatmap,
        name=return_name(plan),
    )


def _sections(
    plan: Plan,
    period: Period,
    produced: dt.date,
    items: list[Item],
    current: dict[int, Update],
    chased: dict[int, int],
    people: _People,
) -> list[Section]:
    name = return_name(plan)
    facts = [Para(f"{name[0].upper()}{name[1:]} for {period.label}")]
    if plan.organisation:
        facts.append(Para(plan.organisation))
    facts.append(Para(f"Produced {long_date(produced)}"))
    facts.append(Para(f"Updates received: {len(current)} of {counted(len(items), 'item')}"))
    counts = [
        Para(f"{rag_words(rag)}: {sum(1 for u in current.values() if u.rag == rag)}", Style.BULLET, rag) for rag in RAG_ORDER
    ]
    counts.append(Para(f"No update: {len(items) - len(current)}", Style.BULLET))
    missing = [
        Para(
            f"{item.number}. {item.title} ({people.name(item.lead_id)})"
            + (f" - chased {_times(chased[item.number])}" if chased.get(item.number) else ""),
            Style.BULLET,
        )
        for item in items
        if item.number not in current
    ]
    return [
        Section("", tuple(facts)),
        Section(RAG_SECTION, tuple(counts)),
        Section("No update received", tuple(missing) or (Para("Every item has an update for this period."),)),
    ]


BULLET = "•"


def plain_lines(paras: tuple[Para, ...]) -> list[str]:
    """A cell or section as lines of text, bullets marked: for CSV, Markdown and Excel."""
    return [f"{BULLET} {p.text}" if p.style == Style.BULLET else p.text for p in paras]
