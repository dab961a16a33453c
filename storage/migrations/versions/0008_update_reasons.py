"""the words a lead wrote after a status or a date: an update's RAG reason, each milestone's note, a milestone answer's note

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("update") as batch:
        batch.add_column(sa.Column("rag_reason", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("updatemilestone") as batch:
        batch.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("milestonecheck") as batch:
        batch.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("milestonecheck") as batch:
        batch.drop_column("note")
    with op.batch_alter_table("updatemilestone") as batch:
        batch.drop_column("note")
    with op.batch_alter_table("update") as batch:
        batch.drop_column("rag_reason")
