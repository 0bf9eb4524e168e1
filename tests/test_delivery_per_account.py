"""A notice reaches each of a person's accounts once: a failure on one messenger is retried
there alone, the others are not written to again; /via sends notices to one chosen messenger,
and to the others when that one cannot be written to."""

from __future__ import annotations

import asyncio
import io

from sqlalchemy import select

from bot.console import ConsoleChat, ConsolePort
from bot.telegram import TelegramTransport
from db.engine import Database
from db.enums import HoldStatus, Messenger, OutboxStatus
from db.models import Account, Hold, OutboxDelivery, OutboxMessage, Person
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services
from jobs.outbox import deliver_due
from messages.port import Port
from messages.types import Button, RecipientUnreachable
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.support.fake_telegram import BotMessage, running_fake_telegram
from tests.support.library import also_on_telegram
from tests.test_outbox import FakePort

LIBRARIAN_TG = "5550001"
NEW_REQUEST = "🆕 Новая заявка: «Ревизор» — Смирнова Мария, 7Б (формуляр № 1001)."


async def _request(chat: ChatFactory, title: str = "ревизор") -> None:
    student = chat("student")
    await student.send(f"хочу взять {title}")
    await student.press("📌 1")


def _to(port: ConsolePort | FakePort, chat_id: str) -> list[tuple[str, list[list[Button]]]]:
    return [(r.text, r.buttons) for a, r, _ in port.delivered if a.chat_id == chat_id]


async def _librarian_rows(db: Database) -> list[tuple[OutboxStatus, list[tuple[str, str, int]]]]:
    """The librarian's notices: status, and per account (messenger, status, attempts)."""
    async with db.reading() as session:
        person_id = await session.scalar(
            select(Account.person_id).where(Account.external_id == "librarian")
        )
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.person_id == person_id)
                .order_by(OutboxMessage.id)
            )
        )
        found = []
        for row in rows:
            deliveries = await session.execute(
                select(Account.messenger, OutboxDelivery.status, OutboxDelivery.attempts)
                .join(Account, Account.id == OutboxDelivery.account_id)
                .where(OutboxDelivery.outbox_id == row.id)
                .order_by(Account.messenger)
            )
            found.append((row.status, [(m.value, s.value, n) for m, s, n in deliveries]))
        return found


def _ports(console: ConsolePort, telegram: FakePort) -> dict[Messenger, Port]:
    return {Messenger.CONSOLE: console, Messenger.TELEGRAM: telegram}


async def test_each_account_gets_the_notice_once_though_one_failed_first(
    chat: ChatFactory, demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "librarian", LIBRARIAN_TG)
    await _request(chat)
    console = ConsolePort(out=io.StringIO())
    telegram = FakePort(fail_times={LIBRARIAN_TG: 1})

    first = await deliver_due(demo_db, _ports(console, telegram), clock)
    assert first.failed == 1
    assert [text for text, _ in _to(console, "librarian")] == [NEW_REQUEST]
    assert _to(telegram, LIBRARIAN_TG) == []
    [(status, accounts)] = await _librarian_rows(demo_db)
    assert status == OutboxStatus.PENDING
    assert accounts == [("console", "sent", 1), ("telegram", "failed", 1)]

    await deliver_due(demo_db, _ports(console, telegram), clock)  # not due: the backoff
    assert [chat_id for chat_id, _ in telegram.tries] == [LIBRARIAN_TG]
    clock.advance(seconds=31)
    again = await deliver_due(demo_db, _ports(console, telegram), clock)
    assert again.sent == 1
    assert len(_to(console, "librarian")) == 1  # the console is not written to again
    [(text, buttons)] = _to(telegram, LIBRARIAN_TG)
    assert text == NEW_REQUEST
    assert [b.label for row in buttons for b in row] == ["✅ Одобрить", "❌ Отклонить"]
    [(status, accounts)] = await _librarian_rows(demo_db)
    assert status == OutboxStatus.SENT
    assert accounts == [("console", "sent", 1), ("telegram", "sent", 2)]
    # One key per account, the same on the retry.
    tg_keys = {key for chat_id, key in telegram.tries if chat_id == LIBRARIAN_TG}
    console_keys = {key for a, _, key in console.delivered if a.chat_id == "librarian"}
    assert len(tg_keys) == len(console_keys) == 1 and tg_keys != console_keys

    # Each account's buttons work for that account only.
    [(_, console_buttons)] = _to(console, "librarian")
    librarian_tg = Chat(dispatcher, LIBRARIAN_TG, Messenger.TELEGRAM)
    await librarian_tg.press_token(console_buttons[0][0].token or "")
    assert "устарела" in librarian_tg.text
    await librarian_tg.press_token(buttons[0][0].token or "")
    assert "Одобрено: «Ревизор»" in librarian_tg.text
    async with demo_db.reading() as session:
        assert await session.scalar(select(Hold.status)) == HoldStatus.READY


