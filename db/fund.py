"""The fund's accounting: receipts, write-offs, and the fund at any date.

A receipt (`fund_receipts`, поступление) is a delivery: its date, source (purchase, gift,
replacement, transfer, or the import of old data), document number; every copy it brought
points to it (`items.receipt_id`). A write-off (`fund_write_offs`, акт списания) is an act:
its date, reason (lost, worn out, outdated, transferred), document; every copy it took out
points to it (`items.write_off_id`) and is WRITTEN_OFF. A copy is received once and written off
once; a copy with no receipt (data older than the accounting) is recorded once by
`record_import` (`python -m bot fund record-import`) before it can be written off.

Rules kept simple on purpose:
- a copy on loan can be written off only as lost, and its loan is closed then (the reader lost
  it); a copy on the hold shelf is taken off the shelf first (refused until then);
- a write-off is dated no earlier than the copy's receipt, so the fund never goes below zero;
- a lost copy may be replaced by another copy of the library (`replaces_item_id`), received by
  one receipt of source REPLACEMENT dated as the act, on the act's document.

Every figure is one SQL count over `items` joined to its receipt and act and to its record,
reproducible by hand (each function's docstring says what it counts):

    held on D:        receipt.received_on <= D and (no act or act.act_on > D)
    received in A..B: A <= receipt.received_on <= B
    written off A..B: A <= act.act_on <= B

grouped by the statutory kind (`fund_kind_of`: the record's own `fund_kind`, else read from its
kind) and the medium (the record's, an e-resource always electronic). The whole fund or only
what is not a textbook: schools disagree whether textbooks count (`Library.textbooks_in_fund`),
and every result says which way it counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor, require_librarian
from db.audit import audit
from db.clock import utcnow
from db.enums import FundKind, ItemStatus, Medium, ReceiptSource, RecordKind, WriteOffReason
from db.errors import Refused
from db.models import FundReceipt, FundWriteOff, Item, Library, Loan, Record

# A book is reference matter when its subjects or BBK say so. SQLite's lower() leaves
# Cyrillic as it is, so each word is matched as written in small letters and with a capital
# (in Python and in SQL alike); «я2» is the BBK's division for reference editions (я20 —
# universal encyclopaedias, я21 — dictionaries, …).
REFERENCE_STEMS = ("словар", "энциклопед", "справочн")
REFERENCE_BBK = "я2"
MAX_RANGE = 2000  # copies in one typed range «1001–3000»
NAMED = 10  # a refusal names at most this many inventory numbers
KINDS = tuple(FundKind)
MEDIA = tuple(Medium)

Cell = tuple[FundKind, Medium]


# The statutory kind and medium -----------------------------------------------------------------


def _reference_patterns() -> list[str]:
    return [form for stem in REFERENCE_STEMS for form in (stem, stem[0].upper() + stem[1:])]


def fund_kind_of(record: Record) -> FundKind:
    """The record's kind in the statutory breakdown: its own `fund_kind` when the librarian
    set one; else a textbook is a textbook, a periodical, an e-resource or a student work is
    «other», and a book is reference matter when its subjects or BBK say so (словарь,
    энциклопедия, справочник; BBK «я2…»), fiction otherwise."""
    if record.fund_kind is not None:
        return FundKind(record.fund_kind)
    if record.kind == RecordKind.TEXTBOOK:
        return FundKind.TEXTBOOK
    if record.kind != RecordKind.BOOK:
        return FundKind.OTHER
    said = f"{record.subjects or ''} {record.bbk or ''}"
    if any(p in said for p in _reference_patterns()) or REFERENCE_BBK in (record.bbk or ""):
        return FundKind.REFERENCE
    return FundKind.FICTION


def medium_of(record: Record) -> Medium:
    """The record's medium; an e-resource is electronic whatever it says."""
    if record.kind == RecordKind.E_RESOURCE:
        return Medium.ELECTRONIC
    return Medium(record.medium or Medium.PRINT)


