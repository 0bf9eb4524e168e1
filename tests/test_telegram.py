"""The real aiogram bot against a local Bot API server that checks every call against the
spec: polling and webhook, people linking, searching, reserving, librarians approving and
issuing, parents watching; duplicates, forged buttons, long replies, 429 and 403."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.telegram import TelegramTransport
from db.catalog import edit_record
from db.engine import Database
from db.enums import Messenger, Priority, RoleName
from db.models import Account, ProcessedUpdate, Record
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services
from jobs.outbox import deliver_due
from messages import texts
from messages.port import Address
from messages.types import OutFile, Reply
from nlu.barcode import barcode_image
from tests.conftest import telegram_transport
from tests.support.clock import Clock
from tests.support.fake_http import Upload
from tests.support.fake_telegram import BotMessage, FakeTelegram, FakeUser
from tests.support.library import copies, keep_one_copy, link_code, many_overdue

LIBRARIAN, STUDENT, PARENT = 1001, 2002, 3003
ROOT = Path(__file__).resolve().parents[1]


async def expect(tg: FakeTelegram, user: FakeUser, fragment: str, since: int = 0) -> BotMessage:
    """Wait for a message (or an edit) in the person's chat containing `fragment`."""

    def found() -> BotMessage | None:
        for message in reversed(user.messages[since:]):
            if fragment in (message.text or message.caption or ""):
                return message
        return None

    try:
        await tg.wait_until(lambda: found() is not None, timeout=10)
    except AssertionError:
        seen = [m.text or m.caption for m in user.messages[since:]]
        raise AssertionError(f"no message with {fragment!r}; the chat has: {seen}") from None
    message = found()
    assert message is not None
    return message


async def test_a_school_day_in_telegram(
    tg: FakeTelegram, polling: TelegramTransport, demo_db: Database, clock: Clock
) -> None:
    inventory = await keep_one_copy(demo_db, "Пиковая дама")
    librarian, student, parent = (
        tg.user(LIBRARIAN, "Ольга"),
        tg.user(STUDENT, "Маша"),
        tg.user(PARENT, "Ирина"),
    )

    # The librarian joins with a code from the methodist, then makes a code for a pupil.
    await librarian.send(f"/start {await link_code(demo_db, clock, RoleName.LIBRARIAN)}")
    await expect(tg, librarian, "Вы — библиотекарь: Школа №1")
    await tg.wait_until(
        lambda: any(
            c.method == "setMyCommands" and c.params.get("scope", {}).get("chat_id") == LIBRARIAN
            for c in tg.calls
        )
    )
    await librarian.send("/code 1062")
    code_message = await expect(tg, librarian, "Ссылка: https://t.me/formulyar_test_bot?start=")
    link = (code_message.text or "").split("Ссылка: ")[1].split()[0]
    await tg.wait_until(lambda: any(m.kind == "photo" for m in librarian.messages))  # the QR

    # The pupil opens the deep link: Telegram sends «/start CODE».
    await student.send(f"/start {link.split('start=')[1]}")
    await expect(tg, student, "привязан")
    # A typo in the title, then a request to take the book: 📌 reserves it.
    await student.send("пикова дама")
    await expect(tg, student, "1. Пиковая дама — Пушкин А. С.")
    before = len(student.messages)
    await student.send("хочу взять пиковую даму")
    await expect(tg, student, "Нажмите 📌", since=before)
    await student.press("📌 1")
    await expect(tg, student, "Заявка на книгу «Пиковая дама» отправлена библиотекарю")

    # The librarian approves with one tap (the list is edited in place) and issues.
    await librarian.send("/holds")
    holds = await expect(tg, librarian, "Заявки на одобрение (Школа №1): 1.")
    await librarian.press("✅ 1")
    approved = await expect(tg, librarian, f"Положите экз. инв. № {inventory} на полку заказов")
    assert approved.message_id == holds.message_id and approved.edited
    await librarian.press("📕 Выдать 1")
    await expect(tg, librarian, "Выдано: «Пиковая дама»")

    # The parent links with their own code and sees the loan.
    await librarian.send("/code 1062 родитель")
    parent_code = await expect(tg, librarian, "Код привязки для родителя ученицы Орловой Анны")
    await parent.send((parent_code.text or "").split(": ")[1].split("\n")[0])
    await expect(tg, parent, "Вы привязаны как родитель Анны (Школа №1)")
    await parent.send("мои книги")
    await expect(tg, parent, "Пиковая дама (Пушкин А. С.) — вернуть до 30 ноября")


