"""people's grammar, history start, librarians' notices, the library calendar

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types
from db.clock import utcnow

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("readers") as batch:
        # «m», «f» or NULL (unknown: texts take a form that fits both).
        batch.add_column(sa.Column("gender", sa.String(length=1), nullable=True))
        # The reading history shows loans returned after this moment; NULL: not kept.
        batch.add_column(
            sa.Column("history_since", db.types.UTCDateTime(timezone=True), nullable=True)
        )
    # Histories already on start now: what was read before was never promised to be shown.
    op.get_bind().execute(
        sa.text("UPDATE readers SET history_since = :now WHERE history_opt_in").bindparams(
            sa.bindparam("now", utcnow(), type_=db.types.UTCDateTime(timezone=True))
        )
    )
    with op.batch_alter_table("roles") as batch:
        # A librarian hears about new requests of their library (they can turn it off).
        batch.add_column(
            sa.Column("notify_holds", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("people") as batch:
        # A person's own quiet hours (a librarian's evening); NULL: the library's.
        batch.add_column(sa.Column("quiet_from_hour", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("quiet_to_hour", sa.SmallInteger(), nullable=True))
    with op.batch_alter_table("libraries") as batch:
        # ISO weekdays the library is open («12345»: Monday to Friday).
        batch.add_column(
            sa.Column("open_weekdays", sa.String(length=7), nullable=False, server_default="12345")
        )
    op.create_table(
        "library_closed_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_library_closed_days_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_closed_days")),
        sa.UniqueConstraint(
            "library_id", "day", name=op.f("uq_library_closed_days_library_id_day")
        ),
    )


def downgrade() -> None:
    op.drop_table("library_closed_days")
    with op.batch_alter_table("libraries") as batch:
        batch.drop_column("open_weekdays")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("quiet_to_hour")
        batch.drop_column("quiet_from_hour")
    with op.batch_alter_table("roles") as batch:
        batch.drop_column("notify_holds")
    with op.batch_alter_table("readers") as batch:
        batch.drop_column("history_since")
        batch.drop_column("gender")
