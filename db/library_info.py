"""What readers ask about a library before they come: its opening hours, its address and the
days it is closed — kept by its librarian in chat.

The hours are free text as the librarian writes them («пн–пт 8:00–16:00, сб 9:00–13:00»): a
school library's day has breaks, short Fridays and duty days that no schedule model would
capture, and readers only ever read it. Which days the library is open is the calendar's
business (open weekdays, public holidays, the library's own closed days: db/calendar.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor, require_librarian
from db.audit import audit
from db.calendar import closed_days, is_public_holiday, parse_weekdays
from db.models import Library

INFO_LENGTH = 300  # libraries.opening_hours and libraries.address hold this much
_BLANKS = re.compile(r"[ \t]+")
_OBSERVED = re.compile(r"\s*\(.*\)$")  # «День Победы (выходной)» → «День Победы»
DAY_OFF = "Выходной"  # the package's name for a day off moved by decree


class InfoTooLong(ValueError):
    """The text does not fit the column: the librarian is asked to write it shorter."""


@dataclass(frozen=True, slots=True)
class ClosedSpan:
    """Consecutive days the library is closed for one reason: one of its own closed days
    (`note` as the librarian gave it, if any), or a public holiday (`holiday`: its name, or
    None where it has none)."""

    first: date
    last: date
    note: str | None = None
    public: bool = False
    holiday: str | None = None


def clean_info(text: str) -> str:
    """One line as readers will see it: lines joined with «; », runs of blanks made one."""
    lines = (_BLANKS.sub(" ", line).strip(" ;") for line in text.splitlines())
    cleaned = "; ".join(line for line in lines if line)
    if len(cleaned) > INFO_LENGTH:
        raise InfoTooLong(cleaned)
    return cleaned


async def set_opening_hours(
    session: AsyncSession, actor: Actor, library_id: int, text: str
) -> Library:
    """The library's opening hours as its librarian writes them (InfoTooLong past the limit)."""
    return await _set(session, actor, library_id, "opening_hours", text)


async def set_address(session: AsyncSession, actor: Actor, library_id: int, text: str) -> Library:
    """Where readers find the library: street, building, floor, room."""
    return await _set(session, actor, library_id, "address", text)


async def _set(
    session: AsyncSession, actor: Actor, library_id: int, field: str, text: str
) -> Library:
    require_librarian(actor, library_id, "library.info")
    value = clean_info(text)
    library = await session.get(Library, library_id)
    assert library is not None
    setattr(library, field, value or None)
    # A library's hours and address are public facts, not personal data: kept in the audit.
    audit(session, actor, "library.info", library_id=library_id, field=field, value=value)
    return library


async def libraries_by_id(session: AsyncSession, ids: list[int]) -> list[Library]:
    """The libraries in the order of `ids`."""
    if not ids:
        return []
    found = {
        library.id: library
        for library in await session.scalars(select(Library).where(Library.id.in_(ids)))
    }
    return [found[i] for i in ids if i in found]


async def every_library(session: AsyncSession, at_most: int) -> list[Library] | None:
    """All libraries of the installation by name, or None when there are more than `at_most`."""
    count = await session.scalar(select(func.count()).select_from(Library)) or 0
    if count > at_most:
        return None
    return list(await session.scalars(select(Library).order_by(Library.short_name, Library.id)))


async def closed_ahead(
    session: AsyncSession, library: Library, today: date, days: int
) -> list[ClosedSpan]:
    """The days from `today` on (for `days` days) the library would work but does not: its
    own closed days and public holidays on its working weekdays. Its regular days off are
    not listed, and do not break a span: a holiday on Friday and Monday around a weekend is
    one span, «1–8 января»."""
    weekdays = parse_weekdays(library.open_weekdays)
    own = {d.day: d.note for d in await closed_days(session, library.id, today)}
    spans: list[ClosedSpan] = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day.isoweekday() not in weekdays:
            continue
        if day in own:
            reason = ClosedSpan(day, day, note=own[day])
        elif is_public_holiday(day):
            reason = ClosedSpan(day, day, public=True, holiday=holiday_name(day))
        else:
            continue
        last = spans[-1] if spans else None
        if (
            last is not None
            and (last.note, last.public, last.holiday)
            == (reason.note, reason.public, reason.holiday)
            and _only_days_off_between(last.last, day, weekdays)
        ):
            spans[-1] = ClosedSpan(last.first, day, last.note, last.public, last.holiday)
        else:
            spans.append(reason)
    return spans


def _only_days_off_between(earlier: date, later: date, weekdays: frozenset[int]) -> bool:
    day = earlier + timedelta(days=1)
    while day < later:
        if day.isoweekday() in weekdays:
            return False
        day += timedelta(days=1)
    return True


@lru_cache(maxsize=8)
def _holiday_names(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=year, language="ru")


def holiday_name(day: date) -> str | None:
    """A public holiday's Russian name as the `holidays` package gives it («День народного
    единства», «День Победы» for its day off too), or None for a day off with no holiday of
    its own: one moved by decree («Выходной (перенесено с …)»), or one the package does not
    name (the calendar keeps 1–8 January closed whatever a year's decree says)."""
    name = _holiday_names(day.year).get(day)
    if not name:
        return None
    name = _OBSERVED.sub("", name.split(";")[0]).strip()
    return None if name == DAY_OFF else name
