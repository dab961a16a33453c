"""clock beats: when each sending process last showed it was alive, so its orphaned claims are taken over in minutes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clockbeat",
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("by"),
    )


def downgrade() -> None:
    op.drop_table("clockbeat")
