"""Which item and period a /plan-update means, and whether this person may write it.

A lead writes their own items; the item's deputy writes on the lead's behalf; a
coordinator may write any item, also on the lead's behalf. Periods are named by
key ('2019-Q2') or the way people say them ('Q2', 'q2 2019', 'Q2/2019'): see
bot.core.period_names.
"""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.core.command_names import cmd
from bot.core.context import Context
from bot.core.errors import BadInput, NotAllowed, NotFound
from bot.core.period_names import PERIOD_WORDS, find_period
from bot.core.wording import and_list, period_example
from bot.core.text import excerpt
from storage.away import deputies, deputy_of
from storage.models import Item, Period, Person
from storage.queries import items as plan_items
from storage.queries import latest_updates_for_periods, people, plan_periods

_NUMBER = re.compile(r"#?(\d{1,4})")


def usage(periods: list[Period]) -> str:
    """How to name an item and period, with an example period from this plan."""
    example = periods[min(1, len(periods) - 1)].key if periods else "2025-H1"
    update = cmd("plan-update")
    return f"Write {update} for your items due now, {update} 3 for item 3, or {update} 3 {example} for an earlier period."


def parse_args(args: str, periods: list[Period]) -> tuple[int | None, str | None]:
    """'3 2019-Q2', 'q2 2019 3', '#3', '' -> (item number or None, period text or None)."""
    text = args.strip()
    found = PERIOD_WORDS.search(text)
    period_text = found.group(0).strip() if found else None
    rest = f"{text[: found.start()]} {text[found.end() :]}" if found else text
    tokens = [t for t in rest.replace(",", " ").split() if t.lower() not in {"item", "items", "for", "number", "no."}]
    if not tokens:
        return None, period_text
    number = _NUMBER.fullmatch(tokens[0])
    if number is None:
        raise BadInput(f'I couldn\'t read "{excerpt(args)}" as an item number and period. {usage(periods)}')
    if len(tokens) > 1:
        if period_text is not None:
            raise BadInput(f'I couldn\'t read "{excerpt(args)}". {usage(periods)}')
        period_text = " ".join(tokens[1:])
    return int(number[1]), period_text


def _period_list(periods: list[Period]) -> str:
    return "; ".join(f"{p.key} ({p.label})" for p in periods)


def resolve_period(periods: list[Period], text: str) -> Period:
    """The period named by `text`, or BadInput listing the periods there are."""
    period = find_period(periods, text)
    if period is not None:
        return period
    raise BadInput(
        f'I don\'t know the period "{excerpt(text)}". The periods of this plan are: {_period_list(periods)}. '
        f"Name one like {period_example(periods)}."
    )


def find_item(session: Session, number: int) -> Item:
    item = session.get(Item, number)
    if item is None or not item.in_plan:
        numbers = ", ".join(str(i.number) for i in plan_items(session))
        raise NotFound(f"There's no item {number} in the plan. The items are {numbers}. {usage(plan_periods(session))}")
    return item


def _names(persons: list[Person]) -> str:
    return and_list([p.name for p in persons]) or "nobody"


def coordinators(session: Session) -> list[Person]:
    return [p for p in people(session) if p.is_coordinator]


def own_items(session: Session, person: Person) -> list[Item]:
    """The items a person leads or deputises for (the plan's deputy, or one named in chat)."""
    named = {number: row.deputy_id for number, row in deputies(session).items()}
    return [i for i in plan_items(session) if person.id in (i.lead_id, named.get(i.number, i.deputy_id))]


def authorise(ctx: Context, item: Item) -> str | None:
    """Who the update is on behalf of (None when the lead writes it), or NotAllowed."""
    me = ctx.person
    if item.lead_id == me.id:
        return None
    if deputy_of(ctx.session, item=item) == me.id or me.is_coordinator:
        return item.lead_id
    lead = ctx.session.get(Person, item.lead_id)
    lead_name = lead.name if lead else item.lead_id
    mine = own_items(ctx.session, me)
    yours = (
        f" Your items are {', '.join(str(i.number) for i in mine)}."
        if mine
        else " You don't lead any items in this plan."
    )
    raise NotAllowed(
        f"Item {item.number} ({item.title}) is led by {lead_name}, so only {lead_name}, the item's deputy, "
        f"or a coordinator ({_names(coordinators(ctx.session))}) can write its update.{yours}"
    )


def due_items(ctx: Context, period: Period) -> tuple[list[Item], list[Item]]:
    """(the items this person should update for `period` and hasn't, the items they could update).

    A coordinator's due list adds every other item still without an update,
    after their own."""
    done = {u.item_number for u in latest_updates_for_periods(ctx.session, period_keys=[period.key])}
    mine = own_items(ctx.session, ctx.person)
    candidates = list(mine)
    if ctx.person.is_coordinator:
        numbers = {i.number for i in mine}
        candidates += [i for i in plan_items(ctx.session) if i.number not in numbers]
    return [i for i in candidates if i.number not in done], candidates
