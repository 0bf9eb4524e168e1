"""The demo's past: when the copies came in, and what the students read before today.

Recommendations need a history to stand on: «что нового» lists copies that arrived lately,
«что популярное» counts what readers of a grade borrowed, and subjects list best-loved books
first. Most copies came in a year ago; a few titles are this autumn's arrivals. Students (not
the personas, whose cards tell their own story) borrowed and returned a few books each over the
past months: every grade has its favourites and a few books of its own choosing.
Deterministic: a seeded random of its own, so the rest of the demo stays as it was.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import reader_age
from db.enums import RecordKind
from db.models import Item, Library, Loan, Person, Reader, Record

LONG_AGO = timedelta(days=400)
EARLIEST_LOAN = timedelta(days=330)
# This autumn's arrivals at the first two schools: (title, days ago).
NEW_ARRIVALS = (
    ("Гарри Поттер и Дары Смерти", 4),
    ("Бесконечная история", 9),
    ("Волшебник Земноморья", 12),
    ("Таинственный сад", 17),
    ("Хроники Нарнии", 23),
    ("Поллианна", 30),
    ("Мио, мой Мио!", 38),
    ("Книжный вор", 41),
)
FAVOURITES = 6  # books a grade loves: each student borrowed each with even odds
OWN_CHOICE = 2  # and this many books of their own choosing
PERSONA_CARD = "1001"


async def date_arrivals(session: AsyncSession, libraries: Sequence[Library], now: datetime) -> None:
    """Every copy and record came in a year ago, but for this autumn's new arrivals."""
    await session.execute(update(Item).values(created_at=now - LONG_AGO))
    await session.execute(update(Record).values(created_at=now - LONG_AGO))
    schools = [library.id for library in libraries]
    for title, days in NEW_ARRIVALS:
        record_ids = select(Record.id).where(Record.title == title).scalar_subquery()
        await session.execute(
            update(Item)
            .where(Item.record_id.in_(record_ids), Item.library_id.in_(schools))
            .values(created_at=now - timedelta(days=days))
        )


async def past_loans(
    session: AsyncSession,
    library: Library,
    readers: Sequence[Reader],
    librarian: Person,
    now: datetime,
) -> int:
    """Returned loans of the library's students over the past months; how many were made."""
    rng = random.Random(f"history:{library.code}")
    copies: dict[int, int] = {}  # record → the library's first copy of it
    marks: dict[int, int] = {}
    for record_id, item_id, age_mark in await session.execute(
        select(Item.record_id, Item.id, Record.age_mark)
        .join(Record, Record.id == Item.record_id)
        .where(
            Item.library_id == library.id,
            Item.created_at <= now - EARLIEST_LOAN,  # on the shelf before the loans began
            Record.kind == RecordKind.BOOK,
        )
        .order_by(Item.id)
    ):
        copies.setdefault(record_id, item_id)
        marks[record_id] = age_mark or 0
    by_grade: dict[int, list[Reader]] = defaultdict(list)
    for reader in readers:
        age = reader_age(None, reader.class_name, now.date())
        if reader.card_number != PERSONA_CARD and age is not None:
            by_grade[age - 6].append(reader)
    count = 0
    for grade, students in sorted(by_grade.items()):
        youngest = 12 if grade >= 8 else 6  # older students leave picture books behind
        fitting = sorted(r for r, mark in marks.items() if youngest <= mark <= grade + 6)
        favourites = rng.sample(fitting, FAVOURITES)
        for reader in students:
            chosen = [r for r in favourites if rng.random() < 0.5]
            chosen += rng.sample(fitting, OWN_CHOICE)
            for record_id in dict.fromkeys(chosen):
                issued = now - timedelta(days=rng.randint(30, EARLIEST_LOAN.days))
                session.add(
                    Loan(
                        item_id=copies[record_id],
                        reader_id=reader.id,
                        library_id=library.id,
                        issued_at=issued,
                        due_at=issued + timedelta(days=14),
                        returned_at=issued + timedelta(days=rng.randint(4, 14)),
                        issued_by_person_id=librarian.id,
                        returned_by_person_id=librarian.id,
                    )
                )
                count += 1
    await session.flush()
    return count
