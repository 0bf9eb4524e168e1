"""projects and the e-library: reading projects with their books, curators, reads and works;
student works and e-resources as records with a school, a project, a file, an author, a
collection; collections, libraries' subscriptions and e-book loans; the «project» scope

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:02:42.007475
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPES_BEFORE = "access_scope IN ('public', 'network', 'library', 'private')"
SCOPES_NOW = "access_scope IN ('public', 'network', 'library', 'project', 'private')"


def upgrade() -> None:
    op.create_table(
        "e_collections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("lends", sa.Boolean(), nullable=False),
        sa.Column("open_to_all", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_e_collections_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_e_collections")),
    )
    op.create_table(
        "library_subscriptions",
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["e_collections.id"],
            name=op.f("fk_library_subscriptions_collection_id_e_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_library_subscriptions_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "library_id", "collection_id", name=op.f("pk_library_subscriptions")
        ),
    )
    op.create_table(
        "project_curators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("class_name", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_project_curators_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_curators_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_curators")),
    )
    op.create_table(
        "e_loans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("asked_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("granted_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("granted_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["granted_by_person_id"],
            ["people.id"],
            name=op.f("fk_e_loans_granted_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_e_loans_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name=op.f("fk_e_loans_reader_id_readers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_e_loans_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_e_loans")),
    )
    op.create_table(
        "project_books",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_books_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_project_books_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "record_id", name=op.f("pk_project_books")),
    )
    op.create_table(
        "project_reads",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("read_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_reads_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name=op.f("fk_project_reads_reader_id_readers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_project_reads_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "reader_id", "record_id", name=op.f("pk_project_reads")
        ),
    )
    with op.batch_alter_table("project_tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), server_default="submit", nullable=False)
        )
        batch_op.add_column(
            sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("project_works", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), server_default="text", nullable=False)
        )
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("link", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), server_default="submitted", nullable=False)
        )
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by_person_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reviewed_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("withdraw_asked_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint(
            batch_op.f("fk_project_works_record_id_records"), type_="foreignkey"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_project_works_record_id_records"),
            "records",
            ["record_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_project_works_reviewed_by_person_id_people"),
            "people",
            ["reviewed_by_person_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_project_works_file_id_stored_files"),
            "stored_files",
            ["file_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("audience", sa.String(length=120), server_default="school", nullable=False)
        )
        batch_op.add_column(
            sa.Column("join_mode", sa.String(length=10), server_default="open", nullable=False)
        )
        batch_op.add_column(sa.Column("join_code", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("leaderboard", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), server_default="running", nullable=False)
        )
        batch_op.add_column(sa.Column("copied_from_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_projects_join_code"), ["join_code"])
        batch_op.create_foreign_key(
            batch_op.f("fk_projects_copied_from_id_projects"),
            "projects",
            ["copied_from_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("library_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("author_reader_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("collection_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_records_collection_id_e_collections"),
            "e_collections",
            ["collection_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_records_library_id_libraries"),
            "libraries",
            ["library_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_records_author_reader_id_readers"),
            "readers",
            ["author_reader_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_records_file_id_stored_files"),
            "stored_files",
            ["file_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_records_project_id_projects"),
            "projects",
            ["project_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(batch_op.f("ck_records_access_scope"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_records_access_scope"), SCOPES_NOW)


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_records_access_scope"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_records_access_scope"), SCOPES_BEFORE)
        batch_op.drop_constraint(batch_op.f("fk_records_project_id_projects"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_records_file_id_stored_files"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_records_author_reader_id_readers"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_records_library_id_libraries"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_records_collection_id_e_collections"), type_="foreignkey"
        )
        batch_op.drop_column("collection_id")
        batch_op.drop_column("author_reader_id")
        batch_op.drop_column("file_id")
        batch_op.drop_column("project_id")
        batch_op.drop_column("library_id")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_projects_copied_from_id_projects"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_projects_join_code"), type_="unique")
        batch_op.drop_column("copied_from_id")
        batch_op.drop_column("status")
        batch_op.drop_column("leaderboard")
        batch_op.drop_column("join_code")
        batch_op.drop_column("join_mode")
        batch_op.drop_column("audience")

    with op.batch_alter_table("project_works", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_project_works_file_id_stored_files"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_project_works_reviewed_by_person_id_people"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_project_works_record_id_records"), type_="foreignkey"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_project_works_record_id_records"), "records", ["record_id"], ["id"]
        )
        batch_op.drop_column("withdraw_asked_at")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by_person_id")
        batch_op.drop_column("comment")
        batch_op.drop_column("status")
        batch_op.drop_column("link")
        batch_op.drop_column("file_id")
        batch_op.drop_column("text")
        batch_op.drop_column("kind")

    with op.batch_alter_table("project_tasks", schema=None) as batch_op:
        batch_op.drop_column("position")
        batch_op.drop_column("kind")

    op.drop_table("project_reads")
    op.drop_table("project_books")
    op.drop_table("e_loans")
    op.drop_table("project_curators")
    op.drop_table("library_subscriptions")
    op.drop_table("e_collections")
