"""A library's calendar: the days it is open, so that no book is due on a Sunday, on 1 January
or on the library's sanitary day.

A day is open when it is one of the library's open weekdays, not a Russian public non-working
day (the New Year holidays 1–8 January, the other holidays and the days off the government moves
onto weekdays) and not one of the library's own closed days. Due dates and hold-shelf deadlines
that fall on a closed day move to the next open one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Library, LibraryClosedDay

ALL_WEEKDAYS = frozenset(range(1, 8))
NEW_YEAR_HOLIDAYS = range(1, 9)  # 1–8 January, whatever a year's decree adds on top
LOOK_AHEAD = 366  # a library with no open day in a year keeps the day it was given
NOTE_LENGTH = 200


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """Russia's public non-working days of a year, days moved off weekends included."""
    days = set(holidays.country_holidays("RU", years=year))
    days.update(date(year, 1, day) for day in NEW_YEAR_HOLIDAYS)
    return frozenset(days)


def is_public_holiday(day: date) -> bool:
    return day in public_holidays(day.year)


def parse_weekdays(text: str | None) -> frozenset[int]:
    """«12345» → {1, …, 5} (ISO weekdays); nothing usable means every day."""
    days = frozenset(int(ch) for ch in text or "" if ch in "1234567")
    return days or ALL_WEEKDAYS


@dataclass(frozen=True, slots=True)
class Calendar:
    """When one library is open: its weekdays and its own closed days (public holidays are
    everyone's)."""

    open_weekdays: frozenset[int] = ALL_WEEKDAYS
    closed_days: frozenset[date] = field(default_factory=frozenset)

    def is_open(self, day: date) -> bool:
        return (
            day.isoweekday() in self.open_weekdays
            and day not in self.closed_days
            and not is_public_holiday(day)
        )

    def next_open_day(self, day: date) -> date:
        """The day itself if the library is open then, or the first open day after it."""
        for offset in range(LOOK_AHEAD):
            candidate = day + timedelta(days=offset)
            if self.is_open(candidate):
                return candidate
        return day


def calendar_of(library: Library, closed_days: Iterable[date] = ()) -> Calendar:
    """The calendar of a library's weekdays and public holidays, and these closed days."""
    return Calendar(parse_weekdays(library.open_weekdays), frozenset(closed_days))


# In the database -----------------------------------------------------------------------------


async def library_calendar(session: AsyncSession, library: Library, since: date) -> Calendar:
    """The library's calendar from `since` on: its weekdays and closed days of its own."""
    days = await session.scalars(
        select(LibraryClosedDay.day).where(
            LibraryClosedDay.library_id == library.id, LibraryClosedDay.day >= since
        )
    )
    return calendar_of(library, days)


async def closed_days(
    session: AsyncSession, library_id: int, since: date
) -> list[LibraryClosedDay]:
    """The library's own closed days from `since` on, soonest first."""
    return list(
        await session.scalars(
            select(LibraryClosedDay)
            .where(LibraryClosedDay.library_id == library_id, LibraryClosedDay.day >= since)
            .order_by(LibraryClosedDay.day)
        )
    )


async def close_day(
    session: AsyncSession, library_id: int, day: date, note: str | None = None
) -> LibraryClosedDay:
    """Mark a day closed (a second mark of the same day changes its note)."""
    note = (note or "").strip()[:NOTE_LENGTH] or None
    found = await _closed_day(session, library_id, day)
    if found is None:
        try:
            async with session.begin_nested():
                found = LibraryClosedDay(library_id=library_id, day=day, note=note)
                session.add(found)
            return found
        except IntegrityError:  # another desk marked the same day a moment ago
            found = await _closed_day(session, library_id, day)
            assert found is not None
    found.note = note
    return found


async def reopen_day(session: AsyncSession, library_id: int, day: date) -> bool:
    """Unmark a closed day; False if it was not marked."""
    removed = await session.execute(
        delete(LibraryClosedDay).where(
            LibraryClosedDay.library_id == library_id, LibraryClosedDay.day == day
        )
    )
    return removed.rowcount > 0


async def _closed_day(session: AsyncSession, library_id: int, day: date) -> LibraryClosedDay | None:
    return await session.scalar(
        select(LibraryClosedDay).where(
            LibraryClosedDay.library_id == library_id, LibraryClosedDay.day == day
        )
    )
