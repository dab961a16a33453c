"""/plan-schedule tells coordinators who cannot be reached in chat before their
prompts are due, not after they fail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.core.clock import FixedClock
from bot.core.events import Command, Sender
from bot.core.planbot import Planbot
from storage.addresses import mark_unreachable
from storage.db import session_scope
from tests.core.test_identity import with_ids
from tests.schedules.conftest import ledger, load_variant, london


def schedule(engine: Engine, clock: FixedClock, tmp_path: Path, platforms: tuple[str, ...]) -> str:
    bot = Planbot(engine, clock, exports_dir=tmp_path, platforms=platforms)
    return "\n".join(r.text for r in bot.handle(Command(Sender("shell", "robin"), "plan-schedule")))


def test_people_due_a_prompt_who_cannot_be_reached_are_listed_with_why(
    plan_engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    load_variant(plan_engine, with_ids)
    clock.at = london(2019, 11, 20, 9)  # the pre-call prompts go at 10:00, the briefs Thursday 09:00
    with session_scope(plan_engine) as session:
        mark_unreachable(
            session, person_id="dee", platform="slack", user_id="U0DEE", reason="account_inactive",
            at=london(2019, 11, 19, 16).astimezone(dt.UTC),
        )

    text = schedule(plan_engine, clock, tmp_path, ("slack",))
    lines = text.splitlines()
    start = lines.index("Can't be reached in chat (their messages will wait in the terminal inbox):")
    assert lines[start + 1 : start + 5] == [
        "  - Bea Sample: no Slack id in the plan, and not seen in chat yet",
        "  - Cal Placeholder: no Slack id in the plan, and not seen in chat yet",
        "  - Dee Demo: Slack refused: account_inactive (since 19 Nov 2019)",
        "  - Robin Fictional: no Slack id in the plan, and not seen in chat yet",
    ]
    assert "Alex Example:" not in text
    assert ledger(plan_engine) == [], "shown before anything was sent"

    both = schedule(plan_engine, clock, tmp_path, ("slack", "teams"))
    assert "- Cal Placeholder: no Slack or Teams id in the plan, and not seen in chat yet" in both
    assert "Bea Sample:" not in both and "Dee Demo:" not in both, "Bea has Teams; Dee is still reachable on Teams"


def test_without_a_chat_platform_prompts_wait_in_the_terminal_inbox(
    plan_engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    text = schedule(plan_engine, clock, tmp_path, ())
    assert "No chat platform is connected, so scheduled messages wait in each person's terminal inbox." in text
    assert "Can't be reached" not in text


def test_everyone_reachable_is_said_plainly(plan_engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    def everyone_on_slack(raw: dict) -> None:  # type: ignore[type-arg]
        for n, person in enumerate(raw["people"]):
            person["slack"] = f"U0{n}"

    load_variant(plan_engine, everyone_on_slack)
    assert "Everyone due a message can be reached in chat." in schedule(plan_engine, clock, tmp_path, ("slack",))
