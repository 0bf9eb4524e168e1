"""Importing a library's catalog file into the union catalog.

Each record is matched against the union catalog (same ISBN, or same normalised title +
authors + year); a match is merged, anything else is added; the library's copies are linked to
the record. An ISBN that cannot be used (a wrong check digit) is left out and named in the
report; the record comes in without it. Importing the same file again adds nothing. Work is
committed in batches so a large file neither holds one huge transaction nor loses everything
on a late failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from db.catalog import (
    LOOKUP_CHUNK,
    InventoryNumbers,
    NewCopy,
    RecordData,
    RecordMatcher,
    add_record,
    held_copies,
    insert_copies,
    merge_into,
    plan_copies,
)
from db.engine import Database
from db.enums import RecordKind
from db.importers import IsbnProblem, ParsedRecord, Rejected, read_catalog
from db.models import Library
from db.people import library_by_code

BATCH = 300


class UnknownLibrary(LookupError):
    pass


@dataclass(slots=True, frozen=True)
class SkippedIsbn:
    """An ISBN left out of an imported record (the record itself was imported)."""

    number: int  # the record's position in the file, as in Rejected
    title: str
    isbn: str  # as written in the file
    problem: IsbnProblem


@dataclass(slots=True)
class ImportReport:
    read: int = 0
    added: int = 0
    merged: int = 0
    copies_added: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    # (union record id, inventory number or barcode) of copies not added because the
    # library already uses that number or barcode for another copy.
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    skipped_isbns: list[SkippedIsbn] = field(default_factory=list)


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
        series_number=parsed.series_number,
        bbk=parsed.bbk,
        annotation=parsed.annotation,
    )


@dataclass(slots=True)
class WantedCopies:
    """What one file says a library holds of one union record, summed over the file."""

    numbered: list[NewCopy] = field(default_factory=list)
    unnumbered: int = 0

    @property
    def total(self) -> int:
        return len(self.numbered) + self.unnumbered


async def resolve_records(
    session: AsyncSession,
    parsed_records: Iterable[ParsedRecord],
    wanted: dict[int, WantedCopies],
    report: ImportReport,
) -> None:
    """Match each record against the union catalog, merging or adding, and note its copies.

    Two records of one file that turn out to be the same book stand for two copies of it.
    """
    parsed_records = list(parsed_records)
    matcher = RecordMatcher()
    for start in range(0, len(parsed_records), LOOKUP_CHUNK):
        chunk = parsed_records[start : start + LOOKUP_CHUNK]
        batch = [record_data(parsed) for parsed in chunk]
        await matcher.load(session, batch)
        for parsed, data in zip(chunk, batch, strict=True):
            await _resolve_one(session, matcher, parsed, data, wanted, report)


async def _resolve_one(
    session: AsyncSession,
    matcher: RecordMatcher,
    parsed: ParsedRecord,
    data: RecordData,
    wanted: dict[int, WantedCopies],
    report: ImportReport,
) -> None:
    record = matcher.find(data)
    if record is None:
        record = await add_record(session, data)
        report.added += 1
    else:
        await merge_into(session, record, data)
        report.merged += 1
    matcher.note(record, data)
    report.skipped_isbns.extend(
        SkippedIsbn(parsed.number, parsed.title, bad.isbn, bad.problem) for bad in parsed.bad_isbns
    )
    copies = wanted.setdefault(record.id, WantedCopies())
    copies.numbered.extend(NewCopy(i.inventory_number, i.barcode) for i in parsed.items)
    # A record without any holdings data stands for one copy on the shelf.
    copies.unnumbered += parsed.copies if (parsed.items or parsed.copies) else 1


async def link_copies(
    session: AsyncSession,
    library: Library,
    wanted: dict[int, WantedCopies],
    numbers: InventoryNumbers,
    report: ImportReport,
) -> None:
    """Bring the library's holding of each record up to what the file says."""
    held = await held_copies(session, library.id, list(wanted))
    rows = []
    for record_id, copies in wanted.items():
        new, conflicts = plan_copies(
            record_id, library.id, held[record_id], copies.numbered, copies.total, numbers
        )
        rows.extend(new)
        report.conflicts.extend(
            (record_id, c.inventory_number or c.barcode or "") for c in conflicts
        )
    await insert_copies(session, rows)
    report.copies_added += len(rows)


async def import_records(
    session: AsyncSession,
    library: Library,
    parsed_records: Iterable[ParsedRecord],
    report: ImportReport,
) -> None:
    """Import a handful of records in one transaction (the demo data; small files)."""
    wanted: dict[int, WantedCopies] = {}
    await resolve_records(session, parsed_records, wanted, report)
    numbers = await InventoryNumbers.load(session, library.id)
    await link_copies(session, library, wanted, numbers, report)


async def import_catalog(
    db: Database, path: Path, library_code: str, fmt: str | None = None
) -> ImportReport:
    """Import a catalog file, committing every few hundred records.

    First every record is resolved to a union record (added or merged), then the library's
    copies are brought up to what the whole file describes. Running it again adds nothing;
    if it stops half-way, running it again completes it.
    """
    async with db.reading() as session:
        library = await library_by_code(session, library_code)
        if library is None:
            raise UnknownLibrary(library_code)
    report = ImportReport()
    wanted: dict[int, WantedCopies] = {}
    for batch in _batches(read_catalog(path, fmt), BATCH):
        good = []
        for entry in batch:
            report.read += 1
            if isinstance(entry, Rejected):
                report.rejected.append(entry)
            else:
                good.append(entry)
        async with db.transaction() as session:
            await resolve_records(session, good, wanted, report)
    record_ids = list(wanted)
    for start in range(0, len(record_ids), BATCH):
        async with db.transaction() as session:
            numbers = await InventoryNumbers.load(session, library.id)
            chunk = {rid: wanted[rid] for rid in record_ids[start : start + BATCH]}
            await link_copies(session, library, chunk, numbers, report)
    return report


def _batches(stream: Iterable[ParsedRecord | Rejected], size: int) -> Iterator[list]:
    iterator = iter(stream)
    while batch := list(islice(iterator, size)):
        yield batch