async def test_via_sends_notices_to_the_chosen_messenger_only(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "librarian", LIBRARIAN_TG)
    librarian = chat("librarian")
    await librarian.send("/via")
    assert "во все ваши мессенджеры (Telegram, консоль)" in librarian.text
    labels = [b.label for r in librarian.replies for row in r.buttons for b in row]
    assert labels == ["Во все мессенджеры", "Только Telegram", "Только консоль"]
    await librarian.press("Только Telegram")
    assert librarian.text == "Готово: уведомления будут приходить только в Telegram."
    await librarian.send("/via")
    assert "только в Telegram" in librarian.text and "(консоль)" in librarian.text

    await _request(chat)
    console, telegram = ConsolePort(out=io.StringIO()), FakePort()
    await deliver_due(demo_db, _ports(console, telegram), clock)
    assert [text for text, _ in _to(telegram, LIBRARIAN_TG)] == [NEW_REQUEST]
    assert _to(console, "librarian") == []
    assert (await _librarian_rows(demo_db))[0] == (OutboxStatus.SENT, [("telegram", "sent", 1)])

    await librarian.send("/via")
    await librarian.press("Во все мессенджеры")
    assert librarian.text == "Готово: уведомления будут приходить во все ваши мессенджеры."
    async with demo_db.reading() as session:
        assert list(await session.scalars(select(Person.notify_via).distinct())) == [None]


async def test_the_chosen_messenger_unreachable_falls_back_to_the_others(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "librarian", LIBRARIAN_TG)
    librarian = chat("librarian")
    await librarian.send("/via")
    await librarian.press("Только Telegram")

    await _request(chat)
    console = ConsolePort(out=io.StringIO())
    blocked = FakePort(fail=RecipientUnreachable)
    done = await deliver_due(demo_db, _ports(console, blocked), clock)
    assert done.failed == 0
    assert [text for text, _ in _to(console, "librarian")] == [NEW_REQUEST]  # the same round
    assert (await _librarian_rows(demo_db))[0] == (
        OutboxStatus.SENT,
        [("console", "sent", 1), ("telegram", "unreachable", 1)],
    )
    async with demo_db.reading() as session:
        account = await session.scalar(select(Account).where(Account.external_id == LIBRARIAN_TG))
        assert account is not None and account.unreachable

    # The chosen messenger runs no port here at all: the notice goes where it can.
    await _request(chat, "капитанскую дочку")
    console_only = ConsolePort(out=io.StringIO())
    await deliver_due(demo_db, {Messenger.CONSOLE: console_only}, clock)
    assert len(_to(console_only, "librarian")) == 1


async def test_via_for_one_messenger_and_for_nobody(
    chat: ChatFactory, demo_db: Database, dispatcher: Dispatcher
) -> None:
    student = chat("student")
    await student.send("/via")
    assert student.text.startswith("Уведомления приходят в консоль — других мессенджеров")
    stranger = chat("stranger")
    await stranger.send("/via")
    assert "пришлите код привязки" in stranger.text
    for menu in dispatcher.registry.menus.values():
        assert ("via", "Куда присылать уведомления") in menu.commands


async def test_a_notice_in_the_console_can_be_acted_on_there(
    chat: ChatFactory, demo_db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    await _request(chat)
    out = io.StringIO()
    desk = ConsoleChat(handle=dispatcher.handle, persona="librarian", out=out)
    console = ConsolePort(out=out, chat=desk)
    await deliver_due(demo_db, {Messenger.CONSOLE: console}, clock)
    assert f"📬 для «librarian»: {NEW_REQUEST}" in out.getvalue()
    assert "[1] ✅ Одобрить  [2] ❌ Отклонить" in out.getvalue()
    await desk.send_line("1")
    assert "Одобрено: «Ревизор»" in out.getvalue()


# With the real Telegram transport against the fake Bot API ----------------------------------


async def test_with_the_real_telegram_transport_each_account_gets_it_once(
    chat: ChatFactory, demo_db: Database, services: Services, clock: Clock
) -> None:
    """The librarian at the desk (console) and on their phone (Telegram): Telegram answers
    the first try with a 500; the retry reaches the phone, the desk is not written to twice,
    and the button under the notice works in Telegram."""
    async with running_fake_telegram() as tg:
        phone = tg.user(int(LIBRARIAN_TG), "Ольга")
        await also_on_telegram(demo_db, "librarian", LIBRARIAN_TG)
        telegram = TelegramTransport(Dispatcher(build_registry(), services), tg.token, tg.base_url)
        await telegram.prepare()
        polling = asyncio.create_task(telegram.run_polling(polling_timeout=1))
        try:
            await _request(chat)
            console = ConsolePort(out=io.StringIO())
            ports: dict[Messenger, Port] = {
                Messenger.CONSOLE: console,
                Messenger.TELEGRAM: telegram,
            }
            tg.fail_next("sendMessage", status=500)
            first = await deliver_due(demo_db, ports, clock)
            assert first.failed == 1
            assert [text for text, _ in _to(console, "librarian")] == [NEW_REQUEST]
            assert _notices(phone.messages) == []

            clock.advance(seconds=31)
            again = await deliver_due(demo_db, ports, clock)
            assert again.sent == 1
            assert len(_to(console, "librarian")) == 1
            [notice] = _notices(phone.messages)
            assert notice.reply_markup is not None
            sends = [
                call.status
                for call in tg.calls_to("sendMessage")
                if str(call.params.get("chat_id")) == LIBRARIAN_TG
            ]
            assert sends == [500, 200]
            [(status, accounts)] = await _librarian_rows(demo_db)
            assert status == OutboxStatus.SENT
            assert accounts == [("console", "sent", 1), ("telegram", "sent", 2)]

            await phone.press("✅ Одобрить")
            await tg.wait_until(
                lambda: any("Одобрено: «Ревизор»" in (m.text or "") for m in phone.messages),
                timeout=10,
            )
        finally:
            await telegram.stop_polling()
            await asyncio.wait_for(polling, 10)
            await telegram.close()


def _notices(messages: list[BotMessage]) -> list[BotMessage]:
    return [m for m in messages if (m.text or "") == NEW_REQUEST]
