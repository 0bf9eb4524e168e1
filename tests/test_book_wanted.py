"""«Вашу книгу ждут»: when a reader queues for a record whose copies are all lent out at their
school, each borrower of a copy hears that another reader is waiting — never who — once per
loan, through the outbox, and only while the loan is still open and due then."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from sqlalchemy import select

from bot.console import ConsolePort
from db.engine import Database
from db.enums import Messenger, OutboxStatus
from db.models import OutboxMessage
from jobs.outbox import STALE, deliver_due
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.support.library import copies, keep_one_copy, linked_reader, notices_for

BOOK = "Пиковая дама"  # two copies at school-1, none lent in the demo
WANTED = (
    "📚 Книгу «Пиковая дама» ждёт другой читатель. Пожалуйста, верните её до 30 ноября — "
    "продлить книгу, пока её ждут, не получится."
)
WANTED_LATE = (
    "📚 Книгу «Пиковая дама» ждёт другой читатель, а срок её возврата уже прошёл "
    "(30 ноября). Пожалуйста, верните её в библиотеку как можно скорее."
)
SOMEONE_WAITS = "ждёт другой читатель"


async def _reserve(reader: Chat) -> None:
    await reader.send("хочу взять пиковую даму")
    await reader.press("📌 1")


async def _wanted(db: Database, persona: str) -> list[str]:
    return [text for text in await notices_for(db, persona) if SOMEONE_WAITS in text]


async def _deliver(db: Database, clock: Clock) -> ConsolePort:
    """Run the outbox once through the console's port; what each persona got is in it."""
    console = ConsolePort(out=io.StringIO())
    await deliver_due(db, {Messenger.CONSOLE: console}, clock)
    return console


def _got(console: ConsolePort, persona: str) -> list[str]:
    return [reply.text for address, reply, _ in console.delivered if address.chat_id == persona]


async def _wanted_rows(db: Database) -> list[tuple[OutboxStatus, str | None]]:
    async with db.reading() as session:
        rows = await session.execute(
            select(OutboxMessage.status, OutboxMessage.last_error)
            .where(OutboxMessage.kind == "loan.wanted")
            .order_by(OutboxMessage.id)
        )
        return [(status, error) for status, error in rows]


