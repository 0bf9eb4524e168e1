"""network broadcasts: an admin's broadcast to the librarians of a network belongs to that
network, not to a library (broadcasts.library_id becomes nullable, broadcasts.network_id is
new; exactly one of them is set)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_OWNER = "(library_id IS NULL) <> (network_id IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("network_id", sa.Integer(), nullable=True))
        batch.alter_column("library_id", existing_type=sa.Integer(), nullable=True)
        batch.create_foreign_key(
            batch.f("fk_broadcasts_network_id_networks"),
            "networks",
            ["network_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_check_constraint(batch.f("ck_broadcasts_one_owner"), ONE_OWNER)


def downgrade() -> None:
    op.execute("DELETE FROM broadcasts WHERE library_id IS NULL")
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_constraint(batch.f("ck_broadcasts_one_owner"), type_="check")
        batch.drop_constraint(batch.f("fk_broadcasts_network_id_networks"), type_="foreignkey")
        batch.drop_column("network_id")
        batch.alter_column("library_id", existing_type=sa.Integer(), nullable=False)
