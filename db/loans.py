"""Loans: issuing a copy to a reader, taking it back, renewing it — within the library's rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from db.access import AccessDenied, require_librarian
from db.calendar import library_calendar
from db.catalog import find_copies
from db.circulation import (
    Circulation,
    claim_item,
    holders,
    library,
    lock_circulation,
    locked_reader,
)
from db.enums import ACTIVE_HOLD_STATUSES, HoldStatus, ItemStatus
from db.errors import Refused
from db.holds import queue_moved, serve_queue
from db.indicators import note_visit
from db.models import Hold, Item, Library, Loan, LoanRule, Reader, Record
from db.project_progress import read_on_return
from db.rules import due_date, local_today, overdue_days, renewed_due_date, rule_for
from db.standing import AgeCheck, above_age, loans_under_rule, reader_age_now

OUT_OF_CIRCULATION = (ItemStatus.WRITTEN_OFF, ItemStatus.LOST, ItemStatus.IN_REPAIR)
BLOCKED = frozenset({"reader_blocked", "reader_blocked_self", "child_blocked"})


async def find_copy(c: Circulation, library_id: int, code: str) -> tuple[Item, Record]:
    """A copy of the librarian's library by inventory number or barcode."""
    require_librarian(c.actor, library_id, "copy.find")
    code = code.strip()
    found = await find_copies(c.session, [library_id], code)
    compact = "".join(code.split())
    if not found and compact != code and compact.isdigit():  # «4 600000 000017» as printed
        found = await find_copies(c.session, [library_id], compact)
    if not found:
        raise Refused("copy_unknown", code=code[:40])
    return found[0]


async def open_loan_of(c: Circulation, item_id: int) -> Loan | None:
    return await c.session.scalar(
        select(Loan).where(Loan.item_id == item_id, Loan.returned_at.is_(None))
    )


async def holder_of(c: Circulation, item_id: int) -> tuple[Loan, Reader] | None:
    """The open loan of a copy and the reader who has it, or None if it is not on loan."""
    loan = await open_loan_of(c, item_id)
    if loan is None:
        return None
    reader = await c.session.get(Reader, loan.reader_id)
    assert reader is not None
    return loan, reader


async def issue(
    c: Circulation, item_id: int, reader_id: int, *, tell: bool = True, age_confirmed: bool = False
) -> Loan:
    """Issue a copy to a reader of the same school. A hold the reader has for the record is
    fulfilled; a copy kept on the hold shelf for someone else stays theirs. A record above the
    reader's age needs the librarian's confirmation first (AgeCheck)."""
    item = await c.session.get(Item, item_id)
    if item is None:
        raise Refused("copy_unknown", code=str(item_id))
    require_librarian(c.actor, item.library_id, "loan.issue")
    reader = await lock_circulation(c.session, reader_id, item.record_id)
    if reader.library_id != item.library_id:
        raise Refused("reader_other_school")
    if reader.blocked:
        raise Refused("reader_blocked", name=reader.full_name, reason=reader.blocked_reason or "")
    record = await c.session.get(Record, item.record_id)
    assert record is not None
    await c.session.refresh(item)
    await ensure_issuable(c, item)
    if not age_confirmed and above_age(record, reader, c.now):
        raise AgeCheck(record.age_mark or 0, reader_age_now(reader, c.now))
    if await holders(c.session, [reader.id], item.record_id):
        raise Refused("reader_has_copy", name=reader.full_name)
    hold = await _hold_to_fulfil(c, item, reader)
    home = await library(c.session, item.library_id)
    rule = await rule_for(c.session, home.id, record.kind)
    on_hand = await loans_under_rule(c.session, reader.id, home.id, record.kind)
    if on_hand >= rule.max_items:
        raise Refused("reader_at_limit", name=reader.full_name, max=rule.max_items)

    if not await claim_item(c.session, item.id, item.status, ItemStatus.ON_LOAN):
        await c.session.refresh(item)
        if item.status == ItemStatus.ON_LOAN:
            await _refuse_on_loan(c, item)
        raise Refused(f"copy_{item.status.value}")
    loan = Loan(
        item_id=item.id,
        reader_id=reader.id,
        library_id=home.id,
        hold_id=hold.id if hold else None,
        issued_at=c.now,
        due_at=due_date(
            rule, home, c.now, await library_calendar(c.session, home, local_today(home, c.now))
        ),
        issued_by_person_id=c.actor.person_id,
    )
    try:
        async with c.session.begin_nested():
            c.session.add(loan)
    except IntegrityError:  # the database's own guard: one copy, one open loan
        raise Refused("copy_on_loan_unknown") from None
    if hold is not None:
        await _fulfil(c, hold, item)
    await note_visit(c.session, home, reader.id, c.now)  # a loan or a pickup: a day at the desk
    if tell:
        c.tell("loan.issued", reader.id, home.id, loan.id, title=record.title, due=loan.due_at)
    c.audit("loan.issue", home.id, "loan", loan.id, item_id=item.id, reader_id=reader.id)
    return loan


