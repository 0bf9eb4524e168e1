"""Broadcasts from chat: a librarian writes to a class, the school or the overdue readers (and
their parents); a preview first, then one outbox notice per person, delivered by the outbox
job, after the quiet hours, stoppable midway, reported; nobody else may."""

from __future__ import annotations

from sqlalchemy import func, select, update

from db.engine import Database
from db.enums import AuditOutcome, Messenger, OutboxStatus
from db.models import Account, AuditEntry, Broadcast, OutboxMessage
from jobs.outbox import deliver_due
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import forge
from tests.test_outbox import FakePort

TEXT = "Завтра библиотека закрыта на инвентаризацию."


async def _rows(db: Database) -> list[OutboxMessage]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "broadcast")
                .order_by(OutboxMessage.id)
            )
        )


async def _unreachable(db: Database, persona: str) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Account).where(Account.external_id == persona).values(unreachable=True)
        )


async def _audited(db: Database, action: str) -> list[AuditOutcome]:
    async with db.reading() as session:
        return list(
            await session.scalars(select(AuditEntry.outcome).where(AuditEntry.action == action))
        )


async def test_a_broadcast_to_a_class_is_previewed_confirmed_delivered_and_reported(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    await librarian.send("/broadcast")
    assert "Кому?" in librarian.text
    await librarian.press("Класс…")
    assert "6А" in librarian.button("6А").label  # a grade of one class is that class
    await librarian.press("7-е…")
    assert "7-е классы: всем сразу или одному классу?" in librarian.text
    await librarian.press("7Б")
    await librarian.press("Ученикам и родителям")
    assert "одним сообщением" in librarian.text
    assert "Можно приложить фото или файл до 10 МБ" in librarian.text
    await librarian.send(TEXT)
    assert await _rows(demo_db) == []  # a preview sends nothing
    shown, counts = librarian.replies
    assert shown.text == f"Так сообщение увидят получатели:\n\n📢 Школа №1:\n\n{TEXT}"
    assert shown.files == [] and counts.buttons
    preview = librarian.text
    assert "Получат: 2 человека (7Б: ученики и родители)." in preview
    assert "отправить некому" in preview  # the class's other readers have no account
    await librarian.press("✅ Отправить")
    assert "Рассылка №1 отправляется: 2 сообщения." in librarian.text
    stop = librarian.button("Остановить")
    assert stop.token

    rows = await _rows(demo_db)
    assert [r.dedupe_key.rsplit(":", 1)[0] for r in rows] == ["broadcast:1"] * 2
    assert all(r.payload["broadcast_id"] == 1 and r.not_before == clock() for r in rows)

    port = FakePort(Messenger.CONSOLE)
    delivery = await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)
    assert delivery.sent == 2
    assert sorted(chat_id for chat_id, _ in port.sent) == ["parent", "student"]
    assert all(text.endswith(TEXT) and text.startswith("📢") for _, text in port.sent)

    await librarian.send("/broadcasts")
    assert "№1" in librarian.text and "завершена" in librarian.text
    assert "отправлено 2, в очереди 0, ждут утра 0, недоступны 0" in librarian.text
    assert await _audited(demo_db, "broadcast.send") == [AuditOutcome.OK]


async def test_the_class_may_be_typed_and_a_preview_sends_once(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    await librarian.send("/broadcast")
    await librarian.send("12Я")
    assert "Класса «12Я» в библиотеке нет" in librarian.text
    await librarian.send("7б")
    assert "Кому именно (7Б)?" in librarian.text
    await librarian.press("Только родителям")
    await _unreachable(demo_db, "parent")
    await librarian.send(TEXT)
    assert "Получат: 1 человек (7Б: только родители), из них сейчас недоступны: 1." in (
        librarian.text
    )
    send = librarian.button("Отправить").token or ""
    await librarian.press_token(send)
    await librarian.press_token(send)
    assert "устарела" in librarian.text
    assert len(await _rows(demo_db)) == 1

    await deliver_due(demo_db, {Messenger.CONSOLE: FakePort(Messenger.CONSOLE)}, clock)
    await librarian.send("/broadcasts")
    assert "отправлено 0, в очереди 0, ждут утра 0, недоступны 1" in librarian.text


async def test_a_cancelled_preview_sends_nothing(chat: ChatFactory, demo_db: Database) -> None:
    librarian = chat("librarian")
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам")
    await librarian.send(TEXT)
    await librarian.press("Отмена")
    assert "никто ничего не получил" in librarian.text
    assert await _rows(demo_db) == []
    async with demo_db.reading() as session:
        assert await session.scalar(select(func.count(Broadcast.id))) == 0


async def test_overdue_readers_only(chat: ChatFactory, demo_db: Database, clock: Clock) -> None:
    """The demo's overdue loan is the student's: she gets it, her parent only when asked."""
    librarian = chat("librarian")
    await librarian.send("/broadcast")
    await librarian.press("Должники")
    await librarian.press("Ученикам и родителям")
    await librarian.send(TEXT)
    assert "Получат: 2 человека (должники: ученики и родители)" in librarian.text
    await librarian.send("/broadcast")
    await librarian.press("Должники")
    await librarian.press("Ученикам")
    await librarian.send(TEXT)
    assert "Получат: 1 человек (должники: ученики)" in librarian.text
    await librarian.press("Отправить")
    port = FakePort(Messenger.CONSOLE)
    await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)
    assert [chat_id for chat_id, _ in port.sent] == ["student"]


