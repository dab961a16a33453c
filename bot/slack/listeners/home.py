"""The App Home tab: the person's items, what is due and their last updates.

It is the core's own `/plan-status` answer for the person (so it reads like the
command), with any question they left open and its buttons; a stranger sees the
core's polite reply. Opening the Messages tab changes nothing.
"""

from __future__ import annotations

from typing import Any

from bot.core.events import Command
from bot.slack.people import PLATFORM
from bot.slack.runtime import SlackRuntime, Where
from bot.slack.views import home_view
from storage.db import read_scope
from storage.queries import find_person


def register(app: Any, runtime: SlackRuntime) -> None:
    @app.event("app_home_opened")
    async def on_home(body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        runtime.later(_publish(runtime, str(event["user"]), body.get("team_id")))


async def _publish(runtime: SlackRuntime, user_id: str, team_id: str | None) -> None:
    where = Where(user_id, team_id=team_id, direct=True)
    await runtime.people.prepare(user_id, team_id)
    who = await runtime.core.call(_person, runtime.core.bot.engine, user_id)
    replies = await runtime.core.handle(Command(where.sender(), "plan-status", who[0] if who else ""))
    await runtime.client.views_publish(user_id=user_id, view=home_view(who[1] if who else "you", replies))


def _person(engine: Any, user_id: str) -> tuple[str, str] | None:
    with read_scope(engine) as session:
        person = find_person(session, platform=PLATFORM, user_id=user_id)
        return (person.id, person.name) if person is not None else None
