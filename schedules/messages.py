"""What the clock says: pure builders for each scheduled message.

Buttons carry values a person could type (`/plan-update 3 2019-Q3`,
`/snooze 2d`, `/flag nothing`, `/milestone 2 m4 done`), so the terminal, Slack
and Teams all take the same path; their steps start with the flow that handles
the press ("prompt:", "flags:", "milestone:"). Values stay in the canonical
spelling, which every platform accepts; text names commands with markers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.core.command_names import cmd
from bot.core.prompt_keys import prompt_key
from bot.core.update_messages import form_choice
from bot.core.replies import (
    Block,
    Bullets,
    Choice,
    Choices,
    Fields,
    Heading,
    Paragraph,
    Reply,
    Table,
)
from bot.core.wording import day_text, example_day, slash_date, when_text

SNOOZE = Choice("/snooze 2d", "Not now: snooze 2 days")


@dataclass(frozen=True)
class ItemCard:
    """An item as a lead needs to see it to write an update."""

    number: int
    title: str
    kpis: list[tuple[str, str]] = field(default_factory=list)
    milestones: list[str] = field(default_factory=list)
    last_update: str | None = None


@dataclass(frozen=True)
class StandIn:
    """Why a deputy is getting the lead's message."""

    lead_name: str
    until: dt.date | None

    def text(self, number: int) -> str:
        back = f" (until {day_text(self.until)})" if self.until else ""
        return f"You're standing in for {self.lead_name} on item {number} while they're away{back}."


def _card_blocks(card: ItemCard) -> list[Block]:
    blocks: list[Block] = []
    if card.kpis:
        blocks.append(Paragraph("KPIs, with the progress last reported:"))
        blocks.append(Fields([(kpi, progress or "nothing reported yet") for kpi, progress in card.kpis]))
    if card.milestones:
        blocks.append(Paragraph("Milestones:"))
        blocks.append(Bullets(card.milestones))
    blocks.append(
        Paragraph(
            f"Last update: {card.last_update}" if card.last_update else "No update has been written for this item yet."
        )
    )
    return blocks


def _write_choices(number: int, period_key: str, step: str) -> Choices:
    return Choices(
        "Ready to write it? I'll take you through it one question at a time, or open the form to answer everything at once.",
        [Choice(f"/plan-update {number} {period_key}", "Write the update", "primary"), form_choice(number, period_key), SNOOZE],
        step=step,
    )


def quarterly_prompt(
    card: ItemCard, *, period_key: str, period_label: str, closes: dt.date, stand_in: StandIn | None = None
) -> Reply:
    blocks: list[Block] = [
        Heading(f"Item {card.number}: {card.title}"),
        Paragraph(
            f"Time for the {period_label} progress update on item {card.number}. "
            f"The period closes on {day_text(closes)}; please reference progress on the KPIs."
        ),
    ]
    if stand_in:
        blocks.append(Paragraph(stand_in.text(card.number)))
    blocks += _card_blocks(card)
    blocks.append(_write_choices(card.number, period_key, f"prompt:quarterly-prompt:{card.number}:{period_key}"))
    return Reply(blocks, key=prompt_key(card.number, period_key))


def chaser(
    card: ItemCard,
    *,
    period_key: str,
    period_label: str,
    seq: int,
    of: int,
    closes: dt.date,
    today: dt.date,
    stand_in: StandIn | None = None,
) -> Reply:
    closing = "closed" if closes < today else "closes"
    blocks: list[Block] = [
        Heading(f"Reminder {seq} of {of}: item {card.number}"),
        Paragraph(
            f"The {period_label} update for item {card.number} ({card.title}) isn't in yet. "
            f"The period {closing} on {day_text(closes)}."
        ),
    ]
    if stand_in:
        blocks.append(Paragraph(stand_in.text(card.number)))
    blocks.append(_write_choices(card.number, period_key, f"prompt:chaser:{card.number}:{period_key}:{seq}"))
    return Reply(blocks, key=prompt_key(card.number, period_key))


