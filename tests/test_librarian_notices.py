"""Librarians hear about new requests through the outbox, with buttons to act on them, within
their own quiet hours, unless they turned it off."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from db.engine import Database
from db.enums import HoldStatus, Messenger
from db.models import Account, Hold, OutboxMessage
from handlers.dispatcher import Dispatcher
from jobs.outbox import deliver_due
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.support.library import also_on_telegram, keep_one_copy, notices_for
from tests.test_outbox import FakePort

LIBRARIAN_TG = "5550001"


async def _librarian_notices(db: Database) -> list[OutboxMessage]:
    async with db.reading() as session:
        person_id = await session.scalar(
            select(Account.person_id).where(Account.external_id == "librarian")
        )
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.person_id == person_id)
                .order_by(OutboxMessage.id)
            )
        )


async def _request(chat: ChatFactory, title: str = "ревизор") -> None:
    student = chat("student")
    await student.send(f"хочу взять {title}")
    await student.press("📌 1")


async def test_a_new_request_reaches_the_librarian_with_buttons_that_work(
    chat: ChatFactory, demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "librarian", LIBRARIAN_TG)
    await _request(chat)
    [notice] = await _librarian_notices(demo_db)
    assert notice.text == "🆕 Новая заявка: «Ревизор» — Смирнова Мария, 7Б (формуляр № 1001)."
    port = FakePort()
    await deliver_due(demo_db, {Messenger.TELEGRAM: port}, clock)
    [buttons] = port.buttons_to(LIBRARIAN_TG)
    assert [b.label for row in buttons for b in row] == ["✅ Одобрить", "❌ Отклонить"]

    # The button works for the librarian's Telegram account, and only for it.
    student_tg = Chat(dispatcher, "777", Messenger.TELEGRAM)
    await student_tg.press_token(buttons[0][0].token or "")
    assert "устарела" in student_tg.text
    librarian_tg = Chat(dispatcher, LIBRARIAN_TG, Messenger.TELEGRAM)
    await librarian_tg.press_token(buttons[0][0].token or "")
    assert "Одобрено: «Ревизор»" in librarian_tg.text
    async with demo_db.reading() as session:
        assert await session.scalar(select(Hold.status)) == HoldStatus.READY


async def test_an_automatic_approval_tells_which_copy_to_put_aside(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/approval авто")
    await _request(chat)
    [notice] = await _librarian_notices(demo_db)
    assert notice.text.startswith("🆕 Заявка одобрена автоматически: «Ревизор» — Смирнова Мария")
    assert "Положите экз. инв. №" in notice.text
    assert notice.payload["buttons"][0][0]["action"] == "hold.list"


async def test_notices_can_be_turned_off_and_wait_out_the_librarians_own_evening(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    await librarian.send("/notify тихо 18 9")
    assert "Тихие часы: 18:00–9:00 (ваши)" in librarian.text
    clock.now = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)  # 19:00 at the school
    await _request(chat)
    [notice] = await _librarian_notices(demo_db)
    assert notice.not_before == datetime(2026, 11, 17, 6, 0, tzinfo=UTC)  # 09:00 next morning

    await librarian.send("/notify")
    await librarian.press("Не присылать")
    assert "не присылаю" in librarian.text
    await _request(chat, "капитанскую дочку")
    assert len(await _librarian_notices(demo_db)) == 1  # nothing new


async def test_a_parent_is_not_told_of_an_approval_nobody_gave(
    chat: ChatFactory, demo_db: Database
) -> None:
    inventory = await keep_one_copy(demo_db, "Ревизор")
    librarian = chat("librarian")
    await librarian.send(f"/issue {inventory} 1002")  # the last copy goes to another pupil
    await librarian.press("Выдать всё равно")  # 12+, and card 1002 is eleven
    assert "Выдано" in librarian.text
    await _request(chat)  # Мария queues straight away: there is no free copy
    [copy] = await notices_for(demo_db, "parent")
    assert "одобрен" not in copy
    assert copy.endswith(
        ": заявка на книгу «Ревизор» в очереди — 1-я; свободных экземпляров пока нет."
    )
    [queued] = await _librarian_notices(demo_db)
    assert queued.text.startswith("🆕 Заявка в очередь: «Ревизор» — Смирнова Мария")


async def test_a_request_decided_before_its_notice_went_is_not_announced(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    """The notice waits for the librarian's evening to end; a colleague (here the librarian
    at the desk) approves the request meanwhile: the morning brings no stale «Новая заявка»."""
    await also_on_telegram(demo_db, "librarian", LIBRARIAN_TG)
    librarian = chat("librarian")
    await librarian.send("/notify тихо 18 9")
    clock.now = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)  # 19:00 at the school
    await _request(chat)
    [notice] = await _librarian_notices(demo_db)
    await librarian.send("/holds")
    await librarian.press("✅ 1")
    assert "Одобрено: «Ревизор»" in librarian.text
    clock.now = datetime(2026, 11, 17, 6, 0, tzinfo=UTC)  # 09:00 next morning
    port = FakePort()
    done = await deliver_due(demo_db, {Messenger.TELEGRAM: port}, clock)
    assert port.buttons_to(LIBRARIAN_TG) == []
    assert done.skipped >= 1
    async with demo_db.reading() as session:
        stale = await session.get(OutboxMessage, notice.id)
        assert stale is not None and stale.last_error == "stale"
