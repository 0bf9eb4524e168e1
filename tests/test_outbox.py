"""Delivering the outbox through the outgoing port: to reachable accounts only, after quiet
hours, retried on failure, each notice once even with two dispatchers at work."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

from sqlalchemy import select

from bot.console import ConsolePort
from db.engine import Database
from db.enums import Messenger, OutboxStatus, Priority
from db.models import Account, OutboxMessage
from jobs.outbox import MAX_ATTEMPTS, deliver_due, run_outbox
from messages.port import Address, Menu, Port
from messages.types import Button, RecipientUnreachable, Reply
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import also_on_telegram

TELEGRAM_CHAT = "555000"


class FakePort:
    """A messenger's outgoing port that records what it delivered, or fails as told: `fail`
    for every delivery, `fail_times` for the first few to a chat."""

    def __init__(
        self,
        messenger: Messenger = Messenger.TELEGRAM,
        *,
        fail: type[Exception] | None = None,
        fail_times: dict[str, int] | None = None,
        delay: float = 0,
    ) -> None:
        self.messenger = messenger
        self.delivered: list[tuple[Address, Reply, str | None]] = []
        self.tries: list[tuple[str, str | None]] = []  # (chat id, key) of every call
        self.fail = fail
        self.fail_times = dict(fail_times or {})
        self.delay = delay

    async def deliver(
        self,
        address: Address,
        reply: Reply,
        *,
        key: str | None = None,
        edit: str | None = None,
        priority: Priority = Priority.REPLY,
    ) -> None:
        assert address.messenger == self.messenger
        self.tries.append((address.chat_id, key))
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail("simulated")
        if self.fail_times.get(address.chat_id, 0) > 0:
            self.fail_times[address.chat_id] -= 1
            raise ConnectionError("simulated")
        self.delivered.append((address, reply, key))

    def deep_link(self, payload: str) -> str | None:
        return None

    async def set_menu(self, address: Address, menu: Menu) -> None:
        return None

    @property
    def sent(self) -> list[tuple[str, str]]:
        return [(address.chat_id, reply.text) for address, reply, _ in self.delivered]

    def buttons_to(self, chat_id: str) -> list[list[list[Button]]]:
        return [reply.buttons for address, reply, _ in self.delivered if address.chat_id == chat_id]


def _port_check(port: Port) -> Port:  # both fakes satisfy the protocol the jobs rely on
    return port


async def _return_marias_book(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("/reader 1001")
    inventory = librarian.text.split("инв. № ")[1].split(")")[0]
    await librarian.send(f"/return {inventory}")
    assert "Принято:" in librarian.text


async def _statuses(db: Database) -> list[OutboxStatus]:
    async with db.reading() as session:
        return list(await session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


async def test_notices_go_to_reachable_accounts_and_are_marked(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "student", TELEGRAM_CHAT)
    await _return_marias_book(chat)
    port = _port_check(FakePort())
    assert isinstance(port, FakePort)
    done = await deliver_due(demo_db, {Messenger.TELEGRAM: port}, clock)
    assert port.sent == [(TELEGRAM_CHAT, "📥 Книга «Недоросль» возвращена. Спасибо!")]
    # The parent has only a console account here, and no console port: it is skipped.
    assert (done.sent, done.skipped, done.failed) == (1, 1, 0)
    assert await _statuses(demo_db) == [OutboxStatus.SENT, OutboxStatus.SKIPPED]
    again = await deliver_due(demo_db, {Messenger.TELEGRAM: port}, clock)
    assert (again.sent, len(port.sent)) == (0, 1)  # sent once


async def test_the_console_is_a_messenger_the_outbox_delivers_to(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await _return_marias_book(chat)
    out = io.StringIO()
    console = _port_check(ConsolePort(out=out))
    assert isinstance(console, ConsolePort)
    done = await deliver_due(demo_db, {Messenger.CONSOLE: console}, clock)
    assert (done.sent, done.skipped, done.failed) == (2, 0, 0)  # the student and the parent
    assert [(a.chat_id, r.text) for a, r, _ in console.delivered] == [
        ("student", "📥 Книга «Недоросль» возвращена. Спасибо!"),
        ("parent", console.delivered[1][1].text),
    ]
    assert "📬 для «student»: 📥 Книга «Недоросль» возвращена. Спасибо!" in out.getvalue()
    keys = [key for _, _, key in console.delivered]
    assert all(key and key.startswith("outbox-") for key in keys) and len(set(keys)) == 2
    assert console.deep_link("X") is None


async def test_a_notice_waits_out_the_night(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "student", TELEGRAM_CHAT)
    clock.now = datetime(2026, 11, 16, 19, 30, tzinfo=UTC)  # 22:30 at the school
    await _return_marias_book(chat)
    port = FakePort()
    await deliver_due(demo_db, {Messenger.TELEGRAM: port}, clock)
    assert port.sent == []
    clock.now = datetime(2026, 11, 17, 5, 0, tzinfo=UTC)  # 08:00
    await deliver_due(demo_db, {Messenger.TELEGRAM: port}, clock)
    assert len(port.sent) == 1


async def test_a_blocked_bot_marks_the_account_and_failures_are_retried_then_given_up(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "student", TELEGRAM_CHAT)
    await _return_marias_book(chat)
    blocked = FakePort(fail=RecipientUnreachable)
    await deliver_due(demo_db, {Messenger.TELEGRAM: blocked}, clock)
    assert (await _statuses(demo_db))[0] == OutboxStatus.SKIPPED
    async with demo_db.reading() as session:
        account = await session.scalar(select(Account).where(Account.external_id == TELEGRAM_CHAT))
        assert account is not None and account.unreachable

    async with demo_db.transaction() as session:  # they wrote again; a new notice is due
        account = await session.get(Account, account.id)
        assert account is not None
        account.unreachable = False
    librarian = chat("librarian")
    await librarian.send("/reader 1001")
    await librarian.press("🔄 1")
    assert "Продлено: «Бедная Лиза»" in librarian.text
    down = FakePort(fail=ConnectionError)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        clock.advance(hours=1)
        done = await deliver_due(demo_db, {Messenger.TELEGRAM: down}, clock)
        assert done.failed >= 1, attempt
    async with demo_db.reading() as session:
        renewed = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.kind == "loan.renewed",
                OutboxMessage.status != OutboxStatus.SKIPPED,  # the parent's console copy
            )
        )
    assert renewed is not None
    assert renewed.status == OutboxStatus.FAILED and renewed.attempts == MAX_ATTEMPTS
    assert renewed.last_error == "ConnectionError"
    # The same key on every retry: a messenger with idempotent sends never doubles it.
    assert len(down.tries) == MAX_ATTEMPTS and len(set(down.tries)) == 1


async def test_two_dispatchers_send_each_notice_once(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "student", TELEGRAM_CHAT)
    librarian = chat("librarian")
    await librarian.send("/reader 1001")
    await librarian.press("🔄 2")
    await _return_marias_book(chat)
    slow = FakePort(delay=0.05)
    first, second = await asyncio.gather(
        deliver_due(demo_db, {Messenger.TELEGRAM: slow}, clock),
        deliver_due(demo_db, {Messenger.TELEGRAM: slow}, clock),
    )
    assert first.sent + second.sent == 2
    assert len(slow.sent) == len(set(slow.sent)) == 2


async def test_the_running_dispatcher_delivers_the_outbox_and_stops_when_told(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "student", TELEGRAM_CHAT)
    await _return_marias_book(chat)
    port = FakePort()
    stop = asyncio.Event()
    dispatcher = asyncio.create_task(
        run_outbox(demo_db, {Messenger.TELEGRAM: port}, clock, stop, idle=0.05)
    )
    try:
        for _ in range(200):
            if port.sent:
                break
            await asyncio.sleep(0.05)
    finally:  # the batch in hand finishes: a loop cancelled mid-transaction can hang aiosqlite
        stop.set()
        await asyncio.wait_for(dispatcher, 30)
    assert port.sent == [(TELEGRAM_CHAT, "📥 Книга «Недоросль» возвращена. Спасибо!")]