async def test_each_update_is_handled_once(
    tg: FakeTelegram, polling: TelegramTransport, demo_db: Database
) -> None:
    student = tg.user(STUDENT)
    update_id = await student.send("война и мир")
    await expect(tg, student, "Война и мир")
    await tg.redeliver(update_id)
    await student.send("/help")
    await expect(tg, student, "Что я умею")
    assert sum("Война и мир" in (m.text or "") for m in student.messages) == 1
    async with demo_db.reading() as session:
        stored = await session.scalar(
            select(ProcessedUpdate).where(ProcessedUpdate.update_id == str(update_id))
        )
    assert stored is not None and stored.messenger == Messenger.TELEGRAM


async def test_a_forged_button_is_refused(tg: FakeTelegram, polling: TelegramTransport) -> None:
    student = tg.user(STUDENT)
    await student.send("война и мир")
    await expect(tg, student, "Война и мир")
    await student.press_data("hold.approve:1")
    await expect(tg, student, texts.BUTTON_STALE)
    await tg.wait_until(lambda: texts.BUTTON_STALE in student.answers)


async def test_a_long_reply_arrives_as_valid_pieces_and_markup_is_escaped(
    tg: FakeTelegram, polling: TelegramTransport, demo_db: Database, clock: Clock
) -> None:
    async with demo_db.transaction() as session:
        record_id = await session.scalar(select(Record.id).where(Record.title == "Ревизор"))
        assert record_id is not None
        await edit_record(session, record_id, title="Ревизор <комедия> & *звёздочки*")
    librarian = tg.user(LIBRARIAN)
    await librarian.send(f"/start {await link_code(demo_db, clock, RoleName.LIBRARIAN)}")
    await expect(tg, librarian, "Вы — библиотекарь")
    await librarian.send("ревизор комедия")
    await expect(tg, librarian, "Ревизор <комедия> & *звёздочки*")

    # 60 overdue loans: the overdue list runs past 4096 characters.
    await many_overdue(demo_db, clock, 60)
    before = len(librarian.messages)
    await librarian.send("/overdue")
    await expect(tg, librarian, "Должники (Школа №1): 61 книга.", since=before)
    await tg.wait_until(lambda: len(librarian.messages) >= before + 2)
    await asyncio.sleep(0.3)
    pieces = librarian.messages[before:]
    assert len(pieces) == 2
    assert all(len(p.text or "") <= 4096 for p in pieces)
    assert sum(len(p.text or "") for p in pieces) > 4096
    assert not (pieces[0].text or "").endswith(" ")  # cut at a line break


async def test_429_is_waited_out_and_403_marks_the_person_unreachable(
    tg: FakeTelegram, polling: TelegramTransport, demo_db: Database
) -> None:
    student = tg.user(STUDENT)
    tg.fail_next("sendMessage", status=429, retry_after=1)
    started = time.monotonic()
    await student.send("/help")
    await expect(tg, student, "Что я умею")
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in tg.calls if c.method == "sendMessage"][:2] == [429, 200]

    tg.block(STUDENT)
    await student.send("/help")
    await tg.wait_until(
        lambda: [c.status for c in tg.calls if c.method == "sendMessage"][-1] == 403
    )
    await _until_reachable(demo_db, str(STUDENT), False)
    tg.unblock(STUDENT)
    await student.send("/help")
    await expect(tg, student, "Что я умею")
    await _until_reachable(demo_db, str(STUDENT), True)


async def test_a_librarians_photo_of_a_barcode_finds_the_copy(
    tg: FakeTelegram, polling: TelegramTransport, demo_db: Database, clock: Clock
) -> None:
    librarian = tg.user(LIBRARIAN)
    await librarian.send(f"/start {await link_code(demo_db, clock, RoleName.LIBRARIAN)}")
    await expect(tg, librarian, "Вы — библиотекарь")
    [item, *_] = await copies(demo_db, "Ревизор")
    await librarian.send_photo(barcode_image(item.barcode or "", "EAN13"))
    await expect(tg, librarian, f"Экземпляр инв. № {item.inventory_number}")


