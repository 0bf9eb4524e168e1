"""Circulation driven like people drive it: a student reserves, the librarian approves and
issues, the book is renewed and returned, and the next reader in the queue is served."""

from __future__ import annotations

from sqlalchemy import select

from db.engine import Database
from db.enums import HoldStatus, ItemStatus
from db.models import Hold, Loan
from messages import texts
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import (
    copies,
    keep_one_copy,
    linked_reader,
    notices_for,
    set_status,
)

BOOK = "Пиковая дама"


async def test_reserve_approve_issue_renew_return_and_the_queue_is_served(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    inventory = await keep_one_copy(demo_db, BOOK)
    student, librarian = chat("student"), chat("librarian")
    classmate = await linked_reader(chat, librarian, "1062", "classmate")

    # The student asks to take the book and reserves it with one tap.
    await student.send("хочу взять пиковую даму")
    assert "1. Пиковая дама — Пушкин А. С." in student.text
    await student.press("📌 1")
    assert "Заявка на книгу «Пиковая дама» отправлена библиотекарю (Школа №1)" in student.text

    # The librarian sees the request and approves it: the copy goes to the hold shelf.
    await librarian.send("/holds")
    assert "1. «Пиковая дама» — Смирнова Мария, 7Б (формуляр № 1001)" in librarian.text
    await librarian.press("✅ 1")
    assert "Одобрено: «Пиковая дама» для Смирновой Марии." in librarian.text
    assert f"Положите экз. инв. № {inventory} на полку заказов до 19 ноября" in librarian.text
    assert "На полке заказов: 1 книга." in librarian.text
    assert await notices_for(demo_db, "student") == [
        "📌 Книга «Пиковая дама» ждёт вас в библиотеке (Школа №1) до 19 ноября."
    ]
    assert (await notices_for(demo_db, "parent"))[-1] == (
        "Мария: книга «Пиковая дама» ждёт в библиотеке (Школа №1) до 19 ноября."
    )

    # The student comes in; the librarian issues straight from the hold shelf.
    await librarian.press("📕 Выдать 1")
    assert "Выдано: «Пиковая дама»" in librarian.text
    assert "Смирнова Мария, 7Б. Вернуть до 30 ноября." in librarian.text
    assert (await notices_for(demo_db, "student"))[-1] == (
        "📕 Выдана книга «Пиковая дама». Вернуть до 30 ноября."
    )

    # A week later the student renews it from «мои книги».
    clock.advance(days=7)
    await student.send("мои книги")
    assert "Пиковая дама (Пушкин А. С.) — вернуть до 30 ноября" in student.text
    await student.send("продли пиковую даму")
    assert "Продлено: «Пиковая дама» — теперь вернуть до 14 декабря." in student.text

    # A classmate wants it too: no free copy, so a queue, with a likely date.
    await classmate.send("хочу взять пиковую даму")
    await classmate.press("📌 1")
    assert "Свободных экземпляров книги «Пиковая дама» сейчас нет. Вы в очереди под номером 1." in (
        classmate.text
    )
    assert "Примерно к 14 декабря" in classmate.text
    # With someone waiting, another renewal is refused, and says why.
    await student.send("продли пиковую даму")
    assert student.text == "Книгу «Пиковая дама» продлить нельзя: её ждут другие читатели."

    # The book comes back: it goes to the classmate at once.
    await librarian.send(f"/return {inventory}")
    assert f"Принято: «Пиковая дама» (инв. № {inventory}) от Смирновой Марии, 7Б." in (
        librarian.text
    )
    assert (
        "📌 Этот экземпляр ждёт Орлову Анну, 8А: положите его на полку заказов." in librarian.text
    )
    assert (await notices_for(demo_db, "classmate"))[-1].startswith(
        "📌 Книга «Пиковая дама» ждёт вас в библиотеке (Школа №1) до "
    )
    await classmate.send("мои книги")
    assert "Пиковая дама — ждёт вас на полке заказов до" in classmate.text

    async with demo_db.reading() as session:
        [item] = [i for i in await copies(demo_db, BOOK) if i.inventory_number == inventory]
        assert item.status == ItemStatus.ON_HOLD_SHELF
        holds = list(await session.scalars(select(Hold).where(Hold.record_id == item.record_id)))
        assert sorted(h.status for h in holds) == [HoldStatus.FULFILLED, HoldStatus.READY]
        loan = await session.scalar(select(Loan).where(Loan.item_id == item.id))
        assert loan is not None and loan.returned_at is not None and loan.renewals == 1


async def test_queue_positions_and_cancelling_moves_the_queue(
    chat: ChatFactory, demo_db: Database
) -> None:
    inventory = await keep_one_copy(demo_db, BOOK)
    librarian = chat("librarian")
    await librarian.send(f"/issue {inventory} 1001")
    assert "Выдано: «Пиковая дама»" in librarian.text

    readers = [
        await linked_reader(chat, librarian, card, f"reader{card}")
        for card in ("1062", "1063", "1064")
    ]
    for place, reader in enumerate(readers, start=1):
        await reader.send("хочу взять пиковую даму")
        await reader.press("📌 1")
        assert f"Вы в очереди под номером {place}." in reader.text

    # The second in line changes their mind.
    second = readers[1]
    await second.send("мои книги")
    assert "Пиковая дама — в очереди под номером 2" in second.text
    await second.press("✖ 📌1")
    assert "Бронь на книгу «Пиковая дама» снята." in second.text

    assert await notices_for(demo_db, "reader1064") == [
        "Очередь на книгу «Пиковая дама» сдвинулась: теперь вы под номером 2."
    ]
    assert await notices_for(demo_db, "reader1062") == []  # first in line: nothing changed
    await readers[2].send("мои книги")
    assert "Пиковая дама — в очереди под номером 2" in readers[2].text

    # The copy comes back: the first in line gets it; the last moves up to first.
    await librarian.send(f"/return {inventory}")
    assert (await notices_for(demo_db, "reader1062"))[-1].startswith("📌 Книга «Пиковая дама»")
    assert (await notices_for(demo_db, "reader1064"))[-1] == (
        "Очередь на книгу «Пиковая дама» сдвинулась: теперь вы под номером 1."
    )


async def test_a_class_set_is_issued_checked_and_taken_back(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian, student = chat("librarian"), chat("student")
    algebra = await copies(demo_db, "Алгебра. 7 класс")
    for item in algebra[10:]:  # ten copies on the shelf for a class of thirteen
        await set_status(demo_db, item.inventory_number, ItemStatus.WRITTEN_OFF)

    await librarian.send("выдать 7Б комплект: Алгебра 7, Русский язык 7")
    assert "Комплект для 7Б (13 учеников):" in librarian.text
    assert "• Алгебра. 7 класс: выдать 13, свободно 10 — ⚠️ не хватит 3" in librarian.text
    assert "• Русский язык. 7 класс: выдать 13, свободно 28" in librarian.text
    await librarian.press("Выдать комплект")
    assert "Выдано 23 экземпляра ученикам 7Б." in librarian.text
    assert "⚠️ Учебника «Алгебра. 7 класс» не хватило 3 ученикам." in librarian.text

    await librarian.send("/nocopy 7Б Алгебра 7")
    assert "В 7Б без учебника «Алгебра. 7 класс»: 3 ученика." in librarian.text
    await librarian.send("/nocopy 7Б русский язык 7")
    assert librarian.text == "В 7Б у всех есть учебник «Русский язык. 7 класс»."

    # Issuing the set again gives nobody a second copy.
    await librarian.send("выдать 7Б комплект: Русский язык 7")
    assert "выдать 0" in librarian.text
    await librarian.press("Выдать комплект")
    assert "Выдано 0 экземпляров ученикам 7Б. У 13 уже были." in librarian.text

    await student.send("мои книги")
    assert "Русский язык. 7 класс" in student.text
    await student.send("продли русский язык")
    assert student.text == (
        "Книгу «Русский язык. 7 класс» продлить нельзя: учебники выдаются до конца учебного года."
    )
    assert "📚 Выдан комплект учебников (Школа №1)" in (await notices_for(demo_db, "student"))[0]

    await librarian.send("/collect 7Б")
    assert "У 7Б на руках 23 учебника. Принять все разом?" in librarian.text
    await librarian.press("Принять все")
    assert librarian.text == "Принято у 7Б: 23 учебника."
    async with demo_db.reading() as session:
        ids = [i.id for i in algebra]
        still_out = await session.scalars(
            select(Loan).where(Loan.item_id.in_(ids), Loan.returned_at.is_(None))
        )
        assert list(still_out) == []


async def test_a_parent_of_two_children_in_two_schools(
    chat: ChatFactory, demo_db: Database
) -> None:
    parent, librarian = chat("parent"), chat("librarian")
    await parent.send("мои книги")
    assert "Мария: на руках 2 книги." in parent.text
    assert "Илья: на руках 2 книги." in parent.text
    # Илья's second book (the 4th line) is not overdue: the parent renews it for him.
    assert "4. Басни (Крылов И. А.) — вернуть до 25 ноября" in parent.text
    await parent.press("🔄 4")
    assert parent.text == "Продлено: «Басни» — теперь вернуть до 9 декабря."
    # The overdue one offers no 🔄; asked in words, the refusal says why.
    await parent.send("мои книги")
    assert "🔄 1" not in [b.label for r in parent.replies for row in r.buttons for b in row]
    await parent.send("продли недоросль")
    assert "просрочена на 6 дней — продлить уже нельзя" in parent.text

    # The parent stops copies of Мария's reminders; the next one goes to her only.
    await parent.send("/reminders")
    assert "• Мария (Школа №1): присылаю" in parent.text
    await parent.press("🔕 Мария")
    assert "• Мария (Школа №1): не присылаю" in parent.text
    before = len(await notices_for(demo_db, "parent"))
    await librarian.send("/reader 1001")
    first = librarian.text.split("\n")[2]
    inventory = first.split("инв. № ")[1].split(")")[0]
    await librarian.send(f"/return {inventory}")
    assert "Принято:" in librarian.text
    assert len(await notices_for(demo_db, "parent")) == before
    assert (await notices_for(demo_db, "student"))[-1].startswith("📥 Книга «")


async def test_the_help_lists_what_a_librarian_can_do(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("/help")
    for command in ("/holds", "/issue", "/return", "/reader", "/collect", "/overdue"):
        assert command in librarian.text
    assert texts.HELP_LIBRARIAN not in (await chat("student").send("/help"))[0].text


async def test_the_help_ends_with_start_and_help(chat: ChatFactory) -> None:
    """Housekeeping commands close the whole help, after every role's part."""
    for persona in ("librarian", "student", "parent", "a-guest"):
        text = (await chat(persona).send("/help"))[0].text
        last = text.split("\n\n")[-1]
        assert "/start — начать сначала" in last and "/help — эта справка" in last, persona
        assert "/start" not in text.removesuffix(last), persona
