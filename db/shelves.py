"""Shelves of books chosen for a reader: a subject, new arrivals, what a grade reads, alike.

Every shelf leaves out textbooks (a reader browsing «приключения» does not mean them) and
records above the reader's age mark. Loans are only ever counted, never shown per reader:
«what readers of the 7th grade borrow most» counts a book only once several readers of that
grade have borrowed it (`MIN_READERS`), so no single reader can be told from the list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import AccessScope, RecordKind
from db.models import Item, Library, Loan, Reader, Record
from db.school_classes import grade_of
from nlu.subjects import bbk_subjects, record_subjects

CHUNK = 500  # values in one IN (…)
NEW_FOR = timedelta(days=60)  # a copy that came in this recently is a new arrival
POPULAR_FOR = timedelta(days=365)  # loans counted for «what readers of a grade read»
MIN_READERS = 3  # a book is on the grade's list once this many of its readers borrowed it


def within_age(max_age: int | None) -> ColumnElement[bool]:
    """A record for everyone (shelves never show a student work kept to a school, a project
    or its author: those are found through the search, which knows who is asking) whose age
    mark is at most the reader's age (None: no limit)."""
    public = Record.access_scope == AccessScope.PUBLIC
    if max_age is None:
        return public
    return public & or_(Record.age_mark.is_(None), Record.age_mark <= max_age)


def for_reader(max_age: int | None) -> ColumnElement[bool]:
    """Not a textbook, and within the reader's age (None: no limit)."""
    return (Record.kind != RecordKind.TEXTBOOK) & within_age(max_age)


async def subject_records(session: AsyncSession, subject: str, max_age: int | None) -> list[int]:
    """Records of a subject (nlu.subjects keys), through their headings and BBK index.

    The catalog's distinct heading lists and BBK indexes are read and matched against the
    subject table, then the records carrying a matching one are selected: the matching itself
    is morphology (pymorphy3), which no SQL dialect does.
    """
    fiction = for_reader(None)
    headings = [
        value
        for value in await session.scalars(select(Record.subjects).where(fiction).distinct())
        if value and subject in record_subjects(value)
    ]
    indexes = [
        value
        for value in await session.scalars(select(Record.bbk).where(fiction).distinct())
        if value and subject in bbk_subjects(value)
    ]
    found: set[int] = set()
    for column, values in ((Record.subjects, headings), (Record.bbk, indexes)):
        for start in range(0, len(values), CHUNK):
            found.update(
                await session.scalars(
                    select(Record.id).where(
                        column.in_(values[start : start + CHUNK]), for_reader(max_age)
                    )
                )
            )
    return sorted(found)


async def loan_counts(session: AsyncSession, record_ids: Sequence[int]) -> dict[int, int]:
    """How many times each record was borrowed, across the network (every library)."""
    counts: dict[int, int] = {}
    for start in range(0, len(record_ids), CHUNK):
        rows = await session.execute(
            select(Item.record_id, func.count(Loan.id))
            .join(Loan, Loan.item_id == Item.id)
            .where(Item.record_id.in_(record_ids[start : start + CHUNK]))
            .group_by(Item.record_id)
        )
        counts.update({record_id: count for record_id, count in rows})
    return counts


async def best_loved(session: AsyncSession, record_ids: Iterable[int]) -> list[int]:
    """The records, most borrowed first (then by title, for a stable order)."""
    ids = list(dict.fromkeys(record_ids))
    counts = await loan_counts(session, ids)
    titles = dict(
        (await session.execute(select(Record.id, Record.title).where(Record.id.in_(ids)))).all()
        if ids
        else []
    )
    return sorted(ids, key=lambda r: (-counts.get(r, 0), titles.get(r, ""), r))


