"""Which scheduled questions a person has been sent and not yet answered.

A lead who answers a prompt in their own words is answering the prompt the bot
sent them, so the core needs to know which prompts are still *open*, read from
the send ledger (what was sent, to whom) and from what has been stored since:

- a quarterly prompt, chaser or Board reminder for (item, period) is open from
  when it went out until an update for that item and period is saved, or the
  next period's quarterly prompt for the item goes out (to anyone);
- a pre-call prompt is open until its call starts;
- a milestone-due question is open until that milestone is answered (by the
  milestone question or in an update saved after it was asked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage.models import Meeting, MilestoneCheck, Period, Send, SendStatus, Update, UpdateMilestone

UPDATE_KINDS = ("quarterly-prompt", "chaser", "board-reminder")
PROMPT_KINDS = (*UPDATE_KINDS, "pre-call-prompt", "milestone-due")

Asks = Literal["update", "flag", "milestone"]


@dataclass(frozen=True)
class OpenPrompt:
    """One question the person was sent and has not answered yet."""

    asks: Asks
    """What answers it: an update for (item, period), a note for a call, a milestone's state."""
    sent_at: dt.datetime
    item: int | None = None
    period: str | None = None
    call: str | None = None
    """The call's occurrence key (`clgu-call@2019-12-19`), for a pre-call prompt."""
    milestone: str | None = None
    due: dt.date | None = None
    """The milestone's due date the question was about."""


def _day_of(occurrence: str) -> dt.date | None:
    """The date at the end of an occurrence key ('board@2019-12-06', 'm3@2019-12-06')."""
    try:
        return dt.date.fromisoformat(occurrence.rpartition("@")[2])
    except ValueError:
        return None


def open_prompts(session: Session, *, person_id: str, now: dt.datetime, zone: ZoneInfo) -> list[OpenPrompt]:
    """The person's open prompts, oldest first (see the module docstring)."""
    rows = session.exec(
        select(Send.kind, Send.item_number, Send.occurrence, Send.sent_at).where(
            col(Send.person_id) == person_id,
            col(Send.status) == SendStatus.SENT,
            col(Send.kind).in_(PROMPT_KINDS),
        )
    ).all()
    if not rows:
        return []
    periods = list(session.exec(select(Period).order_by(col(Period.position))))
    out: list[OpenPrompt] = []
    for kind, item, occurrence, sent_at in rows:
        sent = sent_at or now
        if kind in UPDATE_KINDS and item is not None:
            period = _period_of(kind, occurrence, periods)
            if period is not None:
                out.append(OpenPrompt("update", sent, item=item, period=period.key))
        elif kind == "pre-call-prompt":
            out.append(OpenPrompt("flag", sent, call=occurrence))
        elif kind == "milestone-due" and item is not None:
            key, _, _ = occurrence.partition("@")
            out.append(OpenPrompt("milestone", sent, item=item, milestone=key, due=_day_of(occurrence)))
    out = _unanswered_updates(session, out, periods)
    out = _calls_ahead(session, out, now=now, zone=zone)
    out = _unanswered_milestones(session, out)
    return sorted(out, key=_order)


def _order(prompt: OpenPrompt) -> tuple[dt.datetime, int, str, str, str]:
    """Oldest first; sends made at the same moment (a job's fan-out) by item and what they ask."""
    return (prompt.sent_at, prompt.item or 0, prompt.period or "", prompt.call or "", prompt.milestone or "")


def _period_of(kind: str, occurrence: str, periods: list[Period]) -> Period | None:
    if kind != "board-reminder":
        return next((p for p in periods if p.key == occurrence), None)
    day = _day_of(occurrence)
    return next((p for p in periods if day is not None and p.start <= day <= p.end), None)


def _unanswered_updates(session: Session, prompts: list[OpenPrompt], periods: list[Period]) -> list[OpenPrompt]:
    """Drop update prompts whose update is in, or whose item has been prompted for a later period.
    Several sends about one (item, period) (the prompt and its chasers) are one open prompt,
    dated from the first."""
    asked = [p for p in prompts if p.asks == "update"]
    if not asked:
        return prompts
    items = sorted({p.item for p in asked if p.item is not None})
    done = set(
        session.exec(
            select(Update.item_number, Update.period_key).where(col(Update.is_latest), col(Update.item_number).in_(items))
        ).all()
    )
    position = {p.key: p.position for p in periods}
    newest: dict[int, int] = {}
    for item, occurrence in session.exec(
        select(Send.item_number, Send.occurrence).where(
            col(Send.kind) == "quarterly-prompt", col(Send.status) == SendStatus.SENT, col(Send.item_number).in_(items)
        )
    ):
        if item is not None and occurrence in position:
            newest[item] = max(newest.get(item, -1), position[occurrence])
    kept: dict[tuple[int | None, str | None], OpenPrompt] = {}
    for p in sorted(asked, key=_order):
        assert p.item is not None and p.period is not None
        if (p.item, p.period) in done or newest.get(p.item, -1) > position[p.period]:
            continue
        kept.setdefault((p.item, p.period), p)
    return [p for p in prompts if p.asks != "update"] + list(kept.values())


def _calls_ahead(session: Session, prompts: list[OpenPrompt], *, now: dt.datetime, zone: ZoneInfo) -> list[OpenPrompt]:
    """Keep a pre-call prompt only until its call starts."""
    out = []
    for p in prompts:
        if p.asks == "flag":
            assert p.call is not None
            meeting_id, _, _ = p.call.rpartition("@")
            meeting, day = session.get(Meeting, meeting_id), _day_of(p.call)
            if meeting is None or day is None or dt.datetime.combine(day, meeting.time, zone) <= now:
                continue
        out.append(p)
    return out


def _unanswered_milestones(session: Session, prompts: list[OpenPrompt]) -> list[OpenPrompt]:
    """Keep a milestone question until the milestone is answered after it was asked."""
    asked = [p for p in prompts if p.asks == "milestone"]
    if not asked:
        return prompts
    items = sorted({p.item for p in asked if p.item is not None})
    answered: dict[tuple[int, str], dt.datetime] = {}
    for item, key, at in session.exec(
        select(MilestoneCheck.item_number, MilestoneCheck.milestone_key, MilestoneCheck.answered_at).where(
            col(MilestoneCheck.item_number).in_(items)
        )
    ):
        answered[(item, key)] = max(answered.get((item, key), at), at)
    for item, key, at in session.exec(
        select(Update.item_number, UpdateMilestone.milestone_key, Update.created_at)
        .join(UpdateMilestone, col(UpdateMilestone.update_id) == col(Update.id))
        .where(col(Update.item_number).in_(items))
    ):
        answered[(item, key)] = max(answered.get((item, key), at), at)
    out = []
    for p in prompts:
        at = answered.get((p.item or 0, p.milestone or "")) if p.asks == "milestone" else None
        if at is None or at < p.sent_at:
            out.append(p)
    return out
