"""The library's figures for a period: readers, visits, loans and the four statutory ratios
(читаемость, посещаемость, обращаемость, книгообеспеченность), with what each is made of, so
a report can print its formula; loans by month, the most wanted titles, overdue loans by class,
textbook coverage by class; the same per school and in total for the network's methodologist.

Every figure is one SQL count, described where it is computed. A period is a range of the
library's LOCAL days, both ends included: [start 00:00, end+1 00:00) in its time zone.

- readers: readers of the library (any category, erased or not: they were readers then) with
  at least one desk visit or one loan issued in the period. A loan issued counts by itself too,
  so a loan recorded without its visit (an import, the demo's history) still makes a reader.
- visits: desk visits in the period (one per reader per local day at the desk: a loan, a
  return, a renewal by the librarian, a pickup from the hold shelf) plus the visitors of the
  library's events held in the period.
- loans: loans of the library's copies issued in the period (a renewal is no new loan).
- fund: copies held at the end of the period (`db.fund.fund_at` on the end date), with or
  without textbooks as `Library.textbooks_in_fund` says; `Indicators.textbooks_in_fund` tells
  which way it was counted.
- читаемость = loans ÷ readers; посещаемость = visits ÷ readers; обращаемость = loans ÷ fund;
  книгообеспеченность = fund ÷ readers. A ratio with nothing to divide by is None.

Words stay out of here: a `Figure` names its parts by key, and `messages.indicators` writes the
formula («читаемость = выдачи ÷ читатели = 1240 ÷ 310 = 4,0»). No figure here carries a reader's
name: classes and counts only (the methodologist sees these).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, literal, or_, select, union, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor, require_librarian
from db.audit import audit
from db.dialect import insert_ignore
from db.enums import FundKind, ReaderCategory, RecordKind
from db.fund import fund_at
from db.models import (
    DeskVisit,
    Hold,
    Item,
    Library,
    LibraryEvent,
    Loan,
    Reader,
    Record,
    TextbookSetEntry,
)
from db.rules import local_today, zone
from db.school_classes import grade_of

# The keys a Figure's parts are named by (messages.indicators has their words).
READERS, VISITS, LOANS, FUND = "readers", "visits", "loans", "fund"
READING, ATTENDANCE, TURNOVER, SUPPLY = "reading", "attendance", "turnover", "supply"


# Recording ---------------------------------------------------------------------------------


async def note_visit(session: AsyncSession, library: Library, reader_id: int, at: datetime) -> None:
    """The reader was at the desk of the library at `at`: one row per reader per local day,
    however many books they took, returned or renewed that day."""
    values = {
        "library_id": library.id,
        "reader_id": reader_id,
        "visited_on": local_today(library, at),
    }
    await insert_ignore(session, DeskVisit, values, ["library_id", "reader_id", "visited_on"])


async def record_event(
    session: AsyncSession, actor: Actor, library_id: int, held_on: date, title: str, visitors: int
) -> LibraryEvent:
    """An event the library held (a lesson, a meeting with an author), by its librarian: its
    visitors count as visits of the day it was held. Audited (the title stays out of the log)."""
    require_librarian(actor, library_id, "event.add")
    event = LibraryEvent(
        library_id=library_id,
        held_on=held_on,
        title=title,
        visitors=visitors,
        created_by_person_id=actor.person_id,
    )
    session.add(event)
    await session.flush()
    audit(
        session,
        actor,
        "event.add",
        library_id=library_id,
        object_type="event",
        object_id=event.id,
        held_on=held_on.isoformat(),
        visitors=visitors,
    )
    return event


async def remove_event(session: AsyncSession, actor: Actor, event_id: int) -> LibraryEvent | None:
    """Take back an event recorded by mistake; None if it is gone already. Audited."""
    event = await session.get(LibraryEvent, event_id)
    if event is None:
        return None
    require_librarian(actor, event.library_id, "event.remove")
    await session.delete(event)
    audit(
        session,
        actor,
        "event.remove",
        library_id=event.library_id,
        object_type="event",
        object_id=event_id,
        held_on=event.held_on.isoformat(),
        visitors=event.visitors,
    )
    return event


async def recent_events(
    session: AsyncSession, library_id: int, since: date, limit: int = 10
) -> list[LibraryEvent]:
    """The library's events held on `since` or later, latest first."""
    return list(
        await session.scalars(
            select(LibraryEvent)
            .where(LibraryEvent.library_id == library_id, LibraryEvent.held_on >= since)
            .order_by(LibraryEvent.held_on.desc(), LibraryEvent.id.desc())
            .limit(limit)
        )
    )


