"""E-resources: the collections a network's schools use (ЛитРес: Школа, НЭБ, НЭДБ …), which of
them each school subscribes to, and e-book loans of the lending ones.

An e-resource is a record (kind «e_resource») with a link and, usually, a collection. Everyone
finds it; who may open it:
- a record with no collection, or of a collection open to all (НЭБ): anyone;
- of a subscribed collection that does not lend: the readers (and parents, librarians) of a
  subscribing school;
- of a lending collection (ЛитРес's model): a librarian of a subscribing school at once; a
  reader there after asking and being granted a loan, until it ends.

E-loan: asked ─grant─► granted (until `ends_at`) ─the daily round─► ended;  asked ─refuse─►
refused. One open (asked or granted) loan per reader and record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor, require_librarian
from db.audit import audit
from db.errors import Refused
from db.models import ECollection, ELoan, Library, LibrarySubscription, Record

ELOAN_DAYS = 14
OPEN_ELOAN = ("asked", "granted")


async def network_collections(session: AsyncSession, library_id: int) -> list[ECollection]:
    """The collections of the library's network, by name."""
    network_id = await session.scalar(select(Library.network_id).where(Library.id == library_id))
    return list(
        await session.scalars(
            select(ECollection)
            .where(ECollection.network_id == network_id)
            .order_by(ECollection.name, ECollection.id)
        )
    )


async def subscriptions(session: AsyncSession, library_ids: set[int] | frozenset[int]) -> set[int]:
    """The collections any of these libraries subscribes to."""
    if not library_ids:
        return set()
    return set(
        await session.scalars(
            select(LibrarySubscription.collection_id).where(
                LibrarySubscription.library_id.in_(library_ids)
            )
        )
    )


async def set_subscription(
    session: AsyncSession, actor: Actor, library_id: int, collection_id: int, on: bool,
    now: datetime,
) -> ECollection:  # fmt: skip
    """Subscribe the librarian's library to a collection of its network, or stop; audited."""
    require_librarian(actor, library_id, "eresources.subscribe")
    collection = await session.get(ECollection, collection_id)
    network_id = await session.scalar(select(Library.network_id).where(Library.id == library_id))
    if collection is None or collection.network_id != network_id:
        raise AccessDenied("eresources.subscribe", library_id)
    where = (
        LibrarySubscription.library_id == library_id,
        LibrarySubscription.collection_id == collection_id,
    )
    present = await session.scalar(select(LibrarySubscription.library_id).where(*where))
    if on and present is None:
        session.add(
            LibrarySubscription(
                library_id=library_id, collection_id=collection_id, since=now.date()
            )
        )
    elif not on and present is not None:
        await session.execute(delete(LibrarySubscription).where(*where))
    audit(
        session,
        actor,
        "eresources.subscribe" if on else "eresources.unsubscribe",
        library_id=library_id,
        object_type="e_collection",
        object_id=collection_id,
    )
    return collection


# Who may open an e-resource --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Access:
    """How this person stands with an e-resource: whether the link is theirs to open, else
    why not and what they may do."""

    collection: ECollection | None
    readable: bool
    may_ask: bool = False  # a reader of a subscribing school, of a lending collection
    asked: bool = False  # … who has asked already and waits
    until: datetime | None = None  # a granted loan's end


async def access(session: AsyncSession, actor: Actor, record: Record, now: datetime) -> Access:
    collection = (
        await session.get(ECollection, record.collection_id) if record.collection_id else None
    )
    if collection is None or collection.open_to_all:
        return Access(collection, readable=True)
    staff = set(actor.librarian_of)
    readers = {c.library_id for c in actor.cards + actor.children}
    subscribed = await subscriptions(session, staff | readers)
    if collection.id not in subscribed:
        return Access(collection, readable=False)
    if not collection.lends:
        return Access(collection, readable=True)
    if await subscriptions(session, staff) & {collection.id}:
        return Access(collection, readable=True)
    loan = await open_eloan(session, [c.reader_id for c in actor.cards], record.id)
    if loan is not None and loan.status == "granted" and loan.ends_at and loan.ends_at > now:
        return Access(collection, readable=True, until=loan.ends_at)
    own_subscribed = await subscriptions(session, {c.library_id for c in actor.cards})
    return Access(
        collection,
        readable=False,
        may_ask=collection.id in own_subscribed,
        asked=loan is not None and loan.status == "asked",
    )


async def open_eloan(session: AsyncSession, reader_ids: list[int], record_id: int) -> ELoan | None:
    if not reader_ids:
        return None
    return await session.scalar(
        select(ELoan)
        .where(
            ELoan.reader_id.in_(reader_ids),
            ELoan.record_id == record_id,
            ELoan.status.in_(OPEN_ELOAN),
        )
        .order_by(ELoan.id.desc())
        .limit(1)
    )


# E-book loans ------------------------------------------------------------------------------------


async def ask_eloan(
    session: AsyncSession, actor: Actor, reader_id: int, record_id: int, now: datetime
) -> ELoan:
    """A reader asks their school for an e-book of a lending collection it subscribes to."""
    card = actor.own_card(reader_id)
    if card is None:
        raise AccessDenied("eloan.ask")
    record = await session.get(Record, record_id)
    collection = (
        await session.get(ECollection, record.collection_id)
        if record is not None and record.collection_id
        else None
    )
    if collection is None or not collection.lends:
        raise Refused("record_gone")
    if collection.id not in await subscriptions(session, {card.library_id}):
        raise Refused("eloan_not_subscribed", library=card.library_name)
    if await open_eloan(session, [reader_id], record_id) is not None:
        raise Refused("eloan_already")
    loan = ELoan(record_id=record_id, reader_id=reader_id, library_id=card.library_id, asked_at=now)
    session.add(loan)
    await session.flush()
    return loan


async def _asked_loan(session: AsyncSession, actor: Actor, eloan_id: int, action: str) -> ELoan:
    loan = await session.get(ELoan, eloan_id)
    if loan is None:
        raise Refused("eloan_decided")
    require_librarian(actor, loan.library_id, action)
    if loan.status != "asked":
        raise Refused("eloan_decided")
    return loan


async def grant_eloan(
    session: AsyncSession, actor: Actor, eloan_id: int, now: datetime, days: int = ELOAN_DAYS
) -> ELoan:
    """The librarian gives the reader the e-book for `days` days; audited."""
    loan = await _asked_loan(session, actor, eloan_id, "eloan.grant")
    loan.status = "granted"
    loan.granted_at = now
    loan.ends_at = now + timedelta(days=days)
    loan.granted_by_person_id = actor.person_id
    audit(
        session, actor, "eloan.grant", library_id=loan.library_id, object_type="e_loan",
        object_id=loan.id, days=days,
    )  # fmt: skip
    return loan


async def refuse_eloan(session: AsyncSession, actor: Actor, eloan_id: int) -> ELoan:
    loan = await _asked_loan(session, actor, eloan_id, "eloan.refuse")
    loan.status = "refused"
    audit(
        session, actor, "eloan.refuse", library_id=loan.library_id, object_type="e_loan",
        object_id=loan.id,
    )  # fmt: skip
    return loan


async def end_expired_eloans(session: AsyncSession, now: datetime) -> list[ELoan]:
    """The daily round's part: granted loans whose time is up become «ended»; returned, so
    the round can tell each reader."""
    loans = list(
        await session.scalars(
            select(ELoan)
            .where(ELoan.status == "granted", ELoan.ends_at <= now)
            .order_by(ELoan.id)
            .with_for_update(skip_locked=True)
        )
    )
    for loan in loans:
        loan.status = "ended"
    return loans
