"""priorities and files: an outbox row's lane (notices before broadcasts), and files kept for
the messages that carry them (a broadcast's photo or document)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="1")
        )
        batch.drop_index("ix_outbox_status_not_before")
        batch.create_index(
            "ix_outbox_status_priority_not_before", ["status", "priority", "not_before"]
        )
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
    )
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_broadcasts_file_id_stored_files"),
            "stored_files",
            ["file_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_constraint(batch.f("fk_broadcasts_file_id_stored_files"), type_="foreignkey")
        batch.drop_column("file_id")
    op.drop_table("stored_files")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_status_priority_not_before")
        batch.create_index("ix_outbox_status_not_before", ["status", "not_before"])
        batch.drop_column("priority")
