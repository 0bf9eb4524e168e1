"""A demo network: three schools, a real school reading list, classes of students, a parent,
librarians, a methodologist, and a few loans (one overdue); a running reading project of 7Б
with works in the e-library, and e-resource collections (db/demo/projects.py); a year of
history for the reports: receipts, a write-off act, loans, desk visits, events
(db/demo/year.py). Deterministic:
same data each time.

Console personas are linked directly: student (card 1001 at school-1), parent (of 1001 at
school-1 and 1001 at school-2), librarian (school-1), librarian2, librarian3, methodist.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.catalog_import import ImportReport, import_records
from db.clock import utcnow
from db.demo.history import date_arrivals, past_loans
from db.demo.projects import seed_e_resources, seed_projects
from db.demo.year import year_of_history
from db.engine import Database
from db.enums import ItemStatus, Messenger, RecordKind, RoleName
from db.importers import ParsedRecord, read_catalog
from db.models import (
    Account,
    GuardianLink,
    Item,
    Library,
    Loan,
    LoanRule,
    Network,
    Person,
    Reader,
    Record,
    Role,
)
from db.people import register_reader

READING_LIST = Path(__file__).with_name("reading_list.csv")

SCHOOLS = (
    ("school-1", "МБОУ «Средняя школа № 1»", "Школа №1"),
    ("school-2", "МБОУ «Гимназия № 2»", "Гимназия №2"),
    ("school-3", "МБОУ «Лицей № 3»", "Лицей №3"),
)

# What readers ask first, kept by each librarian in chat (/hours, /address); the working days
# themselves are the calendar's (open_weekdays: Monday to Friday in all three).
LIBRARY_INFO = {
    "school-1": ("пн–пт 8:00–16:00, перерыв 12:00–12:30", "ул. Школьная, 1, 2-й этаж, каб. 204"),
    "school-2": ("пн–чт 8:30–17:00, пт 8:30–15:00", "пр. Мира, 15, корпус Б, 1-й этаж"),
    "school-3": ("пн, ср, пт 9:00–15:00; вт, чт 12:00–18:00", "ул. Лицейская, 3, читальный зал"),
}

CLASSES = ("5А", "5Б", "6А", "7А", "7Б", "8А", "9А", "10А", "11А")
STUDENTS_PER_CLASS = 12

GIRLS = (
    "Мария",
    "Анна",
    "София",
    "Алиса",
    "Виктория",
    "Полина",
    "Ева",
    "Дарья",
    "Варвара",
    "Ксения",
    "Вероника",
    "Арина",
    "Екатерина",
    "Милана",
    "Василиса",
)
BOYS = (
    "Александр",
    "Михаил",
    "Максим",
    "Артём",
    "Марк",
    "Иван",
    "Лев",
    "Дмитрий",
    "Матвей",
    "Тимофей",
    "Роман",
    "Егор",
    "Кирилл",
    "Фёдор",
    "Никита",
)
SURNAMES = (
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    libraries: int
    records: int
    items: int
    readers: int
    loans: int


async def is_empty(db: Database) -> bool:
    async with db.reading() as session:
        return not await session.scalar(select(func.count()).select_from(Library))


async def seed_demo(db: Database, *, now: datetime | None = None) -> DemoSummary:
    """Fill an empty database with the demo network."""
    now = now or utcnow()
    rng = random.Random(2026)
    parsed = [r for r in read_catalog(READING_LIST, "csv") if isinstance(r, ParsedRecord)]
    async with db.transaction() as session:
        network = Network(name="Сеть школьных библиотек Центрального района")
        session.add(network)
        await session.flush()
        libraries = []
        for code, name, short in SCHOOLS:
            hours, address = LIBRARY_INFO[code]
            library = Library(
                network_id=network.id,
                code=code,
                name=name,
                short_name=short,
                opening_hours=hours,
                address=address,
            )
            session.add(library)
            libraries.append(library)
        await session.flush()
        for library in libraries:
            session.add_all(default_loan_rules(library.id))
            # Каждая школа держит свою часть списка; первая — весь список.
            share = parsed if library.code == "school-1" else _share(parsed, library.id, rng)
            await import_records(session, library, share, ImportReport())

        readers = {lib.code: await _register_students(session, lib, rng, now) for lib in libraries}
        people = await _link_personas(session, network, libraries, readers)
        loans = await _issue_demo_loans(
            session, libraries[0], readers["school-1"], people["librarian"], now
        )
        loans += await _issue_demo_loans(
            session, libraries[1], readers["school-2"][:3], people["librarian2"], now
        )
        await date_arrivals(session, libraries[:2], now)
        for library, librarian in zip(libraries, ("librarian", "librarian2"), strict=False):
            await past_loans(session, library, readers[library.code], people[librarian], now)
        await seed_projects(session, libraries[0], people["librarian"], now)
        await seed_e_resources(session, network.id, libraries, now)
        librarians = {
            lib.code: people[name]
            for lib, name in zip(libraries, ("librarian", "librarian2", "librarian3"), strict=True)
        }
        await year_of_history(session, libraries, readers, librarians, now)

        return DemoSummary(
            libraries=len(libraries),
            records=await session.scalar(select(func.count()).select_from(Record)) or 0,
            items=await session.scalar(select(func.count()).select_from(Item)) or 0,
            readers=sum(len(r) for r in readers.values()),
            loans=loans,
        )


def default_loan_rules(library_id: int) -> list[LoanRule]:
    """Художественная — 14 дней; учебники — до конца учебного года."""
    return [
        LoanRule(
            library_id=library_id,
            kind="*",
            loan_days=14,
            max_items=5,
            max_renewals=2,
            hold_shelf_days=3,
            max_overdue_days_to_renew=0,
        ),
        LoanRule(
            library_id=library_id,
            kind=RecordKind.TEXTBOOK.value,
            loan_days=365,
            until_school_year_end=True,
            max_items=20,
            max_renewals=0,
            hold_shelf_days=3,
        ),
    ]


def _share(parsed: list[ParsedRecord], library_id: int, rng: random.Random) -> list[ParsedRecord]:
    """About two thirds of the list, with the library's own copy counts."""
    share = []
    for record in parsed:
        if rng.random() < 0.65 or record.kind == RecordKind.TEXTBOOK.value:
            copy = ParsedRecord(**{f: getattr(record, f) for f in record.__slots__})
            copy.copies = max(1, record.copies - rng.randint(0, 2)) if record.copies else 1
            copy.items = []
            share.append(copy)
    return share


