"""The demo's year, for the reports: what /report shows the moment the demo starts.

On top of the loans of db/demo/history.py (returned, 30 to 330 days ago):

- the fund's accounting: every copy came with the transfer of the old catalog a year ago (one
  receipt of source «import» per school), but this autumn's arrivals, bought on their own
  delivery notes; a gift of the parents' committee at school-1; an act writing worn-out
  textbooks off at school-2 last June;
- loans of the last month, returned (so the current month is not empty), at school-1 and
  school-2;
- a few loans overdue now, in several classes of school-2 (never the personas' cards);
- textbook sets on loan since September in 10А and 11А of school-1 and school-2 (a few
  students without one of them), for the coverage by class;
- the 10th and 11th grades' declared textbook lists (db.textbook_sets) at school-1 and
  school-2: the textbooks lent them and the astronomy textbook that came on this autumn's
  delivery note and is issued to nobody yet, so the coverage shows it at 0 %;
- the readers' days at the desk (one per reader per local day of a loan or a return);
- two library events: a meeting with a writer at school-1, a library lesson at school-2.

Deterministic: a seeded random of its own and dates from the demo's `now`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.catalog_import import ImportReport, import_records
from db.demo.history import LONG_AGO, NEW_ARRIVALS, PERSONA_CARD
from db.dialect import insert_ignore
from db.enums import ItemStatus, ReceiptSource, RecordKind, WriteOffReason
from db.importers.types import ParsedRecord
from db.models import (
    DeskVisit,
    FundReceipt,
    FundWriteOff,
    Item,
    Library,
    LibraryEvent,
    Loan,
    Person,
    Reader,
    Record,
    TextbookSetEntry,
)
from db.rules import local_today

RECENT_LOANS = 24  # returned loans of the last month, per school
# Loans overdue now, by class: school-2's only (school-1 keeps the one overdue book of the
# persona «student», the one its walkthroughs count on), three weeks late or more — past the
# reminders' last step, so they add no notice to any day the demo is run on.
OVERDUE = {"school-2": {"5Б": 1, "7А": 2, "9А": 1, "10А": 1}}
OVERDUE_ISSUED = (36, 46)  # days ago: due 22 to 32 days ago
TEXTBOOK_SETS = {  # classes, their textbooks since September, students without one of them
    "10А": (("Геометрия. 10–11 классы", "Физика. 10 класс"), 5),
    "11А": (("Геометрия. 10–11 классы",), 1),
}
# Only the last third of a class's cards borrow in this module: the first ones stay as the
# rest of the demo left them (the readers most tests and walkthroughs pick).
LAST_OF_CLASS = 4
GIFT_TITLES = 3  # copies the parents' committee gave school-1 (titles with spare copies)
WORN_OUT = 4  # copies written off last June: old primary-school textbooks
WRITE_OFF_AT = "school-2"
# A textbook of the 10th and 11th grades' lists that nobody has yet: it came this autumn.
NEW_TEXTBOOK = "Астрономия. 10–11 классы"
NEW_TEXTBOOK_COPIES = 25
NEW_TEXTBOOK_DAYS = 12  # delivered this many days ago, on its own note
DECLARED = {  # grade → its declared textbook list (db.textbook_sets)
    10: ("Геометрия. 10–11 классы", "Физика. 10 класс", NEW_TEXTBOOK),
    11: ("Геометрия. 10–11 классы", NEW_TEXTBOOK),
}
EVENTS = {
    "school-1": ("Встреча с детским писателем", 45, 32),  # title, visitors, days ago
    "school-2": ("Библиотечный урок «Как найти книгу»", 28, 58),
}


async def year_of_history(
    session: AsyncSession,
    libraries: Sequence[Library],
    readers: dict[str, list[Reader]],
    librarians: dict[str, Person],
    now: datetime,
) -> None:
    """The reports' year for the demo network (see the module's docstring)."""
    rng = random.Random("reports:year")
    for library in libraries:
        if library.code in EVENTS:
            await _new_textbook(session, library, now, librarians[library.code])
    for library in libraries:
        await _receipts(session, library, now, librarians.get(library.code))
    for library in libraries:
        if library.code not in EVENTS:
            continue
        students = _last_of_classes(readers[library.code])
        librarian = librarians[library.code]
        if library.code == WRITE_OFF_AT:
            await _write_off(session, library, now, librarian, rng)
        await _recent_loans(session, library, students, librarian, now, rng)
        if library.code in OVERDUE:
            await _overdue(session, library, students, librarian, now, rng)
        everyone = [r for r in readers[library.code] if r.card_number != PERSONA_CARD]
        await _textbook_sets(session, library, everyone, librarian, now, rng)
        await _declared_sets(session, library, now)
        title, visitors, days = EVENTS[library.code]
        session.add(
            LibraryEvent(
                library_id=library.id,
                held_on=local_today(library, now - timedelta(days=days)),
                title=title,
                visitors=visitors,
                created_by_person_id=librarian.id,
                created_at=now - timedelta(days=days),
            )
        )
    await session.flush()
    for library in libraries:
        await _desk_visits(session, library, now)


def _last_of_classes(readers: Sequence[Reader]) -> list[Reader]:
    """The last LAST_OF_CLASS students of each class, by card number."""
    by_class: dict[str | None, list[Reader]] = {}
    for reader in readers:
        if reader.card_number != PERSONA_CARD:
            by_class.setdefault(reader.class_name, []).append(reader)
    return [
        reader
        for students in by_class.values()
        for reader in sorted(students, key=lambda r: int(r.card_number))[-LAST_OF_CLASS:]
    ]


# The fund ----------------------------------------------------------------------------------


async def _receipts(
    session: AsyncSession, library: Library, now: datetime, librarian: Person | None
) -> None:
    """The old catalog's transfer a year ago, this autumn's purchases on their own notes, and
    a gift to school-1."""
    long_ago = local_today(library, now - LONG_AGO)
    arrivals = await _arrival_items(session, library)
    by_day: dict[date, list[int]] = {}
    for item_id, created_at in arrivals:
        by_day.setdefault(local_today(library, created_at), []).append(item_id)
    for n, (day, item_ids) in enumerate(sorted(by_day.items()), start=1):
        receipt = _receipt(library, day, ReceiptSource.PURCHASE, f"Накладная № {400 + n}", now)
        receipt.created_by_person_id = librarian.id if librarian else None
        await _attach(session, receipt, item_ids)
    if library.code == "school-1":
        gift = await _spare_copies(session, library, GIFT_TITLES, exclude=_ids(arrivals))
        day = local_today(library, now - timedelta(days=75))
        receipt = _receipt(library, day, ReceiptSource.GIFT, "Дар родительского комитета", now)
        await _attach(session, receipt, gift)
    # Everything else: the catalog moved in a year ago (a catalog import's own receipt, if it
    # made one, dated so too).
    await session.execute(
        update(FundReceipt)
        .where(FundReceipt.library_id == library.id, FundReceipt.source == ReceiptSource.IMPORT)
        .values(received_on=long_ago)
    )
    rest = list(
        await session.scalars(
            select(Item.id).where(Item.library_id == library.id, Item.receipt_id.is_(None))
        )
    )
    if rest:
        receipt = _receipt(library, long_ago, ReceiptSource.IMPORT, "", now)
        await _attach(session, receipt, rest)


async def _arrival_items(session: AsyncSession, library: Library) -> list[tuple[int, datetime]]:
    titles = [title for title, _ in NEW_ARRIVALS]
    rows = await session.execute(
        select(Item.id, Item.created_at)
        .join(Record, Record.id == Item.record_id)
        .where(Item.library_id == library.id, Record.title.in_(titles))
        .order_by(Item.id)
    )
    return [(item_id, created_at) for item_id, created_at in rows]


def _ids(rows: Sequence[tuple[int, datetime]]) -> set[int]:
    return {item_id for item_id, _ in rows}


async def _spare_copies(
    session: AsyncSession, library: Library, n: int, *, exclude: set[int]
) -> list[int]:
    """The last copy of each of `n` books the library holds three or more of, never lent."""
    lent = select(Loan.item_id)
    rows = await session.execute(
        select(Item.record_id, func.max(Item.id), func.count())
        .join(Record, Record.id == Item.record_id)
        .where(
            Item.library_id == library.id,
            Item.status == ItemStatus.AVAILABLE,
            Record.kind == RecordKind.BOOK,
            Item.id.not_in(lent),
        )
        .group_by(Item.record_id)
        .having(func.count() >= 3)
        .order_by(Item.record_id)
    )
    return [item_id for _, item_id, _ in rows if item_id not in exclude][:n]


def _receipt(
    library: Library, day: date, source: ReceiptSource, document: str, now: datetime
) -> FundReceipt:
    return FundReceipt(
        library_id=library.id, received_on=day, source=source, document=document, created_at=now
    )


async def _attach(session: AsyncSession, receipt: FundReceipt, item_ids: list[int]) -> None:
    if not item_ids:
        return
    session.add(receipt)
    await session.flush()
    await session.execute(update(Item).where(Item.id.in_(item_ids)).values(receipt_id=receipt.id))


async def _write_off(
    session: AsyncSession, library: Library, now: datetime, librarian: Person, rng: random.Random
) -> None:
    """Last June's act: a few worn-out primary-school textbooks (the demo has no such classes),
    the last copies of their titles, out of the fund."""
    rows = await session.execute(
        select(Item.id, Record.title)
        .join(Record, Record.id == Item.record_id)
        .where(
            Item.library_id == library.id,
            Item.status == ItemStatus.AVAILABLE,
            Record.kind == RecordKind.TEXTBOOK,
            Record.title.like("% класс"),
        )
        .order_by(Item.id.desc())
    )
    last: dict[str, int] = {}
    for item_id, title in rows:
        if _primary(title):
            last.setdefault(title, item_id)
    worn = sorted(rng.sample(sorted(last.values()), min(WORN_OUT, len(last))))
    act = FundWriteOff(
        library_id=library.id,
        act_on=date(now.year if now.month > 6 else now.year - 1, 6, 20),
        reason=WriteOffReason.WORN,
        document="Акт № 3",
        created_by_person_id=librarian.id,
        created_at=now,
    )
    session.add(act)
    await session.flush()
    await session.execute(
        update(Item)
        .where(Item.id.in_(worn))
        .values(write_off_id=act.id, status=ItemStatus.WRITTEN_OFF)
    )


def _primary(title: str) -> bool:
    """«Азбука. 1 класс» … «… 4 класс»."""
    return any(title.endswith(f"{grade} класс") for grade in range(1, 5))


async def _new_textbook(
    session: AsyncSession, library: Library, now: datetime, librarian: Person
) -> None:
    """This autumn's astronomy textbooks for the 10th and 11th grades, on their own delivery
    note: in the fund, on the grades' lists, issued to nobody yet."""
    parsed = ParsedRecord(
        number=1,
        title=NEW_TEXTBOOK,
        authors=["Воронцов-Вельяминов Б. А.", "Страут Е. К."],
        year=2021,
        publisher="Просвещение",
        subjects=["астрономия", "учебник"],
        kind=RecordKind.TEXTBOOK.value,
        age_mark=12,
        copies=NEW_TEXTBOOK_COPIES,
    )
    await import_records(session, library, [parsed], ImportReport())
    delivered = now - timedelta(days=NEW_TEXTBOOK_DAYS)
    item_ids = list(
        await session.scalars(
            select(Item.id)
            .join(Record, Record.id == Item.record_id)
            .where(Item.library_id == library.id, Record.title == NEW_TEXTBOOK)
            .order_by(Item.id)
        )
    )
    await session.execute(update(Item).where(Item.id.in_(item_ids)).values(created_at=delivered))
    day = local_today(library, delivered)
    receipt = _receipt(library, day, ReceiptSource.PURCHASE, "Накладная № 455", now)
    receipt.created_by_person_id = librarian.id
    await _attach(session, receipt, item_ids)


