"""Linking a messenger account to a card, a child, a library or the network with a code."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from db.clock import utcnow
from db.engine import Database
from db.enums import Messenger, RoleName
from db.models import Account, AuditEntry, LinkCode
from db.people import (
    LinkRefused,
    create_link_code,
    library_by_code,
    reader_by_card,
    redeem_link_code,
    touch_account,
)
from handlers.dispatcher import Dispatcher
from messages import texts
from tests.conftest import FIXED_NOW
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock


async def _code(db: Database, role: RoleName, school: str = "school-1", card: str | None = None,
                ttl: timedelta = timedelta(days=14)) -> str:  # fmt: skip
    async with db.transaction() as session:
        library = await library_by_code(session, school)
        reader = await reader_by_card(session, library.id, card) if card else None
        link = await create_link_code(
            session, role, library_id=library.id, network_id=library.network_id,
            reader_id=reader.id if reader else None, ttl=ttl, now=FIXED_NOW,
        )  # fmt: skip
        return link.code


async def test_a_reader_code_links_once(chat: ChatFactory, demo_db: Database) -> None:
    code = await _code(demo_db, RoleName.READER, card="1050")
    pupil: Chat = chat("pupil")
    await pupil.send(code.lower())  # typed in lower case, as children do
    assert "Формуляр № 1050 (Школа №1) привязан" in pupil.text
    await pupil.send("/start")
    assert "ваша школьная библиотека (Школа №1)" in pupil.text

    intruder: Chat = chat("intruder")
    await intruder.send(f"/start {code}")  # the same code from a deep link
    assert intruder.text == texts.LINK_REFUSED["used"]
    async with demo_db.reading() as session:
        refused = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "link.redeem",
                AuditEntry.detail["reason"].as_string() == "used",
            )
        )
    assert refused is not None


async def test_unknown_and_expired_codes_are_refused_clearly(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    code = await _code(demo_db, RoleName.READER, card="1051", ttl=timedelta(days=1))
    pupil: Chat = chat("pupil")
    await pupil.send("ABCD2345")
    assert pupil.text == texts.LINK_REFUSED["unknown"]
    clock.advance(days=2)
    await pupil.send(code)
    assert pupil.text == texts.LINK_REFUSED["expired"]
    await pupil.send("мои книги")
    assert pupil.text == texts.MY_BOOKS_NOT_LINKED


async def test_a_parent_links_two_children_in_two_schools(
    chat: ChatFactory, demo_db: Database
) -> None:
    first = await _code(demo_db, RoleName.PARENT, "school-1", card="1060")
    second = await _code(demo_db, RoleName.PARENT, "school-3", card="1020")
    mother: Chat = chat("mother")
    await mother.send(first)
    assert "Вы привязаны как родитель Миланы (Школа №1)" in mother.text
    await mother.send(second)
    assert "Лицей №3" in mother.text
    await mother.send("мои книги")
    blocks = mother.text.split("\n\n")
    assert len(blocks) == 2  # one block per child, nobody else's


async def test_a_librarian_code_gives_the_desk_of_that_library_only(
    chat: ChatFactory, demo_db: Database
) -> None:
    code = await _code(demo_db, RoleName.LIBRARIAN, "school-2")
    new_librarian: Chat = chat("new-librarian")
    await new_librarian.send(code)
    assert new_librarian.text == "Готово! Вы — библиотекарь: Гимназия №2."
    await new_librarian.send("/start")
    assert "(Гимназия №2)" in new_librarian.text and "Школа №1" not in new_librarian.text


async def test_the_same_reader_on_a_second_messenger_is_one_person(
    dispatcher: Dispatcher, demo_db: Database
) -> None:
    telegram = Chat(dispatcher, "111", Messenger.TELEGRAM)
    vk = Chat(dispatcher, "222", Messenger.VK)
    await telegram.send(await _code(demo_db, RoleName.READER, card="1052"))
    await vk.send(await _code(demo_db, RoleName.READER, card="1052"))
    async with demo_db.reading() as session:
        people = set(
            await session.scalars(
                select(Account.person_id).where(Account.external_id.in_(["111", "222"]))
            )
        )
    assert len(people) == 1


async def test_two_accounts_racing_for_one_code_link_exactly_once(demo_db: Database) -> None:
    code = await _code(demo_db, RoleName.READER, card="1053")

    async def redeem(user: str) -> bool:
        async with demo_db.transaction() as session:
            account = await touch_account(session, Messenger.TELEGRAM, user, user, utcnow())
            try:
                await redeem_link_code(session, account, code, utcnow())
            except LinkRefused:
                return False
            return True

    outcomes = await asyncio.gather(*(redeem(str(900 + i)) for i in range(6)))
    assert sorted(outcomes) == [False] * 5 + [True]
    async with demo_db.reading() as session:
        link = await session.scalar(select(LinkCode).where(LinkCode.code == code))
    assert link.used_at is not None


async def test_a_readers_account_never_takes_a_second_card_of_the_same_school(
    chat: ChatFactory, demo_db: Database
) -> None:
    student: Chat = chat("student")  # card 1001 at Школа №1
    other = await _code(demo_db, RoleName.READER, card="1054")
    await student.send(other)
    assert student.text == texts.LINK_REFUSED["second_card"].format(card="1001", library="Школа №1")
    await student.send("мои книги")
    assert "Мария" in student.text and len(student.text.split("\n\n")) == 1  # only her own card
    async with demo_db.reading() as session:
        link = await session.scalar(select(LinkCode).where(LinkCode.code == other))
    assert link.used_at is None  # the code stays good for the right child

    # The librarian re-links on purpose: 🔓 on the old card, then the code works.
    librarian: Chat = chat("librarian")
    await librarian.send("/reader 1001")
    await librarian.press("Отвязать")
    assert "Формуляр № 1001 отвязан" in librarian.text
    await student.send(other)
    assert "Формуляр № 1054 (Школа №1) привязан" in student.text


async def test_a_readers_account_becomes_a_parent_only_when_confirmed(
    chat: ChatFactory, demo_db: Database
) -> None:
    code = await _code(demo_db, RoleName.PARENT, card="1055")
    student: Chat = chat("student")
    await student.send(code)
    assert student.text == texts.LINK_REFUSED["parent_confirm"]
    await student.press("Нет")
    await student.send("мои книги")
    assert len(student.text.split("\n\n")) == 1  # still only her own card
    await student.send(code)
    await student.press("Да, я родитель")
    assert "Вы привязаны как родитель Ивана" in student.text
    await student.send("мои книги")
    assert len(student.text.split("\n\n")) == 2


async def test_a_parent_code_for_ones_own_card_is_refused(
    chat: ChatFactory, demo_db: Database
) -> None:
    code = await _code(demo_db, RoleName.PARENT, card="1001")
    student: Chat = chat("student")
    await student.send(code)
    assert student.text == texts.LINK_REFUSED["own_card"]
