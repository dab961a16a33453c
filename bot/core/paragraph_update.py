"""A lead's paragraph as the update they are writing: proposals read by
`paragraph_reader`, put into the draft for the lead to check.

The first answer of an update, when it says more than a status ("Amber overall.
We've appointed two of the three officers..."), is read whole: what it gives
fills the draft and is marked as read from the lead's words; what the plan
requires and it does not give (the status, a slipped milestone's new date) is
asked; everything else waits on the check screen, where nothing is stored until
the lead confirms. A paragraph that reports on several of the lead's items gives
one proposal per item, checked one after another.
"""

from __future__ import annotations

import datetime as dt

from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.paragraph_reader import ItemText, Proposal, read_item, read_paragraph
from bot.core.update_access import authorise, own_items
from bot.core.update_draft import CONFIRM, Draft, Subject, ms_answer
from bot.core.wording import asks_of
from storage.models import Item
from storage.queries import items as plan_items
from storage.queries import kpis_of, milestones_of

ADD_WITHIN = dt.timedelta(minutes=1)
"""A second message this soon after a paragraph was read is more of the same paragraph."""
_WORDS = 15
"""A first answer this long is read as a paragraph even when it names no KPI or milestone."""


def texts_of(ctx: Context, items: list[Item]) -> list[ItemText]:
    """Items' words, as the reader takes them: two statements however many items."""
    numbers = [i.number for i in items]
    kpi_rows = kpis_of(ctx.session, item_numbers=numbers)
    ms_rows = milestones_of(ctx.session, item_numbers=numbers)
    return [
        ItemText(
            i.number,
            i.title,
            tuple((k.key, k.text) for k in kpi_rows.get(i.number, [])),
            tuple((m.key, m.text, m.due) for m in ms_rows.get(i.number, [])),
        )
        for i in items
    ]


def writable(ctx: Context, first: Item) -> list[ItemText]:
    """The items a paragraph may report on: the one asked about, then the others this person may write."""
    candidates = plan_items(ctx.session) if ctx.person.is_coordinator else own_items(ctx.session, ctx.person)
    return texts_of(ctx, [first, *(i for i in candidates if i.number != first.number and i.in_plan)])


def read(ctx: Context, draft: Draft, text: str) -> list[Proposal] | None:
    """The proposals in a first answer, or None when it is a plain answer to the first question."""
    item = ctx.session.get(Item, draft.item)
    assert item is not None
    proposals = read_paragraph(text, writable(ctx, item), primary=draft.item, today=ctx.today, asks_of=asks_of(ctx.plan))
    if not proposals:
        return None
    own = next((p for p in proposals if p.item == draft.item), None)
    says_more = len(proposals) > 1 or (own is not None and (own.kpis or own.milestones))
    return proposals if says_more or len(text.split()) >= _WORDS else None


def fill(ctx: Context, draft: Draft, proposal: Proposal, *, text: str) -> list[str]:
    """Put a proposal into the draft and move it to what is still to ask (or the check screen);
    returns the names of what was read, for the lead."""
    subject = Subject.load(ctx.session, draft)
    draft.read = []
    if proposal.rag is not None:
        draft.answers["rag"] = proposal.rag.value
        draft.read.append("rag")
    for step in draft.questions:
        kind, _, key = step.partition(":")
        if kind == "kpi" and key in proposal.kpis:
            draft.answers[step] = proposal.kpis[key]
            draft.read.append(step)
        elif kind == "kpi":
            draft.answers.setdefault(step, "")
        elif kind == "ms" and key in proposal.milestones:
            found = proposal.milestones[key]
            draft.answers[step] = ms_answer(found.state, found.new_date)
            draft.read.append(step)
        elif kind == "ms" and step not in draft.answers and draft.same(step):
            draft.answers[step] = dict(draft.same(step))
    if proposal.blockers or proposal.no_blockers:
        draft.answers["blockers"] = proposal.blockers
        draft.read.append("blockers")
    else:
        draft.answers.setdefault("blockers", "")
    draft.answers["summary"] = proposal.summary
    draft.read.append("summary")
    draft.paragraph, draft.read_at = text, ctx.now.isoformat()
    _ask_what_is_missing(draft, proposal)
    return [_name(step, subject) for step in draft.read if step != "summary"]


def _ask_what_is_missing(draft: Draft, proposal: Proposal) -> None:
    """The status if the words gave none; a slipped milestone's new date if it is missing or
    cannot be right; otherwise the check screen."""
    draft.cursor, draft.return_to_review, draft.awaiting_date = draft.steps.index(CONFIRM), False, None
    if "rag" not in draft.answers:
        draft.cursor, draft.return_to_review = draft.steps.index("rag"), True
        return
    for key, found in proposal.milestones.items():
        step = f"ms:{key}"
        if found.needs_date and step in draft.steps:
            draft.cursor, draft.return_to_review, draft.awaiting_date = draft.steps.index(step), True, key
            return


def _name(step: str, subject: Subject) -> str:
    kind, _, key = step.partition(":")
    if kind == "kpi":
        return f"KPI {list(subject.kpis).index(key) + 1}" if key in subject.kpis else key
    if kind == "ms":
        return f"milestone {list(subject.milestones).index(key) + 1}" if key in subject.milestones else key
    return {"rag": "the status", "blockers": "blockers and asks"}.get(step, step)


def more_words(ctx: Context, draft: Draft, text: str) -> list[str] | None:
    """A message soon after a paragraph was read, at the check screen, is more of it: read
    again with it added. None when it is not (too late, or no paragraph)."""
    if not draft.paragraph or not draft.read_at:
        return None
    if ctx.now - dt.datetime.fromisoformat(draft.read_at) > ADD_WITHIN:
        return None
    item = ctx.session.get(Item, draft.item)
    assert item is not None
    combined = f"{draft.paragraph}\n{text}"
    proposal = read_item(combined, texts_of(ctx, [item])[0], today=ctx.today, asks_of=asks_of(ctx.plan))
    return fill(ctx, draft, proposal, text=combined)


def others(ctx: Context, proposals: list[Proposal], draft: Draft) -> tuple[list[tuple[Item, str | None, Proposal]], list[int]]:
    """The other items a paragraph reports on: those this person may write (with whom for), and
    the numbers of those they may not."""
    allowed, refused = [], []
    for proposal in proposals:
        if proposal.item == draft.item:
            continue
        item = ctx.session.get(Item, proposal.item)
        if item is None or not item.in_plan:
            continue
        try:
            allowed.append((item, authorise(ctx, item), proposal))
        except NotAllowed:
            refused.append(proposal.item)
    return allowed, refused
