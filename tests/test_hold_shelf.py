"""The hold shelf over days: a warning the day before the deadline, expiry after it, the copy
going to the next in line; and notices that wait out the night."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from db.engine import Database
from db.enums import HoldStatus, ItemStatus
from db.models import Hold, Item, Library, OutboxMessage
from jobs.holds import hold_shelf_round
from messages.notices import after_quiet_hours
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import keep_one_copy, linked_reader, notices_for


async def test_an_uncollected_hold_warns_then_expires_and_serves_the_next_reader(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    inventory = await keep_one_copy(demo_db, "Пиковая дама")
    student, librarian = chat("student"), chat("librarian")
    classmate = await linked_reader(chat, librarian, "1062", "classmate")
    await librarian.send("/approval авто")
    assert "заявки теперь одобряются сами" in librarian.text
    await student.send("хочу взять пиковую даму")
    await student.press("📌 1")
    assert "отложена для вас: заберите её в библиотеке (Школа №1) до 19 ноября" in student.text
    await classmate.send("хочу взять пиковую даму")
    await classmate.press("📌 1")
    assert "Вы в очереди под номером 1." in classmate.text

    assert (await hold_shelf_round(demo_db, clock)).warned == 0
    clock.advance(days=2)  # 18 ноября: the last day is tomorrow
    first = await hold_shelf_round(demo_db, clock)
    again = await hold_shelf_round(demo_db, clock)
    assert (first.warned, first.expired) == (1, 0)
    assert again.notices == 0  # the warning is queued once, however often the round runs
    assert (await notices_for(demo_db, "student"))[-1] == (
        "⏰ Не забудьте забрать книгу «Пиковая дама» в библиотеке (Школа №1): "
        "она ждёт вас до 19 ноября."
    )

    clock.advance(days=2)  # 20 ноября: the deadline has passed
    expired = await hold_shelf_round(demo_db, clock)
    assert expired.expired == 1
    assert (await notices_for(demo_db, "student"))[-1] == (
        "Срок хранения «Пиковая дама» на полке заказов истёк, бронь снята."
    )
    assert (await notices_for(demo_db, "classmate"))[-1].startswith(
        "📌 Книга «Пиковая дама» ждёт вас в библиотеке (Школа №1) до "
    )
    async with demo_db.reading() as session:
        item = await session.scalar(
            select(Item)
            .join(Library, Library.id == Item.library_id)
            .where(Item.inventory_number == inventory, Library.code == "school-1")
        )  # numbers repeat from school to school
        ready = list(await session.scalars(select(Hold).where(Hold.status == HoldStatus.READY)))
        assert item is not None and item.status == ItemStatus.ON_HOLD_SHELF
        assert [h.item_id for h in ready] == [item.id]


async def test_notices_wait_for_the_end_of_quiet_hours(demo_db: Database) -> None:
    async with demo_db.reading() as session:
        library = await session.scalar(select(Library).where(Library.code == "school-1"))
    assert library is not None  # Europe/Moscow, quiet 21:00–08:00
    evening = datetime(2026, 11, 16, 19, 30, tzinfo=UTC)  # 22:30 in Moscow
    assert after_quiet_hours(evening, library) == datetime(2026, 11, 17, 5, 0, tzinfo=UTC)
    small_hours = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 05:00 in Moscow
    assert after_quiet_hours(small_hours, library) == datetime(2026, 11, 16, 5, 0, tzinfo=UTC)
    day = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
    assert after_quiet_hours(day, library) == day


async def test_a_return_late_at_night_is_told_in_the_morning(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 16, 19, 30, tzinfo=UTC)  # 22:30 at the school
    librarian = chat("librarian")
    await librarian.send("/reader 1001")
    inventory = librarian.text.split("инв. № ")[1].split(")")[0]
    await librarian.send(f"/return {inventory}")
    async with demo_db.reading() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert rows and all(row.not_before == datetime(2026, 11, 17, 5, 0, tzinfo=UTC) for row in rows)
