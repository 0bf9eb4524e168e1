"""Readers as a librarian's desk reads them (beside db.people, which registers and links them),
and the settings a person keeps: reading history, copies of reminders, request notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor, require_librarian
from db.audit import audit
from db.enums import AuditOutcome, RoleName
from db.models import Account, GuardianLink, Library, LinkCode, Person, Reader, Role
from db.people import (
    LinkRefused,
    create_link_code,
    redeem_link_code,
    register_reader,
    unlink_card,
)


async def readers_of_library(
    session: AsyncSession, library_id: int, reader_ids: Sequence[int]
) -> list[Reader]:
    """These readers, in the order given, leaving out any that are not the library's own."""
    found = {
        reader.id: reader
        for reader in await session.scalars(
            select(Reader).where(Reader.id.in_(reader_ids), Reader.library_id == library_id)
        )
    }
    return [found[i] for i in reader_ids if i in found]


# Settings a person keeps -------------------------------------------------------------------


async def set_reading_history(
    session: AsyncSession, actor: Actor, reader_id: int, on: bool, now: datetime
) -> Reader:
    """Only the reader decides about their own history (a parent is refused). Turning it off
    forgets it; turning it on again starts afresh from now."""
    card = actor.own_card(reader_id)
    if card is None:
        raise AccessDenied("history.set")
    reader = await session.get(Reader, card.reader_id)
    assert reader is not None
    reader.history_opt_in = on
    reader.history_since = now if on else None
    audit(
        session,
        actor,
        "history.set",
        library_id=card.library_id,
        object_type="reader",
        object_id=card.reader_id,
        on=on,
    )
    return reader


async def history_settings(session: AsyncSession, reader_ids: Sequence[int]) -> dict[int, Reader]:
    """The readers' cards with their reading-history choice (`history_opt_in`, `history_since`)."""
    return {r.id: r for r in await session.scalars(select(Reader).where(Reader.id.in_(reader_ids)))}


async def reminder_copies(session: AsyncSession, parent_person_id: int | None) -> dict[int, bool]:
    """For each linked child (reader id): whether the parent gets copies of their reminders."""
    return {
        link.reader_id: link.copy_reminders
        for link in await session.scalars(
            select(GuardianLink).where(GuardianLink.parent_person_id == parent_person_id)
        )
    }


async def set_reminder_copies(
    session: AsyncSession, actor: Actor, reader_id: int, on: bool
) -> None:
    """A parent switches copies of one child's reminders on or off (their own children only)."""
    child = actor.child_card(reader_id)
    if child is None:
        raise AccessDenied("reminders.set")
    link = await session.scalar(
        select(GuardianLink).where(
            GuardianLink.parent_person_id == actor.person_id,
            GuardianLink.reader_id == child.reader_id,
        )
    )
    assert link is not None
    link.copy_reminders = on
    audit(
        session,
        actor,
        "reminders.set",
        library_id=child.library_id,
        object_type="reader",
        object_id=child.reader_id,
        on=on,
    )


@dataclass(frozen=True, slots=True)
class NotifySettings:
    """A librarian's notices about new requests at one library, and their quiet hours."""

    library: str  # its short name
    request_notices: bool
    quiet_from: int
    quiet_to: int
    own_quiet_hours: bool  # the librarian's own, else the library's


async def notify_settings(session: AsyncSession, actor: Actor, library_id: int) -> NotifySettings:
    require_librarian(actor, library_id, "notify.set")
    role = await _librarian_role(session, actor, library_id)
    person = await session.get(Person, actor.person_id)
    library = await session.get(Library, library_id)
    assert person is not None and library is not None
    own = person.quiet_from_hour is not None and person.quiet_to_hour is not None
    return NotifySettings(
        library=library.short_name,
        request_notices=role.notify_holds,
        quiet_from=person.quiet_from_hour if own else library.quiet_from_hour,
        quiet_to=person.quiet_to_hour if own else library.quiet_to_hour,
        own_quiet_hours=own,
    )


