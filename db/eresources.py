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
from urllib.parse import urlsplit

from rapidfuzz import fuzz, utils
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor, require_admin, require_librarian
from db.audit import audit
from db.catalog import RecordData, add_record, dedupe_key
from db.enums import RecordKind
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


# The network's list of collections: its admin's (the methodologist's) ----------------------

COLLECTION_NAME_MAX = 200  # e_collections.name
SURE_MATCH = 80.0  # a typed collection name this close to one of the list's is that one…
CLEAR_LEAD = 15.0  # …when the next best is this much further


def web_link(text: str) -> str | None:
    """The link if it is a plain http(s) address with a host and no spaces; else None."""
    link = text.strip()
    if not link or any(ch.isspace() for ch in link):
        return None
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return link


async def network_of(session: AsyncSession, library_id: int) -> int:
    network_id = await session.scalar(select(Library.network_id).where(Library.id == library_id))
    assert network_id is not None  # a library belongs to a network
    return network_id


async def collections_of(session: AsyncSession, network_id: int) -> list[ECollection]:
    return list(
        await session.scalars(
            select(ECollection)
            .where(ECollection.network_id == network_id)
            .order_by(ECollection.name, ECollection.id)
        )
    )


async def records_in(session: AsyncSession, collection_id: int) -> int:
    """How many catalog records point to this collection."""
    return await session.scalar(
        select(func.count(Record.id)).where(Record.collection_id == collection_id)
    ) or 0  # fmt: skip


async def _same_name(
    session: AsyncSession, network_id: int, name: str, but: int | None = None
) -> bool:
    wanted = _plain(name)
    return any(
        _plain(c.name) == wanted and c.id != but for c in await collections_of(session, network_id)
    )


def _collection_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > COLLECTION_NAME_MAX:
        raise Refused("collection_bad_name", limit=COLLECTION_NAME_MAX)
    return name


async def add_collection(
    session: AsyncSession, actor: Actor, network_id: int, name: str, url: str | None, *,
    lends: bool = False, open_to_all: bool = False,
) -> ECollection:  # fmt: skip
    """A new collection in the network's list; its admin only; audited. Two collections of one
    network never share a name (case and ё aside)."""
    require_admin(actor, network_id, "eresources.collection_add")
    name = _collection_name(name)
    if await _same_name(session, network_id, name):
        raise Refused("collection_exists", name=name)
    collection = ECollection(
        network_id=network_id, name=name, url=url, lends=lends, open_to_all=open_to_all
    )
    session.add(collection)
    await session.flush()
    audit(
        session, actor, "eresources.collection_add", object_type="e_collection",
        object_id=collection.id, network_id=network_id, name=name, lends=lends,
        open_to_all=open_to_all,
    )  # fmt: skip
    return collection


async def _admins_collection(
    session: AsyncSession, actor: Actor, collection_id: int, action: str
) -> ECollection:
    """The collection if it is one of this admin's networks; a forged id is refused."""
    collection = await session.get(ECollection, collection_id)
    if collection is None:
        if not actor.admin_of:
            raise AccessDenied(action)
        raise Refused("collection_gone")
    require_admin(actor, collection.network_id, action)
    return collection


async def rename_collection(
    session: AsyncSession, actor: Actor, collection_id: int, name: str
) -> tuple[str, ECollection]:
    """The collection under a new name; the old name returned with it; audited."""
    collection = await _admins_collection(
        session, actor, collection_id, "eresources.collection_rename"
    )
    name = _collection_name(name)
    if await _same_name(session, collection.network_id, name, but=collection.id):
        raise Refused("collection_exists", name=name)
    old, collection.name = collection.name, name
    audit(
        session, actor, "eresources.collection_rename", object_type="e_collection",
        object_id=collection.id, network_id=collection.network_id, old=old, name=name,
    )  # fmt: skip
    return old, collection


async def remove_collection(session: AsyncSession, actor: Actor, collection_id: int) -> str:
    """Take a collection off the network's list (the schools' subscriptions to it go too);
    refused while a record uses it. Its name returned; audited."""
    collection = await _admins_collection(
        session, actor, collection_id, "eresources.collection_remove"
    )
    used = await records_in(session, collection.id)
    if used:
        raise Refused("collection_in_use", name=collection.name, count=used)
    name = collection.name
    await session.execute(
        delete(LibrarySubscription).where(LibrarySubscription.collection_id == collection.id)
    )
    await session.delete(collection)
    audit(
        session, actor, "eresources.collection_remove", object_type="e_collection",
        object_id=collection_id, network_id=collection.network_id, name=name,
    )  # fmt: skip
    return name


def _plain(text: str) -> str:
    return utils.default_process(text.replace("ё", "е").replace("Ё", "Е"))


def match_collection(collections: list[ECollection], typed: str) -> ECollection | None:
    """The collection a librarian meant by a typed name — case, ё and a typo forgiven — or
    None where none of the list is clearly it (then they choose from buttons)."""
    wanted = _plain(typed)
    if not wanted:
        return None
    for collection in collections:
        if _plain(collection.name) == wanted:
            return collection
    scored = sorted(
        ((fuzz.WRatio(wanted, _plain(c.name)), c) for c in collections),
        key=lambda pair: -pair[0],
    )
    if not scored or scored[0][0] < SURE_MATCH:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < CLEAR_LEAD:
        return None
    return scored[0][1]


# E-resource records -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EResourceData:
    """What a librarian types for a new e-resource."""

    title: str
    url: str
    authors: tuple[str, ...] = ()
    age_mark: int | None = None


async def may_add_eresources(session: AsyncSession, actor: Actor, network_id: int) -> bool:
    """The network's admin, or a librarian of one of its schools."""
    if network_id in actor.admin_of:
        return True
    if not actor.librarian_of:
        return False
    networks = await session.scalars(
        select(Library.network_id).where(Library.id.in_(actor.librarian_of))
    )
    return network_id in set(networks)


async def add_eresource(
    session: AsyncSession, actor: Actor, network_id: int, data: EResourceData,
    collection_id: int | None, now: datetime,
) -> Record:  # fmt: skip
    """An e-resource record of the union catalog: its link and collection (none: open to
    everyone), found by the search once the change is committed; audited.

    The same title and authors already in the same collection are refused, not doubled."""
    if not await may_add_eresources(session, actor, network_id):
        raise AccessDenied("eresources.record_add")
    url = web_link(data.url)
    if url is None:
        raise Refused("eresource_bad_link")
    collection = await session.get(ECollection, collection_id) if collection_id else None
    if collection_id is not None and (collection is None or collection.network_id != network_id):
        raise AccessDenied("eresources.record_add")
    key = dedupe_key(data.title, data.authors, None)
    twin = await session.scalar(
        select(Record.title).where(
            Record.kind == RecordKind.E_RESOURCE,
            Record.dedupe_key == key,
            Record.collection_id.is_(None)
            if collection_id is None
            else Record.collection_id == collection_id,
        )
    )
    if twin is not None:
        raise Refused("eresource_exists", title=twin)
    record = await add_record(
        session,
        RecordData(
            title=data.title,
            authors=data.authors,
            kind=RecordKind.E_RESOURCE,
            age_mark=data.age_mark,
        ),
    )
    record.url = url
    record.collection_id = collection_id
    record.created_at = record.updated_at = now
    audit(
        session, actor, "eresources.record_add", object_type="record", object_id=record.id,
        network_id=network_id, collection_id=collection_id,
    )  # fmt: skip
    return record
