"""The real vk_api bot against a local VK API that checks every call against the published
schema (tests/support/fake_vk/): over the Bots Long Poll and over the Callback API — people
linking by vk.me links, searching with a typo, reserving, a librarian approving and issuing, the
student notified, a parent watching; forged buttons, long replies, VK's errors 6 and 901,
events delivered twice, a Long Poll that loses its connection or its key, a restart, and a
reader on both messengers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.pacing import pace_for
from bot.telegram.transport import TelegramTransport
from bot.vk.callback import CallbackRoute
from bot.vk.client import REQUESTS_PER_SECOND, VkClient
from bot.vk.longpoll import LongPoll
from bot.vk.transport import VkTransport
from db.engine import Database
from db.enums import Messenger, RoleName
from db.models import Account, ProcessedUpdate
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services
from jobs.outbox import deliver_due
from messages import texts
from messages.port import Address
from messages.types import OutFile, Reply
from nlu.barcode import barcode_image
from tests.support.chat import Chat
from tests.support.clock import Clock
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_vk import FakeVK
from tests.support.fake_vk.conversations import BotMessage
from tests.support.fake_vk.people import FakeVKUser
from tests.support.library import copies, keep_one_copy, link_code, many_overdue

SECRET = "vk-callback-Secret_1"
CONFIRMATION = "a1b2c3d4"


def vk_transport(vk: FakeVK, services: Services, db: Database) -> VkTransport:
    """The real vk_api transport over the fake; link codes get its vk.me links."""
    pace = pace_for(db, Messenger.VK, vk.token, REQUESTS_PER_SECOND)
    client = VkClient(vk.token, vk.base_url, pace)
    transport = VkTransport(Dispatcher(build_registry(), services), client, vk.group_id)
    services.links[Messenger.VK] = transport.deep_link
    return transport


@dataclass
class Bot:
    """The VK bot as a test runs it: the transport, and how events reach it."""

    transport: VkTransport
    mode: str
    long_poll: LongPoll | None = None
    task: asyncio.Task[None] | None = None
    server: web.AppRunner | None = None

    async def stop(self) -> None:
        self.transport.inflight.close()
        if self.long_poll is not None and self.task is not None:
            self.long_poll.stop()
            await asyncio.wait_for(self.task, 10)
        await self.transport.inflight.drained(10)
        if self.server is not None:
            await self.server.cleanup()
        self.transport.client.close()


async def start_long_poll(vk: FakeVK, services: Services, db: Database) -> Bot:
    transport = vk_transport(vk, services, db)
    long_poll = LongPoll(transport, transport.client, db, wait=1)
    task = asyncio.create_task(long_poll.run())
    checks = vk.a_checks
    await vk.wait_until(lambda: vk.a_checks > checks, timeout=10)
    return Bot(transport, "long poll", long_poll, task)


async def start_callback(vk: FakeVK, services: Services, db: Database, port: int) -> Bot:
    transport = vk_transport(vk, services, db)
    routes = web.Application()
    route = CallbackRoute(transport, path="/vk/callback", secret=SECRET, confirmation=CONFIRMATION)
    route.add_to(routes)
    runner = web.AppRunner(routes)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/vk/callback"
    assert await vk.confirm(url) == CONFIRMATION  # VK checks the server before it posts events
    vk.callback_to(url, SECRET)
    return Bot(transport, "callback", server=runner)


@pytest.fixture(params=["long poll", "callback"])
async def bot(
    request: pytest.FixtureRequest,
    vk: FakeVK,
    services: Services,
    demo_db: Database,
    unused_tcp_port: int,
) -> AsyncIterator[Bot]:
    if request.param == "long poll":
        running = await start_long_poll(vk, services, demo_db)
    else:
        running = await start_callback(vk, services, demo_db, unused_tcp_port)
    try:
        yield running
    finally:
        await running.stop()
    assert vk.unanswered_events() == []  # every press was answered


@pytest.fixture
async def long_poll_bot(vk: FakeVK, services: Services, demo_db: Database) -> AsyncIterator[Bot]:
    running = await start_long_poll(vk, services, demo_db)
    try:
        yield running
    finally:
        await running.stop()


async def expect(fake: FakeVK, user: FakeVKUser, fragment: str, since: int = 0) -> BotMessage:
    """Wait for a message (or an edit) to the person containing `fragment`."""
    message: BotMessage = await fake.expect(user, fragment, since)
    return message


def ref_of(link: str) -> str:
    prefix = "https://vk.me/club"
    assert link.startswith(prefix) and "?ref=" in link, link
    return link.split("?ref=")[1]


async def test_a_school_day_in_vk(vk: FakeVK, bot: Bot, demo_db: Database, clock: Clock) -> None:
    inventory = await keep_one_copy(demo_db, "Пиковая дама")
    librarian = vk.user(first_name="Ольга")
    student = vk.user(first_name="Маша")
    parent = vk.user(first_name="Ирина")

    # The librarian joins with a code from the methodist, then makes a code for a pupil: it
    # comes with the community's vk.me link and its QR code.
    await librarian.write(await link_code(demo_db, clock, RoleName.LIBRARIAN))
    await expect(vk, librarian, "Вы — библиотекарь: Школа №1")
    await librarian.write("/code 1062")
    code_message = await expect(vk, librarian, f"Ссылка: https://vk.me/club{vk.group_id}?ref=")
    link = code_message.text.split("Ссылка: ")[1].split()[0]
    await vk.wait_until(lambda: any(m.attachments for m in librarian.messages))
    [qr] = next(m for m in librarian.messages if m.attachments).attachments
    assert qr.kind == "photo" and qr.data.startswith(b"\x89PNG")

    # The pupil opens the link: VK's first message carries the code as its ref.
    await student.write("Начать", ref=ref_of(link), ref_source="qr")
    await expect(vk, student, "привязан")
    # A typo in the title, then a request to take the book: 📌 reserves it.
    await student.write("пикова дама")
    await expect(vk, student, "1. Пиковая дама — Пушкин А. С.")
    before = len(student.messages)
    await student.write("хочу взять пиковую даму")
    await expect(vk, student, "Нажмите 📌", since=before)
    await student.press("📌 1")
    await expect(vk, student, "Заявка на книгу «Пиковая дама» отправлена библиотекарю")

    # The librarian approves with one tap (the list is edited in place) and the student is told.
    await librarian.write("/holds")
    holds = await expect(vk, librarian, "Заявки на одобрение (Школа №1): 1.")
    await librarian.press("✅ 1")
    approved = await expect(vk, librarian, f"Положите экз. инв. № {inventory} на полку заказов")
    assert approved.cmid == holds.cmid and approved.edited
    sent = await deliver_due(demo_db, {Messenger.VK: bot.transport}, clock)
    assert sent.sent >= 1
    await expect(vk, student, "📌 Книга «Пиковая дама» ждёт вас в библиотеке (Школа №1)")
    await librarian.press("📕 Выдать 1")
    await expect(vk, librarian, "Выдано: «Пиковая дама»")

    # The parent links with their own code and sees the loan.
    await librarian.write("/code 1062 родитель")
    parent_code = await expect(vk, librarian, "Код привязки для родителя ученицы Орловой Анны")
    await parent.write(parent_code.text.split(": ")[1].split("\n")[0])
    await expect(vk, parent, "Вы привязаны как родитель Анны (Школа №1)")
    await parent.write("мои книги")
    await expect(vk, parent, "Пиковая дама (Пушкин А. С.) — вернуть до 30 ноября")


async def test_a_forged_or_stale_button_gets_a_snackbar(vk: FakeVK, bot: Bot) -> None:
    student = vk.user()
    await student.write("война и мир")
    await expect(vk, student, "Война и мир")
    await student.press_payload(json.dumps({"b": "no-such-tok"}))
    await student.press_payload('{"command": "delete_everything"}')
    await vk.wait_until(lambda: student.snackbars.count(texts.BUTTON_STALE) == 2)


async def test_an_event_delivered_twice_is_handled_once(
    vk: FakeVK, bot: Bot, demo_db: Database
) -> None:
    student = vk.user()
    event_id = await student.write("война и мир")
    await expect(vk, student, "Война и мир")
    await vk.redeliver(event_id)
    await student.write("/help")
    await expect(vk, student, "Что я умею")
    assert sum("Война и мир" in m.text for m in student.messages) == 1
    async with demo_db.reading() as session:
        stored = await session.scalar(
            select(ProcessedUpdate).where(ProcessedUpdate.update_id == event_id)
        )
    assert stored is not None and stored.messenger == Messenger.VK


async def test_a_long_reply_is_split_within_vks_limit(
    vk: FakeVK, long_poll_bot: Bot, demo_db: Database, clock: Clock
) -> None:
    librarian = vk.user()
    await librarian.write(await link_code(demo_db, clock, RoleName.LIBRARIAN))
    await expect(vk, librarian, "Вы — библиотекарь")
    await many_overdue(demo_db, clock, 60)  # the overdue list runs past 4096 characters
    before = len(librarian.messages)
    await librarian.write("/overdue")
    await expect(vk, librarian, "Должники (Школа №1): 61 книга.", since=before)
    await vk.wait_until(lambda: len(librarian.messages) >= before + 2)
    await librarian.write("/help")  # served after the whole overdue reply (one person's order)
    await expect(vk, librarian, "Что я умею", since=before)
    pieces = [m for m in librarian.messages[before:] if "Что я умею" not in m.text]
    assert len(pieces) == 2
    assert all(len(p.text) <= 4096 for p in pieces)
    assert sum(len(p.text) for p in pieces) > 4096


async def test_error_6_is_waited_out_and_a_retried_delivery_never_shows_twice(
    vk: FakeVK, long_poll_bot: Bot
) -> None:
    student = vk.user()
    vk.fail_next("messages.send", 6)
    await student.write("/help")
    await expect(vk, student, "Что я умею")
    assert ("messages.send", 6) in vk.errors_given
    assert sum("Что я умею" in m.text for m in student.messages) == 1

    # The outbox retries a delivery whose answer was lost: the same key, the same random_id.
    address = Address(Messenger.VK, str(student.peer_id))
    for _ in range(2):
        await long_poll_bot.transport.deliver(address, Reply("Напоминание"), key="outbox-9-1")
    assert [m.text for m in student.messages].count("Напоминание") == 1
    assert vk.duplicates_suppressed == 1


async def test_901_marks_the_person_unreachable_and_their_next_message_says_how_to_allow(
    vk: FakeVK, long_poll_bot: Bot, demo_db: Database, clock: Clock
) -> None:
    student = vk.user()
    await student.write(await link_code(demo_db, clock, RoleName.READER, card="1062"))
    await expect(vk, student, "привязан")
    student.deny()
    address = Address(Messenger.VK, str(student.peer_id))
    with pytest.raises(Exception) as refused:
        await long_poll_bot.transport.deliver(address, Reply("Напоминание"), key="outbox-1-1")
    assert type(refused.value).__name__ == "RecipientUnreachable"
    await long_poll_bot.transport.core.unreachable(Messenger.VK, str(student.user_id))
    assert await _reachable(demo_db, student) is False

    student.allow()  # writing to the community lets it answer again
    await student.write("мои книги")
    hint = await expect(vk, student, "Разрешить сообщения")
    assert hint.text == texts.REACHABLE_AGAIN[Messenger.VK]
    assert await _reachable(demo_db, student) is True
    await student.write("мои книги")
    await vk.wait_until(lambda: "книг" in student.messages[-1].text)
    assert sum(texts.REACHABLE_AGAIN[Messenger.VK] == m.text for m in student.messages) == 1


async def test_a_person_who_denies_messages_is_unreachable_until_they_write(
    vk: FakeVK, long_poll_bot: Bot, demo_db: Database
) -> None:
    student = vk.user()
    await student.write("/help")
    await expect(vk, student, "Что я умею")
    await vk.deliver("message_deny", {"user_id": student.user_id})
    await _until_reachable(demo_db, student, False)


async def test_the_long_poll_survives_a_dropped_connection_and_an_expired_key(
    vk: FakeVK, long_poll_bot: Bot
) -> None:
    servers = len(vk.calls_to("groups.getLongPollServer"))
    student = vk.user()
    vk.drop_longpoll(1)  # the connection dies mid-request, as a night on a bad network does
    await student.write("/help")
    await expect(vk, student, "Что я умею")
    vk.longpoll_fail(2)  # the key expired: a new key, the same ts (nothing is lost)
    await student.write("война и мир")
    await expect(vk, student, "Война и мир")
    vk.longpoll_fail(1)  # history partly lost: go on from the ts VK gives
    await student.write("капитанская дочка")
    await expect(vk, student, "Капитанская дочка")
    assert len(vk.calls_to("groups.getLongPollServer")) == servers + 1


async def test_events_that_queued_during_a_restart_are_handled_once(
    vk: FakeVK, services: Services, demo_db: Database
) -> None:
    student = vk.user()
    first = await start_long_poll(vk, services, demo_db)
    await student.write("/help")
    await expect(vk, student, "Что я умею")
    await first.stop()

    await student.write("война и мир")  # while the bot is down
    second = await start_long_poll(vk, services, demo_db)  # reads the saved ts
    try:
        await expect(vk, student, "Война и мир")
        await student.write("/help")
        await vk.wait_until(lambda: sum("Что я умею" in m.text for m in student.messages) == 2)
    finally:
        await second.stop()
    assert sum("Война и мир" in m.text for m in student.messages) == 1


async def test_a_librarians_photo_of_a_barcode_finds_the_copy(
    vk: FakeVK, long_poll_bot: Bot, demo_db: Database, clock: Clock
) -> None:
    librarian = vk.user()
    await librarian.write(await link_code(demo_db, clock, RoleName.LIBRARIAN))
    await expect(vk, librarian, "Вы — библиотекарь")
    [item, *_] = await copies(demo_db, "Ревизор")
    await librarian.send_photo(barcode_image(item.barcode or "", "EAN13"))
    await expect(vk, librarian, f"Экземпляр инв. № {item.inventory_number}")


async def test_the_callback_api_refuses_a_wrong_secret_and_answers_ok_once_per_event(
    vk: FakeVK, services: Services, demo_db: Database, unused_tcp_port: int
) -> None:
    running = await start_callback(vk, services, demo_db, unused_tcp_port)
    url = f"http://127.0.0.1:{unused_tcp_port}/vk/callback"
    try:
        event = {
            "type": "message_new",
            "event_id": "forged-1",
            "v": "5.199",
            "group_id": vk.group_id,
            "object": {"message": {"from_id": 1, "peer_id": 1, "text": "/help"}},
        }
        async with vk.client.post(url, json={**event, "secret": "guess"}) as answer:
            assert answer.status == 403
        async with vk.client.post(url, data=b"\xff not json") as answer:
            assert answer.status == 400
        async with vk.client.post(url, json={"type": "confirmation", "group_id": 1}) as answer:
            assert answer.status == 403  # another community's confirmation gets nothing

        student = vk.user()
        event_id = await student.write("/help")
        await expect(vk, student, "Что я умею")
        await vk.redeliver(event_id)
        events = [d for d in vk.callback_deliveries if d.event_id is not None]
        assert [d.event_id for d in events] == [event_id, event_id]  # answered «ok» both times
        assert all(d.ok for d in events)
        await student.write("война и мир")
        await expect(vk, student, "Война и мир")
        assert sum("Что я умею" in m.text for m in student.messages) == 1
    finally:
        await running.stop()
    assert not any(m.text == "/help" for m in vk.messages(1))  # the forged event did nothing


async def test_the_callback_api_answers_ok_before_the_event_is_handled(
    vk: FakeVK, services: Services, demo_db: Database, unused_tcp_port: int
) -> None:
    """VK waits only seconds for «ok»: a slow reply (VK itself slow here) does not hold it."""
    running = await start_callback(vk, services, demo_db, unused_tcp_port)
    try:
        student = vk.user()
        vk.hold("messages.send")
        event_id = await student.write("/help")  # returns once the server answered
        [delivery] = [d for d in vk.callback_deliveries if d.event_id == event_id]
        assert delivery.ok and student.messages == []  # «ok» while the reply is still waiting
        vk.release("messages.send")
        await expect(vk, student, "Что я умею")
    finally:
        await running.stop()


async def test_another_vk_error_is_logged_without_personal_data_and_the_bot_goes_on(
    vk: FakeVK, long_poll_bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    student = vk.user()
    vk.fail_next("messages.send", 945)  # «chat was disabled»: nothing to retry
    await student.write("война и мир")
    await vk.wait_until(lambda: ("messages.send", 945) in vk.errors_given)
    await student.write("/help")
    await expect(vk, student, "Что я умею")
    logged = caplog.text
    assert "error 945" in logged
    assert "Война" not in logged and "война" not in logged and str(student.user_id) not in logged


async def test_files_go_out_the_vk_way(vk: FakeVK, long_poll_bot: Bot) -> None:
    """A report file as a document and a picture as a photo, uploaded and attached."""
    student = vk.user()
    address = Address(Messenger.VK, str(student.peer_id))
    sheet, picture = b"PK\x03\x04 a spreadsheet", barcode_image("9785170906307", "EAN13")
    reply = Reply(
        "Отчёт за четверть",
        files=[
            OutFile("document", "report.xlsx", sheet, caption="Таблица"),
            OutFile("photo", "chart.png", picture),
        ],
    )
    await long_poll_bot.transport.deliver(address, reply, key="report-1")
    text, document, photo = student.messages
    assert text.text == "Отчёт за четверть"
    assert [(a.kind, a.data) for a in document.attachments] == [("doc", sheet)]
    assert document.text == "Таблица"
    assert [(a.kind, a.data) for a in photo.attachments] == [("photo", picture)]


async def test_a_reader_linked_on_telegram_and_vk_is_one_reader(
    vk: FakeVK,
    long_poll_bot: Bot,
    tg: FakeTelegram,
    polling: TelegramTransport,
    demo_db: Database,
    clock: Clock,
    chat: Callable[[str], Chat],
) -> None:
    await keep_one_copy(demo_db, "Пиковая дама")
    in_vk, in_telegram = vk.user(), tg.user(4004, "Аня")
    await in_vk.write(await link_code(demo_db, clock, RoleName.READER, card="1062"))
    await expect(vk, in_vk, "привязан")
    await in_telegram.send(await link_code(demo_db, clock, RoleName.READER, card="1062"))
    await tg.wait_until(lambda: any("привязан" in (m.text or "") for m in in_telegram.messages))
    async with demo_db.reading() as session:
        people = {
            account.messenger: account.person_id
            for account in await session.scalars(
                select(Account).where(
                    Account.external_id.in_([str(in_vk.user_id), str(in_telegram.user_id)])
                )
            )
        }
    assert people[Messenger.VK] == people[Messenger.TELEGRAM] is not None  # one person, one card

    # A request from VK, approved at the desk: the notice reaches both messengers, once each.
    await in_vk.write("хочу взять пиковую даму")
    await expect(vk, in_vk, "Нажмите 📌")
    await in_vk.press("📌 1")
    await expect(vk, in_vk, "Заявка на книгу «Пиковая дама» отправлена")
    librarian = chat("librarian")
    await librarian.send("/holds")
    await librarian.press("✅ 1")
    ports = {Messenger.VK: long_poll_bot.transport, Messenger.TELEGRAM: polling}
    await deliver_due(demo_db, ports, clock)
    ready = "📌 Книга «Пиковая дама» ждёт вас в библиотеке"
    await expect(vk, in_vk, ready)
    await tg.wait_until(lambda: any(ready in (m.text or "") for m in in_telegram.messages))
    await deliver_due(demo_db, ports, clock)  # nothing twice
    assert sum(ready in m.text for m in in_vk.messages) == 1
    assert sum(ready in (m.text or "") for m in in_telegram.messages) == 1

    # /via in VK: from now on notices go to VK only.
    await in_vk.write("/via")
    await expect(vk, in_vk, "Уведомления приходят во все ваши мессенджеры")
    await in_vk.press("Только ВКонтакте")
    await expect(vk, in_vk, "Готово: уведомления будут приходить только в ВКонтакте.")
    before = len(in_vk.messages)
    await in_vk.write("хочу взять ревизор")
    await expect(vk, in_vk, "Нажмите 📌", since=before)
    await in_vk.press("📌 1")
    await expect(vk, in_vk, "Заявка на книгу «Ревизор» отправлена")
    await librarian.send("/holds")
    await librarian.press("✅ 1")
    await deliver_due(demo_db, ports, clock)
    await expect(vk, in_vk, "📌 Книга «Ревизор» ждёт вас в библиотеке")
    assert not any("Ревизор" in (m.text or "") for m in in_telegram.messages)


async def test_workers_of_one_deployment_share_the_tokens_rate(
    vk: FakeVK, services: Services, demo_db: Database, backend: str
) -> None:
    """Two `serve`/`jobs` processes on PostgreSQL send through one community token: their calls
    together stay within VK's 20 a second (the fake answers error 6 to the 21st in any second).
    The embedded SQLite default is one process, pacing in memory."""
    workers = [vk_transport(vk, services, demo_db)]
    if backend == "postgresql":
        other = Database(demo_db.engine.url)  # the second process's own connections
        workers.append(vk_transport(vk, services, other))
    people = [vk.user() for _ in range(10)]

    async def burst(worker: VkTransport, n: int) -> None:
        for k, person in enumerate(people):
            address = Address(Messenger.VK, str(person.peer_id))
            await worker.deliver(address, Reply(f"Уведомление {n}"), key=f"burst-{n}-{k}")

    try:
        await asyncio.gather(*(burst(w, n) for n in range(2) for w in workers))
    finally:
        for worker in workers:
            worker.client.close()
        if backend == "postgresql":
            await other.dispose()
    assert vk.rate_errors == []
    sent = [m.text for person in people for m in person.messages]
    assert sorted(set(sent)) == ["Уведомление 0", "Уведомление 1"]
    assert len(sent) == 2 * len(people)  # each worker's retry of a key is the same message


async def _reachable(db: Database, user: FakeVKUser) -> bool:
    async with db.reading() as session:
        account = await session.scalar(
            select(Account).where(
                Account.messenger == Messenger.VK, Account.external_id == str(user.user_id)
            )
        )
    assert account is not None
    return not account.unreachable


async def _until_reachable(db: Database, user: FakeVKUser, reachable: bool) -> None:
    for _ in range(100):
        if await _reachable(db, user) is reachable:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the account never became reachable={reachable}")
