"""The union catalog: records entered once, each library linking its own copies to them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db.clock import utcnow
from db.enums import ItemStatus, RecordKind
from db.models import CatalogChange, Item, Library, Record, RecordIsbn
from nlu.isbn import to_isbn13
from nlu.normalize import author_surname, normalize, volume_designation


def dedupe_key(title: str, authors: Sequence[str], year: int | None) -> str:
    """Normalised title + author surnames + year: equal keys are one record."""
    surnames = " ".join(sorted(author_surname(a) for a in authors if a.strip()))
    return f"{normalize(title)}|{surnames}|{year or ''}"[:500]


@dataclass(slots=True)
class RecordData:
    """What a new or merged record carries; authors and ISBNs as lists."""

    title: str
    subtitle: str | None = None
    authors: Sequence[str] = ()
    year: int | None = None
    publisher: str | None = None
    series: str | None = None
    subjects: Sequence[str] = ()
    language: str | None = None
    kind: RecordKind = RecordKind.BOOK
    age_mark: int | None = None
    isbns: Sequence[str] = ()
    series_number: int | None = None
    bbk: str | None = None
    annotation: str | None = None

    @property
    def isbn13s(self) -> list[str]:
        seen: dict[str, None] = {}
        for raw in self.isbns:
            isbn = to_isbn13(raw)
            if isbn:
                seen[isbn] = None
        return list(seen)


def log_change(session: AsyncSession, record_id: int) -> None:
    """Note that a record changed; the notes are written once, when the transaction commits."""
    session.info.setdefault(_CHANGED, set()).add(record_id)


_CHANGED = "formulyar_changed_records"
_COMMITTING = "formulyar_catalog_committing"
_epoch = 0  # bumped whenever this process commits a catalog change


def catalog_epoch() -> int:
    """Changes committed by this very process: a search index here can look at once."""
    return _epoch


@event.listens_for(Session, "before_commit")
def _write_change_log(session: Session) -> None:
    changed = session.info.pop(_CHANGED, None)
    if changed:
        now = utcnow()
        session.execute(
            insert(CatalogChange),
            [{"record_id": rid, "changed_at": now} for rid in sorted(changed)],
        )
        session.info[_COMMITTING] = True


@event.listens_for(Session, "after_commit")
def _count_committed_change(session: Session) -> None:
    global _epoch
    if session.info.pop(_COMMITTING, False):
        _epoch += 1


@event.listens_for(Session, "after_rollback")
def _forget_change_log(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_COMMITTING, None)


LOOKUP_CHUNK = 500  # values in one IN (…): well under SQLite's and asyncpg's limits


class RecordMatcher:
    """The union catalog's record for a description, for a whole import: the same ISBN (and the
    same volume — volumes of a set often carry the set's ISBN too), else the same normalised
    title + authors + year; the oldest record wins. The candidates of a batch are read in a few
    queries up front and kept current as records are added or merged, not queried per record."""

    def __init__(self) -> None:
        self.by_isbn: dict[str, Record] = {}  # an ISBN belongs to one record
        self.by_key: dict[str, Record] = {}  # the oldest record with that dedupe key

    async def load(self, session: AsyncSession, batch: Sequence[RecordData]) -> None:
        isbns = sorted({isbn for data in batch for isbn in data.isbn13s} - self.by_isbn.keys())
        keys = sorted({dedupe_key(d.title, d.authors, d.year) for d in batch} - self.by_key.keys())
        for start in range(0, len(isbns), LOOKUP_CHUNK):
            rows = await session.execute(
                select(RecordIsbn.isbn13, Record)
                .join(Record, Record.id == RecordIsbn.record_id)
                .where(RecordIsbn.isbn13.in_(isbns[start : start + LOOKUP_CHUNK]))
            )
            for isbn, record in rows:
                self.by_isbn[isbn] = record
        for start in range(0, len(keys), LOOKUP_CHUNK):
            records = await session.scalars(
                select(Record)
                .where(Record.dedupe_key.in_(keys[start : start + LOOKUP_CHUNK]))
                .order_by(Record.id)
            )
            for record in records:
                self.by_key.setdefault(record.dedupe_key, record)

    def find(self, data: RecordData) -> Record | None:
        """The record `data` describes, or None; its batch must have been loaded."""
        candidates = {r.id: r for isbn in data.isbn13s if (r := self.by_isbn.get(isbn))}
        if candidates:
            volume = volume_designation(data.title)
            for record_id in sorted(candidates):
                if volume_designation(candidates[record_id].title) == volume:
                    return candidates[record_id]
        return self.by_key.get(dedupe_key(data.title, data.authors, data.year))

    def note(self, record: Record, data: RecordData) -> None:
        """`data` was added as, or merged into, `record`: later records of the import find it."""
        for isbn in data.isbn13s:
            self.by_isbn.setdefault(isbn, record)
        self.by_key.setdefault(record.dedupe_key, record)


async def add_record(session: AsyncSession, data: RecordData) -> Record:
    record = Record(
        title=data.title.strip(),
        subtitle=data.subtitle,
        authors="; ".join(a.strip() for a in data.authors if a.strip()),
        year=data.year,
        publisher=data.publisher,
        series=data.series,
        series_number=data.series_number,
        subjects="; ".join(s.strip() for s in data.subjects if s.strip()),
        bbk=data.bbk,
        annotation=data.annotation,
        language=data.language,
        kind=data.kind,
        age_mark=data.age_mark,
        dedupe_key=dedupe_key(data.title, data.authors, data.year),
    )
    session.add(record)
    await session.flush()
    await _attach_isbns(session, record, data.isbn13s)
    log_change(session, record.id)
    return record


async def merge_into(session: AsyncSession, record: Record, data: RecordData) -> None:
    """Fill what the existing record lacks from another library's description of it."""
    changed = False
    for name in (
        "subtitle", "publisher", "series", "series_number", "language", "age_mark", "bbk",
        "annotation",
    ):  # fmt: skip
        if getattr(record, name) is None and getattr(data, name) is not None:
            setattr(record, name, getattr(data, name))
            changed = True
    if await _attach_isbns(session, record, data.isbn13s):
        changed = True
    if changed:
        log_change(session, record.id)


