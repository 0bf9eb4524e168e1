"""Who goes first, and a broadcast to many at once: a live reply before notices and notices
before broadcasts, in a messenger's pace and in the outbox's lanes; Telegram's one message a
second per chat for notices; a broadcast's stored file goes out with its text; a VK broadcast
goes to a hundred people a call (`peer_ids`), once each, with those who forbade messages
marked unreachable."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from bot.pacing import (
    InMemoryChatSpacing,
    Pace,
    SharedChatSpacing,
    chat_spacing_for,
    slot_key,
)
from bot.telegram.transport import TelegramTransport
from bot.vk.client import REQUESTS_PER_SECOND, VkClient
from bot.vk.transport import VkTransport
from db.engine import Database
from db.enums import Messenger, OutboxStatus, Priority
from db.models import Account, OutboxDelivery, OutboxMessage, Person
from db.outbox import BULK, notify
from db.stored_files import FILES, store_file
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services
from jobs import outbox
from jobs.outbox import deliver_due, run_outbox
from messages.port import Address, BulkPort
from messages.types import OutFile, Reply
from nlu.barcode import barcode_image
from tests.support.clock import Clock
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_vk import FakeVK

PHOTO = barcode_image("4600000000008")  # a real PNG: the fake VK reads what it is sent
PATIENCE = 60.0  # seconds a condition may take to come true on a busy machine


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(int(PATIENCE / 0.005)):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the condition never came true")


class Recorder:
    """A port that records (chat, text, priority, files) per delivery; `pause` seconds each."""

    messenger = Messenger.TELEGRAM

    def __init__(self, pause: float = 0.0) -> None:
        self.sent: list[tuple[str, str, Priority, int]] = []
        self.pause = pause

    async def deliver(
        self,
        address: Address,
        reply: Reply,
        *,
        key: str | None = None,
        edit: str | None = None,
        priority: Priority = Priority.REPLY,
    ) -> None:
        if self.pause:
            await asyncio.sleep(self.pause)
        self.sent.append((address.chat_id, reply.text, priority, len(reply.files)))

    def deep_link(self, payload: str) -> str | None:
        return None

    async def set_menu(self, address: object, menu: object) -> None:
        return None


async def _people(db: Database, n: int, messenger: Messenger, first_id: int = 500_000) -> list[int]:
    """`n` people with one account each on `messenger` (external and chat id from `first_id`)."""
    async with db.transaction() as session:
        people = [Person(display_name=None) for _ in range(n)]
        session.add_all(people)
        await session.flush()
        for k, person in enumerate(people):
            chat = str(first_id + k)
            session.add(
                Account(messenger=messenger, external_id=chat, chat_id=chat, person_id=person.id)
            )
        return [person.id for person in people]


async def _broadcast(
    db: Database, clock: Clock, people: list[int], text: str, payload: dict[str, object]
) -> None:
    """One broadcast's rows, as db.broadcasts queues them: BULK, one group."""
    async with db.transaction() as session:
        for person_id in people:
            await notify(
                session,
                person_id,
                "broadcast",
                text,
                f"test-broadcast:{person_id}",
                not_before=clock(),
                payload={BULK: "broadcast:test", **payload},
                priority=Priority.BULK,
            )


async def _notice(db: Database, clock: Clock, person_id: int, text: str) -> None:
    async with db.transaction() as session:
        await notify(
            session, person_id, "loan.digest", text, f"test-notice:{text}", not_before=clock()
        )


# The pace: who goes first ----------------------------------------------------------------


async def test_a_reply_goes_before_notices_and_notices_before_a_broadcast_in_the_pace() -> None:
    pace = Pace(200)
    await pace.pause(0.2)  # the first caller holds the slot a while: the others line up
    order: list[str] = []

    async def send(name: str, priority: Priority) -> None:
        await pace.wait(priority)
        order.append(name)

    broadcast = [asyncio.create_task(send(f"b{k}", Priority.BULK)) for k in range(5)]
    await _until(lambda: pace.waiting == 4)  # b0 holds the slot, b1…b4 wait in line
    later = [
        asyncio.create_task(send("notice", Priority.NOTICE)),
        asyncio.create_task(send("reply", Priority.REPLY)),
    ]
    await asyncio.gather(*broadcast, *later)
    assert order == ["b0", "reply", "notice", "b1", "b2", "b3", "b4"]


async def test_a_caller_cancelled_in_line_does_not_stall_the_others() -> None:
    pace = Pace(200)
    await pace.pause(0.1)
    order: list[str] = []

    async def send(name: str) -> None:
        await pace.wait(Priority.BULK)
        order.append(name)

    tasks = [asyncio.create_task(send(name)) for name in ("first", "gone", "last")]
    await _until(lambda: pace.waiting == 2)
    tasks[1].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert order == ["first", "last"]


