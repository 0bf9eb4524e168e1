"""delivery per account: each notice recorded per messenger account; a person may choose the
one messenger their notices go to

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        # Notices go to this messenger only (/via); NULL: to every messenger the person uses.
        batch.add_column(
            sa.Column(
                "notify_via",
                sa.Enum(
                    "telegram",
                    "vk",
                    "console",
                    name="notify_via",
                    native_enum=False,
                    create_constraint=True,
                    length=8,
                ),
                nullable=True,
            )
        )
    # One notice to one account: sent once, a failure retried on that account alone.
    op.create_table(
        "outbox_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "unreachable",
                "failed",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_deliveries_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_outbox_deliveries_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_deliveries")),
        sa.UniqueConstraint(
            "outbox_id", "account_id", name=op.f("uq_outbox_deliveries_outbox_id_account_id")
        ),
    )
    with op.batch_alter_table("outbox_deliveries") as batch:
        batch.create_index(batch.f("ix_outbox_deliveries_account_id"), ["account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_deliveries") as batch:
        batch.drop_index(batch.f("ix_outbox_deliveries_account_id"))
    op.drop_table("outbox_deliveries")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("notify_via")