def kind_sql() -> ColumnElement[Any]:
    """`fund_kind_of` as an SQL expression over `records` (a string)."""
    said = func.coalesce(Record.subjects, "") + " " + func.coalesce(Record.bbk, "")
    reference = or_(
        *(said.like(f"%{p}%") for p in _reference_patterns()),
        func.coalesce(Record.bbk, "").like(f"%{REFERENCE_BBK}%"),
    )
    return case(
        (Record.fund_kind.is_not(None), cast(Record.fund_kind, String(20))),
        (Record.kind == RecordKind.TEXTBOOK, literal(FundKind.TEXTBOOK.value)),
        (Record.kind != RecordKind.BOOK, literal(FundKind.OTHER.value)),
        (reference, literal(FundKind.REFERENCE.value)),
        else_=literal(FundKind.FICTION.value),
    )


def medium_sql() -> ColumnElement[Any]:
    """`medium_of` as an SQL expression over `records` (a string)."""
    return case(
        (Record.kind == RecordKind.E_RESOURCE, literal(Medium.ELECTRONIC.value)),
        else_=cast(Record.medium, String(20)),
    )


# Counting ----------------------------------------------------------------------------------


class Fund(dict[Cell, int]):
    """Copies by (kind, medium), every cell present (zero where none); without the textbook
    cells when textbooks were not counted (`textbooks`)."""

    def __init__(self, counts: Mapping[Cell, int], textbooks: bool) -> None:
        super().__init__(
            {
                (kind, medium): counts.get((kind, medium), 0)
                for kind in KINDS
                if textbooks or kind != FundKind.TEXTBOOK
                for medium in MEDIA
            }
        )
        self.textbooks = textbooks

    @property
    def total(self) -> int:
        return sum(self.values())

    def of_kind(self, kind: FundKind) -> int:
        return sum(n for (k, _), n in self.items() if k == kind)

    def of_medium(self, medium: Medium) -> int:
        return sum(n for (_, m), n in self.items() if m == medium)


async def _counted(
    session: AsyncSession, library_id: int, where: ColumnElement[bool], textbooks: bool
) -> Fund:
    """Copies of the library matching `where` (over items, their receipt, act and record),
    by kind and medium."""
    cells = (
        select(kind_sql().label("kind"), medium_sql().label("medium"))
        .select_from(Item)
        .join(Record, Record.id == Item.record_id)
        .join(FundReceipt, FundReceipt.id == Item.receipt_id)
        .outerjoin(FundWriteOff, FundWriteOff.id == Item.write_off_id)
        .where(Item.library_id == library_id, where)
        .subquery()
    )
    query = select(cells.c.kind, cells.c.medium, func.count()).group_by(
        cells.c.kind, cells.c.medium
    )
    if not textbooks:
        query = query.where(cells.c.kind != FundKind.TEXTBOOK.value)
    rows = await session.execute(query)
    return Fund({(FundKind(k), Medium(m)): n for k, m, n in rows}, textbooks)


def held_on(day: date) -> ColumnElement[bool]:
    """In the fund at the end of `day`: received on or before it, not written off by then."""
    return and_(
        FundReceipt.received_on <= day,
        or_(FundWriteOff.id.is_(None), FundWriteOff.act_on > day),
    )


def received_between(start: date, end: date) -> ColumnElement[bool]:
    return FundReceipt.received_on.between(start, end)


def written_off_between(start: date, end: date) -> ColumnElement[bool]:
    return FundWriteOff.act_on.between(start, end)


async def counts_textbooks(session: AsyncSession, library_id: int, textbooks: bool | None) -> bool:
    """Whether textbooks are counted: as asked, else the library's setting."""
    if textbooks is not None:
        return textbooks
    library = await session.get(Library, library_id)
    return True if library is None else bool(library.textbooks_in_fund)


async def fund_at(
    session: AsyncSession, library_id: int, on: date, *, textbooks: bool | None = None
) -> Fund:
    """The fund at the end of day `on`, by kind and medium: the library's copies whose receipt
    is dated on or before `on` and that were not written off by an act dated on or before it —

        select count(*) from items join fund_receipts r on r.id = items.receipt_id
        left join fund_write_offs w on w.id = items.write_off_id
        where items.library_id = :library and r.received_on <= :on
          and (w.id is null or w.act_on > :on)

    — with textbooks or without (`textbooks`; None: the library's setting; the result's
    `textbooks` says which). A copy with no receipt is not in the fund."""
    counted = await counts_textbooks(session, library_id, textbooks)
    return await _counted(session, library_id, held_on(on), counted)


