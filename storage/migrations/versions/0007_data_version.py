"""data version: one counter every committed write moves on, for in-memory answer caches

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SHARDS = 16
"""As storage.data_version.SHARDS when this migration was written (a migration never imports app code)."""


def upgrade() -> None:
    table = op.create_table(
        "dataversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": shard, "n": 0} for shard in range(1, SHARDS + 1)])


def downgrade() -> None:
    op.drop_table("dataversion")
