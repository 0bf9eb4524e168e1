"""the fund and the reports: deliveries and write-off acts with each copy's, a record's statutory
kind and medium, a library's choice whether textbooks count in the fund, readers' days at the
desk, the library's events, and who asked for the weekly digest

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:57:17.909908
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_digests",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("since", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_report_digests_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_report_digests")),
    )
    op.create_table(
        "fund_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "purchase",
                "gift",
                "replacement",
                "transfer",
                "import",
                name="receipt_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("document", sa.String(length=60), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_by_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_person_id"],
            ["people.id"],
            name=op.f("fk_fund_receipts_created_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_fund_receipts_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_receipts")),
    )
    op.create_table(
        "fund_write_offs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("act_on", sa.Date(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "lost",
                "worn",
                "outdated",
                "transferred",
                name="write_off_reason",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("document", sa.String(length=60), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_by_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_person_id"],
            ["people.id"],
            name=op.f("fk_fund_write_offs_created_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_fund_write_offs_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_write_offs")),
    )
    op.create_table(
        "library_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.Column("created_by_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_person_id"],
            ["people.id"],
            name=op.f("fk_library_events_created_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_library_events_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_events")),
    )
    op.create_table(
        "desk_visits",
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_desk_visits_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name=op.f("fk_desk_visits_reader_id_readers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "library_id", "reader_id", "visited_on", name=op.f("pk_desk_visits")
        ),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("write_off_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("price_kopecks", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("replaces_item_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_items_receipt_id"), ["receipt_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_write_off_id"), ["write_off_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_items_write_off_id_fund_write_offs"),
            "fund_write_offs",
            ["write_off_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_items_receipt_id_fund_receipts"),
            "fund_receipts",
            ["receipt_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_items_replaces_item_id_items"),
            "items",
            ["replaces_item_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("libraries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("textbooks_in_fund", sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "fund_kind",
                sa.Enum(
                    "textbook",
                    "aid",
                    "fiction",
                    "reference",
                    "other",
                    name="fund_kind",
                    native_enum=False,
                    create_constraint=True,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "medium",
                sa.Enum(
                    "print",
                    "audiovisual",
                    "electronic",
                    name="medium",
                    native_enum=False,
                    create_constraint=True,
                ),
                server_default="print",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("medium")
        batch_op.drop_column("fund_kind")

    with op.batch_alter_table("libraries", schema=None) as batch_op:
        batch_op.drop_column("textbooks_in_fund")

    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_items_replaces_item_id_items"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_items_receipt_id_fund_receipts"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_items_write_off_id_fund_write_offs"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_items_write_off_id"))
        batch_op.drop_index(batch_op.f("ix_items_receipt_id"))
        batch_op.drop_column("replaces_item_id")
        batch_op.drop_column("price_kopecks")
        batch_op.drop_column("write_off_id")
        batch_op.drop_column("receipt_id")

    op.drop_table("desk_visits")
    op.drop_table("library_events")
    op.drop_table("fund_write_offs")
    op.drop_table("fund_receipts")
    op.drop_table("report_digests")