async def new_arrivals(
    session: AsyncSession, library_ids: Sequence[int], max_age: int | None, now: datetime
) -> list[int]:
    """Records whose copies came to these libraries within `NEW_FOR`, newest first."""
    if not library_ids:
        return []
    arrived = func.max(Item.created_at)
    rows = await session.execute(
        select(Item.record_id, arrived)
        .join(Record, Record.id == Item.record_id)
        .where(
            Item.library_id.in_(library_ids),
            Item.created_at >= now - NEW_FOR,
            for_reader(max_age),
        )
        .group_by(Item.record_id)
        .order_by(arrived.desc(), Item.record_id)
    )
    return [record_id for record_id, _ in rows]


async def popular_in_grade(
    session: AsyncSession,
    network_id: int | None,
    grade: int | None,
    max_age: int | None,
    now: datetime,
    limit: int = 10,
) -> list[int]:
    """What readers of a grade (any grade: None) borrowed most over `POPULAR_FOR`, counted
    by distinct readers, each book borrowed by at least `MIN_READERS` of them."""
    readers = func.count(distinct(Loan.reader_id))
    query = (
        select(Item.record_id, readers)
        .join(Loan, Loan.item_id == Item.id)
        .join(Record, Record.id == Item.record_id)
        .join(Reader, Reader.id == Loan.reader_id)
        .where(Loan.issued_at >= now - POPULAR_FOR, for_reader(max_age))
        .group_by(Item.record_id)
        .having(readers >= MIN_READERS)
        .order_by(readers.desc(), Item.record_id)
    )
    if grade is not None:
        classes = [
            name
            for name in await session.scalars(select(Reader.class_name).distinct())
            if grade_of(name) == grade
        ]
        query = query.where(Reader.class_name.in_(classes))
    if network_id is not None:
        query = query.join(Library, Library.id == Loan.library_id).where(
            Library.network_id == network_id
        )
    return [record_id for record_id, _ in await session.execute(query.limit(limit))]


async def similar_records(
    session: AsyncSession, record: Record, max_age: int | None, limit: int = 10
) -> list[int]:
    """Records alike: the same numbered series (in its order), then the same author, then
    shared subjects; the best-loved first among equals. A textbook's likes are textbooks; a
    book's are not."""
    likeness: Counter[int] = Counter()
    places: dict[int, int] = {}  # the series' books, to come in the series' order
    textbook = record.kind == RecordKind.TEXTBOOK
    alike = ((Record.kind == RecordKind.TEXTBOOK) == textbook) & within_age(max_age)
    if record.series and record.series_number:  # a numbered series, not a publisher's
        for other, place in await session.execute(
            select(Record.id, Record.series_number).where(Record.series == record.series, alike)
        ):
            likeness[other] += 4
            places[other] = place or 0
    for author in record.author_list[:3]:
        written = Record.authors.like(f"%{_like(author)}%", escape="\\")
        for other in await session.scalars(select(Record.id).where(written, alike)):
            likeness[other] += 3
    if not textbook:
        for subject in record_subjects(record.subjects, record.bbk):
            for other in await subject_records(session, subject, max_age):
                likeness[other] += 1
    likeness.pop(record.id, None)
    order = await best_loved(session, likeness)
    return sorted(order, key=lambda r: (-likeness[r], places.get(r, 0)))[:limit]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def library_names(session: AsyncSession, library_ids: Sequence[int]) -> list[str]:
    """The libraries' short names, in id order."""
    return list(
        await session.scalars(
            select(Library.short_name).where(Library.id.in_(library_ids)).order_by(Library.id)
        )
    )


async def network_of(session: AsyncSession, library_id: int) -> int | None:
    return await session.scalar(select(Library.network_id).where(Library.id == library_id))


async def series_books(
    session: AsyncSession, series: str, max_age: int | None
) -> list[tuple[int, int, str]]:
    """(place, record id, title) of a numbered series' books, in order."""
    rows = await session.execute(
        select(Record.series_number, Record.id, Record.title)
        .where(Record.series == series, Record.series_number.is_not(None), within_age(max_age))
        .order_by(Record.series_number, Record.id)
    )
    return [(number, record_id, title) for number, record_id, title in rows]