async def test_the_borrower_hears_once_that_the_book_is_wanted_and_never_by_whom(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    inventory = await keep_one_copy(demo_db, BOOK)
    student, librarian = chat("student"), chat("librarian")
    classmate = await linked_reader(chat, librarian, "1062", "classmate")  # Орлова Анна, 8А
    third = await linked_reader(chat, librarian, "1063", "third")
    # The third reader had the copy before Maria: a loan returned is nobody's business now.
    await librarian.send(f"/issue {inventory} 1063")
    await librarian.send(f"/return {inventory}")
    assert "Принято: «Пиковая дама»" in librarian.text
    await librarian.send(f"/issue {inventory} 1001")
    assert "Смирнова Мария, 7Б. Вернуть до 30 ноября." in librarian.text

    # The only copy is out: the classmate joins the queue, and Maria hears the book is wanted.
    await _reserve(classmate)
    assert "Вы в очереди под номером 1." in classmate.text
    assert await notices_for(demo_db, "student") == [
        "📕 Выдана книга «Пиковая дама». Вернуть до 30 ноября.",
        WANTED,
    ]
    # A second reader queueing tells her nothing new: once per loan.
    await _reserve(third)
    assert "Вы в очереди под номером 2." in third.text
    assert await _wanted(demo_db, "student") == [WANTED]
    # Nobody else hears it: not her parent, not the readers who wait.
    for persona in ("parent", "classmate", "third"):
        assert await _wanted(demo_db, persona) == []

    # The outbox delivers it once, however often it runs.
    console = await _deliver(demo_db, clock)
    await _deliver(demo_db, clock)
    assert _got(console, "student") == [
        "📕 Выдана книга «Пиковая дама». Вернуть до 30 ноября.",
        WANTED,
    ]
    assert await _wanted_rows(demo_db) == [(OutboxStatus.SENT, None)]
    # Who waits is the library's business: no name, declined or not, no class, no place in line.
    for text in _got(console, "student"):
        for trace in ("Орлов", "Анн", "8А", "1062", "очеред"):
            assert trace not in text, (trace, text)

    # What the notice says of renewals is what renewing does.
    await student.send("продли пиковую даму")
    assert student.text == "Книгу «Пиковая дама» продлить нельзя: её ждут другие читатели."


async def test_every_borrower_of_the_record_hears_it_with_their_own_due_date(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    first, second = [item.inventory_number for item in await copies(demo_db, BOOK)]
    librarian = chat("librarian")
    await librarian.send(f"/issue {first} 1001")
    clock.advance(days=2)
    await linked_reader(chat, librarian, "1064", "other")
    await librarian.send(f"/issue {second} 1064")
    assert "Вернуть до 2 декабря." in librarian.text
    waiting = await linked_reader(chat, librarian, "1062", "waiting")

    await _reserve(waiting)
    assert "Вы в очереди под номером 1." in waiting.text
    assert await _wanted(demo_db, "student") == [WANTED]
    assert await _wanted(demo_db, "other") == [WANTED.replace("30 ноября", "2 декабря")]


async def test_a_request_approved_when_the_copy_is_gone_tells_its_borrower(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    """School-1 approves requests by hand: Maria asks while the copy is on the shelf, it is
    lent to a classmate meanwhile, and the approval puts her in the queue."""
    inventory = await keep_one_copy(demo_db, BOOK)
    student, librarian = chat("student"), chat("librarian")
    await linked_reader(chat, librarian, "1062", "classmate")
    await _reserve(student)
    assert "отправлена библиотекарю" in student.text
    await librarian.send(f"/issue {inventory} 1062")
    assert "Выдано: «Пиковая дама»" in librarian.text
    assert await _wanted(demo_db, "classmate") == []  # a request, no queue yet

    await librarian.send("/holds")
    await librarian.press("✅ 1")
    assert await _wanted(demo_db, "classmate") == [WANTED]
    assert await _wanted(demo_db, "student") == []


async def test_a_book_returned_before_the_outbox_runs_is_not_asked_for(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    inventory = await keep_one_copy(demo_db, BOOK)
    librarian = chat("librarian")
    await librarian.send(f"/issue {inventory} 1001")
    classmate = await linked_reader(chat, librarian, "1062", "classmate")
    await _reserve(classmate)
    assert await _wanted(demo_db, "student") == [WANTED]

    # Maria brings it back before the outbox gets to the notice: it goes to the classmate.
    await librarian.send(f"/return {inventory}")
    assert "Этот экземпляр ждёт Орлову Анну, 8А" in librarian.text
    console = await _deliver(demo_db, clock)
    assert _got(console, "student") == [
        "📕 Выдана книга «Пиковая дама». Вернуть до 30 ноября.",
        "📥 Книга «Пиковая дама» возвращена. Спасибо!",
    ]
    assert await _wanted_rows(demo_db) == [(OutboxStatus.SKIPPED, STALE)]


async def test_at_night_the_notice_waits_for_the_morning(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    inventory = await keep_one_copy(demo_db, BOOK)
    librarian = chat("librarian")
    await librarian.send(f"/issue {inventory} 1001")
    classmate = await linked_reader(chat, librarian, "1062", "classmate")
    await _deliver(demo_db, clock)  # the day's notices are out

    clock.now = datetime(2026, 11, 16, 19, 45, tzinfo=UTC)  # 22:45 at the school
    await _reserve(classmate)
    assert "Вы в очереди под номером 1." in classmate.text
    night = await _deliver(demo_db, clock)
    assert _got(night, "student") == []
    clock.now = datetime(2026, 11, 17, 5, 0, tzinfo=UTC)  # 08:00
    morning = await _deliver(demo_db, clock)
    assert _got(morning, "student") == [WANTED]


async def test_an_overdue_borrower_is_asked_back_without_a_new_date(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    inventory = await keep_one_copy(demo_db, BOOK)
    librarian = chat("librarian")
    await librarian.send(f"/issue {inventory} 1001")
    clock.advance(days=20)  # 6 December: six days overdue
    classmate = await linked_reader(chat, librarian, "1062", "classmate")
    await _reserve(classmate)
    assert "Вы в очереди под номером 1." in classmate.text
    assert await _wanted(demo_db, "student") == [WANTED_LATE]


async def test_a_textbook_lent_for_the_school_year_is_not_asked_back(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    textbook = "Математика. 1 класс"
    inventory = await keep_one_copy(demo_db, textbook)
    student, librarian = chat("student"), chat("librarian")
    await linked_reader(chat, librarian, "1062", "classmate")
    await librarian.send(f"/issue {inventory} 1062")
    assert "Выдано: «Математика. 1 класс»" in librarian.text

    await student.send("математика 1 класс моро")
    await student.press("📖 1")  # no free copy at her school: reserved from the record's card
    await student.press("📌 Забронировать")
    assert "Свободных экземпляров книги «Математика. 1 класс» сейчас нет." in student.text
    assert await _wanted(demo_db, "classmate") == []
    assert await _wanted_rows(demo_db) == []
