"""The bench's database: a fresh, migrated one with N people, each with one messenger account,
and what they are to be sent — one notice each (db.outbox.notify), or for the VK and MAX runs one
broadcast to the school (db.broadcasts.start_broadcast, one outbox row per person)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor
from db.broadcasts import READERS, SCHOOL, Audience, start_broadcast
from db.clock import utcnow
from db.engine import Database
from db.enums import Messenger, OutboxStatus, RoleName
from db.migrate import upgrade
from db.models import (
    Account,
    Library,
    Network,
    OutboxDelivery,
    OutboxMessage,
    Person,
    Reader,
    Role,
)
from db.models import DeliveryStatus as Delivery
from db.outbox import notify

FIRST_CHAT = 1_000_000  # notice i goes to Telegram chat FIRST_CHAT + i
FIRST_VK_USER = 800_000_000  # the VK run's person i is VK user FIRST_VK_USER + i
KIND = "broadcast"
BROADCAST_TEXT = "В пятницу библиотека закрыта на санитарный день. Книги можно сдать в четверг."


def chat_of(index: int) -> int:
    return FIRST_CHAT + index


def vk_user_of(index: int) -> int:
    return FIRST_VK_USER + index


def text_of(index: int) -> str:
    """Each person's notice is told apart by its number, so duplicates and losses show."""
    return f"Рассылка №{index}: в пятницу библиотека закрыта на санитарный день."


async def prepare(db: Database, size: int) -> None:
    """Migrate, then N people with a Telegram account and one queued notice each."""
    await upgrade(db)
    await populate(db, size)


async def populate(db: Database, size: int) -> None:
    """N people and their Telegram accounts, created in bulk, and one notice queued to each
    (on an already migrated database: the kill test's)."""
    async with db.transaction() as session:
        ids = await _people(session, size)
        await _accounts(session, ids, Messenger.TELEGRAM, chat_of)
        for i, person_id in enumerate(ids):
            await notify(session, person_id, KIND, text_of(i), f"bench-broadcast:{i}")


async def prepare_broadcast(
    db: Database,
    size: int,
    messenger: Messenger,
    user_id_of: Callable[[int], int],
    chat_id_of: Callable[[int], int] | None = None,
) -> int:
    """Migrate, then one school whose N readers each have an account on `messenger` (reader i:
    the messenger's user `user_id_of(i)`, in chat `chat_id_of(i)`, the same number where the
    messenger writes to a person by their id), and one broadcast of its librarian to the
    school's readers, queued as start_broadcast queues it; the number of outbox rows it
    queued."""
    await upgrade(db)
    async with db.transaction() as session:
        network = Network(name="Бенч")
        session.add(network)
        await session.flush()
        library = Library(
            network_id=network.id, code="bench-school", name="Школа №1", short_name="Школа №1"
        )
        librarian = Person(display_name="Библиотекарь")
        session.add_all([library, librarian])
        await session.flush()
        ids = await _people(session, size)
        await _accounts(session, ids, messenger, user_id_of, chat_id_of)
        await session.execute(
            insert(Reader),
            [
                {"library_id": library.id, "card_number": f"B{i}", "full_name": f"Читатель {i}"}
                for i in range(size)
            ],
        )
        readers = await session.scalars(
            select(Reader.id).where(Reader.library_id == library.id).order_by(Reader.id)
        )
        await session.execute(
            insert(Role),
            [
                {
                    "person_id": person_id,
                    "role": RoleName.READER,
                    "library_id": library.id,
                    "reader_id": reader_id,
                }
                for person_id, reader_id in zip(ids, readers, strict=True)
            ],
        )
        actor = Actor(None, librarian.id, librarian_of=frozenset({library.id}))
        now = utcnow()
        _, queued = await start_broadcast(
            session,
            actor,
            library.id,
            Audience(SCHOOL, READERS),
            BROADCAST_TEXT,
            f"📢 Школа №1:\n\n{BROADCAST_TEXT}",
            now,
            now,
        )
    return queued


async def _people(session: AsyncSession, size: int) -> list[int]:
    """N people; their ids in order (the librarian's, made before, is not among them)."""
    first = int(await session.scalar(select(func.coalesce(func.max(Person.id), 0))) or 0)
    await session.execute(insert(Person), [{"display_name": f"Читатель {i}"} for i in range(size)])
    return list(
        await session.scalars(select(Person.id).where(Person.id > first).order_by(Person.id))
    )


async def _accounts(
    session: AsyncSession,
    ids: list[int],
    messenger: Messenger,
    user_id_of: Callable[[int], int],
    chat_id_of: Callable[[int], int] | None = None,
) -> None:
    """Person i's account: user `user_id_of(i)` in chat `chat_id_of(i)` (by default the same)."""
    chat = chat_id_of or user_id_of
    await session.execute(
        insert(Account),
        [
            {
                "messenger": messenger,
                "external_id": str(user_id_of(i)),
                "chat_id": str(chat(i)),
                "person_id": person_id,
            }
            for i, person_id in enumerate(ids)
        ],
    )


async def pending(db: Database) -> int:
    """Notices not yet settled (sent, skipped or failed)."""
    async with db.reading() as session:
        count = await session.scalar(
            select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        )
    return int(count or 0)


async def in_flight(db: Database) -> int:
    """Deliveries planned but not recorded: what a killed sender may have had on the wire."""
    async with db.reading() as session:
        count = await session.scalar(
            select(func.count()).where(OutboxDelivery.status == Delivery.PENDING)
        )
    return int(count or 0)