async def ensure_issuable(c: Circulation, item: Item) -> None:
    """Refuse at once a copy that cannot go out now: on loan, lost, written off, in repair."""
    if item.status in OUT_OF_CIRCULATION:
        raise Refused(f"copy_{item.status.value}")
    if item.status == ItemStatus.ON_LOAN:
        await _refuse_on_loan(c, item)


@dataclass(frozen=True, slots=True)
class Issued:
    """What was issued, to whom, until when (`loan.due_at`)."""

    loan: Loan
    item: Item
    record: Record
    reader: Reader


async def issue_from_hold(c: Circulation, hold_id: int) -> Issued:
    """📕 on the hold shelf: the copy kept for a ready hold goes to its reader."""
    hold = await c.session.get(Hold, hold_id)
    if hold is None:
        raise Refused("hold_not_active")
    require_librarian(c.actor, hold.library_id, "loan.issue")
    await lock_circulation(c.session, hold.reader_id, hold.record_id)
    await c.session.refresh(hold)
    if hold.status != HoldStatus.READY or hold.item_id is None:
        raise Refused("hold_not_active")
    # The request was approved (or made by the reader within their age): no second question.
    loan = await issue(c, hold.item_id, hold.reader_id, age_confirmed=True)
    return await _issued(c, loan)


async def _issued(c: Circulation, loan: Loan) -> Issued:
    item = await c.session.get(Item, loan.item_id)
    reader = await c.session.get(Reader, loan.reader_id)
    assert item is not None and reader is not None
    record = await c.session.get(Record, item.record_id)
    assert record is not None
    return Issued(loan, item, record, reader)


@dataclass(frozen=True, slots=True)
class Returned:
    loan: Loan
    record: Record
    reader: Reader
    overdue_days: int
    next_hold: Hold | None  # the queued hold the copy went to


async def return_copy(c: Circulation, item_id: int, *, tell: bool = True) -> Returned:
    """Take a copy back; the next reader in that record's queue gets it at once."""
    item = await c.session.get(Item, item_id)
    if item is None:
        raise Refused("copy_unknown", code=str(item_id))
    require_librarian(c.actor, item.library_id, "loan.return")
    loan = await open_loan_of(c, item.id)
    if loan is None:
        raise Refused("copy_not_on_loan")
    await lock_circulation(c.session, loan.reader_id, item.record_id)
    await c.session.refresh(loan)
    closed = await c.session.execute(
        update(Loan)
        .where(Loan.id == loan.id, Loan.returned_at.is_(None))
        .values(returned_at=c.now, returned_by_person_id=c.actor.person_id)
    )
    if closed.rowcount != 1:
        raise Refused("copy_not_on_loan")
    await c.session.refresh(loan)
    home = await library(c.session, item.library_id)
    record = await c.session.get(Record, item.record_id)
    reader = await c.session.get(Reader, loan.reader_id)
    assert record is not None and reader is not None
    late = overdue_days(loan.due_at, home, c.now)
    next_hold = await serve_queue(c, item, ItemStatus.ON_LOAN)
    await read_on_return(c.session, reader.id, record.id, c.now)  # a project's book is read
    await note_visit(c.session, home, reader.id, c.now)
    if tell:
        c.tell("loan.returned", reader.id, home.id, loan.id, title=record.title)
    c.audit("loan.return", home.id, "loan", loan.id, item_id=item.id, overdue_days=late)
    return Returned(loan, record, reader, late, next_hold)


