"""Which tables hold what about people, and what export and erasure do with each.

Every table in SQLModel.metadata has an entry here (the suite fails when a new
table has none), so a table added later cannot escape `planbot person export`
and `planbot person erase` unnoticed. docs/data-protection.md is the prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class OnErase(StrEnum):
    DELETE = "delete"
    """The row goes when this column names the erased person."""
    REASSIGN = "reassign"
    """The row stays as the organisation's record; the column is pointed at an anonymous stand-in."""


@dataclass(frozen=True)
class TableRule:
    what: str
    """What the table holds, as the export tells the person."""
    why: str
    """Why it is held (the purpose)."""
    kept: str
    """How long it is kept."""
    person_columns: dict[str, OnErase] = field(default_factory=dict)
    """Columns holding a person id: a row is about that person (export), and erasure deletes or reassigns it."""
    redact_text: bool = True
    """Erasure redacts an erased person's name, email and ids in this table's text (not in other people's own entries)."""

    @property
    def personal(self) -> bool:
        return bool(self.person_columns)


PLAN_LIFE = "while the plan is loaded (reloading updates it)"
RECORD = "for the life of the database: it is the organisation's record"

TABLES: dict[str, TableRule] = {
    "person": TableRule(
        "Your entry from the plan file: name, email, Slack and Teams ids, roles.",
        "to know who leads what and how to reach them",
        "until erased; a person dropped from the plan stays, marked not in the plan, until erased",
        {"id": OnErase.DELETE},
        redact_text=False,
    ),
    "plan": TableRule("The loaded plan file, whole.", "the plan being run", PLAN_LIFE),
    "item": TableRule(
        "Plan items you lead or deputise for (from the plan file).",
        "to send each item's prompts to its lead",
        PLAN_LIFE,
        {"lead_id": OnErase.REASSIGN, "deputy_id": OnErase.REASSIGN},
    ),
    "kpi": TableRule("An item's KPIs.", "the plan being run", PLAN_LIFE),
    "milestone": TableRule("An item's milestones.", "the plan being run", PLAN_LIFE),
    "monitoringline": TableRule("An item's monitoring lines.", "the plan being run", PLAN_LIFE),
    "meeting": TableRule("The plan's meetings.", "the plan being run", PLAN_LIFE),
    "meetingdate": TableRule("Dated meetings and agendas.", "the plan being run", PLAN_LIFE),
    "period": TableRule("The plan's reporting periods.", "the plan being run", PLAN_LIFE),
    "update": TableRule(
        "Progress updates you wrote, or that were written on your behalf.",
        "the quarterly return: the organisation's record of the plan's progress",
        RECORD + " (after erasure the author is anonymised)",
        {"author_id": OnErase.REASSIGN, "on_behalf_of_id": OnErase.REASSIGN},
    ),
    "updatekpi": TableRule("Progress against each KPI, part of an update.", "the quarterly return", RECORD),
    "updatemilestone": TableRule("Milestone states, part of an update.", "the quarterly return", RECORD),
    "conversation": TableRule(
        "Where you are in a conversation with the bot (the answers so far).",
        "so a restart loses nothing you typed",
        "until the conversation ends or is replaced",
        {"person_id": OnErase.DELETE},
    ),
    "delivery": TableRule(
        "Ids of platform deliveries already handled (no person named).",
        "so a retried event changes nothing twice",
        "PLANBOT_RETENTION_DAYS",
    ),
    "send": TableRule(
        "The ledger of scheduled messages sent (or held, missed, failed) to you.",
        "so nothing is sent twice or skipped",
        "PLANBOT_RETENTION_DAYS",
        {"person_id": OnErase.REASSIGN},
    ),
    "inboxmessage": TableRule(
        "Messages the bot left for you in the terminal inbox.",
        "to show them when you open the terminal chat",
        "PLANBOT_RETENTION_DAYS",
        {"person_id": OnErase.DELETE},
    ),
    "absence": TableRule(
        "When you said you were away or snoozed.",
        "to hold your prompts and let deputies stand in",
        "until you are back (a new one replaces the last)",
        {"person_id": OnErase.DELETE},
    ),
    "itemdeputy": TableRule(
        "Deputies named in chat: for which item, who named them.",
        "to send an item's prompts to its deputy while its lead is away",
        "until cleared or replaced",
        {"deputy_id": OnErase.DELETE, "set_by_id": OnErase.REASSIGN},
    ),
    "callnote": TableRule(
        "Notes you flagged for a weekly call.",
        "the coordinators' brief before the call",
        "PLANBOT_RETENTION_DAYS",
        {"person_id": OnErase.DELETE},
    ),
    "milestonecheck": TableRule(
        "Your answers when a milestone fell due.",
        "the organisation's record of the plan's milestones",
        RECORD + " (after erasure the person is anonymised)",
        {"person_id": OnErase.REASSIGN},
    ),
    "reconcilemark": TableRule("How far each scheduled job has got (no person named).", "the clock", "always"),
    "address": TableRule(
        "How to reach you on each chat platform: your platform id, direct conversation, when last seen.",
        "to send you your prompts",
        "until erased, or forgotten when the plan contradicts it",
        {"person_id": OnErase.DELETE},
    ),
    "fileoffer": TableRule(
        "Files (the return's exports) offered to you in Teams: the file's name and when.",
        "so only you can accept the file, once, within a day",
        "PLANBOT_RETENTION_DAYS",
        {"person_id": OnErase.DELETE},
    ),
    "clockbeat": TableRule(
        "When each sending process (the clock) last showed it was alive (no person named).",
        "so a message claimed by a process that died is resolved in minutes, never sent twice",
        "PLANBOT_RETENTION_DAYS after its last beat",
    ),
    "chatreference": TableRule(
        "Group chats and channels the bot was added to or mentioned in: conversation id and service address (no person named).",
        "to post the coordinators' briefs in the chat the plan names",
        "until the chat is used again (refreshed) or the database is dropped",
    ),
    "messagehandle": TableRule(
        "Where messages to you were posted, so they can be edited in place.",
        "to mark a prompt done when its update is saved",
        "PLANBOT_RETENTION_DAYS",
        {"person_id": OnErase.DELETE},
    ),
    "draft": TableRule(
        "Unfinished updates you set aside.",
        "so you can resume where you stopped",
        "until finished or abandoned",
        {"person_id": OnErase.DELETE},
    ),
    "auditentry": TableRule(
        "Changes you made, or that were made about you: roles, deputies, absences, on-behalf updates.",
        "accountability: who changed who does what, and when",
        RECORD + " (append-only; erasure replaces the erased person's id and name)",
        {"actor_id": OnErase.REASSIGN, "subject_id": OnErase.REASSIGN},
    ),
    "tombstone": TableRule(
        "Keyed hashes of erased people's identifiers (nothing readable).",
        "to refuse a plan that names an erased person",
        "always",
        redact_text=False,
    ),
    "tombstonekey": TableRule("The random key of the tombstones' hashes.", "tombstones", "always", redact_text=False),
}