async def _declared_sets(session: AsyncSession, library: Library, now: datetime) -> None:
    """The DECLARED lists, of the textbooks the library holds."""
    for grade, titles in DECLARED.items():
        record_ids = await session.scalars(
            select(Record.id)
            .where(Record.title.in_(titles), Record.kind == RecordKind.TEXTBOOK)
            .where(
                select(Item.id)
                .where(Item.record_id == Record.id, Item.library_id == library.id)
                .exists()
            )
            .order_by(Record.id)
        )
        session.add_all(
            TextbookSetEntry(library_id=library.id, grade=grade, record_id=record_id, added_at=now)
            for record_id in record_ids
        )


# Loans -------------------------------------------------------------------------------------


async def _free_books(session: AsyncSession, library: Library, max_age: int) -> list[Item]:
    """The last copy on the shelf of each book with two or more there, for children of that
    age: the first copies stay free for whoever picks «the first copy of …»."""
    items = await session.scalars(
        select(Item)
        .join(Record, Record.id == Item.record_id)
        .where(
            Item.library_id == library.id,
            Item.status == ItemStatus.AVAILABLE,
            Record.kind == RecordKind.BOOK,
            Record.age_mark <= max_age,
        )
        .order_by(Item.id)
    )
    by_record: dict[int, list[Item]] = {}
    for item in items:
        by_record.setdefault(item.record_id, []).append(item)
    return [copies[-1] for _, copies in sorted(by_record.items()) if len(copies) >= 2]