@dataclass(frozen=True, slots=True)
class Renewed:
    """What was renewed, until when (`loan.due_at`)."""

    loan: Loan
    record: Record


async def renew(c: Circulation, loan_id: int) -> Renewed:
    """Renew within the rules (see renewal_refusals); the new due date lands on an open day."""
    loan = await c.session.get(Loan, loan_id)
    if loan is None:
        raise Refused("loan_closed")
    by_librarian = c.actor.is_librarian(loan.library_id)
    if not by_librarian and c.actor.card_in_scope(loan.reader_id) is None:
        raise AccessDenied("loan.renew", loan.library_id)
    item = await c.session.get(Item, loan.item_id)
    assert item is not None
    await lock_circulation(c.session, loan.reader_id, item.record_id)
    await c.session.refresh(loan)
    refusal = (await renewal_refusals(c, [loan.id]))[loan.id]
    if refusal is not None:
        raise refusal
    record = await c.session.get(Record, item.record_id)
    reader = await c.session.get(Reader, loan.reader_id)
    assert record is not None and reader is not None
    home = await library(c.session, loan.library_id)
    rule = await rule_for(c.session, home.id, record.kind)
    calendar = await library_calendar(c.session, home, local_today(home, c.now))
    new_due = renewed_due_date(rule, home, loan.due_at, c.now, calendar)
    renewed = await c.session.execute(
        update(Loan)
        .where(Loan.id == loan.id, Loan.renewals == loan.renewals, Loan.returned_at.is_(None))
        .values(due_at=new_due, renewals=loan.renewals + 1)
    )
    if renewed.rowcount != 1:
        raise Refused("loan_closed")
    await c.session.refresh(loan)
    if by_librarian:  # at the desk; a renewal from the reader's own chat is no visit
        await note_visit(c.session, home, reader.id, c.now)
    c.tell(
        "loan.renewed",
        reader.id,
        home.id,
        f"{loan.id}:{loan.renewals}",
        title=record.title,
        due=loan.due_at,
    )
    c.audit("loan.renew", home.id, "loan", loan.id, renewals=loan.renewals)
    return Renewed(loan, record)


async def renewal_refusals(c: Circulation, loan_ids: Sequence[int]) -> dict[int, Refused | None]:
    """Why each loan cannot be renewed now by this actor, or None where it can: the renewal
    rules, stated once. renew() refuses by them, and 🔄 is offered by them.

    In this order: the loan is still open, the reader's card is not blocked, renewals are left
    (none for textbooks lent until the end of the school year), the book is not too overdue,
    and no other reader is waiting for the record at this library.
    """
    if not loan_ids:
        return {}
    rows = (
        await c.session.execute(
            select(Loan, Record, Reader)
            .join(Item, Item.id == Loan.item_id)
            .join(Record, Record.id == Item.record_id)
            .join(Reader, Reader.id == Loan.reader_id)
            .where(Loan.id.in_(loan_ids))
            .execution_options(populate_existing=True)
        )
    ).all()
    wanted = {
        (record_id, library_id, reader_id)
        for record_id, library_id, reader_id in await c.session.execute(
            select(Hold.record_id, Hold.library_id, Hold.reader_id).where(
                Hold.record_id.in_({record.id for _, record, _ in rows}),
                Hold.status.in_((HoldStatus.PENDING, HoldStatus.QUEUED)),
            )
        )
    }
    refusals: dict[int, Refused | None] = dict.fromkeys(loan_ids, Refused("loan_closed"))
    rules: dict[tuple[int, str], LoanRule] = {}
    for loan, record, reader in rows:
        home = await library(c.session, loan.library_id)
        key = (home.id, str(record.kind))
        if key not in rules:  # a parent's list: a rule looked up once per library and kind
            rules[key] = await rule_for(c.session, home.id, record.kind)
        rule = rules[key]
        waiting = any(
            r == record.id and lib == home.id and who != reader.id for r, lib, who in wanted
        )
        refusals[loan.id] = _renewal_refusal(c, loan, record, reader, rule, home, waiting)
    return refusals


