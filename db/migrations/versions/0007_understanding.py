"""understanding people: library hours and address, a record's annotation, BBK index and
place in its series, and questions to the librarian

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("libraries") as batch:
        batch.add_column(sa.Column("opening_hours", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("address", sa.String(length=300), nullable=True))
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("series_number", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("bbk", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("annotation", sa.Text(), nullable=True))
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_questions_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_questions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_questions_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["people.id"],
            name=op.f("fk_questions_answered_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("questions") as batch:
        batch.create_index(batch.f("ix_questions_asked_at"), ["asked_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_index(batch.f("ix_questions_asked_at"))
    op.drop_table("questions")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("annotation")
        batch.drop_column("bbk")
        batch.drop_column("series_number")
    with op.batch_alter_table("libraries") as batch:
        batch.drop_column("address")
        batch.drop_column("opening_hours")
