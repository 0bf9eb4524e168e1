"""The real maxapi-based bot against a local MAX Bot API that validates every request against
the published OpenAPI schema (tests/support/fake_max/), by webhook and by long polling: people
linking by max.ru deep links, searching with a typo, reserving, a librarian approving and
issuing, the student notified; forged buttons, long replies, 429, a blocked bot, a webhook
delivered again, a restart, files, and one reader on Telegram, VK and MAX."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.max.client import REQUESTS_PER_SECOND, MaxClient
from bot.max.events import parse as parse_update
from bot.max.polling import LongPolling
from bot.max.render import keyboard, pieces
from bot.max.transport import MaxTransport
from bot.max.webhook import SECRET_HEADER, WebhookRoute
from bot.pacing import pace_for
from bot.telegram.transport import TelegramTransport
from db.engine import Database
from db.enums import Messenger, RoleName
from db.models import Account, ProcessedUpdate
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services
from jobs.outbox import deliver_due
from messages import texts
from messages.port import Address
from messages.types import Button, OutFile, RecipientUnreachable, Reply
from nlu.barcode import barcode_image
from tests.support.chat import Chat
from tests.support.clock import Clock
from tests.support.fake_max import FakeMax, FakeMaxUser, MaxMessage, running_fake_max
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_vk import FakeVK
from tests.support.library import copies, keep_one_copy, link_code, many_overdue
from tests.test_broadcast_media import cards_of, picture, send_file
from tests.test_outbox import FakePort
from tests.test_vk import expect as expect_in_vk
from tests.test_vk import start_long_poll as start_vk

SECRET = "max-Webhook_secret-1"
BROADCAST = "Конкурс чтецов в пятницу: приходите в библиотеку!"


@pytest.fixture
async def fake_max() -> AsyncIterator[FakeMax]:
    async with running_fake_max() as fake:
        yield fake


async def max_transport(fake: FakeMax, services: Services, db: Database) -> MaxTransport:
    """The real maxapi transport over the fake; link codes get its max.ru links."""
    pace = pace_for(db, Messenger.MAX, fake.token, REQUESTS_PER_SECOND)
    client = MaxClient(fake.token, fake.base_url, pace)
    transport = MaxTransport(Dispatcher(build_registry(), services), client)
    await transport.prepare()
    services.links[Messenger.MAX] = transport.deep_link
    return transport


@dataclass
class Bot:
    """The MAX bot as a test runs it: the transport, and how updates reach it."""

    transport: MaxTransport
    mode: str
    polling: LongPolling | None = None
    task: asyncio.Task[None] | None = None
    server: web.AppRunner | None = None
    url: str | None = None

    async def stop(self) -> None:
        self.transport.inflight.close()
        if self.polling is not None and self.task is not None:
            self.polling.stop()
            await asyncio.wait_for(self.task, 10)
        await self.transport.inflight.drained(10)
        if self.server is not None:
            await self.server.cleanup()
        await self.transport.client.close()


async def start_polling(fake: FakeMax, services: Services, db: Database) -> Bot:
    transport = await max_transport(fake, services, db)
    polling = LongPolling(transport, transport.client, db, wait=1)
    polls = len(fake.calls_to("/updates"))
    task = asyncio.create_task(polling.run())
    await fake.wait_until(lambda: len(fake.calls_to("/updates")) > polls, timeout=10)
    return Bot(transport, "long polling", polling, task)


async def start_webhook(fake: FakeMax, services: Services, db: Database, port: int) -> Bot:
    transport = await max_transport(fake, services, db)
    url = f"http://127.0.0.1:{port}/max/webhook"
    routes = web.Application()
    WebhookRoute(transport, url=url, secret=SECRET).add_to(routes)
    runner = web.AppRunner(routes)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await transport.client.subscribe(url, SECRET)  # as MaxEdge.listening does
    return Bot(transport, "webhook", server=runner, url=url)


@pytest.fixture(params=["long polling", "webhook"])
async def bot(
    request: pytest.FixtureRequest,
    fake_max: FakeMax,
    services: Services,
    demo_db: Database,
    unused_tcp_port: int,
) -> AsyncIterator[Bot]:
    if request.param == "long polling":
        running = await start_polling(fake_max, services, demo_db)
    else:
        running = await start_webhook(fake_max, services, demo_db, unused_tcp_port)
    try:
        yield running
    finally:
        await running.stop()
    assert fake_max.unanswered_callbacks() == []  # every press was answered


@pytest.fixture
async def polling_bot(
    fake_max: FakeMax, services: Services, demo_db: Database
) -> AsyncIterator[Bot]:
    running = await start_polling(fake_max, services, demo_db)
    try:
        yield running
    finally:
        await running.stop()


async def expect(fake: FakeMax, user: FakeMaxUser, fragment: str, since: int = 0) -> MaxMessage:
    """Wait for a message (or an edit) to the person containing `fragment`."""
    message: MaxMessage = await fake.expect(user, fragment, since)
    return message


def payload_of(link: str, fake: FakeMax) -> str:
    prefix = f"https://max.ru/{fake.bot_username}?start="
    assert link.startswith(prefix), link
    return link[len(prefix) :]


async def test_a_school_day_in_max(
    fake_max: FakeMax, bot: Bot, demo_db: Database, clock: Clock
) -> None:
    inventory = await keep_one_copy(demo_db, "Пиковая дама")
    librarian = fake_max.user("Ольга", "Петрова")
    student = fake_max.user("Маша", "Орлова")

    # The librarian joins with a code from the methodist, then makes a code for a pupil: it
    # comes with the bot's max.ru deep link and its QR code, uploaded the MAX way.
    await librarian.write(await link_code(demo_db, clock, RoleName.LIBRARIAN))
    await expect(fake_max, librarian, "Вы — библиотекарь: Школа №1")
    await librarian.write("/code 1062")
    prefix = f"Ссылка: https://max.ru/{fake_max.bot_username}?start="
    code_message = await expect(fake_max, librarian, prefix)
    link = code_message.text.split("Ссылка: ")[1].split()[0]
    await fake_max.wait_until(lambda: any(m.attachments for m in librarian.messages))

    # The pupil opens the link: MAX starts the bot with the code as the payload.
    await student.start(payload_of(link, fake_max))
    await expect(fake_max, student, "привязан")
    # A typo in the title, then a request to take the book: 📌 reserves it.
    await student.write("пикова дама")
    await expect(fake_max, student, "1. Пиковая дама — Пушкин А. С.")
    before = len(student.messages)
    await student.write("хочу взять пиковую даму")
    await expect(fake_max, student, "Нажмите 📌", since=before)
    await student.press("📌 1")
    await expect(fake_max, student, "Заявка на книгу «Пиковая дама» отправлена библиотекарю")

    # The librarian approves with one tap (the list is edited in place) and the student is told.
    await librarian.write("/holds")
    holds = await expect(fake_max, librarian, "Заявки на одобрение (Школа №1): 1.")
    await librarian.press("✅ 1")
    approved = await expect(
        fake_max, librarian, f"Положите экз. инв. № {inventory} на полку заказов"
    )
    assert approved.message_id == holds.message_id and approved.edited
    sent = await deliver_due(demo_db, {Messenger.MAX: bot.transport}, clock)
    assert sent.sent >= 1
    await expect(fake_max, student, "📌 Книга «Пиковая дама» ждёт вас в библиотеке (Школа №1)")
    await librarian.press("📕 Выдать 1")
    await expect(fake_max, librarian, "Выдано: «Пиковая дама»")
    await student.write("мои книги")
    await expect(fake_max, student, "Пиковая дама")


async def test_a_forged_or_stale_button_gets_a_notification(fake_max: FakeMax, bot: Bot) -> None:
    student = fake_max.user()
    await student.write("война и мир")
    await expect(fake_max, student, "Война и мир")
    await student.press_payload("no-such-token")
    await student.press_payload("x" * 1024)
    await fake_max.wait_until(lambda: student.notifications.count(texts.BUTTON_STALE) == 2)


async def test_an_update_delivered_twice_is_handled_once(
    fake_max: FakeMax, bot: Bot, demo_db: Database
) -> None:
    student = fake_max.user()
    update = await student.write("война и мир")
    await expect(fake_max, student, "Война и мир")
    if bot.mode == "webhook":
        assert await fake_max.redeliver(update) == 200  # MAX stops retrying once it has 200
    else:
        event = parse_update(update)  # a restarted poll reading it again
        assert event is not None
        await bot.transport.handle(event)
    await student.write("/help")
    await expect(fake_max, student, "Что я умею")
    assert sum("Война и мир" in m.text for m in student.messages) == 1
    async with demo_db.reading() as session:
        stored = await session.scalar(
            select(ProcessedUpdate).where(ProcessedUpdate.messenger == Messenger.MAX)
        )
    assert stored is not None


async def test_the_webhook_refuses_a_wrong_secret_and_a_body_that_is_not_an_update(
    fake_max: FakeMax, services: Services, demo_db: Database, unused_tcp_port: int
) -> None:
    running = await start_webhook(fake_max, services, demo_db, unused_tcp_port)
    assert running.url is not None
    try:
        [subscription] = fake_max.subscriptions
        assert subscription["url"] == running.url and subscription["secret"] == SECRET
        student = fake_max.user()
        update = await student.write("/help")
        await expect(fake_max, student, "Что я умею")
        body = {"mid": "mid.forged", "seq": 1, "text": "война и мир"}
        forged = {**update, "message": {**update["message"], "body": body}}
        async with fake_max.client.post(
            running.url, json=forged, headers={SECRET_HEADER: "guess-1"}
        ) as answer:
            assert answer.status == 401
        async with fake_max.client.post(running.url, json=forged) as answer:
            assert answer.status == 401
        async with fake_max.client.post(
            running.url, data=b"\xff not json", headers={SECRET_HEADER: SECRET}
        ) as answer:
            assert answer.status == 400
    finally:
        await running.stop()
    assert not any("Война и мир" in m.text for m in student.messages)  # the forgery did nothing


async def test_a_failed_update_is_answered_500_and_its_redelivery_changes_nothing(
    fake_max: FakeMax, services: Services, demo_db: Database, unused_tcp_port: int
) -> None:
    """MAX refuses the reply: the webhook answers 500, so MAX delivers the update again (a
    failure before the core's commit would be handled then); the core already decided this one,
    so the redelivery is answered 200 and does nothing twice, and the bot goes on."""
    running = await start_webhook(fake_max, services, demo_db, unused_tcp_port)
    try:
        student = fake_max.user()
        fake_max.fail_next("/messages", 400)  # MAX refuses the reply once
        update = await student.write("/help")
        await fake_max.wait_until(
            lambda: [d.status for d in fake_max.deliveries][-2:] == [500, 200]
        )
        assert ("/messages", 400) in fake_max.errors_given
        assert student.messages == []
        await student.write("/help")
        await expect(fake_max, student, "Что я умею")
        assert sum("Что я умею" in m.text for m in student.messages) == 1
        key = f"m-{update['message']['body']['mid']}"  # type: ignore[index]
        async with demo_db.reading() as session:
            stored = await session.scalar(
                select(ProcessedUpdate).where(ProcessedUpdate.update_id == key)
            )
        assert stored is not None
    finally:
        await running.stop()


async def test_a_long_reply_is_split_within_maxs_limit(
    fake_max: FakeMax, polling_bot: Bot, demo_db: Database, clock: Clock
) -> None:
    librarian = fake_max.user()
    await librarian.write(await link_code(demo_db, clock, RoleName.LIBRARIAN))
    await expect(fake_max, librarian, "Вы — библиотекарь")
    await many_overdue(demo_db, clock, 60)  # the overdue list runs past 4000 characters
    before = len(librarian.messages)
    await librarian.write("/overdue")
    await expect(fake_max, librarian, "Должники (Школа №1): 61 книга.", since=before)
    await librarian.write("/help")  # served after the whole overdue reply (one person's order)
    await expect(fake_max, librarian, "Что я умею", since=before)
    pieces = [m for m in librarian.messages[before:] if "Что я умею" not in m.text]
    assert len(pieces) == 2
    assert all(len(p.text) <= 4000 for p in pieces)
    assert sum(len(p.text) for p in pieces) > 4000
    assert pieces[-1].buttons == [] or pieces[0].buttons == []  # buttons under the last only


async def test_catalog_markup_is_escaped_in_html(fake_max: FakeMax, polling_bot: Bot) -> None:
    student = fake_max.user()
    address = Address(Messenger.MAX, str(student.chat_id))
    await polling_bot.transport.deliver(address, Reply("Книга <b>«A & B»</b>"))
    [message] = student.messages
    assert message.format == "html"
    assert message.text == "Книга &lt;b&gt;«A &amp; B»&lt;/b&gt;"


async def test_429_is_waited_out_and_the_reply_still_goes_once(
    fake_max: FakeMax, polling_bot: Bot
) -> None:
    student = fake_max.user()
    fake_max.fail_next("/messages", 429, times=2)
    await student.write("/help")
    await expect(fake_max, student, "Что я умею")
    assert fake_max.errors_given.count(("/messages", 429)) == 2
    assert sum("Что я умею" in m.text for m in student.messages) == 1


async def test_a_person_who_blocked_the_bot_is_unreachable_until_they_write(
    fake_max: FakeMax, polling_bot: Bot, demo_db: Database, clock: Clock
) -> None:
    student = fake_max.user()
    await student.write(await link_code(demo_db, clock, RoleName.READER, card="1062"))
    await expect(fake_max, student, "привязан")
    student.block()  # MAX answers 403 to a message to them, and tells the bot it was stopped
    address = Address(Messenger.MAX, str(student.chat_id))
    with pytest.raises(RecipientUnreachable):
        await polling_bot.transport.deliver(address, Reply("Напоминание"), key="outbox-1-1")
    await _until_reachable(demo_db, student, False)

    await student.start()  # started again: they can be written to
    hint = await expect(fake_max, student, "бот был остановлен в MAX")
    assert hint.text == texts.REACHABLE_AGAIN[Messenger.MAX]
    await _until_reachable(demo_db, student, True)


async def test_updates_that_queued_during_a_restart_are_handled_once(
    fake_max: FakeMax, services: Services, demo_db: Database
) -> None:
    student = fake_max.user()
    first = await start_polling(fake_max, services, demo_db)
    await student.write("/help")
    await expect(fake_max, student, "Что я умею")
    await first.stop()

    await student.write("война и мир")  # while the bot is down
    second = await start_polling(fake_max, services, demo_db)  # reads the saved marker
    try:
        await expect(fake_max, student, "Война и мир")
        await student.write("/help")
        await fake_max.wait_until(
            lambda: sum("Что я умею" in m.text for m in student.messages) == 2
        )
    finally:
        await second.stop()
    assert sum("Война и мир" in m.text for m in student.messages) == 1


async def test_a_librarians_photo_of_a_barcode_finds_the_copy(
    fake_max: FakeMax, polling_bot: Bot, demo_db: Database, clock: Clock
) -> None:
    librarian = fake_max.user()
    await librarian.write(await link_code(demo_db, clock, RoleName.LIBRARIAN))
    await expect(fake_max, librarian, "Вы — библиотекарь")
    [item, *_] = await copies(demo_db, "Ревизор")
    await librarian.send_photo(barcode_image(item.barcode or "", "EAN13"))
    await expect(fake_max, librarian, f"Экземпляр инв. № {item.inventory_number}")


async def test_files_are_uploaded_once_and_sent_the_max_way(
    fake_max: FakeMax, polling_bot: Bot
) -> None:
    """A report file as a file and a picture as an image; the same poster to a second person
    goes by the token of the first upload."""
    first, second = fake_max.user(), fake_max.user("Петя", "Сидоров")
    sheet, picture = b"PK\x03\x04 a spreadsheet", barcode_image("9785170906307", "EAN13")
    reply = Reply(
        "Отчёт за четверть",
        files=[
            OutFile("document", "report.xlsx", sheet, caption="Таблица"),
            OutFile("photo", "chart.png", picture),
        ],
    )
    for person in (first, second):
        address = Address(Messenger.MAX, str(person.chat_id))
        await polling_bot.transport.deliver(address, reply, key=f"report-{person.user_id}")
    text, document, photo = first.messages
    assert text.text == "Отчёт за четверть"
    assert document.text == "Таблица"
    assert [a["type"] for a in document.attachments] == ["file"]
    assert [a["type"] for a in photo.attachments] == ["image"]
    assert len(second.messages) == 3
    assert len(fake_max.calls_to("/uploads")) == 2  # one each, not one per person


async def test_workers_of_one_deployment_share_the_tokens_rate(
    fake_max: FakeMax, services: Services, demo_db: Database, backend: str
) -> None:
    """Two processes on PostgreSQL send through one bot token: together they stay within
    MAX's 30 requests a second (the fake answers 429 to the 31st in any second)."""
    workers = [await max_transport(fake_max, services, demo_db)]
    other: Database | None = None
    if backend == "postgresql":
        other = Database(demo_db.engine.url)  # the second process's own connections
        workers.append(await max_transport(fake_max, services, other))
    people = [fake_max.user(f"Ученик{n}", "Тестов") for n in range(12)]

    async def burst(worker: MaxTransport, n: int) -> None:
        for person in people:
            address = Address(Messenger.MAX, str(person.chat_id))
            await worker.deliver(address, Reply(f"Уведомление {n}"))

    try:
        await asyncio.gather(*(burst(w, n) for n in range(2) for w in workers))
    finally:
        for worker in workers:
            await worker.client.close()
        if other is not None:
            await other.dispose()
    assert fake_max.rate_errors == []
    sent = [m.text for person in people for m in person.messages]
    assert len(sent) == 2 * len(workers) * len(people)


async def test_one_reader_on_telegram_vk_and_max(
    fake_max: FakeMax,
    polling_bot: Bot,
    vk: FakeVK,
    tg: FakeTelegram,
    polling: TelegramTransport,
    services: Services,
    demo_db: Database,
    clock: Clock,
    chat: Callable[[str], Chat],
) -> None:
    await keep_one_copy(demo_db, "Пиковая дама")
    vk_bot = await start_vk(vk, services, demo_db)
    try:
        in_max, in_vk, in_telegram = fake_max.user(), vk.user(), tg.user(4004, "Аня")
        await in_max.write(await link_code(demo_db, clock, RoleName.READER, card="1062"))
        await expect(fake_max, in_max, "привязан")
        await in_vk.write(await link_code(demo_db, clock, RoleName.READER, card="1062"))
        await expect_in_vk(vk, in_vk, "привязан")
        await in_telegram.send(await link_code(demo_db, clock, RoleName.READER, card="1062"))
        await tg.wait_until(lambda: any("привязан" in (m.text or "") for m in in_telegram.messages))
        async with demo_db.reading() as session:
            accounts = list(
                await session.scalars(
                    select(Account).where(
                        Account.external_id.in_(
                            [str(in_max.user_id), str(in_vk.user_id), str(in_telegram.user_id)]
                        )
                    )
                )
            )
        people = {account.messenger: account.person_id for account in accounts}
        assert people[Messenger.MAX] == people[Messenger.VK] == people[Messenger.TELEGRAM]
        assert people[Messenger.MAX] is not None  # one person, one card

        # A request from MAX, approved at the desk: the notice reaches all three, once each.
        await in_max.write("хочу взять пиковую даму")
        await expect(fake_max, in_max, "Нажмите 📌")
        await in_max.press("📌 1")
        await expect(fake_max, in_max, "Заявка на книгу «Пиковая дама» отправлена")
        librarian = chat("librarian")
        await librarian.send("/holds")
        await librarian.press("✅ 1")
        ports = {
            Messenger.MAX: polling_bot.transport,
            Messenger.VK: vk_bot.transport,
            Messenger.TELEGRAM: polling,
        }
        await deliver_due(demo_db, ports, clock)
        ready = "📌 Книга «Пиковая дама» ждёт вас в библиотеке"
        await expect(fake_max, in_max, ready)
        await expect_in_vk(vk, in_vk, ready)
        await tg.wait_until(lambda: any(ready in (m.text or "") for m in in_telegram.messages))
        await deliver_due(demo_db, ports, clock)  # nothing twice
        assert sum(ready in m.text for m in in_max.messages) == 1

        # /via in MAX: from now on notices go to MAX only.
        await in_max.write("/via")
        await expect(fake_max, in_max, "Уведомления приходят во все ваши мессенджеры")
        await in_max.press("Только MAX")
        await expect(fake_max, in_max, "Готово: уведомления будут приходить только в MAX.")
        before = len(in_max.messages)
        await in_max.write("хочу взять ревизор")
        await expect(fake_max, in_max, "Нажмите 📌", since=before)
        await in_max.press("📌 1")
        await expect(fake_max, in_max, "Заявка на книгу «Ревизор» отправлена")
        await librarian.send("/holds")
        await librarian.press("✅ 1")
        await deliver_due(demo_db, ports, clock)
        await expect(fake_max, in_max, "📌 Книга «Ревизор» ждёт вас в библиотеке")
        assert not any("Ревизор" in m.text for m in in_vk.messages)
        assert not any("Ревизор" in (m.text or "") for m in in_telegram.messages)
    finally:
        await vk_bot.stop()


async def _reachable(db: Database, user: FakeMaxUser) -> bool:
    async with db.reading() as session:
        account = await session.scalar(
            select(Account).where(
                Account.messenger == Messenger.MAX, Account.external_id == str(user.user_id)
            )
        )
    assert account is not None
    return not account.unreachable


async def _until_reachable(db: Database, user: FakeMaxUser, reachable: bool) -> None:
    for _ in range(100):
        if await _reachable(db, user) is reachable:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the account never became reachable={reachable}")


async def test_a_file_max_has_not_finished_processing_is_sent_again(
    fake_max: FakeMax, polling_bot: Bot
) -> None:
    student = fake_max.user()
    fake_max.fail_next("/messages", 400, code="attachment.not.ready")
    address = Address(Messenger.MAX, str(student.chat_id))
    poster = OutFile("photo", "poster.png", barcode_image("9785170906307", "EAN13"))
    await polling_bot.transport.deliver(address, Reply("Афиша", files=[poster]))
    assert ("/messages", 400) in fake_max.errors_given
    assert len(student.messages) == 2 and student.messages[0].text == "Афиша"
    assert [a["type"] for a in student.messages[-1].attachments] == ["image"]


def test_rows_keep_labels_whole_and_payloads_within_maxs_limit() -> None:
    numbers = [Button(f"📌 {n}", f"tok{n}") for n in range(1, 5)]
    wide = [Button("Только ВКонтакте", "a"), Button("Только MAX", "b")]
    [attachment] = keyboard([numbers, wide])
    rows = attachment["payload"]["buttons"]
    assert [[b["text"] for b in row] for row in rows] == [
        ["📌 1", "📌 2", "📌 3", "📌 4"],  # short: side by side
        ["Только ВКонтакте"],  # too long to share a row: one a row
        ["Только MAX"],
    ]
    first = {"type": "callback", "text": "📌 1", "payload": "tok1", "intent": "default"}
    assert rows[0][0] == first
    assert keyboard([]) == []
    with pytest.raises(ValueError, match="payload"):
        keyboard([[Button("x", "t" * 1025)]])


def test_pieces_stay_within_4000_characters_after_escaping() -> None:
    text = "A & B < C\n" * 900  # every «&» and «<» grows when escaped
    cut = pieces(text)
    assert all(len(piece) <= 4000 for piece in cut)
    assert len(cut) > 1
    assert html.unescape("".join(cut)).replace("\n", "") == text.replace("\n", "")


async def test_a_broadcast_with_a_poster_reaches_students_in_max_uploaded_once(
    fake_max: FakeMax,
    polling_bot: Bot,
    demo_db: Database,
    clock: Clock,
    chat: Callable[[str], Chat],
) -> None:
    """A librarian's broadcast to 7Б with a photo: each student linked in MAX gets the text and
    then the poster, which is uploaded once for all of them."""
    cards = [c for c in await cards_of(demo_db, "7Б") if c != "1001"][:2]
    students = [fake_max.user(f"Ученик{n}", "Седьмой") for n in range(2)]
    for student, card in zip(students, cards, strict=True):
        await student.write(await link_code(demo_db, clock, RoleName.READER, card=card))
        await expect(fake_max, student, "привязан")
    librarian = chat("librarian")
    await librarian.send("/broadcast 7Б")
    await librarian.press("Ученикам")
    poster = picture()
    await send_file(librarian, "photo", poster, "poster.png", caption=BROADCAST)
    await librarian.press("Отправить")
    assert "Рассылка №1 отправляется" in librarian.text

    ports = {Messenger.MAX: polling_bot.transport, Messenger.CONSOLE: FakePort(Messenger.CONSOLE)}
    done = await deliver_due(demo_db, ports, clock)
    assert done.sent == 3  # the two in MAX and the console's student of 7Б
    for student in students:
        text, photo = student.messages[-2:]
        assert text.text == f"📢 Школа №1:\n\n{BROADCAST}"
        assert [a["type"] for a in photo.attachments] == ["image"]
    assert len(fake_max.calls_to("/uploads")) == 1