# Periods -----------------------------------------------------------------------------------


def local_bounds(library: Library, start: date, end: date) -> tuple[datetime, datetime]:
    """The period's local days [start, end] as UTC moments [from, to)."""
    tz = zone(library)
    since = datetime.combine(start, time.min, tz).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tz).astimezone(UTC)
    return since, until


def end_of_local_day(library: Library, day: date) -> datetime:
    """The first moment after the local day `day`, in UTC."""
    return local_bounds(library, day, day)[1]


async def _library(session: AsyncSession, library_id: int) -> Library:
    found = await session.get(Library, library_id)
    if found is None:
        raise LookupError(f"no library {library_id}")
    return found


# The figures -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """A ratio and what it is made of: `key` = `top_key` ÷ `bottom_key` = top ÷ bottom."""

    key: str
    top_key: str
    bottom_key: str
    top: int
    bottom: int

    @property
    def value(self) -> float | None:
        return self.top / self.bottom if self.bottom else None


@dataclass(frozen=True, slots=True)
class Indicators:
    """A library's figures for a period (see the module's docstring for what each counts)."""

    library_id: int | None  # None: a network's total
    start: date
    end: date
    readers: int
    desk_visits: int
    event_visitors: int
    loans: int
    fund: int
    textbooks_in_fund: bool | None  # None: a total over schools that count differently

    @property
    def visits(self) -> int:
        return self.desk_visits + self.event_visitors

    @property
    def reading(self) -> Figure:
        """Читаемость: loans ÷ readers."""
        return Figure(READING, LOANS, READERS, self.loans, self.readers)

    @property
    def attendance(self) -> Figure:
        """Посещаемость: visits ÷ readers."""
        return Figure(ATTENDANCE, VISITS, READERS, self.visits, self.readers)

    @property
    def turnover(self) -> Figure:
        """Обращаемость: loans ÷ fund."""
        return Figure(TURNOVER, LOANS, FUND, self.loans, self.fund)

    @property
    def supply(self) -> Figure:
        """Книгообеспеченность: fund ÷ readers."""
        return Figure(SUPPLY, FUND, READERS, self.fund, self.readers)

    @property
    def figures(self) -> tuple[Figure, Figure, Figure, Figure]:
        return self.reading, self.attendance, self.turnover, self.supply


async def indicators(session: AsyncSession, library_id: int, start: date, end: date) -> Indicators:
    """The library's figures for its local days start..end (both included)."""
    library = await _library(session, library_id)
    since, until = local_bounds(library, start, end)
    return Indicators(
        library_id=library.id,
        start=start,
        end=end,
        readers=await count_readers(session, library.id, start, end, since, until),
        desk_visits=await count_desk_visits(session, library.id, start, end),
        event_visitors=await count_event_visitors(session, library.id, start, end),
        loans=await count_loans(session, library.id, since, until),
        fund=await fund_size(session, library, end),
        textbooks_in_fund=library.textbooks_in_fund,
    )


