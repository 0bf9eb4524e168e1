"""Holds (брони): a reader asks for a record, a librarian approves, a copy waits on the hold
shelf, or the reader waits in the record's queue at their school.

pending ─approve─► ready (a copy on the hold shelf until a deadline) ─issue─► fulfilled
   │  └─ no free copy ─► queued ─a copy comes back─► ready
   └─ reject ─► rejected;   any active ─cancel─► cancelled;   ready ─deadline─► expired

A hold joining the queue tells whoever has a copy of the record from that school that the book
is wanted («вашу книгу ждут», `_tell_borrowers`): never who waits, once per loan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, require_librarian
from db.calendar import library_calendar
from db.catalog import free_copies
from db.circulation import (
    Circulation,
    HoldView,
    claim_item,
    holders,
    holds_where,
    library,
    lock_circulation,
    queue_key,
    queue_order,
    queue_positions,
)
from db.enums import ACTIVE_HOLD_STATUSES, ApprovalMode, HoldStatus, ItemStatus
from db.errors import Refused
from db.models import Hold, Item, Loan, Reader, Record
from db.rules import hold_shelf_until, local_today, overdue_days, rule_for
from db.standing import (
    AgeCheck,
    Standing,
    above_age,
    holds_under_rule,
    loans_under_rule,
    reader_age_now,
    standing,
)

UNUSABLE = (ItemStatus.WRITTEN_OFF, ItemStatus.LOST)


async def place_hold(c: Circulation, reader_id: int, record_id: int) -> Hold:
    """Reserve a record for pickup at the reader's own school. Readers reserve for themselves."""
    card = c.actor.own_card(reader_id)
    if card is None:
        raise AccessDenied("hold.place")
    reader = await lock_circulation(c.session, reader_id, record_id)
    if reader.blocked:
        raise Refused("reader_blocked_self")
    record = await c.session.get(Record, record_id)
    if record is None or above_age(record, reader, c.now):  # not shown to them, not theirs
        raise Refused("record_gone")
    home = await library(c.session, reader.library_id)
    copies = await c.session.scalar(
        select(func.count())
        .select_from(Item)
        .where(
            Item.record_id == record_id, Item.library_id == home.id, Item.status.not_in(UNUSABLE)
        )
    )
    if not copies:
        raise Refused("no_copies_here", library=home.short_name)
    if await holders(c.session, [reader_id], record_id):
        raise Refused("already_on_loan")
    rule = await rule_for(c.session, home.id, record.kind)
    taken = await loans_under_rule(c.session, reader_id, home.id, record.kind)
    taken += await holds_under_rule(
        c.session, reader_id, home.id, record.kind, ACTIVE_HOLD_STATUSES
    )
    if taken >= rule.max_items:
        raise Refused("hold_at_limit", taken=taken, max=rule.max_items)

    hold = Hold(
        record_id=record_id,
        reader_id=reader_id,
        library_id=home.id,
        status=HoldStatus.QUEUED,
        created_at=c.now,
        placed_by_person_id=c.actor.person_id,
    )
    try:
        async with c.session.begin_nested():
            c.session.add(hold)
    except IntegrityError:  # an active hold for this record already exists (or was just made)
        raise Refused("hold_exists") from None

    free = await free_copies(c.session, record_id, home.id)
    waiting = await _queue_length(c, record_id, home.id, excluding=hold.id)
    if free and not waiting:
        if home.approval_mode == ApprovalMode.AUTO:
            if not await _put_on_shelf(c, hold, free):
                await _stay_queued(c, hold)
        else:
            hold.status = HoldStatus.PENDING
    else:
        await _stay_queued(c, hold, approved=False)
    c.tell_librarians(
        "hold.requested",
        reader_id,
        home.id,
        hold.id,
        hold_id=hold.id,
        status=hold.status.value,
        title=record.title,
    )
    c.audit("hold.place", home.id, "hold", hold.id, status=hold.status.value)
    return hold


@dataclass(frozen=True, slots=True)
class Decided:
    """A librarian's decision on a request, described: whose request for what, and where it
    stands now (the copy put on the hold shelf, or the place in the queue)."""

    hold: Hold
    reader: Reader
    record: Record
    item: Item | None = None  # the copy now on the hold shelf for the reader
    position: int | None = None  # the reader's place in the queue
    overdue: int = 0  # the reader's overdue books, for the librarian to weigh


