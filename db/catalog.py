"""The union catalog: records entered once, each library linking its own copies to them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ItemStatus, RecordKind
from db.models import CatalogChange, Item, Library, Record, RecordIsbn, utcnow
from nlu.isbn import to_isbn13
from nlu.normalize import author_surname, normalize


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

    @property
    def isbn13s(self) -> list[str]:
        seen: dict[str, None] = {}
        for raw in self.isbns:
            isbn = to_isbn13(raw)
            if isbn:
                seen[isbn] = None
        return list(seen)


async def log_change(session: AsyncSession, record_id: int) -> None:
    session.add(CatalogChange(record_id=record_id))


async def find_existing_record(session: AsyncSession, data: RecordData) -> Record | None:
    """The union catalog's record for `data`: same ISBN, else same normalised key."""
    isbns = data.isbn13s
    if isbns:
        found = await session.scalar(
            select(Record).join(RecordIsbn).where(RecordIsbn.isbn13.in_(isbns)).limit(1)
        )
        if found is not None:
            return found
    key = dedupe_key(data.title, data.authors, data.year)
    return await session.scalar(
        select(Record).where(Record.dedupe_key == key).order_by(Record.id).limit(1)
    )


async def add_record(session: AsyncSession, data: RecordData) -> Record:
    record = Record(
        title=data.title.strip(),
        subtitle=data.subtitle,
        authors="; ".join(a.strip() for a in data.authors if a.strip()),
        year=data.year,
        publisher=data.publisher,
        series=data.series,
        subjects="; ".join(s.strip() for s in data.subjects if s.strip()),
        language=data.language,
        kind=data.kind,
        age_mark=data.age_mark,
        dedupe_key=dedupe_key(data.title, data.authors, data.year),
    )
    session.add(record)
    await session.flush()
    await _attach_isbns(session, record, data.isbn13s)
    await log_change(session, record.id)
    return record


async def merge_into(session: AsyncSession, record: Record, data: RecordData) -> None:
    """Fill what the existing record lacks from another library's description of it."""
    changed = False
    for name in ("subtitle", "publisher", "series", "language", "age_mark"):
        if getattr(record, name) is None and getattr(data, name) is not None:
            setattr(record, name, getattr(data, name))
            changed = True
    if await _attach_isbns(session, record, data.isbn13s):
        changed = True
    if changed:
        await log_change(session, record.id)


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


@dataclass(slots=True)
class CopiesAdded:
    added: int = 0
    # Numbered copies not added because another copy of the library already has the number
    # or barcode; the importer reports them rather than guessing.
    conflicts: list[NewCopy] = field(default_factory=list)


async def add_copies(
    session: AsyncSession,
    record: Record,
    library: Library,
    numbered: Sequence[NewCopy],
    at_least: int,
    numbers: InventoryNumbers,
) -> CopiesAdded:
    """Link a library's copies to a record.

    A numbered copy the record already has (same inventory number or barcode) is skipped; one
    whose number or barcode belongs to another copy of the library is a conflict. Copies
    without numbers top the library's holding of the record up to `at_least` and get the next
    free inventory number and an in-store EAN-13 barcode. Importing a file twice adds nothing.
    """
    existing = (
        await session.execute(
            select(Item.inventory_number, Item.barcode).where(
                Item.library_id == library.id, Item.record_id == record.id
            )
        )
    ).all()
    own_numbers = {n for n, _ in existing}
    own_barcodes = {b for _, b in existing if b}
    result = CopiesAdded()
    rows: list[dict[str, object]] = []

    def add(number: str, barcode: str | None) -> None:
        numbers.claim(number, barcode)
        rows.append(
            {"record_id": record.id, "library_id": library.id, "inventory_number": number,
             "barcode": barcode, "status": ItemStatus.AVAILABLE}
        )  # fmt: skip

    for copy in numbered:
        if copy.inventory_number in own_numbers or (copy.barcode and copy.barcode in own_barcodes):
            continue
        number = copy.inventory_number or numbers.take()
        barcode = copy.barcode or (
            library_barcode(library.id, int(number)) if number.isdigit() else None
        )
        if numbers.is_taken(number, copy.barcode):
            result.conflicts.append(copy)
            continue
        add(number, barcode)
    while len(existing) + len(rows) < at_least:
        number = numbers.take()
        add(number, library_barcode(library.id, int(number)))
    if rows:
        now = utcnow()
        for row in rows:
            row["created_at"] = row["updated_at"] = now
        await session.execute(insert(Item), rows)
        await log_change(session, record.id)
    result.added = len(rows)
    return result


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
    available = func.sum(case((Item.status == ItemStatus.AVAILABLE, 1), else_=0))
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