def _renewal_refusal(
    c: Circulation,
    loan: Loan,
    record: Record,
    reader: Reader,
    rule: LoanRule,
    home: Library,
    waiting: bool,
) -> Refused | None:
    if loan.returned_at is not None:
        return Refused("loan_closed")
    if reader.blocked:
        # The reason is the librarian's note: only the librarian hears it.
        if c.actor.is_librarian(loan.library_id):
            return Refused(
                "reader_blocked", name=reader.full_name, reason=reader.blocked_reason or ""
            )
        return Refused("reader_blocked_self" if c.actor.own_card(reader.id) else "child_blocked")
    if loan.renewals >= rule.max_renewals:
        if rule.max_renewals == 0:
            return Refused("renew_never", title=record.title)
        return Refused("renew_limit", title=record.title, max=rule.max_renewals)
    late = overdue_days(loan.due_at, home, c.now)
    if late > rule.max_overdue_days_to_renew:
        return Refused("renew_overdue", title=record.title, days=late)
    if waiting:
        return Refused("renew_wanted", title=record.title)
    return None


async def renewals_offered(c: Circulation, loan_ids: Sequence[int]) -> set[int]:
    """The loans to show 🔄 for: those this actor can renew now, and those only the card's block
    holds back (pressing then says so, in words for whoever pressed; nothing else on a reader's
    screen tells them their card is blocked)."""
    refusals = await renewal_refusals(c, loan_ids)
    return {i for i, refusal in refusals.items() if refusal is None or refusal.key in BLOCKED}


async def set_blocked(c: Circulation, reader_id: int, blocked: bool, reason: str = "") -> Reader:
    reader = await locked_reader(c.session, reader_id)
    require_librarian(c.actor, reader.library_id, "reader.block")
    reader.blocked = blocked
    reader.blocked_reason = reason[:300] if blocked and reason else None
    c.audit("reader.block" if blocked else "reader.unblock", reader.library_id, "reader", reader.id)
    return reader


@dataclass(frozen=True, slots=True)
class Overdue:
    loan_id: int
    reader_id: int
    reader_name: str
    class_name: str | None
    card_number: str
    title: str
    inventory_number: str
    due_at: datetime
    days: int


async def overdue_loans(c: Circulation, library_id: int) -> list[Overdue]:
    require_librarian(c.actor, library_id, "loan.overdue_list")
    home = await library(c.session, library_id)
    rows = await c.session.execute(
        select(Loan, Reader, Record.title, Item.inventory_number)
        .join(Reader, Reader.id == Loan.reader_id)
        .join(Item, Item.id == Loan.item_id)
        .join(Record, Record.id == Item.record_id)
        .where(Loan.library_id == library_id, Loan.returned_at.is_(None), Loan.due_at < c.now)
        .order_by(Reader.class_name, Reader.full_name, Loan.due_at)
    )
    return [
        Overdue(
            loan.id,
            reader.id,
            reader.full_name,
            reader.class_name,
            reader.card_number,
            title,
            inventory,
            loan.due_at,
            overdue_days(loan.due_at, home, c.now),
        )
        for loan, reader, title, inventory in rows
        if overdue_days(loan.due_at, home, c.now) > 0
    ]