async def test_webhook_mode_accepts_only_the_secret(
    tg: FakeTelegram, services: Services, demo_db: Database, unused_tcp_port: int
) -> None:
    transport = telegram_transport(tg, services)
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/webhook"
    runner = web.AppRunner(transport.webhook_app(url, "s3cret-Token_1"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", unused_tcp_port)
    await site.start()
    try:
        assert tg.webhook_url == url and tg.webhook_secret == "s3cret-Token_1"
        student = tg.user(STUDENT)
        await student.send("война и мир")  # the fake POSTs it with the secret
        await expect(tg, student, "Война и мир")

        update = {
            "message": {
                "message_id": 99,
                "date": 0,
                "text": "/help",
                "chat": {"id": STUDENT, "type": "private", "first_name": "Маша"},
                "from": {"id": STUDENT, "is_bot": False, "first_name": "Маша"},
            }
        }
        before = len(student.messages)
        assert await tg.post_to_webhook(dict(update, update_id=900001), secret=None) == 401
        assert await tg.post_to_webhook(dict(update, update_id=900002), secret="wrong") == 401
        await asyncio.sleep(0.3)
        assert len(student.messages) == before  # nothing was served
        assert (
            await tg.post_to_webhook(dict(update, update_id=900003), secret="s3cret-Token_1") == 200
        )
        await expect(tg, student, "Что я умею", since=before)
    finally:
        await runner.cleanup()
        await transport.close()


# Helpers --------------------------------------------------------------------------------------


async def _until_reachable(db: Database, user_id: str, reachable: bool) -> None:
    for _ in range(100):
        async with db.reading() as session:
            account = await session.scalar(
                select(Account).where(
                    Account.messenger == Messenger.TELEGRAM, Account.external_id == user_id
                )
            )
        if account is not None and account.unreachable != reachable:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(
        f"account {user_id} never became {'reachable' if reachable else 'unreachable'}"
    )


async def test_a_handler_error_gets_an_apology_and_the_next_update_is_served(
    tg: FakeTelegram, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    from handlers.context import Context
    from handlers.router import Registry, Router

    failing = Router("failing")

    @failing.command("boom")
    async def boom(ctx: Context) -> Reply:
        raise RuntimeError(f"no such pupil: {ctx.text}")

    base = build_registry()
    registry = Registry(failing)
    for table in ("commands", "actions", "intents", "states"):
        getattr(registry, table).update(getattr(base, table))
    transport = TelegramTransport(Dispatcher(registry, services), tg.token, tg.base_url)
    await transport.prepare()
    task = asyncio.create_task(transport.run_polling(polling_timeout=1))
    try:
        student = tg.user(STUDENT)
        await student.send("/boom Смирнова Мария")
        await expect(tg, student, texts.SORRY)
        await student.send("/help")
        await expect(tg, student, "Что я умею")
    finally:
        await transport.stop_polling()
        await asyncio.wait_for(task, 10)
        await transport.close()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "Смирнова" not in logged


async def test_an_old_message_that_cannot_be_edited_gets_a_new_one(
    tg: FakeTelegram, polling: TelegramTransport
) -> None:
    student = tg.user(STUDENT)
    await student.send("гарри поттер")
    first = await expect(tg, student, "Страница 1 из")
    tg.fail_next(
        "editMessageText", status=400, description="Bad Request: message to edit not found"
    )
    await student.press("Дальше")
    second = await expect(tg, student, "Страница 2 из")
    assert second.message_id != first.message_id and not second.edited


async def test_a_notice_from_the_outbox_reaches_the_reader_in_telegram(
    tg: FakeTelegram, polling: TelegramTransport, demo_db: Database, clock: Clock, chat: Any
) -> None:
    await keep_one_copy(demo_db, "Пиковая дама")
    student = tg.user(STUDENT)
    await student.send(await link_code(demo_db, clock, RoleName.READER, card="1062"))
    await expect(tg, student, "привязан")
    await student.send("хочу взять пиковую даму")
    await expect(tg, student, "Нажмите 📌")
    await student.press("📌 1")
    await expect(tg, student, "Заявка на книгу «Пиковая дама» отправлена")

    librarian = chat("librarian")  # at the desk, in the console
    await librarian.send("/holds")
    await librarian.press("✅ 1")
    done = await deliver_due(demo_db, {Messenger.TELEGRAM: polling}, clock)
    assert done.sent == 1
    await expect(
        tg, student, "📌 Книга «Пиковая дама» ждёт вас в библиотеке (Школа №1) до 19 ноября."
    )


async def test_a_librarian_approves_a_new_request_from_the_notice_in_telegram(
    tg: FakeTelegram, polling: TelegramTransport, demo_db: Database, clock: Clock, chat: Any
) -> None:
    librarian = tg.user(LIBRARIAN, "Ольга")
    await librarian.send(await link_code(demo_db, clock, RoleName.LIBRARIAN))
    await expect(tg, librarian, "Вы — библиотекарь")
    student = chat("student")  # the request comes from the console: any messenger will do
    await student.send("хочу взять ревизор")
    await student.press("📌 1")

    before = len(librarian.messages)
    await deliver_due(demo_db, {Messenger.TELEGRAM: polling}, clock)
    notice = await expect(tg, librarian, "🆕 Новая заявка: «Ревизор»", since=before)
    assert notice.reply_markup is not None  # the buttons came with it, checked against the spec
    await librarian.press("✅ Одобрить")
    await expect(tg, librarian, "Одобрено: «Ревизор» для Смирновой Марии")


# Restarts and the webhook's edges (hardening: nothing acknowledged before it is handled) -----


async def _webhook_server(
    tg: FakeTelegram, services: Services, port: int
) -> tuple[TelegramTransport, web.AppRunner]:
    transport = telegram_transport(tg, services)
    runner = web.AppRunner(
        transport.webhook_app(f"http://127.0.0.1:{port}/telegram/webhook", "s3cret-Token_1")
    )
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return transport, runner


async def test_the_webhook_answers_200_only_once_the_update_is_handled(
    tg: FakeTelegram, services: Services, demo_db: Database, unused_tcp_port: int
) -> None:
    transport, runner = await _webhook_server(tg, services, unused_tcp_port)
    try:
        student = tg.user(STUDENT)
        tg.hold("sendMessage")  # Telegram is slow to take the reply
        delivery = asyncio.create_task(student.send("/help"))
        await tg.wait_until(lambda: tg.held("sendMessage") == [STUDENT])
        assert not delivery.done() and tg.unacknowledged == [1]  # not yet answered
        tg.release("sendMessage")
        update_id = await asyncio.wait_for(delivery, 10)
        assert update_id in tg.acknowledged and tg.unacknowledged == []
        assert "Что я умею" in (student.messages[-1].text or "")

        transport.stop_taking_work()  # SIGTERM: new requests are refused, Telegram retries
        await student.send("/help")
        assert tg.webhook_deliveries[-1].status == 503 and tg.unacknowledged == [2]
        assert await transport.drained(1)
    finally:
        tg.release("sendMessage")
        await runner.cleanup()
        await transport.close()


async def test_polling_confirms_an_update_only_once_it_is_handled(
    tg: FakeTelegram, services: Services, demo_db: Database
) -> None:
    student, other = tg.user(STUDENT), tg.user(PARENT)
    first = await student.send("/help")
    second = await other.send("/help")
    tg.hold("sendMessage", after=1)
    transport = telegram_transport(tg, services)
    await transport.prepare()
    task = asyncio.create_task(transport.run_polling(polling_timeout=1))
    try:
        await tg.wait_until(lambda: len(tg.held("sendMessage")) == 1)
        [held_chat] = tg.held("sendMessage")
        held, done = (first, second) if held_chat == STUDENT else (second, first)
        polls = len(tg.calls_to("getUpdates"))
        await tg.wait_until(lambda: len(tg.calls_to("getUpdates")) > polls + 1)  # polling goes on
        assert held not in tg.acknowledged  # the update in hand is not confirmed …
        offsets = [c.params.get("offset") for c in tg.calls_to("getUpdates")]
        assert all(o is None or o <= held for o in offsets)  # … by any request
        assert done in tg.acknowledged or done > held  # the one handled is, where it can be
        tg.release("sendMessage")
        await tg.wait_until(lambda: {first, second} <= tg.acknowledged)
    finally:
        tg.release("sendMessage")
        await transport.stop_polling()
        await asyncio.wait_for(task, 10)
        await transport.close()
    assert all("Что я умею" in (u.messages[-1].text or "") for u in (student, other))


async def test_a_webhook_body_that_is_no_update_gets_400_and_leaves_no_content_in_the_log(
    tg: FakeTelegram,
    services: Services,
    demo_db: Database,
    unused_tcp_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from aiohttp import ClientSession

    transport, runner = await _webhook_server(tg, services, unused_tcp_port)
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/webhook"
    headers = {
        "X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1",
        "Content-Type": "application/json",
    }
    bodies = [
        b'{"update_id": 5, "message": {"text": "\xd0\xa1\xd0\xbc\xd0\xb8\xd1\x80\xd0\xbd\xd0',
        "не JSON: Смирнова Мария".encode(),
        b"\xff\xfe not UTF-8",
        '["Смирнова Мария"]'.encode(),
        '{"update_id": "Смирнова", "message": {"text": "Смирнова Мария"}}'.encode(),
        json_bytes(
            {
                "update_id": 7,
                "message": {
                    "message_id": 1,
                    "date": "вчера",
                    "text": "выдай Смирновой Марии 7Б",
                    "chat": {"id": STUDENT, "type": "private", "first_name": "Маша"},
                    "from": {"id": STUDENT, "is_bot": False, "first_name": "Маша"},
                },
            }
        ),
    ]
    try:
        async with ClientSession() as client:
            for body in bodies:
                async with client.post(url, data=body, headers=headers) as response:
                    assert response.status == 400, body
                    assert "Traceback" not in await response.text()
    finally:
        await runner.cleanup()
        await transport.close()
    logged = "\n".join(
        r.getMessage() + (r.exc_text or "") + str(r.exc_info or "") for r in caplog.records
    )
    assert "400" in logged
    for private in ("Смирнов", "Мари", "Маша", "7Б", "вчера", "Traceback"):
        assert private not in logged, private


def json_bytes(value: Any) -> bytes:
    import json

    return json.dumps(value, ensure_ascii=False).encode()


async def test_per_chat_memory_stays_bounded(
    tg: FakeTelegram, services: Services, demo_db: Database
) -> None:
    from bot.lifecycle import LruDict

    transport = telegram_transport(tg, services)
    transport.menus = LruDict(3)
    await transport.prepare()
    task = asyncio.create_task(transport.run_polling(polling_timeout=1))
    try:
        users = [tg.user(5000 + n) for n in range(6)]
        sent = {await user.send("/help") for user in users}
        for user in users:
            await expect(tg, user, "Что я умею")
        await tg.wait_until(lambda: sent <= tg.acknowledged)  # handled to the end, menus too
        assert len(transport.chat_locks) == 0  # nobody holds a lock: none is kept
        assert len(transport.menus) == 3  # six chats served, three remembered
    finally:
        await transport.stop_polling()
        await asyncio.wait_for(task, 10)
        await transport.close()


async def test_chat_locks_keep_order_and_vanish_when_free() -> None:
    from bot.lifecycle import KeyedLocks

    locks: KeyedLocks[int] = KeyedLocks()
    order: list[int] = []
    gate = asyncio.Event()

    async def serve(chat: int, n: int) -> None:
        async with locks.hold(chat):
            if n == 0:
                await gate.wait()
            order.append(n)

    tasks = [asyncio.create_task(serve(1, n)) for n in range(5)]
    tasks.append(asyncio.create_task(serve(2, 9)))
    await asyncio.wait_for(tasks[-1], 5)
    assert order == [9] and len(locks) == 1  # chat 1 waits on its first; chat 2 went on
    gate.set()
    await asyncio.gather(*tasks)
    assert order == [9, 0, 1, 2, 3, 4] and len(locks) == 0


def test_the_menu_memory_drops_the_least_recently_used_chat() -> None:
    from bot.lifecycle import LruDict

    menus: LruDict[int, str] = LruDict(2)
    menus[1], menus[2] = "reader", "parent"
    assert menus.get(1) == "reader"  # chat 1 used again: chat 2 is now the oldest
    menus[3] = "librarian"
    assert (1 in menus, 2 in menus, 3 in menus, len(menus)) == (True, False, True, 2)


async def test_a_poster_sent_to_many_at_once_is_uploaded_once(
    tg: FakeTelegram, polling: TelegramTransport
) -> None:
    """Deliveries side by side (the outbox's) wait for the first upload's file_id instead of
    each uploading the same bytes."""
    people = [tg.user(5101 + n, f"Ученик{n}") for n in range(4)]
    for person in people:  # a chat exists once the person has written
        await person.send("/help")
    await tg.wait_until(lambda: all(person.messages for person in people))
    picture = barcode_image("4600000000008", "EAN13")
    poster = Reply("Афиша", files=[OutFile("photo", "poster.png", picture)])
    addresses = [Address(Messenger.TELEGRAM, str(p.user_id)) for p in people]
    await asyncio.gather(*(polling.deliver(a, poster, priority=Priority.BULK) for a in addresses))
    sends = tg.calls_to("sendPhoto")
    assert len(sends) == 4
    assert sum(isinstance(call.params["photo"], Upload) for call in sends) == 1
    assert all(any(m.kind == "photo" for m in person.messages) for person in people)