# One chat: a message a second for notices ------------------------------------------------


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The pauses the pacing module asked for (none really taken)."""
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr("bot.pacing.asyncio.sleep", sleep)
    yield pauses


async def test_notices_to_one_chat_are_a_second_apart_and_other_chats_wait_for_nothing(
    slept: list[float],
) -> None:
    spacing = InMemoryChatSpacing(1.0)
    await spacing.wait("100")
    await spacing.wait("200")
    assert slept == []  # two chats: no wait
    await spacing.wait("100")
    assert len(slept) == 1 and 0.9 < slept[0] <= 1.0


async def test_the_chat_spacing_is_shared_by_the_processes_of_a_deployment(
    db: Database, backend: str, slept: list[float]
) -> None:
    if backend != "postgresql":  # one process: in memory (the test above)
        assert isinstance(chat_spacing_for(db, "telegram", "token", 1.0), InMemoryChatSpacing)
        return
    other = Database(db.engine.url)  # a second process of the deployment: its own engine
    key = slot_key("telegram", "token")
    try:
        await SharedChatSpacing(db, key, 10.0).wait("100")
        assert slept == []
        await SharedChatSpacing(other, key, 10.0).wait("200")
        assert slept == []  # another chat
        await SharedChatSpacing(other, key, 10.0).wait("100")
    finally:
        await other.dispose()
    assert len(slept) == 1 and 9.0 < slept[0] <= 10.0  # the chat's next notice waits its turn


async def test_the_telegram_transport_spaces_notices_per_chat_but_never_a_reply(
    tg: FakeTelegram, services: Services
) -> None:
    user = tg.user(7001, "Аня")
    spaced: list[str] = []

    class Spacing:
        async def wait(self, chat_id: str) -> None:
            spaced.append(chat_id)

    transport = TelegramTransport(
        Dispatcher(build_registry(), services), tg.token, tg.base_url, chat_spacing=Spacing()
    )
    try:
        address = Address(Messenger.TELEGRAM, str(user.user_id))
        await transport.deliver(address, Reply("ответ"))
        assert spaced == []
        await transport.deliver(address, Reply("напоминание"), priority=Priority.NOTICE)
        await transport.deliver(address, Reply("рассылка"), priority=Priority.BULK)
        assert spaced == [str(user.user_id)] * 2
        assert [m.text for m in user.messages] == ["ответ", "напоминание", "рассылка"]
    finally:
        await transport.close()


# The outbox's lanes -----------------------------------------------------------------------


async def test_a_notice_queued_after_a_broadcast_is_delivered_before_it(
    db: Database, clock: Clock
) -> None:
    people = await _people(db, 30, Messenger.TELEGRAM)
    await _broadcast(db, clock, people, "Завтра библиотечный урок", {})
    clock.advance(minutes=1)
    await _notice(db, clock, people[-1], "Срок сдачи книги завтра")
    port = Recorder()
    done = await deliver_due(db, {Messenger.TELEGRAM: port}, clock)
    assert done.sent == 31
    assert port.sent[0][1:3] == ("Срок сдачи книги завтра", Priority.NOTICE)
    assert {p for _, _, p, _ in port.sent[1:]} == {Priority.BULK}


async def test_the_running_dispatcher_sends_a_notice_while_a_broadcast_is_going(
    db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "BULK_BATCH", 10)
    people = await _people(db, 60, Messenger.TELEGRAM)
    await _broadcast(db, clock, people, "Неделя детской книги", {})
    port = Recorder(pause=0.01)
    stop = asyncio.Event()
    running = asyncio.create_task(
        run_outbox(db, {Messenger.TELEGRAM: port}, clock, stop, idle=0.02)
    )
    try:
        await _until(lambda: len(port.sent) >= 5)
        await _notice(db, clock, people[0], "Книга ждёт вас на полке")
        await _until(lambda: len(port.sent) == 61)
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
    texts = [text for _, text, _, _ in port.sent]
    assert texts.count("Книга ждёт вас на полке") == 1
    # Sent with the broadcast's second batch or so, not after its 60 rows.
    assert texts.index("Книга ждёт вас на полке") < 40


class Gate(Recorder):
    """A port whose sends wait until the test opens it."""

    def __init__(self) -> None:
        super().__init__()
        self.open = asyncio.Event()
        self.waiting = 0

    async def deliver(self, address: Address, reply: Reply, **kwargs: object) -> None:
        self.waiting += 1
        await self.open.wait()
        await super().deliver(address, reply, **kwargs)  # type: ignore[arg-type]


async def test_a_broadcasts_next_batch_is_leased_while_the_one_before_goes_out(
    db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two batches of a broadcast in hand at once, so the messenger's pace is not left idle
    while the next is leased and planned; each person still gets it once."""
    monkeypatch.setattr(outbox, "BULK_BATCH", 10)
    people = await _people(db, 25, Messenger.TELEGRAM)
    await _broadcast(db, clock, people, "Неделя детской книги", {})
    port = Gate()
    sending = asyncio.create_task(deliver_due(db, {Messenger.TELEGRAM: port}, clock))

    async def leased() -> int:
        async with db.reading() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.lease_token.is_not(None))
                )
                or 0
            )

    await _until(lambda: port.waiting == 2 * outbox.WORKERS)  # both batches sending, none sent
    assert await leased() == 20 and port.sent == []
    port.open.set()
    done = await asyncio.wait_for(sending, 30)
    assert done.sent == 25
    assert sorted(chat for chat, *_ in port.sent) == [str(500_000 + k) for k in range(25)]


