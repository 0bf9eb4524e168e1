"""notices and leases: a library's due-date notice settings, and the dispatcher that holds an
outbox row's claim

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("libraries") as batch:
        batch.add_column(
            sa.Column("remind_days_before", sa.SmallInteger(), nullable=False, server_default="2")
        )
        batch.add_column(
            sa.Column("remind_on_due_day", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column(
                "overdue_steps", sa.String(length=40), nullable=False, server_default="1,7,14"
            )
        )
        batch.add_column(
            sa.Column("parents_from_step", sa.SmallInteger(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("lease_token")
    with op.batch_alter_table("libraries") as batch:
        batch.drop_column("parents_from_step")
        batch.drop_column("overdue_steps")
        batch.drop_column("remind_on_due_day")
        batch.drop_column("remind_days_before")