def board_reminder(
    card: ItemCard,
    *,
    meeting_title: str,
    starts: dt.datetime,
    agenda: str | None,
    period_key: str,
    period_label: str,
    occurrence: str,
    stand_in: StandIn | None = None,
) -> Reply:
    about = f" (agenda: {agenda})" if agenda else ""
    blocks: list[Block] = [
        Heading(f"{meeting_title}: item {card.number}'s update is missing"),
        Paragraph(
            f"The {meeting_title} meets on {when_text(starts)}{about}. The {period_label} update for "
            f"item {card.number} ({card.title}) isn't in yet; please write it before then so the {meeting_title} sees it."
        ),
    ]
    if stand_in:
        blocks.append(Paragraph(stand_in.text(card.number)))
    blocks.append(_write_choices(card.number, period_key, f"prompt:board-reminder:{card.number}:{occurrence}"))
    return Reply(blocks, key=prompt_key(card.number, period_key))


def pre_call_prompt(*, call_title: str, starts: dt.datetime, occurrence: str, items: list[str]) -> Reply:
    blocks: list[Block] = [
        Heading(f"Before the call on {starts:%A}"),
        Paragraph(
            f"Anything to flag before the {call_title} on {when_text(starts)}? "
            "What you flag goes into the coordinators' brief for the call."
        ),
    ]
    if items:
        blocks.append(Paragraph("Your items:"))
        blocks.append(Bullets(items))
    blocks.append(
        Choices(
            f"Press a button, or type {cmd('flag')} and your note "
            f"(e.g. {cmd('flag')} the evidence base draft is two weeks late).",
            [Choice("/flag nothing", "Nothing to flag"), Choice("/flag", "Flag something", "primary")],
            step=f"flags:{occurrence}",
        )
    )
    return Reply(blocks)


def milestone_due(
    *, number: int, title: str, key: str, text: str, due: dt.date, occurrence: str, stand_in: StandIn | None = None
) -> Reply:
    blocks: list[Block] = [
        Heading(f"Milestone due: item {number}"),
        Paragraph(f"This milestone of item {number} ({title}) was due on {day_text(due)}:"),
        Bullets([text]),
    ]
    if stand_in:
        blocks.append(Paragraph(stand_in.text(number)))
    command = f"/milestone {number} {key}"
    typed = f"{cmd('milestone')} {number} {key}"
    blocks.append(
        Choices(
            f"Is it done? If it has slipped I'll ask for the new date (or type {typed} slipped {slash_date(example_day(due))}).",
            [
                Choice(f"{command} done", "Done", "primary"),
                Choice(f"{command} on-track", "Still on track"),
                Choice(f"{command} slipped", "Slipped"),
            ],
            step=f"milestone:{number}:{occurrence}",
        )
    )
    return Reply(blocks)


@dataclass(frozen=True)
class Missing:
    """One missing update, as coordinators see it."""

    number: int
    title: str
    lead: str
    chased: int
    note: str = ""


def escalation(*, period_label: str, chaser_max: int, missing: list[Missing]) -> Reply:
    if not missing:
        return Reply([Heading(f"Updates for {period_label}"), Paragraph(f"Every {period_label} update is now in.")])
    rows = [[str(m.number), m.title, m.lead, f"{m.chased} time{'s' if m.chased != 1 else ''}", m.note] for m in missing]
    return Reply(
        [
            Heading(f"Missing updates: {period_label}"),
            Paragraph(
                f"{len(missing)} {period_label} update{'s are' if len(missing) != 1 else ' is'} still missing "
                f"after the prompt and up to {chaser_max} reminder{'s' if chaser_max != 1 else ''}. "
                "I won't chase these again; a word from you may help."
            ),
            Table(["Item", "Title", "Lead", "Chased", "Note"], rows),
        ]
    )
