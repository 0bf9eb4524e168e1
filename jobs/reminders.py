"""Due-date reminders: two days before a book is due, on the day it falls overdue, and once a
week while it stays overdue — to the reader and (unless switched off) their parents.

Safe to run as often as one likes: each reminder has its own dedupe key (loan, due date,
week), so it is queued once. Quiet hours of the library hold it until morning. A reminder
about a loan that can be renewed now carries «🔄 Продлить» (authorised again when pressed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.circulation import Circulation
from db.engine import Database
from db.loans import renewal_refusals
from db.models import Item, Library, Loan, Record
from jobs.holds import SCHEDULER
from messages.notices import publish

DUE_SOON_DAYS = 2
OVERDUE_EVERY_DAYS = 7


@dataclass(frozen=True, slots=True)
class ReminderRound:
    due_soon: int
    overdue: int
    notices: int


async def due_date_round(db: Database, clock: Callable[[], datetime]) -> ReminderRound:
    now = clock()
    async with db.transaction() as session:
        c = Circulation(session, SCHEDULER, now)
        rows = (
            await session.execute(
                select(Loan, Record.title, Library.timezone)
                .join(Item, Item.id == Loan.item_id)
                .join(Record, Record.id == Item.record_id)
                .join(Library, Library.id == Loan.library_id)
                .where(
                    Loan.returned_at.is_(None),
                    Loan.due_at < now + timedelta(days=DUE_SOON_DAYS + 1),
                )
            )
        ).all()
        refusals = await renewal_refusals(c, [loan.id for loan, _, _ in rows])
        renewable = {loan_id for loan_id, refusal in refusals.items() if refusal is None}
        soon = late = 0
        for loan, title, timezone in rows:
            tz = ZoneInfo(timezone)
            days_left = (loan.due_at.astimezone(tz).date() - now.astimezone(tz).date()).days
            due_day = loan.due_at.astimezone(tz).date()
            if 0 <= days_left <= DUE_SOON_DAYS:
                c.tell(
                    "loan.due_soon",
                    loan.reader_id,
                    loan.library_id,
                    f"{loan.id}:{due_day}",
                    title=title,
                    due=loan.due_at,
                    renew_loan=loan.id if loan.id in renewable else None,
                )
                soon += 1
            elif days_left < 0:
                week = (-days_left - 1) // OVERDUE_EVERY_DAYS
                c.tell(
                    "loan.overdue",
                    loan.reader_id,
                    loan.library_id,
                    f"{loan.id}:{due_day}:{week}",
                    title=title,
                    due=loan.due_at,
                    days=-days_left,
                    renew_loan=loan.id if loan.id in renewable else None,
                )
                late += 1
        notices = await publish(session, c.events, now, None)
    return ReminderRound(soon, late, notices)