@dataclass(frozen=True, slots=True)
class Placed:
    """A hold just placed, described for the reader: for what, where to pick it up, and for a
    queued hold the place in the queue and when the turn might come."""

    hold: Hold
    title: str
    library: str  # the pickup library's short name
    position: int | None = None
    expected: datetime | None = None


async def placed(c: Circulation, hold: Hold) -> Placed:
    """Describe a hold `place_hold` has just made (its rows are loaded already)."""
    record = await c.session.get(Record, hold.record_id)
    home = await library(c.session, hold.library_id)
    assert record is not None
    if hold.status != HoldStatus.QUEUED:
        return Placed(hold, record.title, home.short_name)
    position = (await queue_positions(c.session, [hold])).get(hold.id) or 1
    expected = await estimated_wait(c, hold, position)
    return Placed(hold, record.title, home.short_name, position, expected)


async def approve_hold(c: Circulation, hold_id: int, *, age_confirmed: bool = False) -> Hold:
    """A librarian approves: a free copy goes to the hold shelf, or the reader joins the queue.
    Refused for a blocked reader or one at the loan limit; a record above the reader's age
    asks the librarian to confirm first (AgeCheck)."""
    hold = await _hold_for_librarian(c, hold_id, "hold.approve")
    if hold.status != HoldStatus.PENDING:
        raise Refused("hold_not_pending")
    reader = await c.session.get(Reader, hold.reader_id)
    record = await c.session.get(Record, hold.record_id)
    assert reader is not None and record is not None
    state = await standing(c.session, reader, record.kind, c.now, excluding=hold.id)
    if state.blocked:
        raise Refused("approve_blocked", name=reader.full_name)
    if state.at_limit:
        raise Refused(
            "approve_at_limit", name=reader.full_name, taken=state.taken, max=state.max_items
        )
    if not age_confirmed and above_age(record, reader, c.now):
        raise AgeCheck(record.age_mark or 0, reader_age_now(reader, c.now))
    hold.decided_at = c.now
    hold.decided_by_person_id = c.actor.person_id
    free = await free_copies(c.session, hold.record_id, hold.library_id)
    if not await _put_on_shelf(c, hold, free):
        await _stay_queued(c, hold)
    c.audit("hold.approve", hold.library_id, "hold", hold.id, status=hold.status.value)
    return hold


async def reject_hold(c: Circulation, hold_id: int, reason: str) -> Hold:
    hold = await _hold_for_librarian(c, hold_id, "hold.reject")
    if hold.status not in ACTIVE_HOLD_STATUSES:
        raise Refused("hold_not_active")
    await _close(c, hold, HoldStatus.REJECTED, reason=reason[:300])
    c.tell(
        "hold.rejected",
        hold.reader_id,
        hold.library_id,
        hold.id,
        title=await _title(c, hold),
        reason=reason,
    )
    c.audit("hold.reject", hold.library_id, "hold", hold.id)
    return hold


async def decision(c: Circulation, hold: Hold) -> Decided:
    """A decision just taken on a request (`approve_hold`, `reject_hold`), described for the
    librarian: the rows are those the decision loaded, so this costs a query or two."""
    reader = await c.session.get(Reader, hold.reader_id)
    record = await c.session.get(Record, hold.record_id)
    assert reader is not None and record is not None
    item = None
    if hold.status == HoldStatus.READY and hold.item_id is not None:
        item = await c.session.get(Item, hold.item_id)
    position = None
    if hold.status == HoldStatus.QUEUED:
        position = (await queue_positions(c.session, [hold])).get(hold.id)
    state = await standing(c.session, reader, record.kind, c.now, excluding=hold.id)
    return Decided(hold, reader, record, item, position, state.overdue)


