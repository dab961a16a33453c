"""An update being written: the answers so far, kept in the conversation's JSON.

Everything the conversation needs to carry on after a restart lives here: the
item and period, the list of questions and where the person is in it, the
answers, a snapshot of the previous update (so "same" copies what was shown),
and the items queued after this one. Nothing here touches the database except
`previous_snapshot`, which reads the update that "same" and "keep" refer to.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.core.paragraph_reader import ItemText
from bot.core.wording import asks_of, date_examples, date_text, return_name, short_label
from storage.models import Item, Kpi, Milestone, MilestoneState, Period, Person, Rag, Update
from storage.queries import MilestoneAnswer, get_plan, latest_before, update_kpis, update_milestones

CONFIRM = "confirm"


@dataclass
class Draft:
    item: int
    period: str
    steps: list[str]
    cursor: int = 0
    answers: dict[str, Any] = field(default_factory=dict)
    prev: dict[str, Any] | None = None
    editing: int | None = None
    on_behalf_of: str | None = None
    awaiting_date: str | None = None
    return_to_review: bool = False
    queue: list[int] = field(default_factory=list)
    source: str = "chat"
    switch_to: tuple[int, str] | None = None
    """(item, period) the person asked to start instead: the open question is
    then "continue this item or put it aside?"."""
    rag_reason: str = ""
    """The words after the status ("amber, the consultation slipped")."""
    answered_by: dict[str, str] = field(default_factory=dict)
    """Platform message id -> the question it answered, so an edited message is recognised."""
    undo: dict[str, Any] | None = None
    """The draft as it was before the last typed answer, and that answer's message id: an
    edit of that message, before anything else is answered, replaces the answer."""
    read: list[str] = field(default_factory=list)
    """The questions whose answers were read from the lead's paragraph (marked on the check screen)."""
    paragraph: str = ""
    """The paragraph they were read from, and when (ISO): more words soon after are added to it."""
    read_at: str = ""

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Draft:
        names = {f.name for f in dataclasses.fields(cls)}
        draft = cls(**{k: copy.deepcopy(v) for k, v in data.items() if k in names})
        if draft.switch_to is not None:
            number, period = draft.switch_to
            draft.switch_to = (int(number), str(period))
        return draft

    def to_data(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def step(self) -> str:
        return self.steps[self.cursor]

    @property
    def kind(self) -> str:
        """The open question's kind: rag, kpi, ms, ms_date, blockers, summary, confirm,
        or switch (continue this item or put it aside?)."""
        if self.switch_to is not None:
            return "switch"
        return "ms_date" if self.awaiting_date else self.step.split(":", 1)[0]

    @property
    def answered(self) -> int:
        """How many questions have an answer so far."""
        return sum(1 for step in self.questions if step in self.answers)

    @property
    def state(self) -> str:
        return f"checkin:{self.kind}"

    @property
    def questions(self) -> list[str]:
        return self.steps[:-1]

    @property
    def review_key(self) -> str:
        return f"checkin-review:{self.item}:{self.period}"

    def same(self, step: str) -> Any:
        """The previous update's value for a question, or None when there is none."""
        if self.prev is None:
            return None
        kind, _, key = step.partition(":")
        if kind == "kpi":
            return self.prev["kpi"].get(key)
        if kind == "ms":
            return self.prev["ms"].get(key)
        return self.prev.get(kind)

    def advance(self) -> None:
        """On to the next question, or back to the review after an edit."""
        if self.return_to_review:
            self.cursor = self.steps.index(CONFIRM)
            self.return_to_review = False
        else:
            self.cursor = min(self.cursor + 1, len(self.steps) - 1)

    def rag(self) -> Rag:
        return Rag(self.answers["rag"])

    def kpi_progress(self) -> dict[str, str]:
        """Progress by KPI key; a KPI with nothing noted gets no row."""
        return {s[4:]: self.answers[s] for s in self.questions if s.startswith("kpi:") and self.answers.get(s)}

    def milestone_states(self) -> dict[str, MilestoneAnswer]:
        out: dict[str, MilestoneAnswer] = {}
        for step in self.questions:
            if step.startswith("ms:") and step in self.answers:
                answer = self.answers[step]
                day = dt.date.fromisoformat(answer["date"]) if answer.get("date") else None
                out[step[3:]] = MilestoneAnswer(MilestoneState(answer["state"]), day, answer.get("note") or "")
        return out


def make_steps(kpis: list[Kpi], milestones: list[Milestone]) -> list[str]:
    return [
        "rag",
        *(f"kpi:{k.key}" for k in kpis),
        *(f"ms:{m.key}" for m in milestones),
        "blockers",
        "summary",
        CONFIRM,
    ]


def ms_answer(state: MilestoneState, day: dt.date | None, note: str = "") -> dict[str, Any]:
    """A milestone's answer as the draft keeps it: state, new date (slipped), the lead's note."""
    return {"state": state.value, "date": day.isoformat() if day else None, "note": note}


def previous_snapshot(session: Session, *, item_number: int, period: Period, zone: ZoneInfo) -> dict[str, Any] | None:
    """The latest update from this period or the most recent earlier one, as JSON."""
    update = latest_before(session, item_number=item_number, period_position=period.position)
    if update is None:
        return None
    return snapshot(session, update, zone=zone)


def snapshot(session: Session, update: Update, *, zone: ZoneInfo) -> dict[str, Any]:
    assert update.id is not None
    period = session.get(Period, update.period_key)
    author = session.get(Person, update.author_id)
    lead = session.get(Person, update.on_behalf_of_id) if update.on_behalf_of_id else None
    kpi_rows = update_kpis(session, update_ids=[update.id])[update.id]
    ms_rows = update_milestones(session, update_ids=[update.id])[update.id]
    return {
        "period": update.period_key,
        "period_label": short_label(period) if period else update.period_key,
        "version": update.version,
        "author": author.name if author else update.author_id,
        "on_behalf_of": lead.name if lead else None,
        "at": update.created_at.astimezone(zone).date().isoformat(),
        "rag": Rag(update.rag).value,
        "rag_reason": update.rag_reason,
        "summary": update.summary,
        "blockers": update.blockers,
        "kpi": {row.kpi_key: row.progress for row in kpi_rows},
        "ms": {row.milestone_key: ms_answer(MilestoneState(row.state), row.new_date, row.note) for row in ms_rows},
    }


def rag_text(value: str, reason: str = "") -> str:
    """'Amber (at risk)', with the lead's reason after it when there is one."""
    rag = Rag(value)
    words = f"{rag.colour} ({rag.label.lower()})"
    return f"{words}: {reason}" if reason else words


def ms_text(answer: dict[str, Any] | None) -> str:
    """'Slipped to 31 Jan 2020: awaiting sign-off': the state, its date and the lead's note."""
    if not answer:
        return "not answered"
    state = MilestoneState(answer["state"])
    text = state.label
    if state is MilestoneState.SLIPPED:
        day = answer.get("date")
        text = f"Slipped to {date_text(dt.date.fromisoformat(day))}" if day else "Slipped (new date not given)"
    note = answer.get("note")
    return f"{text}: {note}" if note else text


def progress_text(progress: str | None) -> str:
    return progress if progress else "none noted"


def blockers_text(blockers: str | None) -> str:
    return blockers if blockers else "none"


@dataclass(frozen=True)
class Subject:
    """What a draft is about, read fresh for each answer: the item, period, lead, KPIs and milestones."""

    item: Item
    period: Period
    lead: Person | None
    kpis: dict[str, Kpi]
    milestones: dict[str, Milestone]
    asks_of: str | None = None
    return_name: str = "quarterly return"

    @classmethod
    def load(cls, session: Session, draft: Draft) -> Subject:
        item = session.get(Item, draft.item)
        period = session.get(Period, draft.period)
        assert item is not None and period is not None, "a draft's item and period are plan rows"
        kpis = {s[4:]: session.get(Kpi, (draft.item, s[4:])) for s in draft.steps if s.startswith("kpi:")}
        milestones = {s[3:]: session.get(Milestone, (draft.item, s[3:])) for s in draft.steps if s.startswith("ms:")}
        plan = get_plan(session)
        return cls(
            item=item,
            period=period,
            lead=session.get(Person, item.lead_id),
            kpis={k: v for k, v in kpis.items() if v is not None},
            milestones={k: v for k, v in milestones.items() if v is not None},
            asks_of=asks_of(plan),
            return_name=return_name(plan),
        )

    def as_text(self) -> ItemText:
        """The item's words, as the paragraph reader takes them."""
        return ItemText(
            self.item.number,
            self.item.title,
            tuple((key, kpi.text) for key, kpi in self.kpis.items()),
            tuple((key, ms.text, ms.due) for key, ms in self.milestones.items()),
        )

    @property
    def lead_name(self) -> str:
        return self.lead.name if self.lead else self.item.lead_id

    @property
    def period_label(self) -> str:
        return short_label(self.period)

    @property
    def date_examples(self) -> str:
        """Date examples a month past the period's end, where a slipped milestone plausibly lands."""
        return date_examples(self.period.end)

    def kpi_text(self, key: str) -> str:
        kpi = self.kpis.get(key)
        return kpi.text if kpi else key

    def milestone_text(self, key: str, *, with_due: bool = True) -> str:
        milestone = self.milestones.get(key)
        if milestone is None:
            return key
        if with_due and milestone.due:
            return f"{milestone.text} (due {date_text(milestone.due)})"
        return milestone.text