@dataclass(frozen=True, slots=True)
class Movement:
    """The fund's movement over a period (both ends included): at the start (the end of the
    day before it), received, written off, at the end; at_end = at_start + received −
    written_off, cell by cell."""

    start: date
    end: date
    at_start: Fund
    received: Fund
    written_off: Fund

    @property
    def at_end(self) -> Fund:
        cells = {
            cell: self.at_start[cell] + self.received[cell] - self.written_off[cell]
            for cell in self.at_start
        }
        return Fund(cells, self.at_start.textbooks)

    @property
    def textbooks(self) -> bool:
        return self.at_start.textbooks


async def movement(
    session: AsyncSession,
    library_id: int,
    start: date,
    end: date,
    *,
    textbooks: bool | None = None,
) -> Movement:
    """The movement of `start`..`end`: the fund at the end of the day before `start`
    (`fund_at`), the copies whose receipt is dated within the period (r.received_on between
    :start and :end) and those whose act is (w.act_on between :start and :end)."""
    counted = await counts_textbooks(session, library_id, textbooks)
    return Movement(
        start,
        end,
        await _counted(session, library_id, held_on(start - timedelta(days=1)), counted),
        await _counted(session, library_id, received_between(start, end), counted),
        await _counted(session, library_id, written_off_between(start, end), counted),
    )


# ОО-2, section 2.6 -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Oo2Row:
    """A row of ОО-2 section 2.6: the whole fund (kind and medium None), a kind, or a medium;
    copies received in the year, written off in the year, held at the end of the year."""

    kind: FundKind | None
    medium: Medium | None
    received: int
    written_off: int
    held: int


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


async def oo2_section(session: AsyncSession, library_id: int, year: int) -> list[Oo2Row]:
    """ОО-2 section 2.6 for a calendar year: the whole fund, then by kind (textbooks, learning
    aids, fiction, reference, other), then by medium (print, audiovisual, electronic).
    Columns: copies whose receipt is dated in the year; copies whose act is dated in the year;
    copies held on 31 December (`fund_at`). The form counts textbooks always (they are a row
    of it), whatever the library's setting."""
    start, end = year_bounds(year)
    moved = await movement(session, library_id, start, end, textbooks=True)
    held = moved.at_end

    def row(kind: FundKind | None, medium: Medium | None) -> Oo2Row:
        def part(fund: Fund) -> int:
            if kind is not None:
                return fund.of_kind(kind)
            if medium is not None:
                return fund.of_medium(medium)
            return fund.total

        return Oo2Row(kind, medium, part(moved.received), part(moved.written_off), part(held))

    return (
        [row(None, None)]
        + [row(kind, None) for kind in KINDS]
        + [row(None, medium) for medium in MEDIA]
    )


# The summary register (книга суммарного учёта) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterLine:
    """A receipt (part 1) or an act (part 2) of the year: its date, source or reason,
    document, and its copies by kind."""

    id: int
    on: date
    why: ReceiptSource | WriteOffReason
    document: str
    by_kind: dict[FundKind, int]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


@dataclass(frozen=True, slots=True)
class SummaryRegister:
    """The summary register's three parts for a year: receipts, write-offs, and the totals
    (at the start of the year, received, written off, at the end; by kind)."""

    year: int
    textbooks: bool  # whether textbooks were counted
    receipts: list[RegisterLine] = field(default_factory=list)
    write_offs: list[RegisterLine] = field(default_factory=list)
    movement: Movement | None = None

    def totals(self) -> dict[str, dict[FundKind, int]]:
        """Part 3: «start», «received», «written_off», «end» → copies by kind."""
        assert self.movement is not None
        funds = {
            "start": self.movement.at_start,
            "received": self.movement.received,
            "written_off": self.movement.written_off,
            "end": self.movement.at_end,
        }
        kinds = [k for k in KINDS if self.textbooks or k != FundKind.TEXTBOOK]
        return {name: {k: fund.of_kind(k) for k in kinds} for name, fund in funds.items()}


