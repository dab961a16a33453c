"""send ledger: an item's send key leaves the person out; retry_at for Retry-After

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ITEM_KINDS = ("quarterly-prompt", "chaser", "board-reminder", "milestone-due")


def upgrade() -> None:
    with op.batch_alter_table("send") as batch:
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
    conn = op.get_bind()
    send = sa.table("send", sa.column("key", sa.String), sa.column("kind", sa.String), sa.column("sent_at"))
    rows = conn.execute(
        sa.select(send.c.key).where(send.c.kind.in_(ITEM_KINDS)).order_by(send.c.sent_at.is_(None), send.c.sent_at)
    ).all()
    taken: set[str] = set()
    for (key,) in rows:
        parts = key.split("|")
        new = "|".join([parts[0], "*", *parts[2:]])
        if new in taken:
            # Two rows for one send (a lead and a deputy both prompted): keep the first as
            # the send, the other as history under a key no planned send will ever use.
            new = f"{new}~{parts[1]}"
        taken.add(new)
        if new != key:
            conn.execute(sa.update(send).where(send.c.key == key).values(key=new))


def downgrade() -> None:
    conn = op.get_bind()
    send = sa.table(
        "send", sa.column("key", sa.String), sa.column("kind", sa.String), sa.column("person_id", sa.String)
    )
    for key, person in conn.execute(sa.select(send.c.key, send.c.person_id).where(send.c.kind.in_(ITEM_KINDS))).all():
        parts = key.split("~", 1)[0].split("|")
        conn.execute(sa.update(send).where(send.c.key == key).values(key="|".join([parts[0], person, *parts[2:]])))
    with op.batch_alter_table("send") as batch:
        batch.drop_column("retry_at")
