"""What must never happen: acting outside one's scope, and bad input that changes anything.

Every refusal is a clear Russian sentence, leaves loans, holds and the outbox as they were, and
(for scope) is audited."""

from __future__ import annotations

from sqlalchemy import select

from db.engine import Database
from db.enums import AuditOutcome, HoldStatus, ItemStatus
from db.models import AuditEntry, Hold, Loan, Reader, Record
from messages import texts
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import (
    circulation_counts,
    copies,
    forge,
    keep_one_copy,
    linked_reader,
    set_status,
)

BOOK = "Пиковая дама"


async def record_id(db: Database, title: str) -> int:
    async with db.reading() as session:
        found = await session.scalar(select(Record.id).where(Record.title == title))
        assert found is not None
        return found


async def _refused_audits(db: Database, action: str) -> list[AuditEntry]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == action, AuditEntry.outcome == AuditOutcome.REFUSED
                )
            )
        )


async def _pending_hold(chat: ChatFactory) -> None:
    student = chat("student")
    await student.send("хочу взять пиковую даму")
    await student.press("📌 1")
    assert "Заявка на книгу «Пиковая дама» отправлена" in student.text


async def _hold_id(db: Database) -> int:
    async with db.reading() as session:
        hold_id = await session.scalar(select(Hold.id).where(Hold.status == HoldStatus.PENDING))
        assert hold_id is not None
        return hold_id


async def test_a_student_pressing_a_forged_approve_is_refused_and_audited(
    chat: ChatFactory, demo_db: Database
) -> None:
    await _pending_hold(chat)
    hold_id = await _hold_id(demo_db)
    before = await circulation_counts(demo_db)
    student = chat("student")
    await student.press_token(await forge(demo_db, "student", "hold.approve", hold=hold_id))
    assert student.text == texts.ACCESS_DENIED
    assert await circulation_counts(demo_db) == before
    async with demo_db.reading() as session:
        assert (await session.get(Hold, hold_id)).status == HoldStatus.PENDING
    assert len(await _refused_audits(demo_db, "hold.approve")) == 1


async def test_a_librarian_of_another_school_cannot_approve_or_reject(
    chat: ChatFactory, demo_db: Database
) -> None:
    await _pending_hold(chat)
    hold_id = await _hold_id(demo_db)
    before = await circulation_counts(demo_db)
    other = chat("librarian2")
    await other.send("/holds")
    assert "Новых заявок нет (Гимназия №2)." in other.text  # another school's queue is unseen
    await other.press_token(await forge(demo_db, "librarian2", "hold.approve", hold=hold_id))
    assert other.text == texts.ACCESS_DENIED
    await other.press_token(await forge(demo_db, "librarian2", "hold.reject", hold=hold_id))
    assert other.text == texts.ACCESS_DENIED
    assert "Смирнова" not in other.text
    assert await circulation_counts(demo_db) == before
    assert len(await _refused_audits(demo_db, "hold.approve")) == 1
    assert len(await _refused_audits(demo_db, "hold.reject")) == 1
    [entry] = await _refused_audits(demo_db, "hold.approve")
    assert entry.library_id is not None


async def test_a_parent_cannot_touch_another_childs_loans_or_holds(
    chat: ChatFactory, demo_db: Database
) -> None:
    async with demo_db.reading() as session:
        strangers_loan = await session.scalar(
            select(Loan.id)
            .join(Reader, Reader.id == Loan.reader_id)
            .where(Reader.card_number != "1001", Loan.returned_at.is_(None))
            .limit(1)
        )
    parent = chat("parent")
    before = await circulation_counts(demo_db)
    await parent.press_token(await forge(demo_db, "parent", "loan.renew", loan=strangers_loan))
    assert parent.text == texts.ACCESS_DENIED
    await parent.press_token(await forge(demo_db, "parent", "reminders.set", child=999, on=0))
    assert parent.text == texts.ACCESS_DENIED
    await parent.press_token(await forge(demo_db, "parent", "desk.reader", reader=1))
    assert parent.text == texts.ACCESS_DENIED
    assert await circulation_counts(demo_db) == before
    assert len(await _refused_audits(demo_db, "loan.renew")) == 1
    assert len(await _refused_audits(demo_db, "reminders.set")) == 1
    assert len(await _refused_audits(demo_db, "reader.view")) == 1


async def test_readers_and_parents_cannot_use_the_desk(
    chat: ChatFactory, demo_db: Database
) -> None:
    student = chat("student")
    for command in ("/issue 1 1001", "/return 1", "/holds", "/reader 1001", "/overdue"):
        await student.send(command)
        assert student.text == texts.ACCESS_DENIED, command
    await student.send("выдать 7Б комплект: Алгебра 7")
    assert student.text == texts.ACCESS_DENIED
    assert len(await _refused_audits(demo_db, "loan.issue")) == 1