async def cancel_hold(c: Circulation, hold_id: int) -> Hold:
    """The reader (or their parent, or the school's librarian) withdraws a hold."""
    hold = await c.session.get(Hold, hold_id)
    if hold is None:
        raise Refused("hold_not_active")
    if c.actor.card_in_scope(hold.reader_id) is None and not c.actor.is_librarian(hold.library_id):
        raise AccessDenied("hold.cancel", hold.library_id)
    await lock_circulation(c.session, hold.reader_id, hold.record_id)
    await c.session.refresh(hold)
    if hold.status not in ACTIVE_HOLD_STATUSES:
        raise Refused("hold_not_active")
    await _close(c, hold, HoldStatus.CANCELLED)
    c.audit("hold.cancel", hold.library_id, "hold", hold.id)
    return hold


async def expire_holds(c: Circulation) -> int:
    """Copies not picked up by their deadline go to the next in the queue or back on the shelf."""
    overdue = list(
        await c.session.scalars(
            select(Hold).where(Hold.status == HoldStatus.READY, Hold.ready_until < c.now)
        )
    )
    for hold in overdue:
        await lock_circulation(c.session, hold.reader_id, hold.record_id)
        await c.session.refresh(hold)
        if hold.status != HoldStatus.READY:  # collected or cancelled a moment ago
            continue
        await _close(c, hold, HoldStatus.EXPIRED)
        c.tell(
            "hold.expired", hold.reader_id, hold.library_id, hold.id, title=await _title(c, hold)
        )
        c.audit("hold.expire", hold.library_id, "hold", hold.id)
    return len(overdue)


async def warn_expiring_holds(c: Circulation, within: timedelta = timedelta(days=2)) -> int:
    """Less than two days before a hold-shelf deadline the reader is reminded (once per hold):
    a daily round in the morning thus warns the day before the last day at the latest."""
    soon = list(
        await c.session.scalars(
            select(Hold).where(
                Hold.status == HoldStatus.READY,
                Hold.ready_until >= c.now,
                Hold.ready_until < c.now + within,
            )
        )
    )
    for hold in soon:
        c.tell(
            "hold.expiring",
            hold.reader_id,
            hold.library_id,
            hold.id,
            title=await _title(c, hold),
            until=hold.ready_until,
        )
    return len(soon)


async def serve_queue(c: Circulation, item: Item, seen: ItemStatus) -> Hold | None:
    """A copy has come free (`seen` is its status until now): the first in its record's queue
    (by `queue_order`) gets it on the hold shelf, else it goes back on the open shelf. The
    caller holds the record's lock (lock_circulation)."""
    queued = await _queue(c, item.record_id, item.library_id)
    for hold in queued:
        if await _put_on_shelf(c, hold, [item.id], seen=seen):
            await queue_moved(c, hold)
            return hold
    await claim_item(c.session, item.id, seen, ItemStatus.AVAILABLE)
    return None


async def estimated_wait(c: Circulation, hold: Hold, position: int) -> datetime | None:
    """When the reader's turn might come: the position-th soonest due date of the record's
    copies on loan at the school (None when there are fewer loans than people ahead)."""
    dues = list(
        await c.session.scalars(
            select(Loan.due_at)
            .join(Item, Item.id == Loan.item_id)
            .where(
                Item.record_id == hold.record_id,
                Item.library_id == hold.library_id,
                Loan.returned_at.is_(None),
            )
            .order_by(Loan.due_at)
            .limit(position)
        )
    )
    return dues[position - 1] if len(dues) >= position else None


# What the desk and the reader see -------------------------------------------------------------


async def pending_requests(session: AsyncSession, library_id: int) -> list[HoldView]:
    """Requests waiting for the library's librarian to approve or reject, oldest first."""
    return await holds_where(
        session, Hold.library_id == library_id, Hold.status == HoldStatus.PENDING
    )


async def hold_shelf(session: AsyncSession, library_id: int) -> list[HoldView]:
    """Holds whose copy waits on the library's hold shelf for its reader to pick it up."""
    return await holds_where(
        session, Hold.library_id == library_id, Hold.status == HoldStatus.READY
    )


async def held_for_pickup(session: AsyncSession, item_id: int) -> list[HoldView]:
    """The ready hold a copy on the hold shelf is kept for (none or one)."""
    return await holds_where(session, Hold.item_id == item_id, Hold.status == HoldStatus.READY)