async def test_a_broadcasts_stored_file_goes_out_with_its_text(db: Database, clock: Clock) -> None:
    people = await _people(db, 3, Messenger.TELEGRAM)
    async with db.transaction() as session:
        photo = await store_file(session, "photo", "афиша.png", PHOTO, clock())
    await _broadcast(db, clock, people, "Приходите на встречу с автором", {FILES: [photo.id]})
    port = Recorder()
    await deliver_due(db, {Messenger.TELEGRAM: port}, clock)
    assert sorted(port.sent) == sorted(
        (str(500_000 + k), "Приходите на встречу с автором", Priority.BULK, 1) for k in range(3)
    )


# VK: a hundred people a call -------------------------------------------------------------


def _vk_port(vk: FakeVK, services: Services) -> VkTransport:
    client = VkClient(vk.token, vk.base_url, Pace(REQUESTS_PER_SECOND))
    return VkTransport(Dispatcher(build_registry(), services), client, vk.group_id)


async def test_a_vk_broadcast_goes_to_a_hundred_people_a_call_once_each(
    db: Database, clock: Clock, vk: FakeVK, services: Services
) -> None:
    first = 700_000
    users = [vk.user(first + k) for k in range(150)]
    users[7].deny()  # forbade the community to write
    people = await _people(db, 150, Messenger.VK, first_id=first)
    async with db.transaction() as session:
        photo = await store_file(session, "photo", "афиша.png", PHOTO, clock())
    await _broadcast(db, clock, people, "Конкурс чтецов в пятницу", {FILES: [photo.id]})
    port = _vk_port(vk, services)
    assert isinstance(port, BulkPort)
    try:
        done = await deliver_due(db, {Messenger.VK: port}, clock)
        again = await deliver_due(db, {Messenger.VK: port}, clock)
    finally:
        port.client.close()
    assert (done.sent, done.skipped, again.sent) == (149, 1, 0)
    sends = vk.calls_to("messages.send")
    # 150 people: two calls for the text (100 + 50) and two for the photo.
    assert len(sends) == 4
    for k, user in enumerate(users):
        texts = [m.text for m in vk.messages(user.user_id)]
        if k == 7:
            assert texts == []
            continue
        assert texts.count("Конкурс чтецов в пятницу") == 1
        assert len(vk.messages(user.user_id)) == 2  # the text, then the photo
    async with db.reading() as session:
        denied = await session.scalar(
            select(Account.unreachable).where(Account.external_id == str(first + 7))
        )
        statuses = dict(
            (
                await session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                )
            ).all()
        )
        recorded = await session.scalar(select(func.count()).select_from(OutboxDelivery))
    assert denied is True
    assert statuses == {OutboxStatus.SENT: 149, OutboxStatus.SKIPPED: 1}
    assert recorded == 150


async def test_a_repeated_vk_bulk_call_shows_nobody_the_message_twice(
    vk: FakeVK, services: Services
) -> None:
    """A crash between the call and its record means the same call again after the lease:
    the same key, so the same random_id, and VK drops the repeat for every peer."""
    users = [vk.user(800_000 + k) for k in range(3)]
    addresses = [Address(Messenger.VK, str(u.user_id)) for u in users]
    port = _vk_port(vk, services)
    try:
        for _ in range(2):
            answers = await port.deliver_to_many(
                addresses, Reply("Библиотека закрыта в субботу"), key="k", priority=Priority.BULK
            )
            assert answers == [None, None, None]
    finally:
        port.client.close()
    assert [len(vk.messages(u.user_id)) for u in users] == [1, 1, 1]
    assert vk.duplicates_suppressed == 3


async def test_a_poster_sent_to_many_telegram_chats_is_uploaded_once(
    tg: FakeTelegram, services: Services
) -> None:
    users = [tg.user(7100 + k, "Аня") for k in range(3)]
    transport = TelegramTransport(Dispatcher(build_registry(), services), tg.token, tg.base_url)
    poster = OutFile("photo", "афиша.png", PHOTO)
    try:
        for user in users:
            address = Address(Messenger.TELEGRAM, str(user.user_id))
            await transport.deliver(address, Reply("Афиша", files=[poster]), priority=Priority.BULK)
    finally:
        await transport.close()
    sends = tg.calls_to("sendPhoto")
    assert [call.transport for call in sends] == ["multipart", "urlencoded", "urlencoded"]
    assert len({call.params["photo"] for call in sends[1:]}) == 1  # the first upload's file_id
    for user in users:
        assert user.messages[0].text == "Афиша"
        assert (user.messages[-1].kind, user.messages[-1].file) == ("photo", PHOTO)
