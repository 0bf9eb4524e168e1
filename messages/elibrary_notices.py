"""Notices of the e-library: to a school's librarians (a work to withdraw, an e-book asked for,
with the buttons to decide), to a reader (the decision, an e-book's loan ended), and the daily
round that ends e-book loans whose time is up (`eloans_round`, run by the scheduler).

The librarians' buttons travel in the outbox row as actions; the delivery makes them tokens for
the account it writes to, and a press is authorised again like any other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import RoleName
from db.eresources import end_expired_eloans
from db.models import Library, Person, Reader, Record, Role
from db.outbox import notify
from messages import texts
from messages.i18n import say
from messages.notices import after_quiet_hours
from messages.quiet import quiet_until

Buttons = list[list[dict[str, Any]]]


def action(label: str, name: str, **args: Any) -> dict[str, Any]:
    """A notice's button: made into a token for each account on delivery."""
    return {"label": label, "action": name, "args": args}


async def tell_librarians(
    session: AsyncSession,
    library_id: int,
    kind: str,
    text: str,
    key: str,
    buttons: Buttons,
    now: datetime,
) -> int:
    """Queue a notice with buttons for every librarian of the library, each after their own
    quiet hours (or the library's); returns how many were queued."""
    library = await session.get(Library, library_id)
    assert library is not None
    librarians = await session.scalars(
        select(Person)
        .join(Role, Role.person_id == Person.id)
        .where(Role.role == RoleName.LIBRARIAN, Role.library_id == library_id)
    )
    queued = 0
    for person in librarians.unique():
        start, end = person.quiet_from_hour, person.quiet_to_hour
        if start is None or end is None:
            start, end = library.quiet_from_hour, library.quiet_to_hour
        queued += await notify(
            session,
            person.id,
            kind,
            text,
            f"{key}:p{person.id}",
            not_before=quiet_until(now, library.timezone, start, end),
            payload={"buttons": buttons},
        )
    return queued


async def tell_reader(
    session: AsyncSession, reader_id: int, kind: str, text: str, key: str, now: datetime
) -> int:
    """Queue a notice for the reader's own accounts, after their school's quiet hours."""
    reader = await session.get(Reader, reader_id)
    if reader is None:
        return 0
    library = await session.get(Library, reader.library_id)
    assert library is not None
    people = await session.scalars(
        select(Role.person_id).where(Role.role == RoleName.READER, Role.reader_id == reader_id)
    )
    queued = 0
    for person_id in dict.fromkeys(people):
        queued += await notify(
            session,
            person_id,
            kind,
            text,
            f"{key}:p{person_id}",
            not_before=after_quiet_hours(now, library),
            payload={"reader_id": reader_id},
        )
    return queued


async def eloans_round(session: AsyncSession, now: datetime) -> int:
    """End every e-book loan whose time is up and tell its reader; returns how many ended."""
    ended = await end_expired_eloans(session, now)
    for loan in ended:
        title = await session.scalar(select(Record.title).where(Record.id == loan.record_id))
        await tell_reader(
            session,
            loan.reader_id,
            "eloan.ended",
            say(texts.NOTICE_ELOAN_ENDED, title=title or ""),
            f"eloan.ended:{loan.id}",
            now,
        )
    return len(ended)
