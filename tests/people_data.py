"""Two people (wren and yara) with rows in every table that names people, each
mentioning the other, built through the project's own write paths: the data the
export and erasure tests read."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.engine import Engine

from storage import away
from storage.addresses import record_address
from storage.call_notes import add_note
from storage.conversations import claim_delivery, save_conversation
from storage.file_offers import offer_file
from storage.db import session_scope
from storage.drafts import put_draft
from storage.handles import remember_handle
from storage.inbox import put_message
from storage.milestone_checks import record_check
from storage.models import MilestoneState, Rag, SendStatus
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, parse_plan
from storage.queries import MilestoneAnswer, milestones
from storage.sends import claim, finish, send_key
from tests.factories import save

LONDON = ZoneInfo("Europe/London")
WHEN = dt.datetime(2019, 11, 20, 10, 0, tzinfo=LONDON)


@dataclass(frozen=True)
class Someone:
    id: str
    name: str
    email: str
    slack: str
    teams: str
    dm: str
    item: int

    def identifiers(self) -> list[str]:
        """What must not be left after erasure (and must not leak into another's export)."""
        return [self.name, self.email, self.slack, self.teams, self.dm]

    def id_pattern(self) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w.@-]){re.escape(self.id)}(?![\w@-])")


WREN = Someone("wren", "Wren Fairweather", "wren.fairweather@example.org", "U0WREN001", "29:wren-teams-a1b2", "DWREN0001", 6)
YARA = Someone("yara", "Yara Quillfeather", "yara.quill@example.org", "U0YARA002", "29:yara-teams-c3d4", "DYARA0002", 7)


def plan_yaml(*, with_wren: bool = True) -> dict[str, Any]:
    """The bundled plan with wren leading item 6 and yara item 7 (or alex item 6, wren gone)."""
    raw = yaml.safe_load(Path(BUNDLED_PLAN).read_text(encoding="utf-8"))
    for who in (WREN, YARA) if with_wren else (YARA,):
        raw["people"].append(
            {"id": who.id, "name": who.name, "email": who.email, "slack": who.slack, "teams": who.teams, "roles": ["lead"]}
        )
    for item in raw["items"]:
        if item["number"] == WREN.item:
            item["lead"] = WREN.id if with_wren else "alex"
        if item["number"] == YARA.item:
            item["lead"] = YARA.id
    return raw


def load(engine: Engine, raw: dict[str, Any], source: str = "people.yaml") -> None:
    with session_scope(engine) as session:
        load_plan(session, parse_plan(yaml.safe_dump(raw, allow_unicode=True), source), source=source)


def build(engine: Engine) -> None:
    """Load the plan and give wren and yara rows in every table that names a person."""
    load(engine, plan_yaml())
    for me, other in ((WREN, YARA), (YARA, WREN)):
        n = me.item
        with session_scope(engine) as session:
            first = milestones(session, item_number=n)[0]
            save(
                session, n, "2019-Q3", Rag.AT_RISK, WHEN,
                summary=f"{me.name} here: I spoke with {other.name} ({other.email}) about funding.",
                kpis={"kpi1": f"{me.name} reports progress"},
                milestones={first.key: MilestoneAnswer(MilestoneState.SLIPPED, dt.date(2020, 1, 31))},
                author=me.id,
            )
            save(session, n, "2019-Q3", Rag.ON_TRACK, WHEN + dt.timedelta(hours=1), author="dee", on_behalf_of=me.id)
            save_conversation(
                session, platform="slack", person_id=me.id, channel=me.dm, state="update:summary",
                data={"summary": f"draft by {me.name}, ask {other.name}"}, at=WHEN,
            )
            own = send_key(kind="pre-call-prompt", person_id=me.id, item_number=None, occurrence="2019-11-21")
            claim(session, key=own, kind="pre-call-prompt", person_id=me.id, item_number=None,
                  occurrence="2019-11-21", due=WHEN, by="test", at=WHEN)
            item_key = send_key(kind="quarterly-prompt", person_id=me.id, item_number=n, occurrence="2019-Q3")
            claim(session, key=item_key, kind="quarterly-prompt", person_id=me.id, item_number=n,
                  occurrence="2019-Q3", due=WHEN, by="test", at=WHEN)
            finish(session, key=item_key, by="test", status=SendStatus.SENT, at=WHEN, platform="slack",
                   channel=me.dm, message_id=f"{me.id}.1")
            put_message(session, person_id=me.id, payload={"text": f"Hello {me.name}, {other.name} named you deputy"}, at=WHEN)
            away.set_absence(session, person_id=me.id, kind="away", until=WHEN + dt.timedelta(days=7), at=WHEN)
            away.set_deputy(session, item_number=n, deputy_id=other.id, set_by_id=me.id, at=WHEN)
            add_note(session, occurrence="2019-11-21", person_id=me.id, text=f"{me.name}: off sick next week, ask {other.name}", at=WHEN)
            record_check(session, item_number=n, milestone_key=first.key, asked_due=dt.date(2019, 11, 1),
                         state=MilestoneState.SLIPPED, new_date=dt.date(2020, 1, 31), person_id=me.id, at=WHEN)
            record_address(session, person_id=me.id, platform="slack", user_id=me.slack, source="event", at=WHEN,
                           team_id="T0SHARED", channel=me.dm)
            record_address(session, person_id=me.id, platform="teams", user_id=me.teams, source="install", at=WHEN,
                           channel=f"a:{me.id}-conv", reference={"user": {"id": me.teams, "name": me.name}})
            remember_handle(session, key=f"prompt|{n}", platform="slack", channel=me.dm, message_id=f"{me.id}.1",
                            person_id=me.id, at=WHEN)
            put_draft(session, person_id=me.id, item_number=n, period_key="2019-Q4", data={"summary": f"{me.name} half-done"}, at=WHEN)
            claim_delivery(session, key=f"Ev-{me.id}-1", at=WHEN)
            offer_file(session, person_id=me.id, file_name=f"quarterly-return-2019-Q3-{me.id}.md", at=WHEN)