async def summary_register(
    session: AsyncSession, library_id: int, year: int, *, textbooks: bool | None = None
) -> SummaryRegister:
    """The summary register for a calendar year. Part 1: each receipt dated in the year, with
    its copies by kind (items whose receipt_id is it); part 2: each act dated in the year, with
    its copies by kind (items whose write_off_id is it); part 3: `movement` of the year. With
    or without textbooks (None: the library's setting; many schools keep textbooks in a
    register of their own)."""
    counted = await counts_textbooks(session, library_id, textbooks)
    start, end = year_bounds(year)
    receipts = await _lines(
        session,
        FundReceipt,
        Item.receipt_id,
        FundReceipt.received_on,
        FundReceipt.source,
        library_id,
        (start, end),
        counted,
    )
    write_offs = await _lines(
        session,
        FundWriteOff,
        Item.write_off_id,
        FundWriteOff.act_on,
        FundWriteOff.reason,
        library_id,
        (start, end),
        counted,
    )
    moved = await movement(session, library_id, start, end, textbooks=counted)
    return SummaryRegister(year, counted, receipts, write_offs, moved)


async def _lines(
    session: AsyncSession,
    table: type[FundReceipt] | type[FundWriteOff],
    item_key: Any,
    on: Any,
    why: Any,
    library_id: int,
    period: tuple[date, date],
    textbooks: bool,
) -> list[RegisterLine]:
    cells = (
        select(
            table.id.label("id"),
            on.label("on"),
            why.label("why"),
            table.document.label("document"),
            kind_sql().label("kind"),
            Item.id.label("item"),
        )
        .select_from(table)
        .outerjoin(Item, item_key == table.id)
        .outerjoin(Record, Record.id == Item.record_id)
        .where(table.library_id == library_id, on.between(*period))
        .subquery()
    )
    c = cells.c
    query = (
        select(c.id, c.on, c.why, c.document, c.kind, func.count(c.item))
        .group_by(c.id, c.on, c.why, c.document, c.kind)
        .order_by(c.on, c.id)
    )
    lines: dict[int, RegisterLine] = {}
    for line_id, day, reason, document, kind_value, count in await session.execute(query):
        line = lines.setdefault(line_id, RegisterLine(line_id, day, reason, document, {}))
        if not count or (not textbooks and kind_value == FundKind.TEXTBOOK.value):
            continue
        line.by_kind[FundKind(kind_value)] = count
    return list(lines.values())


# Copies by the numbers typed ---------------------------------------------------------------

_RANGE = re.compile(r"^(\d+)-(\d+)$")


def typed_numbers(typed: str) -> list[str]:
    """Inventory numbers (or barcodes) as typed: separated by commas, semicolons or spaces;
    «1001–1040» (any dash) is every number from one to the other. Raises Refused for a range
    that runs backwards or is too long."""
    text = re.sub(r"\s*[-–—]\s*", "-", typed.strip())
    numbers: list[str] = []
    for token in re.split(r"[,;\s]+", text):
        if not token:
            continue
        found = _RANGE.match(token)
        if found is None:
            numbers.append(token[:40])
            continue
        low, high = int(found.group(1)), int(found.group(2))
        if high < low or high - low >= MAX_RANGE:
            raise Refused("fund_bad_range", range=token[:40], max=MAX_RANGE)
        width = len(found.group(1)) if found.group(1).startswith("0") else 0
        numbers += [str(n).zfill(width) for n in range(low, high + 1)]
    return list(dict.fromkeys(numbers))


async def copies_by_numbers(
    session: AsyncSession, library_id: int, numbers: Sequence[str]
) -> list[Item]:
    """The library's copies with these inventory numbers (or barcodes), in the order typed.
    Refused, naming them, if any is not the library's."""
    found: dict[str, Item] = {}
    for start in range(0, len(numbers), 500):
        chunk = list(numbers[start : start + 500])
        for item in await session.scalars(
            select(Item).where(
                Item.library_id == library_id,
                or_(Item.inventory_number.in_(chunk), Item.barcode.in_(chunk)),
            )
        ):
            found[item.inventory_number] = item
            if item.barcode:
                found[item.barcode] = item
    missing = [n for n in numbers if n not in found]
    if missing:
        raise Refused("fund_unknown_copies", numbers=_named(missing), n=len(missing))
    return list({found[n].id: found[n] for n in numbers}.values())


def _named(numbers: Sequence[str]) -> str:
    shown = ", ".join(numbers[:NAMED])
    return shown + ("…" if len(numbers) > NAMED else "")


async def _library_items(
    session: AsyncSession, library_id: int, item_ids: Iterable[int]
) -> list[Item]:
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        raise Refused("fund_no_copies")
    items = list(
        await session.scalars(
            select(Item).where(Item.id.in_(ids), Item.library_id == library_id).order_by(Item.id)
        )
    )
    if len(items) != len(ids):
        raise Refused("fund_copies_gone")
    return items


