"""The bench's database: a fresh, migrated one with N people, each with a Telegram account, and
one queued notice each (db.outbox.notify, as a broadcast queues them)."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from db.engine import Database
from db.enums import Messenger, OutboxStatus
from db.migrate import upgrade
from db.models import Account, OutboxDelivery, OutboxMessage, Person
from db.models import DeliveryStatus as Delivery
from db.outbox import notify

FIRST_CHAT = 1_000_000  # notice i goes to chat FIRST_CHAT + i
KIND = "broadcast"


def chat_of(index: int) -> int:
    return FIRST_CHAT + index


def text_of(index: int) -> str:
    """Each person's notice is told apart by its number, so duplicates and losses show."""
    return f"Рассылка №{index}: в пятницу библиотека закрыта на санитарный день."


async def prepare(db: Database, size: int) -> None:
    """Migrate, then create the people and accounts in bulk and queue one notice each."""
    await upgrade(db)
    async with db.transaction() as session:
        await session.execute(
            insert(Person), [{"display_name": f"Читатель {i}"} for i in range(size)]
        )
        ids = list(await session.scalars(select(Person.id).order_by(Person.id)))
        await session.execute(
            insert(Account),
            [
                {
                    "messenger": Messenger.TELEGRAM,
                    "external_id": str(chat_of(i)),
                    "chat_id": str(chat_of(i)),
                    "person_id": person_id,
                }
                for i, person_id in enumerate(ids)
            ],
        )
        for i, person_id in enumerate(ids):
            await notify(session, person_id, KIND, text_of(i), f"bench-broadcast:{i}")


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