@dataclass(frozen=True, slots=True)
class Borrowed:
    """A copy of a record out on loan from a library, and which of its readers has it."""

    record_id: int
    title: str
    reader: Reader
    inventory_number: str
    due_at: datetime


async def borrowed_copies(
    c: Circulation, library_id: int, record_ids: Sequence[int]
) -> list[Borrowed]:
    """Who of the library's own readers has these records now («у кого „Война и мир“?»), the
    records in the order given, each record's soonest due first. Only the library's librarian
    may ask, and only about the library's own loans: other schools' readers never show."""
    require_librarian(c.actor, library_id, "loan.holders")
    if not record_ids:
        return []
    rows = await c.session.execute(
        select(Loan.due_at, Reader, Record.id, Record.title, Item.inventory_number)
        .join(Reader, Reader.id == Loan.reader_id)
        .join(Item, Item.id == Loan.item_id)
        .join(Record, Record.id == Item.record_id)
        .where(
            Loan.library_id == library_id,
            Reader.library_id == library_id,
            Loan.returned_at.is_(None),
            Record.id.in_(record_ids),
        )
        .order_by(Loan.due_at, Loan.id)
    )
    found = [
        Borrowed(record_id, title, reader, inventory, due_at)
        for due_at, reader, record_id, title, inventory in rows
    ]
    order = {record_id: n for n, record_id in enumerate(record_ids)}
    return sorted(found, key=lambda borrowed: order[borrowed.record_id])


# Internals ----------------------------------------------------------------------------------


async def _refuse_on_loan(c: Circulation, item: Item) -> None:
    loan = await open_loan_of(c, item.id)
    holder = await c.session.get(Reader, loan.reader_id) if loan else None
    if loan is None or holder is None:
        raise Refused("copy_on_loan_unknown")
    raise Refused("copy_on_loan", card=holder.card_number, due=loan.due_at)


async def _hold_to_fulfil(c: Circulation, item: Item, reader: Reader) -> Hold | None:
    """The reader's own active hold for this record; a copy held for another reader refuses."""
    if item.status == ItemStatus.ON_HOLD_SHELF:
        shelf_hold = await c.session.scalar(
            select(Hold)
            .where(Hold.item_id == item.id, Hold.status == HoldStatus.READY)
            .execution_options(populate_existing=True)
        )
        if shelf_hold is not None and shelf_hold.reader_id != reader.id:
            other = await c.session.get(Reader, shelf_hold.reader_id)
            raise Refused("copy_held_for_other", card=other.card_number if other else "?")
    return await c.session.scalar(
        select(Hold)
        .where(
            Hold.reader_id == reader.id,
            Hold.record_id == item.record_id,
            Hold.status.in_(ACTIVE_HOLD_STATUSES),
        )
        .execution_options(populate_existing=True)
    )


async def _fulfil(c: Circulation, hold: Hold, issued: Item) -> None:
    """Close the hold the loan served; a different copy it kept on the shelf is freed."""
    kept = hold.item_id if hold.status == HoldStatus.READY else None
    was_queued = hold.status == HoldStatus.QUEUED
    fulfilled = await c.session.execute(
        update(Hold)
        .where(Hold.id == hold.id, Hold.status == hold.status)
        .values(status=HoldStatus.FULFILLED, closed_at=c.now, item_id=issued.id)
    )
    if fulfilled.rowcount != 1:  # cannot happen under lock_circulation; never guess
        raise Refused("copy_available")
    if kept is not None and kept != issued.id:
        other = await c.session.get(Item, kept)
        assert other is not None
        await serve_queue(c, other, ItemStatus.ON_HOLD_SHELF)
    if was_queued:  # served out of turn: everyone behind moves up, and hears so
        await c.session.refresh(hold)
        await queue_moved(c, hold)
