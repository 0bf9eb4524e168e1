"""Importing a library's catalog file into the union catalog.

Each record is matched against the union catalog (same ISBN, or same normalised title +
authors + year); a match is merged, anything else is added; the library's copies are linked to
the record. Importing the same file again adds nothing. Work is committed in batches so a large
file neither holds one huge transaction nor loses everything on a late failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from db.catalog import (
    InventoryNumbers,
    NewCopy,
    RecordData,
    add_copies,
    add_record,
    find_existing_record,
    merge_into,
)
from db.engine import Database
from db.enums import RecordKind
from db.importers import ParsedRecord, Rejected, read_catalog
from db.models import Library
from db.people import library_by_code

BATCH = 300


class UnknownLibrary(LookupError):
    pass


@dataclass(slots=True)
class ImportReport:
    read: int = 0
    added: int = 0
    merged: int = 0
    copies_added: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    # (record number in the file, inventory number or barcode) of copies not added because
    # the library already uses that number for another copy.
    conflicts: list[tuple[int, str]] = field(default_factory=list)


def record_data(parsed: ParsedRecord) -> RecordData:
    return RecordData(
        title=parsed.title,
        subtitle=parsed.subtitle,
        authors=parsed.authors,
        year=parsed.year,
        publisher=parsed.publisher,
        series=parsed.series,
        subjects=parsed.subjects,
        language=parsed.language,
        kind=RecordKind(parsed.kind),
        age_mark=parsed.age_mark,
        isbns=parsed.isbns,
    )


async def import_records(
    session: AsyncSession,
    library: Library,
    parsed_records: Iterable[ParsedRecord],
    numbers: InventoryNumbers,
    report: ImportReport,
) -> None:
    """Match, add or merge each record and link the library's copies to it."""
    for parsed in parsed_records:
        data = record_data(parsed)
        record = await find_existing_record(session, data)
        if record is None:
            record = await add_record(session, data)
            report.added += 1
        else:
            await merge_into(session, record, data)
            report.merged += 1
        numbered = [NewCopy(i.inventory_number, i.barcode) for i in parsed.items]
        # A record without any holdings data stands for one copy on the shelf.
        wanted = max(len(numbered) + parsed.copies, 1)
        copies = await add_copies(session, record, library, numbered, wanted, numbers)
        report.copies_added += copies.added
        report.conflicts.extend(
            (parsed.number, c.inventory_number or c.barcode or "") for c in copies.conflicts
        )
        await session.flush()


async def import_catalog(
    db: Database, path: Path, library_code: str, fmt: str | None = None
) -> ImportReport:
    async with db.reading() as session:
        library = await library_by_code(session, library_code)
        if library is None:
            raise UnknownLibrary(library_code)
    report = ImportReport()
    stream = read_catalog(path, fmt)
    for batch in _batches(stream, BATCH):
        good = []
        for entry in batch:
            report.read += 1
            if isinstance(entry, Rejected):
                report.rejected.append(entry)
            else:
                good.append(entry)
        async with db.transaction() as session:
            numbers = await InventoryNumbers.load(session, library.id)
            await import_records(session, library, good, numbers, report)
    return report


def _batches(stream: Iterable[ParsedRecord | Rejected], size: int) -> Iterator[list]:
    iterator = iter(stream)
    while batch := list(islice(iterator, size)):
        yield batch
