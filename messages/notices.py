"""Circulation events → outbox rows for the reader's accounts and their parents.

Written in the transaction of the change itself. The person who caused the event already has
the answer on screen and gets no copy; parents get copies unless they switched them off (or the
notice is for the reader alone, READER_ONLY).
Nothing is sent to children at night: a notice waits for the end of the library's quiet hours.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.circulation import Event
from db.enums import HoldStatus, RoleName
from db.models import GuardianLink, Library, Reader, Role
from db.outbox import STILL, notify
from messages import texts
from messages.i18n import person, say
from messages.quiet import quiet_until
from messages.staff_notices import tell_librarians


async def publish(
    session: AsyncSession, events: list[Event], now: datetime, actor_person_id: int | None
) -> int:
    """Queue every event for its recipients; returns how many rows were queued."""
    queued = 0
    for event in events:
        library = await session.get(Library, event.library_id)
        reader = await session.get(Reader, event.reader_id)
        if library is None or reader is None:
            continue
        if event.for_librarians:
            queued += await tell_librarians(session, event, library, reader, now, actor_person_id)
            continue
        tz = ZoneInfo(library.timezone)
        values = {"library": library.short_name}
        values |= {
            k: v.astimezone(tz) if isinstance(v, datetime) else v for k, v in event.values.items()
        }
        text = say(texts.NOTICES[event.kind], **values)
        copied = event.kind not in READER_ONLY
        copy = (
            say(texts.NOTICES_PARENT[event.kind], child=person(reader), **values) if copied else ""
        )
        when = after_quiet_hours(now, library)
        for person_id, as_parent in await _recipients(session, event.reader_id, parents=copied):
            if person_id == actor_person_id:
                continue
            body = copy if as_parent else text
            queued += await notify(
                session,
                person_id,
                event.kind,
                body,
                f"{event.key}:p{person_id}",
                not_before=when,
                payload=_payload(event),
            )
    return queued


# Notices for the reader alone, never copied to parents. «Вашу книгу ждут» asks the borrower to
# bring a book back by its due date, nothing a parent need step in for yet: parents hear of a
# late book from the overdue reminders, from the step the school chose (jobs/reminders.py).
READER_ONLY = frozenset({"loan.wanted"})

# Notices whose cause can go away before they are sent (a hold collected or cancelled): the
# outbox checks them again then (db.outbox.still_true). The due-date digest carries its loans'
# own check (jobs/reminders.py).
_STILL_HOLD_STATUS = {
    "hold.ready": HoldStatus.READY,
    "hold.expiring": HoldStatus.READY,
    "hold.queued": HoldStatus.QUEUED,
    "hold.waiting": HoldStatus.QUEUED,
    "hold.queue_moved": HoldStatus.QUEUED,
}
# Notices about one loan, told with the loan's id first in their key and its due date as `due`:
# sent only while that loan is open and due then.
_STILL_LOAN_DUE = frozenset({"loan.wanted"})


def _payload(event: Event) -> dict[str, Any]:
    """What travels with the notice: whose it is, and what must still be true when it is
    sent."""
    payload: dict[str, Any] = {"reader_id": event.reader_id}
    still = _still(event)
    if still is not None:
        payload[STILL] = still
    return payload


def _still(event: Event) -> dict[str, Any] | None:
    """What the notice speaks of, to be true still when it is sent (None: always sent). These
    kinds are told with the hold's (or the loan's) id first in their key ("<kind>:<id>[:…]")."""
    status = _STILL_HOLD_STATUS.get(event.kind)
    if status is not None:
        return {"hold": {"id": _subject_id(event), "status": status.value}}
    if event.kind in _STILL_LOAN_DUE:  # a book returned (or its date changed) is not asked for
        return {"loans": {str(_subject_id(event)): event.values["due"].isoformat()}}
    return None


def _subject_id(event: Event) -> int:
    return int(event.key.removeprefix(f"{event.kind}:").split(":")[0])


async def _recipients(
    session: AsyncSession, reader_id: int, *, parents: bool = True
) -> list[tuple[int, bool]]:
    """(person, as a parent) for the reader's own people, then (with `parents`) the parents
    who take copies."""
    own = await session.scalars(
        select(Role.person_id).where(Role.role == RoleName.READER, Role.reader_id == reader_id)
    )
    if not parents:
        return [(p, False) for p in dict.fromkeys(own)]
    guardians = await session.scalars(
        select(GuardianLink.parent_person_id).where(
            GuardianLink.reader_id == reader_id, GuardianLink.copy_reminders.is_(True)
        )
    )
    return [(p, False) for p in dict.fromkeys(own)] + [(p, True) for p in dict.fromkeys(guardians)]


def after_quiet_hours(now: datetime, library: Library) -> datetime:
    """Now, or the end of the library's quiet hours (local time) if it is night there."""
    return quiet_until(now, library.timezone, library.quiet_from_hour, library.quiet_to_hour)
