"""Where a person can be reached, in the order to try: shared by the routing
port (which sends) and /plan-schedule (which warns coordinators beforehand), so
both always agree. Pure: the callers read the addresses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.identity import PLATFORM_NAMES
from bot.core.ports import PlatformAddress
from bot.core.wording import or_list
from storage.addresses import plan_id
from storage.models import Address, Person


@dataclass(frozen=True)
class Blocked:
    """An address on a configured platform that is not tried: a send there failed for good."""

    platform: str
    reason: str
    since: dt.datetime | None


@dataclass(frozen=True)
class Reach:
    routes: tuple[PlatformAddress, ...]
    """Addresses on configured platforms, the preferred platform first."""
    blocked: tuple[Blocked, ...]

    def why_not(self, platforms: Sequence[str], zone: dt.tzinfo) -> str:
        """Why there is no route: what coordinators read in /plan-schedule."""
        if self.blocked:
            return "; ".join(
                f"{PLATFORM_NAMES.get(b.platform, b.platform)} refused: {b.reason}"
                + (f" (since {b.since.astimezone(zone):%-d %b %Y})" if b.since is not None else "")
                for b in self.blocked
            )
        names = or_list([PLATFORM_NAMES.get(p, p) for p in platforms])
        return f"no {names} id in the plan, and not seen in chat yet"


def reach(
    person: Person,
    *,
    platforms: Sequence[str],
    addresses: Mapping[str, Address],
    preferred: str | None = None,
) -> Reach:
    """The person's addresses on `platforms`: a recorded address (with its
    channel and reference) or the plan's id, skipping addresses marked
    unreachable. The plan's preferred platform goes first when it is configured."""
    order = sorted(platforms, key=lambda p: p != preferred)
    routes: list[PlatformAddress] = []
    blocked: list[Blocked] = []
    for platform in order:
        row = addresses.get(platform)
        if row is not None and row.unreachable:
            blocked.append(Blocked(platform, row.unreachable, row.unreachable_at))
        elif row is not None:
            routes.append(PlatformAddress(platform, row.user_id, row.team_id, row.channel, row.reference))
        elif (user_id := plan_id(person, platform)) is not None:
            routes.append(PlatformAddress(platform, user_id))
    return Reach(tuple(routes), tuple(blocked))

