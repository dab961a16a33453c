"""addresses, message handles, drafts; one conversation per (platform, person)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 18:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "address",
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("reference", sa.JSON(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unreachable", sa.Text(), server_default="", nullable=False),
        sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("person_id", "platform"),
        sa.UniqueConstraint("platform", "user_id", name="uq_address_user"),
    )
    op.create_table(
        "messagehandle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "channel", "message_id", name="uq_message_handle"),
    )
    op.create_index(op.f("ix_messagehandle_key"), "messagehandle", ["key"], unique=False)
    op.create_table(
        "draft",
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_number"], ["item.number"]),
        sa.ForeignKeyConstraint(["period_key"], ["period.key"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("person_id", "item_number", "period_key"),
    )
    # One conversation per (platform, person): keep each person's newest row.
    op.execute(
        """
        delete from conversation where exists (
            select 1 from conversation newer
            where newer.platform = conversation.platform and newer.person_id = conversation.person_id
              and (newer.updated_at > conversation.updated_at
                   or (newer.updated_at = conversation.updated_at and newer.id > conversation.id))
        )
        """
    )
    with op.batch_alter_table("conversation") as batch:
        batch.drop_constraint("uq_conversation", type_="unique")
        batch.create_unique_constraint("uq_conversation", ["platform", "person_id"])


def downgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.drop_constraint("uq_conversation", type_="unique")
        batch.create_unique_constraint("uq_conversation", ["platform", "person_id", "channel"])
    op.drop_table("draft")
    op.drop_index(op.f("ix_messagehandle_key"), table_name="messagehandle")
    op.drop_table("messagehandle")
    op.drop_table("address")
