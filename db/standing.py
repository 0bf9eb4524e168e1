"""A reader's standing at their library: what counts against the loan limit, overdue books and
a block. Checked when a reader asks for a book, when a librarian approves, and at issue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.access import reader_age
from db.enums import HoldStatus, ReaderCategory, RecordKind
from db.models import Hold, Item, Loan, Reader, Record
from db.rules import rule_for


def same_limit(kind: RecordKind) -> ColumnElement[bool]:
    """Records counted against the same limit: textbooks apart from everything else."""
    if kind == RecordKind.TEXTBOOK:
        return Record.kind == RecordKind.TEXTBOOK
    return Record.kind != RecordKind.TEXTBOOK


async def loans_under_rule(
    session: AsyncSession, reader_id: int, library_id: int, kind: RecordKind
) -> int:
    """Open loans of the reader at the library that count against the same limit."""
    return (
        await session.scalar(
            select(func.count())
            .select_from(Loan)
            .join(Item, Item.id == Loan.item_id)
            .join(Record, Record.id == Item.record_id)
            .where(
                Loan.reader_id == reader_id,
                Loan.library_id == library_id,
                Loan.returned_at.is_(None),
                same_limit(kind),
            )
        )
        or 0
    )


async def holds_under_rule(
    session: AsyncSession,
    reader_id: int,
    library_id: int,
    kind: RecordKind,
    statuses: Iterable[HoldStatus],
    excluding: int | None = None,
) -> int:
    """Holds in `statuses` that would become loans under the same limit."""
    query = (
        select(func.count())
        .select_from(Hold)
        .join(Record, Record.id == Hold.record_id)
        .where(
            Hold.reader_id == reader_id,
            Hold.library_id == library_id,
            Hold.status.in_(list(statuses)),
            same_limit(kind),
        )
    )
    if excluding is not None:
        query = query.where(Hold.id != excluding)
    return await session.scalar(query) or 0


@dataclass(frozen=True, slots=True)
class Standing:
    """What a librarian should know before saying yes to a reader's request."""

    blocked: bool
    taken: int  # loans and approved holds counting against the limit
    max_items: int
    overdue: int  # open loans past their due date

    @property
    def at_limit(self) -> bool:
        return self.taken >= self.max_items


APPROVED = (HoldStatus.QUEUED, HoldStatus.READY)


async def standing(
    session: AsyncSession, reader: Reader, kind: RecordKind, now: datetime, excluding: int
) -> Standing:
    """The reader's standing for one more `kind` of book, the hold `excluding` aside."""
    rule = await rule_for(session, reader.library_id, kind)
    taken = await loans_under_rule(session, reader.id, reader.library_id, kind)
    taken += await holds_under_rule(
        session, reader.id, reader.library_id, kind, APPROVED, excluding=excluding
    )
    overdue = await session.scalar(
        select(func.count())
        .select_from(Loan)
        .where(Loan.reader_id == reader.id, Loan.returned_at.is_(None), Loan.due_at < now)
    )
    return Standing(reader.blocked, taken, rule.max_items, overdue or 0)


# Age marks at the desk ------------------------------------------------------------------------

ADULT = 18


class AgeCheck(Exception):
    """A record marked above the reader's age (or 18+ for a reader of unknown age): the
    librarian must confirm before it goes to them. Nothing was changed."""

    def __init__(self, age_mark: int, age: int | None) -> None:
        super().__init__(age_mark)
        self.age_mark = age_mark
        self.age = age


def reader_age_now(reader: Reader, now: datetime) -> int | None:
    return reader_age(reader.birth_year, reader.class_name, now.date())


def above_age(record: Record, reader: Reader, now: datetime) -> bool:
    """True when the record's age mark is above a pupil's age; a pupil whose age is unknown
    counts as a minor. Textbooks go by the curriculum, not by the mark."""
    if record.kind == RecordKind.TEXTBOOK or not record.age_mark:
        return False
    if reader.category != ReaderCategory.STUDENT:  # teachers and staff are adults
        return False
    age = reader_age_now(reader, now)
    return record.age_mark > (age if age is not None else ADULT - 1)