async def test_bad_desk_input_gets_a_clear_answer_and_changes_nothing(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    before = await circulation_counts(demo_db)
    # An unknown barcode.
    await librarian.send("/return 2009999999999")
    assert librarian.text == (
        "Экземпляра «2009999999999» в вашей библиотеке нет. "
        "Проверьте инвентарный номер или штрихкод."
    )
    # A copy already on loan (Мария's book), to someone else.
    await librarian.send("/reader 1001")
    on_loan = librarian.text.split("инв. № ")[1].split(")")[0]
    await librarian.send(f"/issue {on_loan} 1062")
    assert librarian.text.startswith("Этот экземпляр уже выдан (формуляр № 1001, вернуть до ")
    # A written-off copy.
    [first, *_] = await copies(demo_db, "Ревизор")
    await set_status(demo_db, first.inventory_number, ItemStatus.WRITTEN_OFF)
    await librarian.send(f"/issue {first.inventory_number} 1062")
    assert librarian.text == "Этот экземпляр списан — выдавать его нельзя."
    # A copy that is not on loan cannot be taken back.
    free = (await copies(demo_db, "Ревизор"))[1].inventory_number
    await librarian.send(f"/return {free}")
    assert librarian.text == "Этот экземпляр не числится выданным — принимать нечего."
    # A reader at the item limit: Мария has 2 books, the library allows 2.
    await librarian.send("/rule все максимум 2")
    assert "Готово: все книги — не больше 2 на руках." in librarian.text
    await librarian.send(f"/issue {free} 1001")
    assert librarian.text == (
        "У Смирновой Марии уже 2 книги по этим правилам — больше выдать нельзя, пока не вернёт."
    )
    assert await circulation_counts(demo_db) == before


async def test_a_blocked_reader_gets_nothing_until_unblocked(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    reader = await linked_reader(chat, librarian, "1062", "eighth-grader")
    await librarian.send("/reader 1062")
    await librarian.press("Заблокировать")
    assert librarian.text.startswith("За что блокируем Орлову Анну?")
    await librarian.send("Порвала учебник.")
    assert librarian.text == (
        "Орлова Анна заблокирована: порвала учебник. Выдача и брони закрыты до разблокировки."
    )
    await librarian.send("/reader 1062")
    assert "🚫 Формуляр заблокирован: порвала учебник" in librarian.text
    before = await circulation_counts(demo_db)
    free = (await copies(demo_db, "Ревизор"))[0].inventory_number
    await librarian.send(f"/issue {free} 1062")
    assert librarian.text == (
        "Орлова Анна заблокирована: порвала учебник. Сначала разблокируйте (/unblock)."
    )
    await reader.send("хочу взять ревизор")
    await reader.press("📌 1")
    assert reader.text == texts.REFUSALS["reader_blocked_self"]
    assert await circulation_counts(demo_db) == before
    await librarian.send("/unblock 1062")
    assert librarian.text == "Орлова Анна разблокирована."
    await librarian.send(f"/issue {free} 1062")
    assert "Выдано: «Ревизор»" in librarian.text


async def test_an_expired_link_code_is_refused(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    await librarian.send("/code 1062 родитель")
    assert "Код привязки для родителя ученицы Орловой Анны (8А): " in librarian.text
    code = librarian.text.split(": ")[1].split("\n")[0]
    clock.advance(days=15)
    late = chat("late-parent")
    await late.send(code)
    assert late.text == texts.LINK_REFUSED["expired"]
    await late.send("мои книги")
    assert late.text == texts.MY_BOOKS_NOT_LINKED


async def test_renewal_rules_each_refuse_with_their_reason(
    chat: ChatFactory, demo_db: Database
) -> None:
    student = chat("student")
    await student.send("продли недоросль")  # overdue by 6 days, the library allows 0
    assert student.text == (
        "Книга «Недоросль» просрочена на 6 дней — продлить уже нельзя, верните её в библиотеку."
    )
    await student.send("продли бедную лизу")
    assert "Продлено: «Бедная Лиза»" in student.text
    await student.send("продли бедную лизу")
    assert "Продлено: «Бедная Лиза»" in student.text
    await student.send("продли бедную лизу")
    assert student.text == "«Бедная Лиза» больше продлевать нельзя: продлений не больше 2."


async def test_a_reader_can_reserve_only_at_a_school_that_has_the_book(
    chat: ChatFactory, demo_db: Database
) -> None:
    inventory = await keep_one_copy(demo_db, BOOK)
    await set_status(demo_db, inventory, ItemStatus.WRITTEN_OFF)
    student = chat("student")
    await student.send("хочу взять пиковую даму")
    assert "📌 1" not in [b.label for r in student.replies for row in r.buttons for b in row]
    await student.press("📖 1")  # no 📌 where the school has no copy: the card says where it is
    assert "В вашей школе (Школа №1) этой книги нет" in student.text
    # A forged 📌 is still refused by the rule itself.
    record = await record_id(demo_db, BOOK)
    await student.press_token(await forge(demo_db, "student", "hold.place", record=record))
    assert student.text.startswith("В вашей школе (Школа №1) этой книги нет")
    await student.send("хочу взять капитанскую дочку")
    await student.press("📌 1")
    await student.send("хочу взять капитанскую дочку")
    await student.press("📌 1")
    assert student.text == texts.REFUSALS["hold_exists"]
