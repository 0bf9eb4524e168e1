"""Circulation's shared ground: who acts and when, the events people should hear about, and
read-only views of loans and holds.

Every operation (holds, loans, class sets) takes a `Circulation`: the session of the event
being served, the actor (authorised by each operation itself, at the moment it runs) and the
time. Operations append `Event`s; the caller turns them into outbox rows in the same
transaction, so a notice exists exactly when its cause was committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor
from db.audit import audit
from db.enums import HoldStatus, ItemStatus
from db.errors import Refused
from db.models import Hold, Item, Library, Loan, Reader, Record


@dataclass(frozen=True, slots=True)
class Event:
    """Something a reader (and their parents) should hear about.

    `kind` names the notice text; `key` makes its outbox dedupe key; `values` fill the text
    (datetimes are shown in the library's local time).
    """

    kind: str
    reader_id: int
    library_id: int
    key: str
    values: dict[str, Any] = field(default_factory=dict)
    for_librarians: bool = False  # addressed to the library's librarians, not the reader


@dataclass(slots=True)
class Circulation:
    session: AsyncSession
    actor: Actor
    now: datetime
    events: list[Event] = field(default_factory=list)

    def tell(self, kind: str, reader_id: int, library_id: int, key: object, **values: Any) -> None:
        self.events.append(Event(kind, reader_id, library_id, f"{kind}:{key}", values))

    def tell_librarians(
        self, kind: str, reader_id: int, library_id: int, key: object, **values: Any
    ) -> None:
        """Something the librarians of the library should act on (about that reader)."""
        self.events.append(
            Event(kind, reader_id, library_id, f"{kind}:{key}", values, for_librarians=True)
        )

    def audit(
        self, action: str, library_id: int | None, object_type: str, object_id: int, **detail: Any
    ) -> None:
        audit(
            self.session,
            self.actor,
            action,
            library_id=library_id,
            object_type=object_type,
            object_id=object_id,
            **detail,
        )


async def locked_reader(session: AsyncSession, reader_id: int) -> Reader:
    """The reader's row, locked for this transaction on PostgreSQL (SQLite holds the whole
    database for a writer already): limits checked against it stay true until commit."""
    reader = await session.scalar(
        select(Reader)
        .where(Reader.id == reader_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if reader is None:
        raise Refused("reader_unknown")
    return reader


async def lock_circulation(session: AsyncSession, reader_id: int, record_id: int) -> Reader:
    """Serialise circulation of one record around one reader, on PostgreSQL as SQLite does.

    Every operation that reads holds, loans or copies of a record and then changes them first
    locks the reader's row, then the record's row, always in that order (a class set locks all
    its readers before any record), so two operations never wait on each other in a circle.
    What was read before the locks must be read again after them.
    """
    reader = await locked_reader(session, reader_id)
    await session.execute(select(Record.id).where(Record.id == record_id).with_for_update())
    return reader


async def holders(session: AsyncSession, reader_ids: Sequence[int], record_id: int) -> set[int]:
    """Which of these readers have a copy of the record on loan now."""
    return set(
        await session.scalars(
            select(Loan.reader_id)
            .join(Item, Item.id == Loan.item_id)
            .where(
                Loan.reader_id.in_(reader_ids),
                Loan.returned_at.is_(None),
                Item.record_id == record_id,
            )
        )
    )


async def claim_item(session: AsyncSession, item_id: int, seen: ItemStatus, to: ItemStatus) -> bool:
    """Move a copy from the status we saw to a new one, only if nobody moved it meanwhile.

    The conditional UPDATE is the lock: of two transactions claiming one copy, the second
    finds the status changed (PostgreSQL re-checks the row after the first commits; SQLite
    runs writers one at a time) and gets False.
    """
    result = await session.execute(
        update(Item).where(Item.id == item_id, Item.status == seen).values(status=to)
    )
    return result.rowcount == 1


async def library(session: AsyncSession, library_id: int) -> Library:
    found = await session.get(Library, library_id)
    assert found is not None
    return found


async def library_names(session: AsyncSession, library_ids: Sequence[int]) -> list[str]:
    """The libraries' short names, in the order of their ids."""
    return list(
        await session.scalars(
            select(Library.short_name).where(Library.id.in_(library_ids)).order_by(Library.id)
        )
    )


# Views --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoanView:
    loan_id: int
    reader_id: int
    library_id: int
    record_id: int
    title: str
    authors: str
    inventory_number: str
    issued_at: datetime
    due_at: datetime
    renewals: int
    returned_at: datetime | None = None

    @property
    def first_author(self) -> str:
        return self.authors.split(";")[0].strip()