# The personas' own cards come first, so they are card 1001 in their schools.
PERSONA_CARDS = {
    "school-1": ("Смирнова Мария", "7Б"),  # persona «student»; her parent is persona «parent»
    "school-2": ("Смирнов Илья", "5А"),  # Мариин младший брат, тоже ребёнок «parent»
}


async def _register_students(
    session: AsyncSession, library: Library, rng: random.Random, now: datetime
) -> list[Reader]:
    readers = []
    if library.code in PERSONA_CARDS:
        name, class_name = PERSONA_CARDS[library.code]
        readers.append(
            await register_reader(
                session,
                library.id,
                name,
                class_name=class_name,
                birth_year=now.year - int(class_name[:-1]) - 6,
            )
        )
    for class_name in CLASSES:
        grade = int(class_name[:-1])
        for _ in range(STUDENTS_PER_CLASS):
            girl = rng.random() < 0.5
            surname = rng.choice(SURNAMES) + ("а" if girl else "")
            given = rng.choice(GIRLS if girl else BOYS)
            readers.append(
                await register_reader(
                    session,
                    library.id,
                    f"{surname} {given}",
                    class_name=class_name,
                    birth_year=now.year - grade - 6,
                )
            )
    return readers


async def _link_personas(
    session: AsyncSession,
    network: Network,
    libraries: list[Library],
    readers: dict[str, list[Reader]],
) -> dict[str, Person]:
    student = next(r for r in readers["school-1"] if r.card_number == "1001")
    second_child = next(r for r in readers["school-2"] if r.card_number == "1001")
    people: dict[str, Person] = {}

    async def persona(name: str, display: str | None = None) -> Person:
        person = Person(display_name=display)
        session.add(person)
        await session.flush()
        session.add(
            Account(
                messenger=Messenger.CONSOLE, external_id=name, chat_id=name, person_id=person.id
            )
        )
        people[name] = person
        return person

    person = await persona("student")
    session.add(
        Role(
            person_id=person.id,
            role=RoleName.READER,
            library_id=student.library_id,
            reader_id=student.id,
        )
    )
    person = await persona("parent")
    session.add(Role(person_id=person.id, role=RoleName.PARENT))
    for child in (student, second_child):
        session.add(GuardianLink(parent_person_id=person.id, reader_id=child.id))
    for name, library in zip(("librarian", "librarian2", "librarian3"), libraries, strict=True):
        person = await persona(name, f"Библиотекарь: {library.short_name}")
        session.add(Role(person_id=person.id, role=RoleName.LIBRARIAN, library_id=library.id))
    person = await persona("methodist", "Методист сети")
    session.add(Role(person_id=person.id, role=RoleName.ADMIN, network_id=network.id))
    await session.flush()
    return people


async def _issue_demo_loans(
    session: AsyncSession,
    library: Library,
    readers: list[Reader],
    librarian: Person,
    now: datetime,
) -> int:
    """Two books for the first reader (one overdue), one book each for a few more."""
    items = list(
        await session.scalars(
            select(Item)
            .join(Record)
            .where(
                Item.library_id == library.id,
                Item.status == ItemStatus.AVAILABLE,
                Record.kind == RecordKind.BOOK,
                Record.age_mark <= 12,
            )
            .order_by(Item.id)
            .limit(40)
        )
    )
    plan = [(readers[0], -20, 14), (readers[0], -5, 14)]  # (reader, issued days ago, loan days)
    plan += [(reader, -3 - i, 14) for i, reader in enumerate(readers[1:6])]
    used_records: set[int] = set()
    count = 0
    for reader, issued_offset, days in plan:
        item = next(i for i in items if i.record_id not in used_records)
        used_records.add(item.record_id)
        issued = now + timedelta(days=issued_offset)
        session.add(
            Loan(
                item_id=item.id,
                reader_id=reader.id,
                library_id=library.id,
                issued_at=issued,
                due_at=issued + timedelta(days=days),
                issued_by_person_id=librarian.id,
            )
        )
        item.status = ItemStatus.ON_LOAN
        count += 1
    await session.flush()
    return count
