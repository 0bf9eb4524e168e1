"""Delivering the outbox: to reachable accounts only, after quiet hours, retried on failure,
each notice once even with two dispatchers at work."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from db.engine import Database
from db.enums import Messenger, OutboxStatus
from db.models import Account, OutboxMessage
from jobs.outbox import MAX_ATTEMPTS, deliver_due
from jobs.scheduler import build_scheduler
from messages.types import Button, RecipientUnreachable
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import also_on_telegram

TELEGRAM_CHAT = "555000"


class FakeSender:
    def __init__(self, *, fail: type[Exception] | None = None, delay: float = 0) -> None:
        self.sent: list[tuple[str, str]] = []
        self.buttons: list[list[list[Button]]] = []
        self.fail = fail
        self.delay = delay

    async def send_notice(
        self, chat_id: str, text: str, buttons: list[list[Button]] | None = None
    ) -> None:
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail("simulated")
        self.sent.append((chat_id, text))
        self.buttons.append(buttons or [])


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
    sender = FakeSender()
    done = await deliver_due(demo_db, {Messenger.TELEGRAM: sender}, clock, pause=0)
    assert sender.sent == [(TELEGRAM_CHAT, "📥 Книга «Недоросль» возвращена. Спасибо!")]
    # The parent has only a console account here: nobody can carry it, so it is skipped.
    assert (done.sent, done.skipped, done.failed) == (1, 1, 0)
    assert await _statuses(demo_db) == [OutboxStatus.SENT, OutboxStatus.SKIPPED]
    again = await deliver_due(demo_db, {Messenger.TELEGRAM: sender}, clock, pause=0)
    assert (again.sent, len(sender.sent)) == (0, 1)  # sent once


async def test_a_notice_waits_out_the_night(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "student", TELEGRAM_CHAT)
    clock.now = datetime(2026, 11, 16, 19, 30, tzinfo=UTC)  # 22:30 at the school
    await _return_marias_book(chat)
    sender = FakeSender()
    await deliver_due(demo_db, {Messenger.TELEGRAM: sender}, clock, pause=0)
    assert sender.sent == []
    clock.now = datetime(2026, 11, 17, 5, 0, tzinfo=UTC)  # 08:00
    await deliver_due(demo_db, {Messenger.TELEGRAM: sender}, clock, pause=0)
    assert len(sender.sent) == 1


async def test_a_blocked_bot_marks_the_account_and_failures_are_retried_then_given_up(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "student", TELEGRAM_CHAT)
    await _return_marias_book(chat)
    blocked = FakeSender(fail=RecipientUnreachable)
    await deliver_due(demo_db, {Messenger.TELEGRAM: blocked}, clock, pause=0)
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
    down = FakeSender(fail=ConnectionError)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        clock.advance(hours=1)
        done = await deliver_due(demo_db, {Messenger.TELEGRAM: down}, clock, pause=0)
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


async def test_two_dispatchers_send_each_notice_once(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "student", TELEGRAM_CHAT)
    librarian = chat("librarian")
    await librarian.send("/reader 1001")
    await librarian.press("🔄 2")
    await _return_marias_book(chat)
    slow = FakeSender(delay=0.05)
    first, second = await asyncio.gather(
        deliver_due(demo_db, {Messenger.TELEGRAM: slow}, clock, pause=0),
        deliver_due(demo_db, {Messenger.TELEGRAM: slow}, clock, pause=0),
    )
    assert first.sent + second.sent == 2
    assert len(slow.sent) == len(set(slow.sent)) == 2


async def test_the_scheduler_delivers_the_outbox(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await also_on_telegram(demo_db, "student", TELEGRAM_CHAT)
    await _return_marias_book(chat)
    sender = FakeSender()
    scheduler = build_scheduler(demo_db, {Messenger.TELEGRAM: sender}, clock)
    assert {job.id for job in scheduler.get_jobs()} == {"outbox", "hold_shelf", "retention"}
    scheduler.start()
    try:
        for _ in range(100):
            if sender.sent:
                break
            await asyncio.sleep(0.05)
    finally:
        scheduler.shutdown(wait=False)
    assert sender.sent == [(TELEGRAM_CHAT, "📥 Книга «Недоросль» возвращена. Спасибо!")]
