"""installation settings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:09:04.552728
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    installation = op.create_table(
        "installation",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_installation")),
    )
    # The identity of this catalog: a search index saved on disk belongs to one catalog only.
    op.bulk_insert(installation, [{"key": "catalog_id", "value": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("installation")
