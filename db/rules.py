"""Loan rules of a library: how long, how many, how often renewed, how long on the hold shelf."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import RecordKind
from db.models import Library, LoanRule

DEFAULT_KIND = "*"
# Fields a librarian may change, with their allowed range.
EDITABLE = {
    "loan_days": (1, 365),
    "max_items": (1, 100),
    "max_renewals": (0, 20),
    "hold_shelf_days": (1, 30),
    "max_overdue_days_to_renew": (0, 365),
}


async def rule_for(session: AsyncSession, library_id: int, kind: RecordKind | str) -> LoanRule:
    """The library's rule for this kind of record, falling back to its default rule."""
    rules = {
        r.kind: r
        for r in await session.scalars(
            select(LoanRule).where(
                LoanRule.library_id == library_id,
                LoanRule.kind.in_((str(kind), DEFAULT_KIND)),
            )
        )
    }
    found = rules.get(str(kind)) or rules.get(DEFAULT_KIND)
    if found is None:  # a library created without rules still lends by sensible defaults
        found = LoanRule(
            library_id=library_id,
            kind=DEFAULT_KIND,
            loan_days=14,
            until_school_year_end=False,
            max_items=5,
            max_renewals=2,
            hold_shelf_days=3,
            max_overdue_days_to_renew=0,
        )
    return found


async def library_rules(session: AsyncSession, library_id: int) -> list[LoanRule]:
    return list(
        await session.scalars(
            select(LoanRule).where(LoanRule.library_id == library_id).order_by(LoanRule.kind)
        )
    )


def zone(library: Library) -> ZoneInfo:
    return ZoneInfo(library.timezone)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last minute of a local day, in UTC: a book due «5 декабря» is due all that day."""
    return datetime.combine(day, time(23, 59), tz).astimezone(UTC)


def school_year_end(library: Library, today: date) -> date:
    """The next end of the school year on or after today (the library's «MM-DD»)."""
    month, day = (int(part) for part in library.school_year_end.split("-"))
    end = date(today.year, month, day)
    return end if end >= today else date(today.year + 1, month, day)


def due_date(rule: LoanRule, library: Library, now: datetime) -> datetime:
    today = now.astimezone(zone(library)).date()
    if rule.until_school_year_end:
        return end_of_day(school_year_end(library, today), zone(library))
    return end_of_day(today + timedelta(days=rule.loan_days), zone(library))


def renewed_due_date(rule: LoanRule, library: Library, due_at: datetime, now: datetime) -> datetime:
    """A renewal adds the loan period to the due date, or to today for a late renewal."""
    tz = zone(library)
    start = max(due_at.astimezone(tz).date(), now.astimezone(tz).date())
    return end_of_day(start + timedelta(days=rule.loan_days), tz)


def hold_shelf_until(rule: LoanRule, library: Library, now: datetime) -> datetime:
    today = now.astimezone(zone(library)).date()
    return end_of_day(today + timedelta(days=rule.hold_shelf_days), zone(library))


def overdue_days(due_at: datetime, library: Library, now: datetime) -> int:
    tz = zone(library)
    return max(0, (now.astimezone(tz).date() - due_at.astimezone(tz).date()).days)
