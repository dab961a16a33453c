"""coordinators' channels: group conversations the bot can post briefs to

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chatreference",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("conversation_id", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("noted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "conversation_id"),
    )


def downgrade() -> None:
    op.drop_table("chatreference")