# Receipts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Received:
    """A receipt recorded and how many copies it brought."""

    receipt: FundReceipt
    copies: int


async def record_receipt(
    session: AsyncSession,
    actor: Actor,
    library_id: int,
    received_on: date,
    source: ReceiptSource,
    document: str,
    item_ids: Iterable[int],
    *,
    note: str | None = None,
) -> Received:
    """A delivery of these copies of the library on `received_on`. Only the library's
    librarian may; a copy already received (or written off) is refused, named, and nothing is
    recorded."""
    require_librarian(actor, library_id, "fund.receipt")
    items = await _library_items(session, library_id, item_ids)
    _check_receipt(items)
    receipt = await _receipt(session, actor, library_id, received_on, source, document, note)
    await _attach(session, receipt, [i.id for i in items])
    audit(
        session,
        actor,
        "fund.receipt",
        library_id=library_id,
        object_type="fund_receipt",
        object_id=receipt.id,
        source=source.value,
        copies=len(items),
    )
    return Received(receipt, len(items))


def _check_receipt(items: list[Item]) -> None:
    done = [i.inventory_number for i in items if i.receipt_id is not None]
    if done:
        raise Refused("fund_already_received", numbers=_named(done), n=len(done))
    gone = [i.inventory_number for i in items if i.write_off_id is not None]
    if gone:
        raise Refused("fund_already_written_off", numbers=_named(gone), n=len(gone))


async def _receipt(
    session: AsyncSession,
    actor: Actor,
    library_id: int,
    received_on: date,
    source: ReceiptSource,
    document: str,
    note: str | None = None,
) -> FundReceipt:
    receipt = FundReceipt(
        library_id=library_id,
        received_on=received_on,
        source=source,
        document=document.strip()[:60],
        note=note,
        created_by_person_id=actor.person_id,
        created_at=utcnow(),
    )
    session.add(receipt)
    await session.flush()
    return receipt


async def _attach(session: AsyncSession, receipt: FundReceipt, item_ids: list[int]) -> None:
    for start in range(0, len(item_ids), 500):
        await session.execute(
            update(Item)
            .where(Item.id.in_(item_ids[start : start + 500]))
            .values(receipt_id=receipt.id)
            .execution_options(synchronize_session="fetch")
        )


async def record_import(
    session: AsyncSession, library_id: int, on: date, actor: Actor | None = None
) -> Received | None:
    """Every copy of the library with no receipt (data older than the accounting), recorded
    as received on `on` by one receipt of source IMPORT; None if there was none. The CLI's
    (the operator's, `actor` None: audited as the system) or a librarian's."""
    actor = actor or Actor(account_id=None, person_id=None)
    if actor.person_id is not None:
        require_librarian(actor, library_id, "fund.import")
    ids = list(
        await session.scalars(
            select(Item.id).where(Item.library_id == library_id, Item.receipt_id.is_(None))
        )
    )
    if not ids:
        return None
    receipt = await _receipt(session, actor, library_id, on, ReceiptSource.IMPORT, "")
    await _attach(session, receipt, ids)
    audit(
        session,
        actor,
        "fund.import",
        library_id=library_id,
        object_type="fund_receipt",
        object_id=receipt.id,
        copies=len(ids),
    )
    return Received(receipt, len(ids))


# Write-offs --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WrittenOff:
    """An act recorded: how many copies it wrote off, how many loans of lost copies it closed,
    and the receipt of the copies that replace lost ones (if any)."""

    act: FundWriteOff
    copies: int
    loans_closed: int = 0
    replacement: FundReceipt | None = None
    replaced: int = 0


