"""drop the data version: answers are built anew from a few statements, nothing is kept in memory that a write must invalidate

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SHARDS = 16
"""As migration 0007 made them (a migration never imports app code)."""


def upgrade() -> None:
    op.drop_table("dataversion")


def downgrade() -> None:
    table = op.create_table(
        "dataversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": shard, "n": 0} for shard in range(1, SHARDS + 1)])
