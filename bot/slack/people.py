"""Who a Slack user is, before their event reaches the core.

The core maps a Slack user to a plan person by the plan's `slack` id or a recorded
address. For anyone it does not know yet, this asks Slack once for the user's
profile (`users.info`): a deactivated account is left alone, a user of another
workspace is never matched by email (a partner over Slack Connect is recognised
only by the id the plan gives them), and otherwise the profile's email goes to
`Planbot.link_by_email`, which records the id when the plan's email matches.
Whoever is still unknown gets the core's polite reply naming the coordinators.

Known users are remembered for a few minutes, so the hot path (a coordinator's
`/plan-status`) makes no Slack call and one database read at most.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from storage.db import read_scope
from storage.queries import find_person

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.core.async_boundary import AsyncPlanbot

logger = logging.getLogger(__name__)

PLATFORM = "slack"
KNOWN_FOR = 300.0
UNKNOWN_FOR = 60.0


class People:
    def __init__(self, core: AsyncPlanbot, client: AsyncWebClient, *, clock: Any = time.monotonic) -> None:
        self.core = core
        self.client = client
        self.clock = clock
        self._known: dict[str, float] = {}
        self._unknown: dict[str, float] = {}
        self._team: str | None = None

    async def team_id(self) -> str | None:
        """The workspace the bot is installed in (auth.test, once)."""
        if self._team is None:
            try:
                answer = await self.client.auth_test()
                self._team = str(answer.get("team_id") or "") or None
            except Exception as exc:  # noqa: BLE001  (without it, only plan ids are trusted)
                logger.warning("auth.test failed: %s", exc.__class__.__name__)
        return self._team

    def _fresh(self, table: dict[str, float], user_id: str) -> bool:
        until = table.get(user_id)
        return until is not None and until > self.clock()

    async def prepare(self, user_id: str, team_id: str | None) -> None:
        """Make sure the core can tell who `user_id` is, learning their id from their email if need be."""
        if not user_id or self._fresh(self._known, user_id) or self._fresh(self._unknown, user_id):
            return
        if await self.core.call(_known, self.core.bot.engine, user_id):
            self._known[user_id] = self.clock() + KNOWN_FOR
            return
        ours = await self.team_id()
        linked = False
        try:
            info = await self.client.users_info(user=user_id)
            user = info.get("user") or {}
            profile = user.get("profile") or {}
            their_team = user.get("team_id") or team_id
            email = str(profile.get("email") or "")
            if user.get("deleted") or user.get("is_bot"):
                logger.info("%s is deactivated or a bot: not matched to the plan", user_id)
            elif ours and their_team and their_team != ours:
                logger.info("%s is from another workspace: only the plan's own id for them counts", user_id)
            elif email:
                person = await self.core.call(
                    self.core.bot.link_by_email, platform=PLATFORM, user_id=user_id, email=email, team_id=their_team
                )
                linked = person is not None
        except Exception as exc:  # noqa: BLE001  (the core then answers as for a stranger)
            logger.warning("could not look up Slack user %s: %s", user_id, exc.__class__.__name__)
        table = self._known if linked else self._unknown
        table[user_id] = self.clock() + (KNOWN_FOR if linked else UNKNOWN_FOR)

    def forget(self, user_id: str) -> None:
        self._known.pop(user_id, None)
        self._unknown.pop(user_id, None)


def _known(engine: Any, user_id: str) -> bool:
    with read_scope(engine) as session:
        return find_person(session, platform=PLATFORM, user_id=user_id) is not None


def dm_channel(engine: Any, user_id: str) -> str | None:
    """The bot's DM channel with this user, as recorded from a message or a send."""
    from storage.addresses import address_for_user

    with read_scope(engine) as session:  # a read: on SQLite it waits for no writer
        row = address_for_user(session, platform=PLATFORM, user_id=user_id)
        return row.channel if row is not None else None
