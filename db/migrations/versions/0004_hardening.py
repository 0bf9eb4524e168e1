"""hardening: queue numbers taken under the lock, repeated refusals counted, erased readers

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 11:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("holds") as batch:
        # The hold's place in its record's queue at its school, taken under the record's lock
        # when it joins the queue (1, 2, 3, … per record and library; never reused).
        batch.add_column(sa.Column("queue_number", sa.Integer(), nullable=True))
    with op.batch_alter_table("audit") as batch:
        # The same refusal from one account, repeated: one row, counted, with the last time.
        batch.add_column(
            sa.Column("repeats", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch.add_column(sa.Column("last_at", db.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("readers") as batch:
        # A reader removed from the library: personal data erased, loans kept as counts.
        batch.add_column(sa.Column("erased_at", db.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("readers") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("last_at")
        batch.drop_column("repeats")
    with op.batch_alter_table("holds") as batch:
        batch.drop_column("queue_number")