async def hold_view(session: AsyncSession, hold_id: int) -> HoldView | None:
    """One hold as people see it: whose, for what, where it stands (its place in the queue)."""
    found = await holds_where(session, Hold.id == hold_id)
    return found[0] if found else None


async def active_holds(session: AsyncSession, reader_ids: list[int]) -> list[HoldView]:
    """These readers' holds still open (requested, queued, on the hold shelf)."""
    return await holds_where(
        session, Hold.reader_id.in_(reader_ids), Hold.status.in_(ACTIVE_HOLD_STATUSES)
    )


async def request_standing(session: AsyncSession, hold_id: int, now: datetime) -> Standing:
    """What a librarian weighs before approving a request: the reader's block, limit and
    overdue books (the request itself not counted against the limit)."""
    hold = await session.get(Hold, hold_id)
    assert hold is not None
    reader = await session.get(Reader, hold.reader_id)
    record = await session.get(Record, hold.record_id)
    assert reader is not None and record is not None
    return await standing(session, reader, record.kind, now, excluding=hold.id)


# Internals ----------------------------------------------------------------------------------


async def _hold_for_librarian(c: Circulation, hold_id: int, action: str) -> Hold:
    hold = await c.session.get(Hold, hold_id)
    if hold is None:
        raise Refused("hold_not_active")
    require_librarian(c.actor, hold.library_id, action)
    await lock_circulation(c.session, hold.reader_id, hold.record_id)
    await c.session.refresh(hold)
    return hold


async def _queue_length(c: Circulation, record_id: int, library_id: int, excluding: int) -> int:
    return (
        await c.session.scalar(
            select(func.count())
            .select_from(Hold)
            .where(
                Hold.record_id == record_id,
                Hold.library_id == library_id,
                Hold.status == HoldStatus.QUEUED,
                Hold.id != excluding,
            )
        )
        or 0
    )


async def _put_on_shelf(
    c: Circulation, hold: Hold, item_ids: list[int], seen: ItemStatus = ItemStatus.AVAILABLE
) -> bool:
    """Claim the first copy still free and make the hold ready; False if none could be had."""
    for item_id in item_ids:
        if not await claim_item(c.session, item_id, seen, ItemStatus.ON_HOLD_SHELF):
            continue
        home = await library(c.session, hold.library_id)
        record = await c.session.get(Record, hold.record_id)
        assert record is not None
        rule = await rule_for(c.session, home.id, record.kind)
        previous = hold.status
        claimed = await c.session.execute(
            update(Hold)
            .where(Hold.id == hold.id, Hold.status == previous)
            .values(
                status=HoldStatus.READY,
                item_id=item_id,
                ready_until=hold_shelf_until(
                    rule,
                    home,
                    c.now,
                    await library_calendar(c.session, home, local_today(home, c.now)),
                ),
            )
        )
        if claimed.rowcount != 1:  # the hold changed under us: give the copy back
            await claim_item(c.session, item_id, ItemStatus.ON_HOLD_SHELF, seen)
            return False
        await c.session.refresh(hold)
        c.tell(
            "hold.ready",
            hold.reader_id,
            hold.library_id,
            hold.id,
            title=record.title,
            library=home.short_name,
            until=hold.ready_until,
        )
        return True
    return False


async def _stay_queued(c: Circulation, hold: Hold, *, approved: bool = True) -> None:
    """Into the record's queue: after an approval («одобрена, но…»), or straight away when
    there is no free copy (nobody approved anything, and the notice must not say so).

    The hold takes its place here, under the record's lock (every caller took it with
    lock_circulation; SQLite runs one writer at a time anyway): the highest number the queue
    has ever given plus one, so a place once told stays until somebody ahead leaves, and a
    number is never given twice. The event's clock plays no part: events get the lock in an
    order of their own."""
    hold.status = HoldStatus.QUEUED
    if hold.queue_number is None:
        highest = await c.session.scalar(
            select(func.max(Hold.queue_number)).where(
                Hold.record_id == hold.record_id, Hold.library_id == hold.library_id
            )
        )
        hold.queue_number = (highest or 0) + 1
    await c.session.flush()
    position = (await queue_positions(c.session, [hold]))[hold.id]
    c.tell(
        "hold.queued" if approved else "hold.waiting",
        hold.reader_id,
        hold.library_id,
        f"{hold.id}:{position}",
        title=await _title(c, hold),
        position=position,
    )
    await _tell_borrowers(c, hold)