async def _recent_loans(
    session: AsyncSession,
    library: Library,
    students: Sequence[Reader],
    librarian: Person,
    now: datetime,
    rng: random.Random,
) -> None:
    """Loans of the last month, returned already: the current month has its bars too."""
    books = await _free_books(session, library, 12)
    for reader in rng.sample(list(students), RECENT_LOANS):
        item = rng.choice(books)
        issued = now - timedelta(days=rng.randint(5, 29), hours=rng.randint(0, 5))
        returned = min(issued + timedelta(days=rng.randint(3, 12)), now - timedelta(days=1))
        session.add(_loan(library, item, reader, librarian, issued, returned))


async def _overdue(
    session: AsyncSession,
    library: Library,
    students: Sequence[Reader],
    librarian: Person,
    now: datetime,
    rng: random.Random,
) -> None:
    """Books past due now, in the classes of OVERDUE."""
    books = await _free_books(session, library, 12)
    rng.shuffle(books)
    for class_name, n in OVERDUE[library.code].items():
        in_class = [r for r in students if r.class_name == class_name]
        for reader in rng.sample(in_class, n):
            item = books.pop()
            issued = now - timedelta(days=rng.randint(*OVERDUE_ISSUED))
            session.add(_loan(library, item, reader, librarian, issued, None))
            item.status = ItemStatus.ON_LOAN


