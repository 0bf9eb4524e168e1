"""Setting the scene for circulation conversations: linked readers and link codes, one-copy
records, many overdue loans, forged buttons, and what the outbox holds for whom."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update

from db.engine import Database
from db.enums import ACTIVE_HOLD_STATUSES, ItemStatus, Messenger, RoleName
from db.models import (
    Account,
    ButtonToken,
    Hold,
    Item,
    Library,
    Loan,
    OutboxMessage,
    Reader,
    Record,
)
from db.people import create_link_code, reader_by_card
from db.reports import REPORT_KIND
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock

CODE = re.compile(r"Код привязки для .+: ([A-Z0-9]{8})")


async def linked_reader(chat: ChatFactory, librarian: Chat, card: str, persona: str) -> Chat:
    """The librarian makes a code for the card; a new person sends it from their phone."""
    await librarian.send(f"/code {card}")
    match = CODE.search(librarian.text)
    assert match, librarian.text
    reader = chat(persona)
    await reader.send(match.group(1))
    assert "привязан" in reader.text, reader.text
    return reader


async def keep_one_copy(db: Database, title: str, library: str = "school-1") -> str:
    """Write off all but one copy of the record at the school; returns the kept copy's number."""
    async with db.transaction() as session:
        library_id = await session.scalar(select(Library.id).where(Library.code == library))
        items = list(
            await session.scalars(
                select(Item)
                .join(Record, Record.id == Item.record_id)
                .where(Record.title == title, Item.library_id == library_id)
                .order_by(Item.id)
            )
        )
        assert items, title
        for item in items[1:]:
            item.status = ItemStatus.WRITTEN_OFF
        items[0].status = ItemStatus.AVAILABLE
        return items[0].inventory_number


async def copies(db: Database, title: str, library: str = "school-1") -> list[Item]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(Item)
                .join(Record, Record.id == Item.record_id)
                .join(Library, Library.id == Item.library_id)
                .where(Record.title == title, Library.code == library)
                .order_by(Item.id)
            )
        )


async def set_status(db: Database, inventory: str, status: ItemStatus) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Item)
            .where(Item.inventory_number == inventory, Item.library_id == 1)
            .values(status=status)
        )


async def forge(db: Database, persona: str, action: str, **args: object) -> str:
    """A button the server itself handed to this persona, carrying arguments of our choosing:
    what a forged or replayed payload amounts to once past the token check."""
    token = secrets.token_urlsafe(9)
    async with db.transaction() as session:
        account_id = await session.scalar(
            select(Account.id).where(
                Account.messenger == Messenger.CONSOLE, Account.external_id == persona
            )
        )
        assert account_id is not None, persona
        session.add(ButtonToken(token=token, account_id=account_id, action=action, args=args))
    return token


async def also_on_telegram(db: Database, persona: str, chat_id: str) -> None:
    """The persona's person also uses Telegram: a second account, with that chat id."""
    async with db.transaction() as session:
        person_id = await session.scalar(
            select(Account.person_id).where(
                Account.messenger == Messenger.CONSOLE, Account.external_id == persona
            )
        )
        assert person_id is not None, persona
        session.add(
            Account(
                messenger=Messenger.TELEGRAM,
                external_id=chat_id,
                chat_id=chat_id,
                person_id=person_id,
            )
        )


async def notices_for(db: Database, persona: str) -> list[str]:
    async with db.reading() as session:
        person_id = await session.scalar(
            select(Account.person_id).where(
                Account.messenger == Messenger.CONSOLE, Account.external_id == persona
            )
        )
        return list(
            await session.scalars(
                select(OutboxMessage.text)
                .where(OutboxMessage.person_id == person_id)
                .order_by(OutboxMessage.id)
            )
        )


async def circulation_counts(db: Database) -> tuple[int, int, int]:
    """(open loans, active holds, outbox rows): a refusal must leave all three as they were. A
    report someone asked for (/report, /stats: queued for the outbox to draw) is their answer,
    not a change, and is not counted."""
    async with db.reading() as session:
        loans = await session.scalar(
            select(func.count()).select_from(Loan).where(Loan.returned_at.is_(None))
        )
        holds = await session.scalar(
            select(func.count()).select_from(Hold).where(Hold.status.in_(ACTIVE_HOLD_STATUSES))
        )
        outbox = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind != REPORT_KIND)
        )
        return loans or 0, holds or 0, outbox or 0


async def link_code(db: Database, clock: Clock, role: RoleName, **where: str) -> str:
    """A one-time code at school-1 for the role (with card=…: that reader's card)."""
    async with db.transaction() as session:
        library = await session.scalar(select(Library).where(Library.code == "school-1"))
        assert library is not None
        reader_id = None
        if "card" in where:
            reader = await reader_by_card(session, library.id, where["card"])
            assert reader is not None
            reader_id = reader.id
        link = await create_link_code(
            session, role, library_id=library.id, reader_id=reader_id, now=clock()
        )
        return link.code


async def many_overdue(db: Database, clock: Clock, n: int) -> None:
    """n more overdue loans at school-1, to make the overdue list long."""
    async with db.transaction() as session:
        items = list(
            await session.scalars(
                select(Item)
                .where(Item.library_id == 1, Item.status == ItemStatus.AVAILABLE)
                .order_by(Item.id)
                .limit(n)
            )
        )
        readers = list(await session.scalars(select(Reader).where(Reader.library_id == 1)))
        for k, item in enumerate(items):
            item.status = ItemStatus.ON_LOAN
            session.add(
                Loan(
                    item_id=item.id,
                    reader_id=readers[k % len(readers)].id,
                    library_id=1,
                    issued_at=clock() - timedelta(days=30),
                    due_at=clock() - timedelta(days=16),
                )
            )