async def set_request_notices(
    session: AsyncSession, actor: Actor, library_id: int, on: bool
) -> None:
    require_librarian(actor, library_id, "notify.set")
    role = await _librarian_role(session, actor, library_id)
    role.notify_holds = on
    audit(session, actor, "notify.set", library_id=library_id, on=on)


async def set_quiet_hours(
    session: AsyncSession, actor: Actor, library_id: int, quiet_from: int, quiet_to: int
) -> None:
    """The librarian's own quiet hours (local hours), in place of the library's."""
    require_librarian(actor, library_id, "notify.set")
    person = await session.get(Person, actor.person_id)
    assert person is not None
    person.quiet_from_hour, person.quiet_to_hour = quiet_from, quiet_to
    audit(session, actor, "notify.quiet", library_id=library_id)


async def _librarian_role(session: AsyncSession, actor: Actor, library_id: int) -> Role:
    role = await session.scalar(
        select(Role).where(
            Role.person_id == actor.person_id,
            Role.role == RoleName.LIBRARIAN,
            Role.library_id == library_id,
        )
    )
    assert role is not None  # require_librarian found this very role
    return role


# A librarian's changes to cards (authorised and audited here) ------------------------------


async def detach_accounts(session: AsyncSession, actor: Actor, reader: Reader) -> None:
    """🔓: the card's messenger accounts are detached (a new code links the right one)."""
    require_librarian(actor, reader.library_id, "reader.unlink")
    await unlink_card(session, reader.id)
    audit(
        session,
        actor,
        "reader.unlink",
        library_id=reader.library_id,
        object_type="reader",
        object_id=reader.id,
    )


async def register_new_reader(
    session: AsyncSession, actor: Actor, library_id: int, name: str, class_name: str | None
) -> Reader:
    require_librarian(actor, library_id, "reader.register")
    reader = await register_reader(session, library_id, name, class_name=class_name)
    audit(
        session,
        actor,
        "reader.register",
        library_id=library_id,
        object_type="reader",
        object_id=reader.id,
    )
    return reader


async def new_link_code(
    session: AsyncSession, actor: Actor, reader: Reader, role: RoleName, now: datetime
) -> LinkCode:
    """A one-time code that links a messenger account to the card, as the reader or a parent."""
    require_librarian(actor, reader.library_id, "link.create")
    link = await create_link_code(
        session,
        role,
        library_id=reader.library_id,
        reader_id=reader.id,
        created_by_person_id=actor.person_id,
        now=now,
    )
    audit(
        session,
        actor,
        "link.create",
        library_id=reader.library_id,
        object_type="reader",
        object_id=reader.id,
        role=role.value,
    )
    return link


# Linking a messenger account with a one-time code ------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkedAs:
    """What a redeemed code made of the account: whose card (a reader's own, or the child's
    for a parent), at which library (its short name)."""

    role: RoleName
    library: str | None
    reader: Reader | None


async def link_account(
    session: AsyncSession,
    actor: Actor,
    account: Account,
    code: str,
    now: datetime,
    *,
    parent_confirmed: bool = False,
) -> LinkedAs:
    """Redeem a link code for this account (see `redeem_link_code`); audited either way, a
    refusal raised as LinkRefused after it is audited."""
    try:
        linked = await redeem_link_code(
            session, account, code, now, parent_confirmed=parent_confirmed
        )
    except LinkRefused as refused:
        audit(session, actor, "link.redeem", outcome=AuditOutcome.REFUSED, reason=refused.reason)
        raise
    audit(session, actor, "link.redeem", library_id=linked.library_id, role=linked.role.value)
    reader = await session.get(Reader, linked.reader_id) if linked.reader_id else None
    library_id = reader.library_id if reader is not None else linked.library_id
    library = await session.get(Library, library_id) if library_id else None
    return LinkedAs(linked.role, library.short_name if library else None, reader)