async def count_readers(
    session: AsyncSession, library_id: int, start: date, end: date, since: datetime, until: datetime
) -> int:
    """Readers of the library seen in the period:

    SELECT count(*) FROM (SELECT reader_id FROM desk_visits WHERE library_id = :l AND
    visited_on BETWEEN :start AND :end UNION SELECT reader_id FROM loans JOIN readers … WHERE
    loans.library_id = :l AND readers.library_id = :l AND issued_at >= :since AND issued_at <
    :until)."""
    visited = select(DeskVisit.reader_id.label("reader_id")).where(
        DeskVisit.library_id == library_id, DeskVisit.visited_on.between(start, end)
    )
    borrowed = (
        select(Loan.reader_id.label("reader_id"))
        .join(Reader, Reader.id == Loan.reader_id)
        .where(
            Loan.library_id == library_id,
            Reader.library_id == library_id,
            Loan.issued_at >= since,
            Loan.issued_at < until,
        )
    )
    seen = union(visited, borrowed).subquery()
    return await session.scalar(select(func.count()).select_from(seen)) or 0


async def count_desk_visits(session: AsyncSession, library_id: int, start: date, end: date) -> int:
    """SELECT count(*) FROM desk_visits WHERE library_id = :l AND visited_on BETWEEN :start AND
    :end."""
    return (
        await session.scalar(
            select(func.count())
            .select_from(DeskVisit)
            .where(DeskVisit.library_id == library_id, DeskVisit.visited_on.between(start, end))
        )
        or 0
    )


async def count_event_visitors(
    session: AsyncSession, library_id: int, start: date, end: date
) -> int:
    """SELECT coalesce(sum(visitors), 0) FROM library_events WHERE library_id = :l AND held_on
    BETWEEN :start AND :end."""
    return (
        await session.scalar(
            select(func.coalesce(func.sum(LibraryEvent.visitors), 0)).where(
                LibraryEvent.library_id == library_id, LibraryEvent.held_on.between(start, end)
            )
        )
        or 0
    )


async def count_loans(
    session: AsyncSession, library_id: int, since: datetime, until: datetime
) -> int:
    """SELECT count(*) FROM loans WHERE library_id = :l AND issued_at >= :since AND issued_at <
    :until."""
    return (
        await session.scalar(
            select(func.count())
            .select_from(Loan)
            .where(Loan.library_id == library_id, Loan.issued_at >= since, Loan.issued_at < until)
        )
        or 0
    )


def is_textbook() -> Any:
    """A record that is a textbook in the fund's breakdown (as `db.fund.fund_kind_of` says):
    its own fund kind says so, or, having none, its catalog kind does."""
    return or_(
        Record.fund_kind == FundKind.TEXTBOOK,
        and_(Record.fund_kind.is_(None), Record.kind == RecordKind.TEXTBOOK),
    )


async def fund_size(session: AsyncSession, library: Library, on: date) -> int:
    """The copies the library holds at the end of the local day `on`, with or without
    textbooks as the library counts them: `db.fund.fund_at`, summed over kinds and media (a
    copy with no receipt is not in the fund; see there)."""
    held = await fund_at(session, library.id, on, textbooks=library.textbooks_in_fund)
    return held.total


# Tables for the charts ---------------------------------------------------------------------


class MonthLoans(NamedTuple):
    month: date  # the month's first day
    loans: int


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


async def monthly_loans(
    session: AsyncSession, library_id: int, start: date, end: date
) -> list[MonthLoans]:
    """Loans issued in each local month of the period (the period's own ends cut the first and
    the last month), months with none included:

    SELECT CASE WHEN issued_at < :m2 THEN 0 WHEN issued_at < :m3 THEN 1 … END, count(*) FROM
    loans WHERE library_id = :l AND issued_at >= :since AND issued_at < :until GROUP BY 1."""
    library = await _library(session, library_id)
    since, until = local_bounds(library, start, end)
    months = _months(start, end)
    bounds = [local_bounds(library, month, month)[0] for month in months[1:]]
    bucket: Any = (
        case(*((Loan.issued_at < bound, k) for k, bound in enumerate(bounds)), else_=len(bounds))
        if bounds
        else literal(0)
    ).label("bucket")
    rows = await session.execute(
        select(bucket, func.count())
        .where(Loan.library_id == library.id, Loan.issued_at >= since, Loan.issued_at < until)
        .group_by(bucket)
    )
    counts = {int(k): n for k, n in rows}
    return [MonthLoans(month, counts.get(k, 0)) for k, month in enumerate(months)]


