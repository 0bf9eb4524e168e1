"""Class sets: a set of textbooks issued to every student of a class in one go, checked for
gaps during the year and taken back at its end."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import require_librarian
from db.catalog import free_copies
from db.circulation import Circulation, holders, locked_reader
from db.enums import RecordKind
from db.errors import Refused
from db.loans import issue, return_copy
from db.models import Item, Loan, Reader, Record
from db.people import normalise_class


async def class_readers(c: Circulation, library_id: int, class_name: str) -> list[Reader]:
    require_librarian(c.actor, library_id, "class.view")
    readers = list(
        await c.session.scalars(
            select(Reader)
            .where(
                Reader.library_id == library_id, Reader.class_name == normalise_class(class_name)
            )
            .order_by(Reader.full_name, Reader.id)
        )
    )
    if not readers:
        raise Refused("class_unknown", class_name=normalise_class(class_name))
    return readers


async def textbooks_held(
    session: AsyncSession, library_id: int, record_ids: Sequence[int]
) -> list[int]:
    """Those of the records that are textbooks the library has copies of, in the order given
    (a search's best first)."""
    held = set(
        await session.scalars(
            select(Item.record_id)
            .join(Record, Record.id == Item.record_id)
            .where(
                Item.record_id.in_(record_ids),
                Item.library_id == library_id,
                Record.kind == RecordKind.TEXTBOOK,
            )
        )
    )
    return [record_id for record_id in record_ids if record_id in held]


async def without_copy(
    c: Circulation, library_id: int, class_name: str, record_id: int
) -> list[Reader]:
    """Students of the class who have no copy of this textbook."""
    readers = await class_readers(c, library_id, class_name)
    have = await holders(c.session, [r.id for r in readers], record_id)
    return [r for r in readers if r.id not in have]


@dataclass(slots=True)
class SetOutcome:
    students: int = 0
    issued: int = 0
    already: int = 0  # student × textbook pairs that had a copy before
    blocked: list[str] = field(default_factory=list)  # names of blocked readers, skipped
    short: dict[int, int] = field(default_factory=dict)  # record id → students left without
    titles: dict[int, str] = field(default_factory=dict)  # record id → title, of every textbook


async def issue_class_set(
    c: Circulation, library_id: int, class_name: str, record_ids: list[int]
) -> SetOutcome:
    """Give every student of the class a copy of each textbook they do not have yet.

    One transaction. The class's readers are locked first (in id order), then the records:
    the order every circulation operation keeps, so a second desk issuing the same set waits
    and then finds every student served. A copy taken meanwhile by another desk is skipped,
    never issued twice; what could not be issued is counted.
    """
    readers = await class_readers(c, library_id, class_name)
    for reader in sorted(readers, key=lambda r: r.id):
        await locked_reader(c.session, reader.id)
    outcome = SetOutcome(students=len(readers))
    for record_id in sorted(set(record_ids)):
        record = await c.session.get(Record, record_id)
        if record is None:
            raise Refused("record_gone")
        outcome.titles[record_id] = record.title
        for reader in readers:
            if reader.blocked:
                if reader.full_name not in outcome.blocked:
                    outcome.blocked.append(reader.full_name)
                continue
            result = await _issue_one(c, library_id, record_id, reader.id)
            if result == "issued":
                outcome.issued += 1
            elif result == "already":
                outcome.already += 1
            else:
                outcome.short[record_id] = outcome.short.get(record_id, 0) + 1
    for reader in readers:
        if not reader.blocked and outcome.issued:
            c.tell(
                "set.issued",
                reader.id,
                library_id,
                f"{class_name}:{sorted(record_ids)}",
                count=len(record_ids),
            )
    c.audit(
        "class_set.issue",
        library_id,
        "class",
        0,
        class_name=normalise_class(class_name),
        records=record_ids,
        issued=outcome.issued,
    )
    return outcome


async def _issue_one(c: Circulation, library_id: int, record_id: int, reader_id: int) -> str:
    """ "issued", "already" (the student has a copy) or "short" (no free copy left)."""
    if await holders(c.session, [reader_id], record_id):
        return "already"
    for item_id in await free_copies(c.session, record_id, library_id):
        try:
            await issue(c, item_id, reader_id, tell=False)
            return "issued"
        except Refused as refused:
            if refused.key == "reader_has_copy":
                return "already"
            if refused.key.startswith("copy_"):
                continue  # taken by another desk a moment ago: try the next copy
            if refused.key == "reader_at_limit":
                return "short"
            raise
    return "short"


class OnLoan(NamedTuple):
    item_id: int
    reader_id: int
    title: str


async def textbook_loans(c: Circulation, library_id: int, readers: list[Reader]) -> list[OnLoan]:
    """Every textbook these readers have on loan from the library (by title within a reader)."""
    rows = await c.session.execute(
        select(Loan.item_id, Loan.reader_id, Record.title)
        .join(Item, Item.id == Loan.item_id)
        .join(Record, Record.id == Item.record_id)
        .where(
            Loan.reader_id.in_([r.id for r in readers]),
            Loan.returned_at.is_(None),
            Record.kind == RecordKind.TEXTBOOK,
            Loan.library_id == library_id,
        )
        .order_by(Loan.reader_id, Record.title, Loan.item_id)
    )
    return [OnLoan(item_id, reader_id, title) for item_id, reader_id, title in rows]


@dataclass(slots=True)
class Collected:
    returned: int = 0
    kept: list[tuple[Reader, int]] = field(default_factory=list)  # who did not hand theirs in


async def return_class_set(
    c: Circulation, library_id: int, class_name: str, keep: Collection[int] = ()
) -> Collected:
    """End of year: take back every textbook the class has on loan, except from the students
    in `keep` (they did not hand theirs in and keep their loans). Ids in `keep` that are not
    students of this class change nothing."""
    readers = await class_readers(c, library_id, class_name)
    handing_in = [r for r in readers if r.id not in keep]
    for reader in sorted(handing_in, key=lambda r: r.id):  # the lock order of issue_class_set
        await locked_reader(c.session, reader.id)
    rows = await textbook_loans(c, library_id, handing_in)
    for row in rows:
        await return_copy(c, row.item_id, tell=False)
    for reader_id in sorted({row.reader_id for row in rows}):
        count = sum(1 for row in rows if row.reader_id == reader_id)
        c.tell("set.returned", reader_id, library_id, f"{class_name}:{c.now.date()}", count=count)
    kept_readers = [r for r in readers if r.id in keep]
    still = await textbook_loans(c, library_id, kept_readers) if kept_readers else []
    outcome = Collected(returned=len(rows))
    for reader in kept_readers:
        count = sum(1 for row in still if row.reader_id == reader.id)
        if count:
            outcome.kept.append((reader, count))
    c.audit(
        "class_set.return",
        library_id,
        "class",
        0,
        class_name=normalise_class(class_name),
        returned=len(rows),
        kept=[reader.id for reader, _ in outcome.kept],
    )
    return outcome