async def record_write_off(
    session: AsyncSession,
    actor: Actor,
    library_id: int,
    act_on: date,
    reason: WriteOffReason,
    document: str,
    item_ids: Iterable[int],
    replacements: Mapping[int, int] | None = None,
    *,
    note: str | None = None,
) -> WrittenOff:
    """An act writing off these copies of the library on `act_on`. Only the library's
    librarian may. Refused, naming the copies, and nothing recorded, if any has no receipt,
    was received after `act_on`, is already written off, is on the hold shelf, or is on loan
    and the reason is not «lost» (a lost copy's loan is closed). `replacements` (lost copy →
    the copy that replaces it; reason «lost» only) receives the new copies by one receipt of
    source REPLACEMENT, dated and numbered as the act."""
    require_librarian(actor, library_id, "fund.write_off")
    items = await _library_items(session, library_id, item_ids)
    await _check_write_off(session, items, act_on, reason)
    replacing = await _replacements(session, library_id, items, reason, replacements or {})
    act = FundWriteOff(
        library_id=library_id,
        act_on=act_on,
        reason=reason,
        document=document.strip()[:60],
        note=note,
        created_by_person_id=actor.person_id,
        created_at=utcnow(),
    )
    session.add(act)
    await session.flush()
    ids = [i.id for i in items]
    closed = 0
    if reason == WriteOffReason.LOST:
        closing = await session.execute(
            update(Loan)
            .where(Loan.item_id.in_(ids), Loan.returned_at.is_(None))
            .values(returned_at=utcnow(), returned_by_person_id=actor.person_id)
            .execution_options(synchronize_session=False)
        )
        closed = closing.rowcount or 0
    await session.execute(
        update(Item)
        .where(Item.id.in_(ids))
        .values(write_off_id=act.id, status=ItemStatus.WRITTEN_OFF)
        .execution_options(synchronize_session="fetch")
    )
    receipt = None
    if replacing:
        receipt = await _receipt(
            session, actor, library_id, act_on, ReceiptSource.REPLACEMENT, act.document
        )
        for new, lost in replacing.items():
            new.receipt_id = receipt.id
            new.replaces_item_id = lost
        await session.flush()
    audit(
        session,
        actor,
        "fund.write_off",
        library_id=library_id,
        object_type="fund_write_off",
        object_id=act.id,
        reason=reason.value,
        copies=len(ids),
        loans_closed=closed,
        replaced=len(replacing),
    )
    return WrittenOff(act, len(ids), closed, receipt, len(replacing))


async def _check_write_off(
    session: AsyncSession, items: list[Item], act_on: date, reason: WriteOffReason
) -> None:
    def refuse_if(key: str, which: list[Item]) -> None:
        if which:
            numbers = [i.inventory_number for i in which]
            raise Refused(key, numbers=_named(numbers), n=len(numbers))

    refuse_if("fund_already_written_off", [i for i in items if i.write_off_id is not None])
    refuse_if("fund_not_received", [i for i in items if i.receipt_id is None])
    receipts = {i.receipt_id for i in items}
    dated = dict(
        (
            await session.execute(
                select(FundReceipt.id, FundReceipt.received_on).where(FundReceipt.id.in_(receipts))
            )
        ).all()
    )
    refuse_if("fund_received_later", [i for i in items if dated[i.receipt_id] > act_on])
    refuse_if("fund_on_hold_shelf", [i for i in items if i.status == ItemStatus.ON_HOLD_SHELF])
    if reason != WriteOffReason.LOST:
        refuse_if("fund_on_loan", [i for i in items if i.status == ItemStatus.ON_LOAN])


async def _replacements(
    session: AsyncSession,
    library_id: int,
    items: list[Item],
    reason: WriteOffReason,
    replacements: Mapping[int, int],
) -> dict[Item, int]:
    """The replacing copies (each to the lost copy it replaces), checked: reason «lost», a
    lost copy of this act, a copy of the library with no receipt, each used once."""
    if not replacements:
        return {}
    if reason != WriteOffReason.LOST:
        raise Refused("fund_replace_not_lost")
    lost = {i.id: i for i in items}
    strangers = [k for k in replacements if k not in lost]
    if strangers:
        raise Refused("fund_replace_not_in_act")
    if len(set(replacements.values())) != len(replacements):
        raise Refused("fund_replace_twice")
    new = {i.id: i for i in await _library_items(session, library_id, replacements.values())}
    clash = [i for i in new.values() if i.id in lost]
    taken = [i for i in new.values() if i.receipt_id is not None or i.write_off_id is not None]
    if clash or taken:
        numbers = [i.inventory_number for i in clash + taken]
        raise Refused("fund_replace_received", numbers=_named(numbers), n=len(numbers))
    return {new[new_id]: lost_id for lost_id, new_id in replacements.items()}


# The library's setting ----------------------------------------------------------------------


