"""A grade's declared textbook set: the school's УМК list, the textbooks every student of the
grade (параллель) should have — «7-е классы: Алгебра. 7 класс, Русский язык. 7 класс, …».

A class set is issued as the librarian chooses (db.class_sets); this list is what the class
should have, whoever has it. The textbook coverage (db.indicators `textbook_coverage`) reads it
so a textbook of the set nobody has shows as 0 %, which an inferred set cannot show.

Only a textbook of the library's own catalog can be in its list: a record that is a textbook
(`db.indicators.is_textbook`) and of which the library holds a copy. Adding and removing are a
librarian's of that library, audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor, require_librarian
from db.audit import audit
from db.dialect import insert_ignore
from db.errors import Refused
from db.indicators import is_textbook
from db.models import Item, Record, TextbookSetEntry
from db.school_classes import GRADES


class SetTextbook(NamedTuple):
    record_id: int
    title: str


def _grade(grade: int) -> int:
    if grade not in GRADES:
        raise Refused("textbook_set_bad_grade", grade=grade)
    return grade


async def grade_set(session: AsyncSession, library_id: int, grade: int) -> list[SetTextbook]:
    """The grade's list, by title (the order the librarian sees it numbered in)."""
    rows = await session.execute(
        select(Record.id, Record.title)
        .join(TextbookSetEntry, TextbookSetEntry.record_id == Record.id)
        .where(TextbookSetEntry.library_id == library_id, TextbookSetEntry.grade == grade)
        .order_by(Record.title, Record.id)
    )
    return [SetTextbook(record_id, title) for record_id, title in rows]


async def library_textbooks(
    session: AsyncSession, library_id: int, record_ids: Sequence[int]
) -> list[int]:
    """Those of the records that are textbooks of the library's catalog (a textbook, a copy
    held there), in the order given."""
    if not record_ids:
        return []
    found = set(
        await session.scalars(
            select(Record.id)
            .where(Record.id.in_(record_ids), is_textbook())
            .where(
                select(Item.id)
                .where(Item.record_id == Record.id, Item.library_id == library_id)
                .exists()
            )
        )
    )
    return [record_id for record_id in record_ids if record_id in found]


@dataclass(slots=True)
class Added:
    """What /textbook_set 7 … changed: the textbooks put in the list and those already there."""

    grade: int
    added: list[SetTextbook] = field(default_factory=list)
    already: list[SetTextbook] = field(default_factory=list)


async def add_to_set(
    session: AsyncSession, actor: Actor, library_id: int, grade: int, record_ids: Sequence[int]
) -> Added:
    """Put the textbooks in the grade's list (one already there stays as it was). Every record
    must be a textbook of the library's catalog: one that is not refuses the whole request
    («textbook_set_not_textbook»), so nothing half-done is left. Audited."""
    require_librarian(actor, library_id, "textbook_set.add")
    _grade(grade)
    wanted = list(dict.fromkeys(record_ids))
    good = set(await library_textbooks(session, library_id, wanted))
    for record_id in wanted:
        if record_id not in good:
            record = await session.get(Record, record_id)
            raise Refused("textbook_set_not_textbook", title=record.title if record else "?")
    titles = dict(
        (await session.execute(select(Record.id, Record.title).where(Record.id.in_(wanted)))).all()
    )
    outcome = Added(grade)
    for record_id in wanted:
        values = {"library_id": library_id, "grade": grade, "record_id": record_id}
        inserted = await insert_ignore(
            session, TextbookSetEntry, values, ["library_id", "grade", "record_id"]
        )
        row = SetTextbook(record_id, titles[record_id])
        (outcome.added if inserted else outcome.already).append(row)
    audit(
        session,
        actor,
        "textbook_set.add",
        library_id=library_id,
        object_type="grade",
        object_id=grade,
        added=[row.record_id for row in outcome.added],
        already=[row.record_id for row in outcome.already],
    )
    return outcome


async def remove_from_set(
    session: AsyncSession, actor: Actor, library_id: int, grade: int, record_id: int
) -> SetTextbook | None:
    """Take the textbook out of the grade's list; None if it is not there (any more). Audited."""
    require_librarian(actor, library_id, "textbook_set.remove")
    _grade(grade)
    title = await session.scalar(
        select(Record.title)
        .join(TextbookSetEntry, TextbookSetEntry.record_id == Record.id)
        .where(
            TextbookSetEntry.library_id == library_id,
            TextbookSetEntry.grade == grade,
            TextbookSetEntry.record_id == record_id,
        )
    )
    if title is None:
        return None
    await session.execute(
        delete(TextbookSetEntry).where(
            TextbookSetEntry.library_id == library_id,
            TextbookSetEntry.grade == grade,
            TextbookSetEntry.record_id == record_id,
        )
    )
    audit(
        session,
        actor,
        "textbook_set.remove",
        library_id=library_id,
        object_type="grade",
        object_id=grade,
        record_id=record_id,
    )
    return SetTextbook(record_id, title)