async def test_at_night_a_broadcast_waits_for_the_morning(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    clock.advance(hours=10)  # 22:30 in Moscow
    librarian = chat("librarian")
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам")
    await librarian.send(TEXT)
    assert "Сейчас тихие часы: сообщения уйдут в 08:00." in librarian.text
    await librarian.press("Отправить")
    port = FakePort(Messenger.CONSOLE)
    assert (await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)).sent == 0
    await librarian.send("/broadcasts")
    assert "отправлено 0, в очереди 0, ждут утра 1" in librarian.text
    clock.advance(hours=9, minutes=30)  # 08:00 in Moscow
    assert (await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)).sent == 1
    assert port.sent == [("student", port.sent[0][1])]


async def test_a_broadcast_stopped_midway_sends_no_more(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам и родителям")
    await librarian.send(TEXT)
    await librarian.press("Отправить")
    port = FakePort(Messenger.CONSOLE, fail_times={"parent": 1})
    await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)  # the parent's try fails
    await librarian.press("Остановить")
    assert "Рассылка №1 остановлена: не отправлено 1 сообщение." in librarian.text
    clock.advance(hours=1)
    assert (await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)).sent == 0
    assert [chat_id for chat_id, _ in port.sent] == ["student"]
    statuses = [(r.status, r.last_error) for r in await _rows(demo_db)]
    assert (OutboxStatus.SKIPPED, "cancelled") in statuses
    await librarian.send("/broadcasts")
    assert "остановлена" in librarian.text
    assert "отправлено 1, в очереди 0, ждут утра 0, недоступны 0, ошибки 0, отменено 1" in (
        librarian.text
    )
    assert await _audited(demo_db, "broadcast.stop") == [AuditOutcome.OK]


async def test_readers_and_another_schools_librarian_are_refused(
    chat: ChatFactory, demo_db: Database
) -> None:
    student = chat("student")
    await student.send("/broadcast")
    assert "недоступно" in student.text
    forged = await forge(
        demo_db, "student", "broadcast.send", library=1, scope="school", whom="both", text="x"
    )
    await student.press_token(forged)
    assert "недоступно" in student.text

    other = chat("librarian2")
    forged = await forge(
        demo_db, "librarian2", "broadcast.send", library=1, scope="school", whom="both", text="x"
    )
    await other.press_token(forged)
    assert "недоступно" in other.text
    assert await _rows(demo_db) == []

    librarian = chat("librarian")
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам")
    await librarian.send(TEXT)
    await librarian.press("Отправить")
    await other.press_token(await forge(demo_db, "librarian2", "broadcast.stop", broadcast=1))
    assert "недоступно" in other.text
    assert [r.status for r in await _rows(demo_db)] == [OutboxStatus.PENDING]
    await other.send("/broadcasts")
    assert "Рассылок ещё не было" in other.text
    assert await _audited(demo_db, "broadcast.start") == [AuditOutcome.REFUSED]
    refused = [AuditOutcome.REFUSED] * 2
    assert await _audited(demo_db, "broadcast.send") == [*refused, AuditOutcome.OK]
    assert await _audited(demo_db, "broadcast.stop") == [AuditOutcome.REFUSED]


async def test_a_broadcast_may_be_longer_than_an_ordinary_message(
    chat: ChatFactory, demo_db: Database
) -> None:
    """A message is read up to 1000 characters; the broadcast's text step takes up to 3000."""
    librarian = chat("librarian")
    long_text = "Дорогие читатели! " + "Приходите в библиотеку. " * 80  # ≈ 1940 characters
    await librarian.send(long_text)
    assert "я читаю сообщения до 1000 знаков" in librarian.text
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам и родителям")
    await librarian.send(long_text + "Ж" * 1100)  # over 3000
    assert "Слишком длинно: не больше 3000 знаков" in librarian.text
    await librarian.send(long_text)
    assert "Получат: 2 человека (7Б: ученики и родители)." in librarian.text
    await librarian.press("✅ Отправить")
    rows = await _rows(demo_db)
    assert len(rows) == 2 and all(long_text.strip() in r.text for r in rows)
