"""The union catalog and everything around it, as SQLAlchemy 2 models.

One schema for SQLite and PostgreSQL. Invariants that must survive concurrent writers are
enforced by the database itself (unique and partial unique indexes), not only by code.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.clock import utcnow
from db.enums import (
    AccessScope,
    ApprovalMode,
    AuditOutcome,
    FundKind,
    HoldStatus,
    ItemStatus,
    Medium,
    Messenger,
    OutboxStatus,
    ReaderCategory,
    ReceiptSource,
    RecordKind,
    RoleName,
    WriteOffReason,
)
from db.types import UTCDateTime, str_enum

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


# Networks, libraries, rules ----------------------------------------------------------------


class Network(Base):
    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Library(Base):
    __tablename__ = "libraries"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    approval_mode: Mapped[ApprovalMode] = mapped_column(
        str_enum(ApprovalMode, "approval_mode"), default=ApprovalMode.MANUAL
    )
    # Тихие часы: детям не пишем ночью (по местному времени библиотеки).
    quiet_from_hour: Mapped[int] = mapped_column(SmallInteger, default=21)
    quiet_to_hour: Mapped[int] = mapped_column(SmallInteger, default=8)
    # Конец учебного года: срок возврата учебников.
    school_year_end: Mapped[str] = mapped_column(String(5), default="05-31")
    # ISO weekdays the library is open («12345»: Monday to Friday); due dates land on open days.
    open_weekdays: Mapped[str] = mapped_column(String(7), default="12345")
    # What readers ask about, kept by the librarian in chat: «пн–пт 8:00–16:00, сб до 13:00».
    opening_hours: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(300))
    # Due-date notices, set by the librarian in chat: days before the due date to remind
    # (0: none), whether to remind on the day, the overdue ladder in days («1,7,14»), and the
    # step of the ladder from which parents get a copy (1: from the first; 0: never).
    remind_days_before: Mapped[int] = mapped_column(SmallInteger, default=2)
    remind_on_due_day: Mapped[bool] = mapped_column(Boolean, default=True)
    overdue_steps: Mapped[str] = mapped_column(String(40), default="1,7,14")
    parents_from_step: Mapped[int] = mapped_column(SmallInteger, default=1)
    # Whether the fund's figures count textbooks (schools disagree; the reports say which).
    textbooks_in_fund: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class LibraryClosedDay(Base):
    """A day a library is closed besides weekends and public holidays (a sanitary day, say)."""

    __tablename__ = "library_closed_days"
    __table_args__ = (UniqueConstraint("library_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))


class LoanRule(Base):
    """Loan rules of one library for one kind of record ("*" is the library's default)."""

    __tablename__ = "loan_rules"
    __table_args__ = (UniqueConstraint("library_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="*")
    loan_days: Mapped[int] = mapped_column(SmallInteger, default=14)
    until_school_year_end: Mapped[bool] = mapped_column(Boolean, default=False)
    max_items: Mapped[int] = mapped_column(SmallInteger, default=5)
    max_renewals: Mapped[int] = mapped_column(SmallInteger, default=2)
    hold_shelf_days: Mapped[int] = mapped_column(SmallInteger, default=3)
    # Продление запрещено, если просрочка больше стольких дней.
    max_overdue_days_to_renew: Mapped[int] = mapped_column(SmallInteger, default=0)


# The union catalog -------------------------------------------------------------------------


class Record(Base):
    """One bibliographic record of the union catalog; schools link their copies to it."""

    __tablename__ = "records"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    subtitle: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[str] = mapped_column(Text, default="")  # "Толстой Л. Н.; Иванов И. И."
    year: Mapped[int | None] = mapped_column(SmallInteger)
    publisher: Mapped[str | None] = mapped_column(String(300))
    series: Mapped[str | None] = mapped_column(String(300))
    series_number: Mapped[int | None] = mapped_column(SmallInteger)  # the book's place in it
    subjects: Mapped[str] = mapped_column(Text, default="")  # "роман; русская классика"
    bbk: Mapped[str | None] = mapped_column(String(60))  # the library's classification index
    annotation: Mapped[str | None] = mapped_column(Text)  # what the book is about
    language: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[RecordKind] = mapped_column(
        str_enum(RecordKind, "record_kind"), default=RecordKind.BOOK
    )
    age_mark: Mapped[int | None] = mapped_column(SmallInteger)
    url: Mapped[str | None] = mapped_column(Text)
    access_scope: Mapped[AccessScope] = mapped_column(
        str_enum(AccessScope, "access_scope"), default=AccessScope.PUBLIC
    )
    # A student work's school, project, file and author (scopes «library», «project»,
    # «private» are read against them); an e-resource's collection.
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    author_reader_id: Mapped[int | None] = mapped_column(
        ForeignKey("readers.id", ondelete="SET NULL")
    )
    collection_id: Mapped[int | None] = mapped_column(
        ForeignKey("e_collections.id", ondelete="SET NULL")
    )
    # The statutory breakdown (None: read from `kind`, db/fund.py) and the medium.
    fund_kind: Mapped[FundKind | None] = mapped_column(str_enum(FundKind, "fund_kind"))
    medium: Mapped[Medium] = mapped_column(
        str_enum(Medium, "medium"), default=Medium.PRINT, server_default=Medium.PRINT.value
    )
    # Normalised title + authors + year: the union catalog's duplicate detector.
    dedupe_key: Mapped[str] = mapped_column(String(500), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    isbns: Mapped[list[RecordIsbn]] = relationship(
        back_populates="record", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def author_list(self) -> list[str]:
        return [a for a in (s.strip() for s in self.authors.split(";")) if a]


class RecordIsbn(Base):
    """An ISBN of a record, always stored as ISBN-13 so ISBN-10 and -13 meet."""

    __tablename__ = "record_isbns"

    isbn13: Mapped[str] = mapped_column(String(13), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    record: Mapped[Record] = relationship(back_populates="isbns")


class CatalogChange(Base):
    """Append-only log of changed records: search indexes in every process follow it."""

    __tablename__ = "catalog_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Item(Base):
    """A copy (экземпляр) of a record held by one library."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("library_id", "inventory_number"),
        UniqueConstraint("library_id", "barcode"),
        Index("ix_items_record_library_status", "record_id", "library_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    inventory_number: Mapped[str] = mapped_column(String(40))
    barcode: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[ItemStatus] = mapped_column(
        str_enum(ItemStatus, "item_status"), default=ItemStatus.AVAILABLE
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The fund's accounting: the delivery the copy came with and the act that wrote it off (the
    # summary register), its price in kopecks if known, and the lost copy it replaced.
    receipt_id: Mapped[int | None] = mapped_column(
        ForeignKey("fund_receipts.id", ondelete="SET NULL"), index=True
    )
    write_off_id: Mapped[int | None] = mapped_column(
        ForeignKey("fund_write_offs.id", ondelete="SET NULL"), index=True
    )
    price_kopecks: Mapped[int | None] = mapped_column(Integer)
    replaces_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL")
    )

    record: Mapped[Record] = relationship(lazy="raise")
    library: Mapped[Library] = relationship(lazy="raise")


# People ------------------------------------------------------------------------------------


class Reader(Base):
    """A reader's card (формуляр) in one library. Minimal personal data, by design."""

    __tablename__ = "readers"
    __table_args__ = (
        UniqueConstraint("library_id", "card_number"),
        Index("ix_readers_library_class", "library_id", "class_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    card_number: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(200))
    class_name: Mapped[str | None] = mapped_column(String(8))
    category: Mapped[ReaderCategory] = mapped_column(
        str_enum(ReaderCategory, "reader_category"), default=ReaderCategory.STUDENT
    )
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_reason: Mapped[str | None] = mapped_column(String(300))
    history_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # The reading history shows loans returned after this moment; None while it is off.
    history_since: Mapped[datetime | None]
    # «m», «f» or None (unknown): texts agree with it, or take a form that fits both.
    gender: Mapped[str | None] = mapped_column(String(1))
    # Removed from the library: name and birth year erased, loans kept for the counts.
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    library: Mapped[Library] = relationship(lazy="raise")


class Person(Base):
    """Someone who uses the bot; may have several messenger accounts and several roles."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    # The person's own quiet hours (a librarian's evening); None: their library's.
    quiet_from_hour: Mapped[int | None] = mapped_column(SmallInteger)
    quiet_to_hour: Mapped[int | None] = mapped_column(SmallInteger)
    # Notices go to this messenger only (/via); None: to every messenger the person uses.
    notify_via: Mapped[Messenger | None] = mapped_column(str_enum(Messenger, "notify_via"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Account(Base):
    """One messenger identity (Telegram user, VK user, console persona)."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("messenger", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    messenger: Mapped[Messenger] = mapped_column(str_enum(Messenger, "messenger"))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    # The person blocked the bot: send nothing until they write again.
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Role(Base):
    """A role with its scope: reader (one card), librarian (one library), admin (network)."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("person_id", "role", "library_id", "reader_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[RoleName] = mapped_column(str_enum(RoleName, "role_name"))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id"))
    reader_id: Mapped[int | None] = mapped_column(ForeignKey("readers.id"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"))
    # A librarian hears about new requests of their library (switchable in chat).
    notify_holds: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GuardianLink(Base):
    """A parent (person) linked to a child's reader card."""

    __tablename__ = "guardian_links"
    __table_args__ = (UniqueConstraint("parent_person_id", "reader_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    reader_id: Mapped[int] = mapped_column(ForeignKey("readers.id", ondelete="CASCADE"))
    copy_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LinkCode(Base):
    """A one-time code that links a messenger account to a role."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    role: Mapped[RoleName] = mapped_column(str_enum(RoleName, "role_name"))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"))
    reader_id: Mapped[int | None] = mapped_column(ForeignKey("readers.id"))
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


# Circulation -------------------------------------------------------------------------------


class Hold(Base):
    """A title-level reservation for pickup at the reader's school."""

    __tablename__ = "holds"
    __table_args__ = (
        # One active hold per reader and record.
        Index(
            "uq_holds_active_reader_record",
            "reader_id",
            "record_id",
            unique=True,
            sqlite_where=text("status IN ('pending', 'queued', 'ready')"),
            postgresql_where=text("status IN ('pending', 'queued', 'ready')"),
        ),
        # A copy waits on the hold shelf for one hold only.
        Index(
            "uq_holds_ready_item",
            "item_id",
            unique=True,
            sqlite_where=text("status = 'ready'"),
            postgresql_where=text("status = 'ready'"),
        ),
        Index("ix_holds_library_status", "library_id", "status"),
        Index("ix_holds_record_status", "record_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    reader_id: Mapped[int] = mapped_column(ForeignKey("readers.id"), index=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    status: Mapped[HoldStatus] = mapped_column(str_enum(HoldStatus, "hold_status"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    ready_until: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(300))
    # The place in the record's queue at the school, taken under the record's lock when the
    # hold joins the queue (per record and library, increasing, never reused).
    queue_number: Mapped[int | None] = mapped_column(Integer)
    placed_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class Loan(Base):
    """A copy issued to a reader."""

    __tablename__ = "loans"
    __table_args__ = (
        # One copy is never on two loans: the database refuses it.
        Index(
            "uq_loans_open_item",
            "item_id",
            unique=True,
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
        Index("ix_loans_reader_open", "reader_id", "returned_at"),
        Index("ix_loans_library_due", "library_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    reader_id: Mapped[int] = mapped_column(ForeignKey("readers.id"))
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("holds.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    returned_at: Mapped[datetime | None]
    renewals: Mapped[int] = mapped_column(SmallInteger, default=0)
    issued_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    returned_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    item: Mapped[Item] = relationship(lazy="raise")


# Reading projects --------------------------------------------------------------------------


class Project(Base):
    """A reading project: a class marathon, a summer list, a network festival. Its audience is
    who may see and join it: «school», «network», «classes 7А 7Б», «grades 7 8»."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id"))  # None: network
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")  # its aim, in the librarian's words
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    audience: Mapped[str] = mapped_column(String(120), default="school", server_default="school")
    # «open»: anyone of the audience joins with a button; «invite»: only with the code.
    join_mode: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    leaderboard: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    status: Mapped[str] = mapped_column(String(10), default="running", server_default="running")
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL")
    )


class ProjectBook(Base):
    """A book of a project's reading list."""

    __tablename__ = "project_books"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[int] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class ProjectMember(Base):
    __tablename__ = "project_members"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    reader_id: Mapped[int] = mapped_column(ForeignKey("readers.id"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProjectCurator(Base):
    """A teacher (or another librarian) who curates a project, or one class of it."""

    __tablename__ = "project_curators"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    class_name: Mapped[str | None] = mapped_column(String(8))  # None: the whole project


class ProjectTask(Base):
    """A task of a project: «answer» a question, «submit» a work (text, photo, document,
    link); reading the list's books is the project's own progress (project_reads)."""

    __tablename__ = "project_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10), default="submit", server_default="submit")
    position: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")


class ProjectRead(Base):
    """A member read a book of the list: marked by them, or when they returned a copy."""

    __tablename__ = "project_reads"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    reader_id: Mapped[int] = mapped_column(
        ForeignKey("readers.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[int] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
    via: Mapped[str] = mapped_column(String(10), default="mark")  # «mark» | «return»


class ProjectWork(Base):
    """A submitted work or answer; accepted, it may become a student-work record with its own
    access scope (records.kind «student_work»)."""

    __tablename__ = "project_works"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("project_tasks.id"))
    reader_id: Mapped[int] = mapped_column(ForeignKey("readers.id"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(10), default="text", server_default="text")
    text: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    link: Mapped[str | None] = mapped_column(Text)
    # «submitted» → «accepted» or «returned» (with a comment); «withdrawn» at the author's ask.
    status: Mapped[str] = mapped_column(String(10), default="submitted", server_default="submitted")
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    withdraw_asked_at: Mapped[datetime | None]


# E-resources ---------------------------------------------------------------------------------


class ECollection(Base):
    """A collection of e-resources the network's schools use (ЛитРес: Школа, НЭБ, НЭДБ …).
    `lends`: a librarian grants a reader access to a title for a while (ЛитРес's model)."""

    __tablename__ = "e_collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    lends: Mapped[bool] = mapped_column(Boolean, default=False)
    open_to_all: Mapped[bool] = mapped_column(Boolean, default=False)  # НЭБ: no subscription


class LibrarySubscription(Base):
    """A library subscribes to a collection: its readers may read the collection's titles."""

    __tablename__ = "library_subscriptions"

    library_id: Mapped[int] = mapped_column(
        ForeignKey("libraries.id", ondelete="CASCADE"), primary_key=True
    )
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("e_collections.id", ondelete="CASCADE"), primary_key=True
    )
    since: Mapped[date | None] = mapped_column(Date)


class ELoan(Base):
    """A reader's access to one e-book of a lending collection: asked, granted until a date by
    the librarian, ended."""

    __tablename__ = "e_loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    reader_id: Mapped[int] = mapped_column(ForeignKey("readers.id", ondelete="CASCADE"))
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="asked")  # asked|granted|ended|refused
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    granted_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )


# Delivery, audit, bookkeeping --------------------------------------------------------------


class OutboxMessage(Base):
    """A notification to a person, written in the same transaction as its cause."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_priority_not_before", "status", "priority", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Whose claim the row is under: a dispatcher marks only rows still carrying its own token.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    # Its lane (db.enums.Priority): due-date and hold notices go before broadcasts.
    priority: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Question(Base):
    """A reader's or a parent's question to their school's librarian, and the answer, which
    goes back to the account the question came from."""

    __tablename__ = "questions"
    # An erased reader's question numbers are never given again: an old «Ответить» button
    # must not open someone else's question (SQLite would reuse the highest id).
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class BroadcastStatus(StrEnum):
    """Where a librarian's broadcast stands (its messages are outbox rows of their own)."""

    SENDING = "sending"
    CANCELLED = "cancelled"  # stopped: the rows not yet sent were marked so
    DONE = "done"  # no row of it is waiting any more


# The fund's accounting and the reports ---------------------------------------------------------


class FundReceipt(Base):
    """A delivery of copies (the summary register's part 1): when, from where, on what
    document. Every copy points to the receipt it came with."""

    __tablename__ = "fund_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    received_on: Mapped[date] = mapped_column(Date)
    source: Mapped[ReceiptSource] = mapped_column(str_enum(ReceiptSource, "receipt_source"))
    document: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FundWriteOff(Base):
    """An act writing copies off (the summary register's part 2)."""

    __tablename__ = "fund_write_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    act_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[WriteOffReason] = mapped_column(str_enum(WriteOffReason, "write_off_reason"))
    document: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeskVisit(Base):
    """A reader's day at the desk (a loan, a return, a renewal, a pickup): one row per reader
    per local day, the «посещение» of the statutory figures."""

    __tablename__ = "desk_visits"

    library_id: Mapped[int] = mapped_column(
        ForeignKey("libraries.id", ondelete="CASCADE"), primary_key=True
    )
    reader_id: Mapped[int] = mapped_column(
        ForeignKey("readers.id", ondelete="CASCADE"), primary_key=True
    )
    visited_on: Mapped[date] = mapped_column(Date, primary_key=True)


class LibraryEvent(Base):
    """An event the library held (a lesson, a meeting with an author): its visitors count as
    visits in the figures."""

    __tablename__ = "library_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    visitors: Mapped[int] = mapped_column(Integer)
    created_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportDigest(Base):
    """A person who asked for the weekly report digest (a librarian for their school, a
    methodologist for the network)."""

    __tablename__ = "report_digests"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    since: Mapped[datetime] = mapped_column(default=utcnow)


class TextbookSetEntry(Base):
    """A textbook every student of a grade of the library should have: one line of the
    school's УМК list. The textbook coverage of a class of that grade counts these, so a
    textbook nobody has shows as 0 % (db.indicators `textbook_coverage`)."""

    __tablename__ = "textbook_sets"
    __table_args__ = (
        UniqueConstraint("library_id", "grade", "record_id"),
        CheckConstraint("grade BETWEEN 1 AND 11", name="grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    grade: Mapped[int] = mapped_column(SmallInteger)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredFile(Base):
    """A file kept for the messages that carry it (a broadcast's photo or document): sent to
    each recipient from here, whatever messenger it came in by."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "photo" | "document"
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Broadcast(Base):
    """A message from a librarian to a part of their library's readers and parents, or from an
    admin to the librarians of a network (then `network_id` is set, `library_id` is not); one
    outbox row per person carries it (dedupe key «broadcast:<id>:<person>»)."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint("(library_id IS NULL) <> (network_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    author_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    audience: Mapped[str] = mapped_column(String(60))  # «class 7Б both», «overdue readers»
    text: Mapped[str] = mapped_column(Text)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    status: Mapped[BroadcastStatus] = mapped_column(
        str_enum(BroadcastStatus, "broadcast_status"), default=BroadcastStatus.SENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryStatus(StrEnum):
    """Where one notice stands with one account."""

    PENDING = "pending"  # planned: to be sent in the round that leased it
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the person blocked the bot there
    FAILED = "failed"  # this try failed: tried again with the notice's next attempt


class OutboxDelivery(Base):
    """One notice to one of the person's accounts: each account gets it once, and a failure on
    one account is retried there alone."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (UniqueConstraint("outbox_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who did what and when; refused attempts included. No personal data in `detail`."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_library_at", "library_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[AuditOutcome] = mapped_column(
        str_enum(AuditOutcome, "audit_outcome"), default=AuditOutcome.OK
    )
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The same refusal from one account again: counted on one row, with the last time.
    repeats: Mapped[int] = mapped_column(Integer, default=1)
    last_at: Mapped[datetime | None]


class ProcessedUpdate(Base):
    """Messenger updates already handled: a redelivered update changes nothing."""

    __tablename__ = "processed_updates"

    messenger: Mapped[Messenger] = mapped_column(str_enum(Messenger, "messenger"), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ConversationState(Base):
    """What a conversation waits for next (e.g. an inventory number), per account."""

    __tablename__ = "conversation_states"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InstallationSetting(Base):
    """Facts about this installation, e.g. `catalog_id`: the identity of this very catalog, so
    a search index saved to disk is never loaded for another database."""

    __tablename__ = "installation"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class RateSlot(Base):
    """A messenger token's request rate, shared by every process of a deployment: the moment
    (seconds since the epoch, by the database server's clock) from which the next request may
    go. `key` names the token without holding it (bot/pacing.py)."""

    __tablename__ = "rate_slots"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_at: Mapped[float] = mapped_column(Double)


class ButtonToken(Base):
    """The meaning of a button, kept on the server: payloads sent out are opaque tokens."""

    __tablename__ = "button_tokens"

    token: Mapped[str] = mapped_column(String(16), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(40))
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
