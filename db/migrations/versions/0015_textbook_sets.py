"""textbook sets: the textbooks a grade of a library should have (the school's УМК list), so the
textbook coverage shows the textbooks nobody has

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "textbook_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("added_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("grade BETWEEN 1 AND 11", name=op.f("ck_textbook_sets_grade")),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_textbook_sets_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_textbook_sets_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_textbook_sets")),
        sa.UniqueConstraint(
            "library_id",
            "grade",
            "record_id",
            name=op.f("uq_textbook_sets_library_id_grade_record_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("textbook_sets")