async def _textbook_sets(
    session: AsyncSession,
    library: Library,
    students: Sequence[Reader],
    librarian: Person,
    now: datetime,
    rng: random.Random,
) -> None:
    """Each class's textbooks, issued in the first days of September, due at the end of May;
    a few students of a class miss one of them."""
    issued = datetime(now.year if now.month >= 9 else now.year - 1, 9, 2, 7, 0, tzinfo=now.tzinfo)
    due = datetime(issued.year + 1, 5, 31, 20, 59, tzinfo=now.tzinfo)
    for class_name, (titles, without) in TEXTBOOK_SETS.items():
        in_class = [r for r in students if r.class_name == class_name]
        missing = {(r.id, rng.choice(titles)) for r in rng.sample(in_class, without)}
        for title in titles:
            copies = list(
                await session.scalars(
                    select(Item)
                    .join(Record, Record.id == Item.record_id)
                    .where(
                        Item.library_id == library.id,
                        Item.status == ItemStatus.AVAILABLE,
                        Record.title == title,
                    )
                    .order_by(Item.id)
                )
            )
            for reader in in_class:
                if (reader.id, title) in missing or not copies:
                    continue
                item = copies.pop(0)
                loan = _loan(library, item, reader, librarian, issued, None)
                loan.due_at = due
                session.add(loan)
                item.status = ItemStatus.ON_LOAN


def _loan(
    library: Library,
    item: Item,
    reader: Reader,
    librarian: Person,
    issued: datetime,
    returned: datetime | None,
) -> Loan:
    return Loan(
        item_id=item.id,
        reader_id=reader.id,
        library_id=library.id,
        issued_at=issued,
        due_at=issued + timedelta(days=14),
        returned_at=returned,
        issued_by_person_id=librarian.id,
        returned_by_person_id=librarian.id if returned else None,
    )


# Visits ------------------------------------------------------------------------------------


async def _desk_visits(session: AsyncSession, library: Library, now: datetime) -> None:
    """A reader's day at the desk for every loan's issue and return (the library's own
    readers, days up to today)."""
    rows = await session.execute(
        select(Loan.reader_id, Loan.issued_at, Loan.returned_at)
        .join(Reader, Reader.id == Loan.reader_id)
        .where(Loan.library_id == library.id, Reader.library_id == library.id)
    )
    days: set[tuple[int, date]] = set()
    for reader_id, issued_at, returned_at in rows:
        for moment in (issued_at, returned_at):
            if moment is not None and moment <= now:
                days.add((reader_id, local_today(library, moment)))
    for reader_id, day in sorted(days):
        values = {"library_id": library.id, "reader_id": reader_id, "visited_on": day}
        await insert_ignore(session, DeskVisit, values, ["library_id", "reader_id", "visited_on"])