class Wanted(NamedTuple):
    title: str
    wanted: int  # loans issued plus holds placed in the period


async def most_wanted(
    session: AsyncSession, library_id: int, start: date, end: date, limit: int = 10
) -> list[Wanted]:
    """The titles most asked for at the library in the period: loans issued plus holds placed,
    counted by title (editions of one title together), most first, then by title; textbooks
    are left out (they go out as class sets, not because they are asked for):

    SELECT title, count(*) FROM (SELECT record_id FROM loans JOIN items … WHERE loans.library_id
    = :l AND issued_at in the period UNION ALL SELECT record_id FROM holds WHERE library_id =
    :l AND created_at in the period) JOIN records WHERE kind <> 'textbook' GROUP BY title."""
    library = await _library(session, library_id)
    since, until = local_bounds(library, start, end)
    loaned = (
        select(Item.record_id.label("record_id"))
        .select_from(Loan)
        .join(Item, Item.id == Loan.item_id)
        .where(Loan.library_id == library.id, Loan.issued_at >= since, Loan.issued_at < until)
    )
    held = select(Hold.record_id.label("record_id")).where(
        Hold.library_id == library.id, Hold.created_at >= since, Hold.created_at < until
    )
    asked = union_all(loaned, held).subquery()
    count = func.count().label("wanted")
    rows = await session.execute(
        select(Record.title, count)
        .join(asked, asked.c.record_id == Record.id)
        .where(Record.kind != RecordKind.TEXTBOOK)
        .group_by(Record.title)
        .order_by(count.desc(), Record.title)
        .limit(limit)
    )
    return [Wanted(title, n) for title, n in rows]


class ClassOverdue(NamedTuple):
    class_name: str | None  # None: readers with no class (teachers, staff)
    readers: int
    loans: int


def _class_order(class_name: str | None) -> tuple[int, str]:
    return (grade_of(class_name) or 99, class_name or "\uffff")


async def overdue_by_class(
    session: AsyncSession, library_id: int, now: datetime
) -> list[ClassOverdue]:
    """Loans of the library open and past due at `now`, and their readers, by the reader's
    class (grade by grade; no class last):

    SELECT readers.class_name, count(DISTINCT loans.reader_id), count(*) FROM loans JOIN
    readers … WHERE loans.library_id = :l AND returned_at IS NULL AND due_at < :now GROUP BY
    readers.class_name."""
    rows = await session.execute(
        select(Reader.class_name, func.count(func.distinct(Loan.reader_id)), func.count())
        .select_from(Loan)
        .join(Reader, Reader.id == Loan.reader_id)
        .where(Loan.library_id == library_id, Loan.returned_at.is_(None), Loan.due_at < now)
        .group_by(Reader.class_name)
    )
    found = [ClassOverdue(name, readers, loans) for name, readers, loans in rows]
    return sorted(found, key=lambda row: _class_order(row.class_name))


class Coverage(NamedTuple):
    class_name: str
    subject: str  # the textbook's title: «Алгебра. 7 класс» names its subject and grade
    share: float  # holding ÷ students
    holding: int  # students of the class with a copy on loan that day
    students: int  # students of the class
    declared: bool = False  # the textbook is of the grade's declared set (else: inferred)


