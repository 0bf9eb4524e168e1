"""Loan rules of a library: how long, how many, how often renewed, how long on the hold shelf."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor, require_librarian
from db.audit import audit
from db.calendar import Calendar, calendar_of, close_day, parse_weekdays, reopen_day
from db.enums import ApprovalMode, RecordKind
from db.models import Library, LibraryClosedDay, LoanRule

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


def local_today(library: Library, now: datetime) -> date:
    return now.astimezone(zone(library)).date()


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last minute of a local day, in UTC: a book due «5 декабря» is due all that day."""
    return datetime.combine(day, time(23, 59), tz).astimezone(UTC)


def school_year_end(library: Library, today: date) -> date:
    """The next end of the school year on or after today (the library's «MM-DD»)."""
    month, day = (int(part) for part in library.school_year_end.split("-"))
    end = date(today.year, month, day)
    return end if end >= today else date(today.year + 1, month, day)


def due_date(
    rule: LoanRule, library: Library, now: datetime, calendar: Calendar | None = None
) -> datetime:
    """The loan period (or the school year) from today, moved to the library's next open day."""
    tz = zone(library)
    today = now.astimezone(tz).date()
    if rule.until_school_year_end:
        day = school_year_end(library, today)
    else:
        day = today + timedelta(days=rule.loan_days)
    return _on_open_day(day, library, calendar)


def renewed_due_date(
    rule: LoanRule,
    library: Library,
    due_at: datetime,
    now: datetime,
    calendar: Calendar | None = None,
) -> datetime:
    """A renewal adds the loan period to the due date, or to today for a late renewal; it too
    lands on an open day."""
    tz = zone(library)
    start = max(due_at.astimezone(tz).date(), now.astimezone(tz).date())
    return _on_open_day(start + timedelta(days=rule.loan_days), library, calendar)


def hold_shelf_until(
    rule: LoanRule, library: Library, now: datetime, calendar: Calendar | None = None
) -> datetime:
    today = now.astimezone(zone(library)).date()
    return _on_open_day(today + timedelta(days=rule.hold_shelf_days), library, calendar)


def _on_open_day(day: date, library: Library, calendar: Calendar | None) -> datetime:
    """The end of the library's first open day on or after `day`. Without a calendar loaded,
    the library's weekdays and the public holidays still count (not its own closed days)."""
    open_day = (calendar or calendar_of(library)).next_open_day(day)
    return end_of_day(open_day, zone(library))


def overdue_days(due_at: datetime, library: Library, now: datetime) -> int:
    tz = zone(library)
    return max(0, (now.astimezone(tz).date() - due_at.astimezone(tz).date()).days)


# A librarian changes the library's rules (authorised and audited here) ---------------------


async def change_rule(
    session: AsyncSession,
    actor: Actor,
    library_id: int,
    kind: str,
    field: str,
    value: int | None,
) -> LoanRule:
    """Set one field of the library's rule for a kind of record (`EDITABLE`); `loan_days`
    with no value lends until the end of the school year. A library lending by the network's
    default gets a rule of its own, a copy of the one it lent by."""
    require_librarian(actor, library_id, "rules.edit")
    if field not in EDITABLE:
        raise ValueError(f"not editable: {field}")
    rule = await rule_for(session, library_id, kind)
    if rule.kind != kind or rule.id is None:
        rule = LoanRule(
            library_id=library_id,
            kind=kind,
            loan_days=rule.loan_days,
            until_school_year_end=rule.until_school_year_end,
            max_items=rule.max_items,
            max_renewals=rule.max_renewals,
            hold_shelf_days=rule.hold_shelf_days,
            max_overdue_days_to_renew=rule.max_overdue_days_to_renew,
        )
        session.add(rule)
    if value is None:
        if field != "loan_days":
            raise ValueError(f"{field} needs a value")
        rule.until_school_year_end = True
        audit(
            session,
            actor,
            "rules.edit",
            library_id=library_id,
            kind=kind,
            field="until_school_year_end",
        )
        return rule
    setattr(rule, field, value)
    if field == "loan_days":  # a number of days replaces «до конца учебного года»
        rule.until_school_year_end = False
    audit(session, actor, "rules.edit", library_id=library_id, kind=kind, field=field, value=value)
    return rule


async def set_approval_mode(
    session: AsyncSession, actor: Actor, library_id: int, mode: ApprovalMode
) -> Library:
    """Requests approved by the librarian, or automatically where a copy is free."""
    require_librarian(actor, library_id, "rules.edit")
    library = await session.get(Library, library_id)
    assert library is not None
    library.approval_mode = mode
    audit(session, actor, "rules.approval", library_id=library_id, mode=mode.value)
    return library


async def set_weekday_open(
    session: AsyncSession, actor: Actor, library_id: int, weekday: int, open_: bool
) -> Library | None:
    """Open or close the library on a weekday (ISO number) every week; None (and nothing
    changed) when that would leave it no open day at all."""
    require_librarian(actor, library_id, "calendar.edit")
    library = await session.get(Library, library_id)
    assert library is not None
    days = set(parse_weekdays(library.open_weekdays))
    if open_:
        days.add(weekday)
    else:
        days.discard(weekday)
    if not days:
        return None
    library.open_weekdays = "".join(str(d) for d in sorted(days))
    audit(
        session,
        actor,
        "calendar.weekdays",
        library_id=library_id,
        open_weekdays=library.open_weekdays,
    )
    return library


async def mark_closed(
    session: AsyncSession, actor: Actor, library_id: int, day: date, note: str | None
) -> LibraryClosedDay:
    """The library does not work that day (its own closure, beside the public holidays)."""
    require_librarian(actor, library_id, "calendar.edit")
    marked = await close_day(session, library_id, day, note)
    audit(
        session,
        actor,
        "calendar.close",
        library_id=library_id,
        day=day.isoformat(),
        note=marked.note,
    )
    return marked


async def mark_open(session: AsyncSession, actor: Actor, library_id: int, day: date) -> bool:
    """The library works that day after all; False if the day was not marked closed."""
    require_librarian(actor, library_id, "calendar.edit")
    if not await reopen_day(session, library_id, day):
        return False
    audit(session, actor, "calendar.open", library_id=library_id, day=day.isoformat())
    return True