async def loans_of(
    session: AsyncSession,
    reader_ids: Sequence[int],
    *,
    returned: bool = False,
    returned_since: datetime | None = None,
    limit: int | None = None,
) -> list[LoanView]:
    """Open loans (soonest due first), or with `returned` the reading history (latest first),
    from `returned_since` on."""
    if not reader_ids:
        return []
    query = (
        select(Loan, Item.inventory_number, Record.id, Record.title, Record.authors)
        .join(Item, Item.id == Loan.item_id)
        .join(Record, Record.id == Item.record_id)
        .where(Loan.reader_id.in_(reader_ids))
    )
    if returned:
        query = query.where(Loan.returned_at.is_not(None)).order_by(Loan.returned_at.desc())
        if returned_since is not None:
            query = query.where(Loan.returned_at >= returned_since)
    else:
        query = query.where(Loan.returned_at.is_(None)).order_by(Loan.due_at, Loan.id)
    if limit:
        query = query.limit(limit)
    rows = await session.execute(query)
    return [
        LoanView(
            loan_id=loan.id,
            reader_id=loan.reader_id,
            library_id=loan.library_id,
            record_id=record_id,
            title=title,
            authors=authors,
            inventory_number=inventory,
            issued_at=loan.issued_at,
            due_at=loan.due_at,
            renewals=loan.renewals,
            returned_at=loan.returned_at,
        )
        for loan, inventory, record_id, title, authors in rows
    ]


@dataclass(frozen=True, slots=True)
class HoldView:
    hold_id: int
    reader_id: int
    library_id: int
    record_id: int
    title: str
    authors: str
    status: HoldStatus
    created_at: datetime
    ready_until: datetime | None
    position: int | None  # in the queue, for queued holds
    reader_name: str
    class_name: str | None
    card_number: str


async def holds_where(session: AsyncSession, *conditions: Any) -> list[HoldView]:
    """Holds in the order they were made, except that the queued holds of one queue come in
    their queue's order (in the slots they take among the rest)."""
    rows = (
        await session.execute(
            select(Hold, Record.title, Record.authors, Reader)
            .join(Record, Record.id == Hold.record_id)
            .join(Reader, Reader.id == Hold.reader_id)
            .where(*conditions)
            .order_by(Hold.created_at, Hold.id)
        )
    ).all()
    queued = [hold for hold, *_ in rows if hold.status == HoldStatus.QUEUED]
    positions = await queue_positions(session, queued)
    rows = _queues_in_order(rows, positions)
    return [
        HoldView(
            hold_id=hold.id,
            reader_id=hold.reader_id,
            library_id=hold.library_id,
            record_id=hold.record_id,
            title=title,
            authors=authors,
            status=hold.status,
            created_at=hold.created_at,
            ready_until=hold.ready_until,
            position=positions.get(hold.id),
            reader_name=reader.full_name,
            class_name=reader.class_name,
            card_number=reader.card_number,
        )
        for hold, title, authors, reader in rows
    ]


def _queues_in_order(rows: Sequence[Any], positions: dict[int, int]) -> list[Any]:
    """The rows with each queue's queued holds re-seated, in their places, where that
    queue's queued holds stood."""
    seats: dict[tuple[int, int], list[int]] = {}
    for index, (hold, *_) in enumerate(rows):
        if hold.id in positions:
            seats.setdefault((hold.record_id, hold.library_id), []).append(index)
    ordered = list(rows)
    for indexes in seats.values():
        standing = sorted((rows[i] for i in indexes), key=lambda row: positions[row[0].id])
        for index, row in zip(indexes, standing, strict=True):
            ordered[index] = row
    return ordered


def queue_order() -> tuple[Any, ...]:
    """The order of a record's queue at a school: by the number a hold took when it joined
    (under the record's lock; see db.holds), holds queued before numbers existed (none) first,
    in the order they were made."""
    return (Hold.queue_number.asc().nulls_first(), Hold.created_at, Hold.id)


def queue_key(hold: Hold) -> tuple[bool, int, datetime, int]:
    """`queue_order` for one hold, to compare in Python."""
    return (hold.queue_number is not None, hold.queue_number or 0, hold.created_at, hold.id)


async def queue_positions(session: AsyncSession, holds: Sequence[Hold]) -> dict[int, int]:
    """Each queued hold's place in its record's queue at its library (1 = next): how many
    queued holds of that queue come before it in `queue_order`, plus one. One query for all
    the queues the holds stand in."""
    queues = {(hold.record_id, hold.library_id) for hold in holds}
    if not queues:
        return {}
    rows = await session.execute(
        select(Hold.id, Hold.record_id, Hold.library_id)
        .where(
            tuple_(Hold.record_id, Hold.library_id).in_(list(queues)),
            Hold.status == HoldStatus.QUEUED,
        )
        .order_by(*queue_order())
    )
    placed: dict[tuple[int, int], int] = {}
    everyone: dict[int, int] = {}
    for hold_id, record_id, library_id in rows:
        place = placed[record_id, library_id] = placed.get((record_id, library_id), 0) + 1
        everyone[hold_id] = place
    return {hold.id: everyone[hold.id] for hold in holds if hold.id in everyone}
