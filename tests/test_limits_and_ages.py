"""A reader at the loan limit cannot reserve; the librarian sees limit, overdue books and a block
before approving, and confirms before a book above the reader's age goes to them."""

from __future__ import annotations

from sqlalchemy import select, update

from db.engine import Database
from db.enums import HoldStatus, ItemStatus
from db.models import Hold, Record
from messages import texts
from messages.i18n import say
from tests.support.chat import ChatFactory
from tests.support.library import circulation_counts, copies


async def test_a_reader_at_the_limit_cannot_reserve(chat: ChatFactory, demo_db: Database) -> None:
    librarian, student = chat("librarian"), chat("student")
    await librarian.send("/rule все максимум 2")  # Мария has two books on loan
    before = await circulation_counts(demo_db)
    await student.send("хочу взять ревизор")
    await student.press("📌 1")
    assert student.text == say(texts.REFUSALS["hold_at_limit"], taken=2, max=2)
    assert await circulation_counts(demo_db) == before


async def test_approval_shows_overdue_and_refuses_at_the_limit(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian, student = chat("librarian"), chat("student")
    await librarian.send("/rule все максимум 3")
    await student.send("хочу взять ревизор")
    await student.press("📌 1")
    assert "отправлена библиотекарю" in student.text
    await librarian.send("/holds")
    assert "⚠️ просрочено: 1 книга" in librarian.text  # «Недоросль» is six days late
    assert "⚠️ на руках и в бронях" not in librarian.text  # 2 of 3: not yet at the limit

    [free, *_] = [
        i.inventory_number
        for i in await copies(demo_db, "Горе от ума")
        if i.status == ItemStatus.AVAILABLE
    ]
    await librarian.send(f"/issue {free} 1001")  # a third book: now at the limit
    assert "Выдано" in librarian.text
    await librarian.send("/holds")
    assert "⚠️ на руках и в бронях 3 из 3" in librarian.text
    await librarian.press("✅ 1")
    assert librarian.text.startswith("Смирнова Мария: уже 3 книги на руках")
    async with demo_db.reading() as session:
        statuses = set(await session.scalars(select(Hold.status)))
    assert statuses == {HoldStatus.PENDING}  # nothing approved, nobody told «ждёт вас»


async def test_approval_of_a_blocked_readers_request_is_refused(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian, student = chat("librarian"), chat("student")
    await student.send("хочу взять ревизор")
    await student.press("📌 1")
    await librarian.send("/block 1001 потеряла книгу")
    await librarian.send("/holds")
    assert "🚫 формуляр заблокирован" in librarian.text
    await librarian.press("✅ 1")
    assert librarian.text.startswith("Смирнова Мария: формуляр заблокирован")


async def test_a_book_above_the_readers_age_needs_the_librarians_yes(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    copy = (await copies(demo_db, "Преступление и наказание"))[0].inventory_number  # 16+
    before = await circulation_counts(demo_db)
    await librarian.send(f"/issue {copy} 1001")  # Мария is 13
    assert librarian.text == (
        "«Преступление и наказание» с маркировкой 16+, а читателю 13 лет. Всё равно выдать?"
    )
    assert await circulation_counts(demo_db) == before
    await librarian.press("Не надо")
    assert librarian.text == texts.DESK_AGE_DECLINED
    await librarian.send(f"/issue {copy} 1001")
    await librarian.press("Выдать всё равно")
    assert "Выдано: «Преступление и наказание»" in librarian.text


async def test_approving_a_book_marked_above_the_readers_age_asks_first(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian, student = chat("librarian"), chat("student")
    await student.send("хочу взять ревизор")
    await student.press("📌 1")
    async with demo_db.transaction() as session:  # the catalog's mark corrected meanwhile
        await session.execute(update(Record).where(Record.title == "Ревизор").values(age_mark=16))
    await librarian.send("/holds")
    await librarian.press("✅ 1")
    assert librarian.text == ("«Ревизор» с маркировкой 16+, а читателю 13 лет. Всё равно одобрить?")
    await librarian.press("Одобрить всё равно")
    assert "Одобрено: «Ревизор»" in librarian.text