async def textbook_coverage(session: AsyncSession, library_id: int, on: date) -> list[Coverage]:
    """How well each class is supplied with its textbooks at the end of the local day `on`:
    for each textbook of the class's set, the students of the class having a copy of it on
    loan ÷ the students of the class (readers of the library of category student, in that
    class, not erased).

    A class's set is, for a class whose grade has a declared set (db.textbook_sets, the
    school's УМК list), every textbook of that list — a textbook nobody of the class has is a
    row with 0 students (`declared` True); a textbook lent to the class outside the list is
    not counted. For a class whose grade has none, the set is inferred from what was lent:
    every textbook (see `is_textbook`) that at least one student of the class had on loan that
    day (`declared` False) — there a textbook nobody has does not show, nor a class with no
    textbook on loan.

    holding: SELECT class_name, record_id, count(DISTINCT reader_id) FROM loans JOIN items JOIN
    records JOIN readers WHERE loans.library_id = :l AND readers are such students AND the
    record is a textbook AND issued_at < :until AND (returned_at IS NULL OR returned_at >=
    :until) GROUP BY class_name, record_id; students: SELECT class_name, count(*) FROM readers
    WHERE such students GROUP BY class_name; declared: SELECT grade, record_id, title FROM
    textbook_sets JOIN records WHERE library_id = :l."""
    library = await _library(session, library_id)
    until = end_of_local_day(library, on)
    student = and_(
        Reader.library_id == library.id,
        Reader.category == ReaderCategory.STUDENT,
        Reader.class_name.is_not(None),
        Reader.erased_at.is_(None),
    )
    students = dict(
        (
            await session.execute(
                select(Reader.class_name, func.count()).where(student).group_by(Reader.class_name)
            )
        ).all()
    )
    rows = await session.execute(
        select(
            Reader.class_name, Record.id, Record.title, func.count(func.distinct(Loan.reader_id))
        )
        .select_from(Loan)
        .join(Item, Item.id == Loan.item_id)
        .join(Record, Record.id == Item.record_id)
        .join(Reader, Reader.id == Loan.reader_id)
        .where(
            Loan.library_id == library.id,
            student,
            is_textbook(),
            Loan.issued_at < until,
            or_(Loan.returned_at.is_(None), Loan.returned_at >= until),
        )
        .group_by(Reader.class_name, Record.id, Record.title)
    )
    holding = {(name, record_id): (title, n) for name, record_id, title, n in rows}
    declared: dict[int, list[tuple[int, str]]] = {}
    for grade, record_id, title in await session.execute(
        select(TextbookSetEntry.grade, Record.id, Record.title)
        .join(Record, Record.id == TextbookSetEntry.record_id)
        .where(TextbookSetEntry.library_id == library.id)
    ):
        declared.setdefault(grade, []).append((record_id, title))
    found = []
    for name, count in students.items():
        textbooks = declared.get(grade_of(name) or 0)
        if textbooks is None:
            found += [
                Coverage(name, title, n / count, n, count)
                for (of, _), (title, n) in holding.items()
                if of == name
            ]
            continue
        for record_id, title in textbooks:
            n = holding.get((name, record_id), ("", 0))[1]
            found.append(Coverage(name, title, n / count, n, count, declared=True))
    return sorted(found, key=lambda row: (*_class_order(row.class_name), row.subject))


# The network -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchoolIndicators:
    """One school's figures (or, with no library, the network's total): the school's short
    name and counts, nothing about any reader."""

    library_id: int | None  # None: the total of the network
    school: str | None  # the library's short name; None for the total
    figures: Indicators

    @property
    def is_total(self) -> bool:
        return self.library_id is None


async def network_indicators(
    session: AsyncSession, network_id: int, start: date, end: date
) -> list[SchoolIndicators]:
    """Every school of the network in order of its id, then the total: readers, visits, loans
    and fund summed (a reader belongs to one school), the ratios of the sums. Counts only."""
    libraries: Sequence[Library] = list(
        await session.scalars(
            select(Library).where(Library.network_id == network_id).order_by(Library.id)
        )
    )
    schools = [
        SchoolIndicators(
            library.id, library.short_name, await indicators(session, library.id, start, end)
        )
        for library in libraries
    ]
    ways = {school.figures.textbooks_in_fund for school in schools}
    total = Indicators(
        library_id=None,
        start=start,
        end=end,
        readers=sum(s.figures.readers for s in schools),
        desk_visits=sum(s.figures.desk_visits for s in schools),
        event_visitors=sum(s.figures.event_visitors for s in schools),
        loans=sum(s.figures.loans for s in schools),
        fund=sum(s.figures.fund for s in schools),
        textbooks_in_fund=ways.pop() if len(ways) == 1 else None,
    )
    return [*schools, SchoolIndicators(None, None, total)]
