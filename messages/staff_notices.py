"""Notices for librarians: a new request at their library, with the buttons to act on it.

Each librarian of the library gets one (unless they turned them off with /notify), held back
through their own quiet hours, or the library's when they set none. The buttons travel in the
outbox row as actions; the delivery turns them into tokens for the very account it writes to,
and pressing one is authorised again like any other press.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.circulation import Event
from db.enums import HoldStatus, RoleName
from db.models import Hold, Item, Library, Person, Reader, Role
from db.outbox import STILL, notify
from messages import texts
from messages.i18n import class_label, say
from messages.quiet import quiet_until


async def tell_librarians(
    session: AsyncSession,
    event: Event,
    library: Library,
    reader: Reader,
    now: datetime,
    actor_person_id: int | None,
) -> int:
    """Queue the event for every librarian of the library who wants it; returns how many."""
    status = str(event.values.get("status", ""))
    template = texts.STAFF_NOTICES.get(f"{event.kind}.{status}")
    if template is None:
        return 0
    hold = await session.get(Hold, int(event.values["hold_id"]))
    item = await session.get(Item, hold.item_id) if hold and hold.item_id else None
    text = say(
        template,
        title=event.values.get("title", ""),
        reader=reader.full_name,
        class_name=class_label(reader),
        card=reader.card_number,
        inventory=item.inventory_number if item else "",
    )
    hold_id = int(event.values["hold_id"])
    payload: dict[str, Any] = {"buttons": _buttons(status, hold_id)}
    if status == HoldStatus.PENDING:  # decided by a colleague before it went: not sent
        payload[STILL] = {"hold": {"id": hold_id, "status": HoldStatus.PENDING.value}}
    librarians = await session.execute(
        select(Person)
        .join(Role, Role.person_id == Person.id)
        .where(
            Role.role == RoleName.LIBRARIAN,
            Role.library_id == library.id,
            Role.notify_holds.is_(True),
        )
    )
    queued = 0
    for person in librarians.scalars().unique():
        if person.id == actor_person_id:
            continue
        start = person.quiet_from_hour
        end = person.quiet_to_hour
        if start is None or end is None:
            start, end = library.quiet_from_hour, library.quiet_to_hour
        queued += await notify(
            session,
            person.id,
            event.kind,
            text,
            f"{event.key}:p{person.id}",
            not_before=quiet_until(now, library.timezone, start, end),
            payload=payload,
        )
    return queued


def _buttons(status: str, hold: int) -> list[list[dict[str, Any]]]:
    """Buttons as actions with their arguments (made into tokens per account on delivery)."""
    if status == "pending":
        return [
            [
                {
                    "label": texts.BUTTON_APPROVE,
                    "action": "hold.approve",
                    "args": {"hold": hold},
                },
                {"label": texts.BUTTON_REJECT, "action": "hold.reject", "args": {"hold": hold}},
            ]
        ]
    return [[{"label": texts.BUTTON_HOLDS_LIST, "action": "hold.list", "args": {}}]]