async def set_textbooks_in_fund(
    session: AsyncSession, actor: Actor, library_id: int, counted: bool
) -> Library:
    """Whether the library's fund figures count textbooks; its librarian's, audited."""
    require_librarian(actor, library_id, "fund.textbooks")
    library = await session.get(Library, library_id)
    assert library is not None
    library.textbooks_in_fund = counted
    audit(session, actor, "fund.textbooks", library_id=library_id, counted=counted)
    return library


# What a receipt or an act typed in chat would record -----------------------------------------


@dataclass(frozen=True, slots=True)
class Planned:
    """The copies a receipt or an act is about to record, checked: their ids, how many of each
    kind, how many are on loan (a lost copy's loan closes), and the replacements (lost copy →
    new copy)."""

    item_ids: tuple[int, ...]
    by_kind: dict[FundKind, int]
    on_loan: int = 0
    replacements: dict[int, int] = field(default_factory=dict)


_REPLACED = re.compile(r"(\S+)\s*(?:взамен:?|->|→)\s*(\S+)", re.IGNORECASE)


def typed_replacements(typed: str) -> tuple[str, list[tuple[str, str]]]:
    """A write-off's copies as typed, with «1005 взамен: 2001» (or «1005 → 2001») pairs taken
    out: the rest of the text, and the (lost, new) pairs of numbers."""
    pairs = [(m.group(1).strip(",;"), m.group(2).strip(",;")) for m in _REPLACED.finditer(typed)]
    rest = _REPLACED.sub(lambda m: f" {m.group(1)} ", typed)
    return rest, pairs


async def kinds_of(session: AsyncSession, item_ids: Sequence[int]) -> dict[FundKind, int]:
    """How many of these copies are of each kind."""
    counts: dict[FundKind, int] = {}
    for start in range(0, len(item_ids), 500):
        cells = (
            select(kind_sql().label("kind"))
            .select_from(Item)
            .join(Record, Record.id == Item.record_id)
            .where(Item.id.in_(item_ids[start : start + 500]))
            .subquery()
        )
        for kind, n in await session.execute(
            select(cells.c.kind, func.count()).group_by(cells.c.kind)
        ):
            counts[FundKind(kind)] = counts.get(FundKind(kind), 0) + n
    return {k: counts[k] for k in KINDS if k in counts}


async def plan_receipt(session: AsyncSession, actor: Actor, library_id: int, typed: str) -> Planned:
    """The copies typed for a receipt, checked as `record_receipt` will check them."""
    require_librarian(actor, library_id, "fund.receipt")
    items = await copies_by_numbers(session, library_id, typed_numbers(typed))
    _check_receipt(items)
    ids = tuple(i.id for i in items)
    return Planned(ids, await kinds_of(session, ids))


async def plan_write_off(
    session: AsyncSession,
    actor: Actor,
    library_id: int,
    act_on: date,
    reason: WriteOffReason,
    typed: str,
) -> Planned:
    """The copies typed for an act (with «взамен» pairs for lost ones), checked as
    `record_write_off` will check them."""
    require_librarian(actor, library_id, "fund.write_off")
    rest, pairs = typed_replacements(typed)
    items = await copies_by_numbers(session, library_id, typed_numbers(rest))
    if not items:
        raise Refused("fund_no_copies")
    await _check_write_off(session, items, act_on, reason)
    by_number = {i.inventory_number: i.id for i in items} | {
        i.barcode: i.id for i in items if i.barcode
    }
    replacements: dict[int, int] = {}
    if pairs:
        new = await copies_by_numbers(session, library_id, [n for _, n in pairs])
        new_ids = {i.inventory_number: i.id for i in new} | {
            i.barcode: i.id for i in new if i.barcode
        }
        if any(lost not in by_number for lost, _ in pairs):
            raise Refused("fund_replace_not_in_act")
        replacements = {by_number[lost]: new_ids[n] for lost, n in pairs}
        await _replacements(session, library_id, items, reason, replacements)
    ids = tuple(i.id for i in items)
    on_loan = sum(1 for i in items if i.status == ItemStatus.ON_LOAN)
    return Planned(ids, await kinds_of(session, ids), on_loan, replacements)


async def without_receipt(session: AsyncSession, library_id: int) -> int:
    """How many of the library's copies have no receipt (not in the fund's figures)."""
    return (
        await session.scalar(
            select(func.count())
            .select_from(Item)
            .where(Item.library_id == library_id, Item.receipt_id.is_(None))
        )
        or 0
    )