async def _tell_borrowers(c: Circulation, hold: Hold) -> None:
    """«Вашу книгу ждут»: the hold has just joined its record's queue, so each reader who has a
    copy of the record from this school hears that another reader is waiting for it. While
    anyone waits, no copy of the record there is renewed (db.loans.renewal_refusals), so the
    notice asks for the book back by its due date and says renewal is off.

    - Who waits is never said: not the name, class or place in the queue (children's data).
    - Once per loan (the event is keyed by the loan): a second reader joining, or the same
      reader leaving and queueing again, tells nobody twice.
    - An overdue loan hears it too, in words that agree with the overdue reminders: no due
      date to return it by, only «as soon as you can»; the reminders go on as before.
    - Copies lent until the end of the school year (textbooks, class sets) are not asked back
      early: their borrowers hear nothing.
    - Readers only, never parents (messages.notices): the overdue ladder copies parents from
      the step the school chose, and this notice must not bring that step forward.
    At send time the outbox checks that the loan is still open and due then (a book returned
    in the meantime is not asked for)."""
    record = await c.session.get(Record, hold.record_id)
    assert record is not None
    home = await library(c.session, hold.library_id)
    rule = await rule_for(c.session, home.id, record.kind)
    if rule.until_school_year_end:
        return
    lent = await c.session.scalars(
        select(Loan)
        .join(Item, Item.id == Loan.item_id)
        .where(
            Item.record_id == hold.record_id,
            Item.library_id == hold.library_id,
            Loan.returned_at.is_(None),
            Loan.reader_id != hold.reader_id,
        )
        .order_by(Loan.due_at, Loan.id)
    )
    for loan in lent:
        late = overdue_days(loan.due_at, home, c.now)
        c.tell(
            "loan.wanted",
            loan.reader_id,
            home.id,
            loan.id,
            title=record.title,
            due=loan.due_at,
            state="overdue" if late else "due",
        )


async def _close(c: Circulation, hold: Hold, status: HoldStatus, reason: str | None = None) -> None:
    """End an active hold; a copy it kept on the shelf goes to the next reader in line."""
    was = hold.status
    closed = await c.session.execute(
        update(Hold)
        .where(Hold.id == hold.id, Hold.status == was)
        .values(status=status, closed_at=c.now, reason=reason)
    )
    if closed.rowcount != 1:
        raise Refused("hold_not_active")
    await c.session.refresh(hold)
    if was == HoldStatus.READY and hold.item_id is not None:
        item = await c.session.get(Item, hold.item_id)
        assert item is not None
        await serve_queue(c, item, ItemStatus.ON_HOLD_SHELF)
    elif was == HoldStatus.QUEUED:
        await queue_moved(c, hold)


async def queue_moved(c: Circulation, departed: Hold) -> None:
    """A hold left the queue: everyone who stood behind it hears their new place."""
    ahead_of_them = queue_key(departed)
    behind = [
        hold
        for hold in await _queue(c, departed.record_id, departed.library_id)
        if queue_key(hold) > ahead_of_them
    ]
    if not behind:
        return
    title = await _title(c, departed)
    positions = await queue_positions(c.session, behind)
    for hold in behind:
        c.tell(
            "hold.queue_moved",
            hold.reader_id,
            hold.library_id,
            f"{hold.id}:{positions[hold.id]}",
            title=title,
            position=positions[hold.id],
        )


async def _queue(c: Circulation, record_id: int, library_id: int) -> list[Hold]:
    """The record's queued holds at the school, first in line first."""
    return list(
        await c.session.scalars(
            select(Hold)
            .where(
                Hold.record_id == record_id,
                Hold.library_id == library_id,
                Hold.status == HoldStatus.QUEUED,
            )
            .order_by(*queue_order())
        )
    )


async def _title(c: Circulation, hold: Hold) -> str:
    return await c.session.scalar(select(Record.title).where(Record.id == hold.record_id)) or ""
