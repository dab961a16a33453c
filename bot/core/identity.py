"""Who a platform user is, and what adapters tell the core about them.

A platform user is a plan person only through that platform's id: the plan's
`slack`/`teams` field, or an id an adapter learned from the plan's email and
recorded as an address (`storage.queries.find_person`). Adapters call
`link_by_email` when their platform tells them a user's email, and
`note_address` when they know the user's direct conversation (a Slack DM
channel, a Teams personal conversation reference) or the app was installed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core.events import Sender
from bot.core.replies import Reply, say
from bot.core.wording import or_list
from storage.addresses import Source, get_address, plan_allows, record_address, store_channel, touch_address
from storage.models import Address, Person
from storage.queries import CHAT_PLATFORMS, TERMINAL, UnknownPlatform, find_person, plan_person

PLATFORM_NAMES = {"slack": "Slack", "teams": "Teams", TERMINAL: "terminal"}
SEEN_GRAIN = dt.timedelta(minutes=1)
"""How finely `last_seen` is kept: an event within this of the last one writes nothing."""


def _chat_platform(platform: str) -> None:
    if platform not in CHAT_PLATFORMS:
        raise UnknownPlatform(f"{platform!r} is not a chat platform: addresses are for {', '.join(CHAT_PLATFORMS)}")


def link_by_email(
    session: Session,
    *,
    platform: str,
    user_id: str,
    email: str,
    team_id: str | None = None,
    at: dt.datetime,
) -> Person | None:
    """The person this platform user is, learning the id from the plan's email
    (any case) and recording it as an address (source 'email') when it is new.

    The plan wins: an id the plan gives someone is theirs whatever the email
    says, and a person whose plan entry names another id on this platform is not
    linked. Returns None for a stranger (or an inactive or former plan person).
    """
    _chat_platform(platform)
    column = getattr(Person, platform)
    if session.exec(select(Person.id).where(column == user_id, col(Person.in_plan))).first() is not None:
        return find_person(session, platform=platform, user_id=user_id)
    wanted = email.strip().casefold()
    match = (
        session.exec(select(Person).where(func.lower(Person.email) == wanted, col(Person.in_plan))).first()
        if wanted
        else None
    )
    if match is not None and plan_allows(session, person=match, platform=platform, user_id=user_id):
        held = get_address(session, person_id=match.id, platform=platform)
        if held is None or held.user_id != user_id:
            record_address(
                session, person_id=match.id, platform=platform, user_id=user_id, team_id=team_id, source="email", at=at
            )
    return find_person(session, platform=platform, user_id=user_id)


def note_address(
    session: Session,
    *,
    platform: str,
    user_id: str,
    at: dt.datetime,
    channel: str | None = None,
    team_id: str | None = None,
    reference: Mapping[str, Any] | None = None,
    source: Source = "event",
) -> Person | None:
    """Record how to reach a known person directly: `channel` must be their direct
    conversation with the bot (never a group channel), `reference` the platform's
    conversation reference where it needs one. A stranger records nothing (None)."""
    _chat_platform(platform)
    person = find_person(session, platform=platform, user_id=user_id)
    if person is not None:
        record_address(
            session,
            person_id=person.id,
            platform=platform,
            user_id=user_id,
            team_id=team_id,
            channel=channel,
            reference=reference,
            source=source,
            at=at,
        )
        touch_address(session, person_id=person.id, platform=platform, at=at)
    return person


def note_direct_channel(
    session: Session,
    *,
    person_id: str,
    platform: str,
    user_id: str,
    channel: str,
    at: dt.datetime,
    team_id: str | None = None,
    named_in_plan: bool = False,
) -> None:
    """The direct channel a send to this person's address came back with (the clock's
    fan-out): stored in one statement when the address is theirs already (see
    `store_channel`), else recorded as `note_address` records it."""
    if store_channel(
        session,
        person_id=person_id,
        platform=platform,
        user_id=user_id,
        channel=channel,
        at=at,
        team_id=team_id,
        named_in_plan=named_in_plan,
    ):
        return
    note_address(session, platform=platform, user_id=user_id, channel=channel, team_id=team_id, at=at)


def note_seen(session: Session, *, person: Person, sender: Sender, at: dt.datetime) -> Address | None:
    """A known person spoke on a chat platform: when they were last seen there (to the
    minute: seen again within `SEEN_GRAIN` writes nothing, so a read stays a read),
    and the workspace or tenant. The channel they spoke in is left alone: it may
    be a group channel, and only the adapter knows which one is direct."""
    if sender.platform not in CHAT_PLATFORMS:
        return None
    row = get_address(session, person_id=person.id, platform=sender.platform)
    if row is None or row.user_id != sender.user_id or (sender.team_id and row.team_id != sender.team_id):
        return record_address(
            session,
            person_id=person.id,
            platform=sender.platform,
            user_id=sender.user_id,
            team_id=sender.team_id,
            source="event",
            at=at,
        )
    if not row.unreachable and row.last_seen is not None and dt.timedelta(0) <= at - row.last_seen < SEEN_GRAIN:
        return row
    return touch_address(session, person_id=person.id, platform=sender.platform, at=at)


def coordinator_names(session: Session) -> list[str]:
    query = select(Person.name).where(col(Person.in_plan), col(Person.active), col(Person.is_coordinator))
    return sorted(session.exec(query))


def stranger_reply(session: Session, sender: Sender) -> Reply:
    """Polite, and says whom to ask: the plan's coordinators by name."""
    names = coordinator_names(session)
    ask = f"Ask a coordinator ({or_list(names)})" if names else "Ask a coordinator"
    if _inactive(session, sender):
        return say(f"You're marked inactive in the plan, so I can't take updates from you. {ask} if that's wrong.")
    if sender.platform == TERMINAL:
        return say(
            f"I don't know you: '{sender.user_id}' is not in the plan. "
            f"{ask} to add you under `people:` in the plan file and reload it."
        )
    name = PLATFORM_NAMES.get(sender.platform, sender.platform)
    return say(
        f"I don't know you yet: your {name} id ({sender.user_id}) is not in the plan. "
        f"{ask} to add `{sender.platform}: {sender.user_id}` to your entry under `people:` in the plan file and reload it."
    )


def _inactive(session: Session, sender: Sender) -> bool:
    """The sender is a plan person marked `active: false`."""
    person = plan_person(session, platform=sender.platform, user_id=sender.user_id)
    return person is not None and not person.active
