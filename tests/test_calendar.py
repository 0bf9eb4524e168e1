"""A book is due on a day the library is open: never on a Sunday, on 1 January or on the
library's sanitary day. The librarian marks the library's own closed days from the chat."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from db.calendar import Calendar, is_public_holiday, parse_weekdays
from db.engine import Database
from db.enums import AuditOutcome
from db.models import AuditEntry, Library, LibraryClosedDay
from messages import texts
from messages.i18n import say
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import keep_one_copy

BOOK = "Пиковая дама"
WEEKDAYS = parse_weekdays("12345")


def test_the_next_open_day_skips_weekends_holidays_and_closed_days() -> None:
    calendar = Calendar(WEEKDAYS, frozenset({date(2026, 12, 1)}))
    assert calendar.next_open_day(date(2026, 11, 30)) == date(2026, 11, 30)  # a Monday
    assert calendar.next_open_day(date(2026, 11, 28)) == date(2026, 11, 30)  # Saturday → Monday
    assert calendar.next_open_day(date(2026, 12, 1)) == date(2026, 12, 2)  # the closed day
    # 31 December 2026 is a day off moved from 3 January; 1–8 January are holidays, 9–10 a
    # weekend: the first open day of 2027 is Monday 11 January.
    assert calendar.next_open_day(date(2026, 12, 31)) == date(2027, 1, 11)
    assert calendar.next_open_day(date(2027, 1, 1)) == date(2027, 1, 11)
    assert all(is_public_holiday(date(2030, 1, day)) for day in range(1, 9))
    assert not is_public_holiday(date(2030, 1, 9))
    # A library open on Saturdays too keeps a Saturday; one never open keeps the day given.
    assert Calendar(parse_weekdays("123456")).next_open_day(date(2026, 11, 28)) == date(
        2026, 11, 28
    )
    assert parse_weekdays("") == parse_weekdays("1234567")


async def test_a_renewal_that_would_land_on_1_january_lands_after_the_holidays(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    inventory = await keep_one_copy(demo_db, BOOK)
    librarian, student = chat("librarian"), chat("student")
    clock.now = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # a Friday: due in two weeks, Friday
    await librarian.send(f"/issue {inventory} 1001")
    assert "до 18 декабря." in librarian.text

    clock.now = datetime(2026, 12, 15, 9, 30, tzinfo=UTC)
    await student.send("продли пиковую даму")  # 18 December + 14 days is 1 January
    assert student.text == say(texts.RENEWED, title="Пиковая дама", due=date(2027, 1, 11))


async def test_a_saturday_for_a_monday_to_friday_library_moves_to_monday(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/rules")
    assert "Библиотека открыта: пн–пт." in librarian.text
    await librarian.send("/rule все дни 12")  # from Monday 16 November: Saturday 28 November
    inventory = await keep_one_copy(demo_db, BOOK)
    await librarian.send(f"/issue {inventory} 1001")
    assert "до 30 ноября." in librarian.text

    # A school whose library works on Saturdays keeps the Saturday.
    await librarian.send(f"/return {inventory}")
    async with demo_db.transaction() as session:
        await session.execute(
            update(Library).where(Library.code == "school-1").values(open_weekdays="123456")
        )
    await librarian.send(f"/issue {inventory} 1001")
    assert "до 28 ноября." in librarian.text
    await librarian.send("/rules")
    assert "Библиотека открыта: пн–сб." in librarian.text


async def test_a_library_closed_day_is_skipped_and_can_be_unmarked(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/closed")
    assert "Своих закрытых дней у библиотеки не отмечено (Школа №1)." in librarian.text
    assert "/closed 30.12 санитарный день" in librarian.text

    await librarian.send("/closed 30.11 санитарный день")
    assert librarian.text.startswith(
        "Готово: 30 ноября библиотека закрыта — санитарный день. "
        "Сроки возврата на этот день больше не выпадут."
    )
    assert "Дни, когда библиотека закрыта (Школа №1):\n• 30 ноября — санитарный день" in (
        librarian.text
    )
    inventory = await keep_one_copy(demo_db, BOOK)
    await librarian.send(f"/issue {inventory} 1001")  # 16 November + 14 days: 30 November
    assert "до 1 декабря." in librarian.text
    await librarian.send("/rules")
    assert "Закрыта также: 30 ноября." in librarian.text

    await librarian.send("/open 30.11")
    assert librarian.text.startswith("Готово: 30 ноября библиотека снова работает.")
    await librarian.send(f"/return {inventory}")
    await librarian.send(f"/issue {inventory} 1001")
    assert "до 30 ноября." in librarian.text
    await librarian.send("/open 30.11")
    assert librarian.text == "30 ноября не был отмечен закрытым днём."

    async with demo_db.reading() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.like("calendar.%"), AuditEntry.outcome == AuditOutcome.OK)
                .order_by(AuditEntry.id)
            )
        )
    assert actions == ["calendar.close", "calendar.open"]


async def test_closed_days_dates_are_read_like_a_librarian_writes_them(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/closed 5.01")  # the next 5 January: next year's
    await librarian.send("/closed 31.05.2027 последний звонок")
    await librarian.send("/closed 30.11.26")
    await librarian.send("/closed 01.09.2026")
    assert librarian.text == "1 сентября уже прошло: отметить можно сегодняшний или будущий день."
    await librarian.send("/closed 31.02")
    assert librarian.text.startswith("Не понял дату «31.02».")
    await librarian.send("/closed завтра")
    assert librarian.text.startswith("Не понял дату «завтра».")
    async with demo_db.reading() as session:
        days = list(
            await session.scalars(select(LibraryClosedDay.day).order_by(LibraryClosedDay.day))
        )
    assert days == [date(2026, 11, 30), date(2027, 1, 5), date(2027, 5, 31)]


async def test_only_a_librarian_marks_closed_days_and_only_their_own_library(
    chat: ChatFactory, demo_db: Database
) -> None:
    student = chat("student")
    await student.send("/closed 30.12")
    assert student.text == texts.ACCESS_DENIED
    await chat("librarian2").send("/closed 30.12 инвентаризация")
    librarian = chat("librarian")
    await librarian.send("/closed")
    assert "инвентаризация" not in librarian.text
    async with demo_db.reading() as session:
        rows = list(await session.execute(select(Library.code, LibraryClosedDay.day).join(
            LibraryClosedDay, LibraryClosedDay.library_id == Library.id)))  # fmt: skip
    assert rows == [("school-2", date(2026, 12, 30))]


async def test_a_hold_shelf_deadline_on_a_sunday_moves_to_monday(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await keep_one_copy(demo_db, BOOK)
    student, librarian = chat("student"), chat("librarian")
    clock.now = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)  # Thursday + 3 days: Sunday
    await student.send("хочу взять пиковую даму")
    await student.press("📌 1")
    await librarian.send("/holds")
    await librarian.press("✅ 1")
    assert "на полку заказов до 23 ноября" in librarian.text


async def test_a_hold_shelf_deadline_skips_the_librarys_own_closed_day(
    chat: ChatFactory, demo_db: Database
) -> None:
    await keep_one_copy(demo_db, BOOK)
    student, librarian = chat("student"), chat("librarian")
    await librarian.send("/closed 19.11 учёт фонда")  # Monday 16th + 3 days: Thursday the 19th
    await student.send("хочу взять пиковую даму")
    await student.press("📌 1")
    await librarian.send("/holds")
    await librarian.press("✅ 1")
    assert "на полку заказов до 20 ноября" in librarian.text


async def test_the_working_week_is_set_from_the_chat(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    await librarian.send("/open сб")
    assert librarian.text == "Готово: по субботам библиотека работает. Рабочие дни: пн–сб."
    inventory = await keep_one_copy(demo_db, BOOK)
    clock.now = datetime(2026, 11, 7, 9, 30, tzinfo=UTC)  # a Saturday + 14 days: a Saturday
    await librarian.send(f"/issue {inventory} 1001")
    assert "до 21 ноября." in librarian.text
    await librarian.send("/closed субботам")
    assert librarian.text.startswith("Готово: по субботам библиотека закрыта")
    for day in ("пн", "вт", "среду", "четверг"):
        await librarian.send(f"/closed {day}")
    await librarian.send("/closed пятница")
    assert librarian.text == texts.WEEKDAY_LAST_OPEN  # a library open no day at all is refused
    async with demo_db.reading() as session:
        weekdays = await session.scalar(
            select(Library.open_weekdays).where(Library.code == "school-1")
        )
    assert weekdays == "5"