async def _attach_isbns(session: AsyncSession, record: Record, isbns: Iterable[str]) -> bool:
    isbns = list(isbns)
    if not isbns:
        return False
    taken = set(
        await session.scalars(select(RecordIsbn.isbn13).where(RecordIsbn.isbn13.in_(isbns)))
    )
    fresh = [isbn for isbn in isbns if isbn not in taken]
    session.add_all(RecordIsbn(isbn13=isbn, record_id=record.id) for isbn in fresh)
    return bool(fresh)


EDITABLE = frozenset(
    {"title", "subtitle", "authors", "year", "publisher", "series", "series_number", "subjects",
     "bbk", "annotation", "language", "age_mark", "kind"}
)  # fmt: skip


async def edit_record(session: AsyncSession, record_id: int, **changes: object) -> Record:
    """Change a shared record's description; every school sees the change, search included."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    record = await session.get(Record, record_id)
    if record is None:
        raise LookupError(record_id)
    for name, value in changes.items():
        setattr(record, name, value)
    record.dedupe_key = dedupe_key(record.title, record.author_list, record.year)
    log_change(session, record.id)
    return record


def library_barcode(library_id: int, number: int) -> str:
    """An EAN-13 in the in-store range (prefix 2) that encodes library and inventory number."""
    body = f"2{library_id % 1000:03d}{number % 10**8:08d}"
    total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(body))
    return body + str((10 - total % 10) % 10)


class InventoryNumbers:
    """The inventory numbers and barcodes a library has used; hands out the next free ones."""

    def __init__(self, library_id: int, numbers: set[str], barcodes: set[str]) -> None:
        self.library_id = library_id
        self._numbers = numbers
        self._barcodes = barcodes
        self._next = max((int(n) for n in numbers if n.isdigit()), default=0) + 1

    @classmethod
    async def load(cls, session: AsyncSession, library_id: int) -> InventoryNumbers:
        rows = await session.execute(
            select(Item.inventory_number, Item.barcode).where(Item.library_id == library_id)
        )
        numbers: set[str] = set()
        barcodes: set[str] = set()
        for number, barcode in rows:
            numbers.add(number)
            if barcode:
                barcodes.add(barcode)
        return cls(library_id, numbers, barcodes)

    def is_taken(self, number: str | None = None, barcode: str | None = None) -> bool:
        return (number is not None and number in self._numbers) or (
            barcode is not None and barcode in self._barcodes
        )

    def take(self) -> str:
        while str(self._next) in self._numbers:
            self._next += 1
        number = str(self._next)
        self._next += 1
        return number

    def claim(self, number: str, barcode: str | None) -> None:
        self._numbers.add(number)
        if barcode:
            self._barcodes.add(barcode)


@dataclass(slots=True, frozen=True)
class NewCopy:
    inventory_number: str | None = None
    barcode: str | None = None


def plan_copies(
    record_id: int,
    library_id: int,
    held: Sequence[tuple[str, str | None]],
    numbered: Sequence[NewCopy],
    at_least: int,
    numbers: InventoryNumbers,
) -> tuple[list[dict[str, Any]], list[NewCopy]]:
    """The item rows to insert for one record, and the numbered copies that conflict.

    `held` is what the library already has of the record (inventory number, barcode). A
    numbered copy already held is skipped; one whose number or barcode belongs to another copy
    of the library is a conflict. Copies without numbers top the holding up to `at_least` and
    get the next free inventory number and an in-store EAN-13 barcode. Planning the same
    wishes twice yields nothing the second time.
    """
    own_numbers = {n for n, _ in held}
    own_barcodes = {b for _, b in held if b}
    rows: list[dict[str, Any]] = []
    conflicts: list[NewCopy] = []

    def add(number: str, barcode: str | None) -> None:
        numbers.claim(number, barcode)
        rows.append(
            {"record_id": record_id, "library_id": library_id, "inventory_number": number,
             "barcode": barcode, "status": ItemStatus.AVAILABLE}
        )  # fmt: skip

    for copy in numbered:
        if copy.inventory_number in own_numbers or (copy.barcode and copy.barcode in own_barcodes):
            continue
        number = copy.inventory_number or numbers.take()
        if numbers.is_taken(number, copy.barcode):
            conflicts.append(copy)
            continue
        add(
            number,
            copy.barcode
            or (library_barcode(library_id, int(number)) if number.isdigit() else None),
        )
    while len(held) + len(rows) < at_least:
        number = numbers.take()
        add(number, library_barcode(library_id, int(number)))
    return rows, conflicts


async def held_copies(
    session: AsyncSession, library_id: int, record_ids: Sequence[int]
) -> dict[int, list[tuple[str, str | None]]]:
    """(inventory number, barcode) of every copy the library has of each record."""
    held: dict[int, list[tuple[str, str | None]]] = {rid: [] for rid in record_ids}
    for start in range(0, len(record_ids), 500):
        rows = await session.execute(
            select(Item.record_id, Item.inventory_number, Item.barcode).where(
                Item.library_id == library_id, Item.record_id.in_(record_ids[start : start + 500])
            )
        )
        for record_id, number, barcode in rows:
            held[record_id].append((number, barcode))
    return held


async def insert_copies(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    now = utcnow()
    for row in rows:
        row["created_at"] = row["updated_at"] = now
    await session.execute(insert(Item), rows)
    for record_id in {row["record_id"] for row in rows}:
        log_change(session, record_id)


async def records_by_id(session: AsyncSession, record_ids: Sequence[int]) -> dict[int, Record]:
    if not record_ids:
        return {}
    return {r.id: r for r in await session.scalars(select(Record).where(Record.id.in_(record_ids)))}


async def title_of(session: AsyncSession, record_id: int) -> str | None:
    return await session.scalar(select(Record.title).where(Record.id == record_id))


async def isbns_of(session: AsyncSession, record_id: int) -> list[str]:
    return list(
        await session.scalars(select(RecordIsbn.isbn13).where(RecordIsbn.record_id == record_id))
    )


def on_the_shelf() -> ColumnElement[bool]:
    """A copy free to be issued or put on the hold shelf now."""
    return Item.status == ItemStatus.AVAILABLE


async def free_copies(session: AsyncSession, record_id: int, library_id: int) -> list[int]:
    """The library's copies of the record on the open shelf now, in the order they came in
    (by id): the one place that says which copies are free."""
    return list(
        await session.scalars(
            select(Item.id)
            .where(Item.record_id == record_id, Item.library_id == library_id, on_the_shelf())
            .order_by(Item.id)
        )
    )


async def find_copies(
    session: AsyncSession, library_ids: Sequence[int], code: str
) -> list[tuple[Item, Record]]:
    """Copies of these libraries whose inventory number or barcode is `code`."""
    rows = await session.execute(
        select(Item, Record)
        .join(Record, Record.id == Item.record_id)
        .where(
            Item.library_id.in_(library_ids),
            (Item.inventory_number == code) | (Item.barcode == code),
        )
        .order_by(Item.id)
    )
    return [(item, record) for item, record in rows]


@dataclass(slots=True, frozen=True)
class Holding:
    """How many copies of a record one library has, and how many are on the shelf now."""

    library_id: int
    library_name: str
    available: int
    total: int


async def holdings(session: AsyncSession, record_ids: Sequence[int]) -> dict[int, list[Holding]]:
    """Copies per record and library, for showing where a book can be had."""
    if not record_ids:
        return {}
    usable = Item.status.not_in((ItemStatus.WRITTEN_OFF, ItemStatus.LOST))
    available = func.sum(case((on_the_shelf(), 1), else_=0))
    rows = await session.execute(
        select(Item.record_id, Library.id, Library.short_name, available, func.count())
        .join(Library, Library.id == Item.library_id)
        .where(Item.record_id.in_(record_ids), usable)
        .group_by(Item.record_id, Library.id, Library.short_name)
        .order_by(Item.record_id, Library.id)
    )
    result: dict[int, list[Holding]] = {}
    for record_id, library_id, name, free, total in rows:
        result.setdefault(record_id, []).append(Holding(library_id, name, int(free or 0), total))
    return result
