"""The outbox dispatcher under crashes and load: a lease belongs to the batch that took it and
is renewed while it runs, a killed process's rows come due after the short lease, two
dispatchers never send one row twice, one slow chat holds up nobody else, a call drains more
than one batch; and a notice whose cause went away before it was sent is not sent."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from bot.console import ConsolePort
from db.engine import Database
from db.enums import Messenger, OutboxStatus, Priority, RoleName
from db.models import (
    Account,
    Item,
    Library,
    Loan,
    OutboxMessage,
    Person,
    Reader,
    Record,
    Role,
)
from db.outbox import STILL, notify, still_true
from jobs import outbox
from jobs.outbox import LEASE, STALE, Delivery, deliver_due
from jobs.reminders import DIGEST_KIND
from messages.port import Address, Menu
from messages.types import Reply
from tests.conftest import FIXED_NOW
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import keep_one_copy


class Port:
    """A Telegram port that records each delivery (chat, text, key) and can be made to wait:
    deliveries to a chat in `held` wait until it is released; `pause` seconds per send."""

    def __init__(self, *, pause: float = 0, held: set[str] | None = None) -> None:
        self.delivered: list[tuple[str, str, str | None]] = []
        self.pause = pause
        self.held = set(held or ())
        self.waiting = asyncio.Event()  # a delivery is waiting to be released
        self.release = asyncio.Event()

    async def deliver(
        self,
        address: Address,
        reply: Reply,
        *,
        key: str | None = None,
        edit: str | None = None,
        priority: Priority = Priority.REPLY,
    ) -> None:
        if address.chat_id in self.held:
            self.waiting.set()
            await self.release.wait()
        await asyncio.sleep(self.pause)
        self.delivered.append((address.chat_id, reply.text, key))

    def deep_link(self, payload: str) -> str | None:
        return None

    async def set_menu(self, address: Address, menu: Menu) -> None:
        return None

    def texts_to(self, chat_id: str) -> list[str]:
        return [text for chat, text, _ in self.delivered if chat == chat_id]


async def _people(db: Database, *chats: str) -> dict[str, int]:
    """A person on Telegram for each chat id; their ids by chat."""
    async with db.transaction() as session:
        people = {chat: Person(display_name=f"p{chat}") for chat in chats}
        session.add_all(people.values())
        await session.flush()
        session.add_all(
            Account(messenger=Messenger.TELEGRAM, external_id=chat, chat_id=chat, person_id=p.id)
            for chat, p in people.items()
        )
        return {chat: p.id for chat, p in people.items()}


async def _queue(db: Database, person_id: int, *texts: str) -> None:
    async with db.transaction() as session:
        for text in texts:
            await notify(session, person_id, "test", text, f"test:{person_id}:{text}")


async def _statuses(db: Database) -> list[tuple[OutboxStatus, str | None]]:
    async with db.reading() as session:
        rows = await session.execute(
            select(OutboxMessage.status, OutboxMessage.lease_token).order_by(OutboxMessage.id)
        )
        return [(status, token) for status, token in rows]


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


def _telegram(port: Port) -> dict[Messenger, Port]:
    return {Messenger.TELEGRAM: port}


# Leases -------------------------------------------------------------------------------------


async def test_a_killed_dispatchers_rows_come_due_after_the_short_lease(
    db: Database, clock: Clock
) -> None:
    people = await _people(db, "1")
    await _queue(db, people["1"], "раз", "два")
    await outbox._lease(
        db, clock(), uuid4().hex, outbox.Lane.NOTICES
    )  # leased by a process killed right after
    port = Port()
    assert await deliver_due(db, _telegram(port), clock) == Delivery()
    clock.advance(seconds=LEASE.total_seconds())
    assert await deliver_due(db, _telegram(port), clock) == Delivery(sent=2)
    assert port.texts_to("1") == ["раз", "два"]
    assert await _statuses(db) == [(OutboxStatus.SENT, None)] * 2


async def test_a_dispatcher_that_lost_its_lease_neither_sends_nor_marks_its_rows(
    db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "RENEW_EVERY", timedelta(hours=1))  # as if its renewals stalled
    people = await _people(db, "1")
    await _queue(db, people["1"], "раз", "два")
    stuck = Port(held={"1"})
    first = asyncio.create_task(deliver_due(db, _telegram(stuck), clock))
    await stuck.waiting.wait()  # «раз» is in flight
    clock.advance(seconds=LEASE.total_seconds() + 1)
    other = Port()
    assert await deliver_due(db, _telegram(other), clock) == Delivery(sent=2)
    stuck.release.set()
    # The first dispatcher marks nothing and does not send «два»: the rows are the other's.
    assert await first == Delivery()
    assert stuck.texts_to("1") == ["раз"]  # in flight when the lease was lost
    assert other.texts_to("1") == ["раз", "два"]
    assert await _statuses(db) == [(OutboxStatus.SENT, None)] * 2


async def test_the_lease_is_renewed_while_a_slow_batch_runs(
    db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "RENEW_EVERY", timedelta(milliseconds=10))
    people = await _people(db, "1")
    await _queue(db, people["1"], "раз")
    slow = Port(held={"1"})
    first = asyncio.create_task(deliver_due(db, _telegram(slow), clock))
    await slow.waiting.wait()
    clock.advance(seconds=20)
    renewed_until = clock() + LEASE

    async def lease_end() -> datetime | None:
        async with db.reading() as session:
            return await session.scalar(select(OutboxMessage.not_before))

    for _ in range(1000):
        if await lease_end() == renewed_until:
            break
        await asyncio.sleep(0.01)
    assert await lease_end() == renewed_until
    clock.advance(seconds=20)  # the first lease would have run out by now
    other = Port()
    assert await deliver_due(db, _telegram(other), clock) == Delivery()
    slow.release.set()
    assert await first == Delivery(sent=1)
    assert other.delivered == [] and slow.texts_to("1") == ["раз"]


class RunningClock:
    """Time that passes: the fixed now plus the seconds since the test began."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self) -> datetime:
        return FIXED_NOW + timedelta(seconds=time.monotonic() - self.start)


async def test_two_dispatchers_never_send_a_row_twice_with_a_slow_messenger(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each dispatcher has its own connections; the lease (1 s here) is shorter than one
    person's rows take to send (4 × 0.3 s), so only its renewal keeps the other away. (A
    person's rows may be split between the two, so their order is kept within each only.)"""
    monkeypatch.setattr(outbox, "LEASE", timedelta(seconds=1))
    monkeypatch.setattr(outbox, "RENEW_EVERY", timedelta(milliseconds=100))
    monkeypatch.setattr(outbox, "BATCH", 5)
    chats = [str(n) for n in range(1, 7)]
    people = await _people(db, *chats)
    for chat in chats:
        await _queue(db, people[chat], *(f"{chat}-{n}" for n in range(4)))
    port = Port(pause=0.3)
    running = RunningClock()
    second_db = Database(db.engine.url.render_as_string(hide_password=False))

    async def pending() -> int:
        async with db.reading() as session:
            return (
                await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == OutboxStatus.PENDING)
                )
                or 0
            )

    async def dispatcher(database: Database) -> int:
        sent = 0
        for _ in range(100):
            sent += (await deliver_due(database, _telegram(port), running)).sent
            if not await pending():
                break
            await asyncio.sleep(0.05)
        return sent

    try:
        first, second = await asyncio.gather(dispatcher(db), dispatcher(second_db))
    finally:
        await second_db.dispose()
    keys = [key for _, _, key in port.delivered]
    assert len(keys) == len(set(keys)) == 24
    assert first + second == 24
    assert await _statuses(db) == [(OutboxStatus.SENT, None)] * 24


# Throughput ---------------------------------------------------------------------------------


async def test_one_slow_chat_holds_up_nobody_else(db: Database, clock: Clock) -> None:
    """A chat waiting out its messenger's rate limit: the others are sent meanwhile (were they
    not, the round would wait forever for the release that comes after them)."""
    people = await _people(db, "slow", "2", "3")
    await _queue(db, people["slow"], "первое", "второе")
    await _queue(db, people["2"], "другому")
    await _queue(db, people["3"], "третьему")
    port = Port(held={"slow"})
    round_ = asyncio.create_task(deliver_due(db, _telegram(port), clock))
    await _until(lambda: len(port.delivered) == 2)
    assert sorted(text for _, text, _ in port.delivered) == ["другому", "третьему"]
    port.release.set()
    assert await asyncio.wait_for(round_, 30) == Delivery(sent=4)
    assert port.texts_to("slow") == ["первое", "второе"]  # one person's rows in order


async def test_one_call_drains_more_than_a_batch(
    db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "BATCH", 2)
    people = await _people(db, "1", "2")
    await _queue(db, people["1"], "a", "b", "c")
    await _queue(db, people["2"], "d", "e")
    port = Port()
    assert await deliver_due(db, _telegram(port), clock) == Delivery(sent=5)
    assert port.texts_to("1") == ["a", "b", "c"] and port.texts_to("2") == ["d", "e"]


# Checked at send time ---------------------------------------------------------------------


async def _remind(db: Database, title: str, now: datetime) -> None:
    """Queue a due-date digest about Мария's loan of a title (card 1001 at school-1), carrying
    what the digests of jobs/reminders.py carry: the loan and its due date, to hold at sending."""
    async with db.transaction() as session:
        loan, person_id = (
            await session.execute(
                select(Loan, Role.person_id)
                .join(Reader, Reader.id == Loan.reader_id)
                .join(Role, (Role.reader_id == Reader.id) & (Role.role == RoleName.READER))
                .join(Item, Item.id == Loan.item_id)
                .join(Record, Record.id == Item.record_id)
                .join(Library, Library.id == Reader.library_id)
                .where(
                    Record.title == title,
                    Library.code == "school-1",
                    Reader.card_number == "1001",
                    Loan.returned_at.is_(None),
                )
            )
        ).one()
        still = {"loans": {str(loan.id): loan.due_at.isoformat()}}
        assert await notify(
            session,
            person_id,
            DIGEST_KIND,
            f"⏰ Сегодня: «{title}»",
            f"digest-test:{loan.id}",
            not_before=now,
            payload={STILL: still},
        )


async def _console(db: Database, clock: Clock) -> ConsolePort:
    console = ConsolePort(out=io.StringIO())
    await deliver_due(db, {Messenger.CONSOLE: console}, clock)
    return console


def _delivered(console: ConsolePort) -> list[str]:
    return [reply.text for _, reply, _ in console.delivered]


async def _stale(db: Database) -> list[str]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(OutboxMessage.kind)
                .where(OutboxMessage.last_error == STALE)
                .order_by(OutboxMessage.id)
            )
        )


async def test_a_book_returned_after_its_reminder_was_queued_is_not_reminded(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await _remind(demo_db, "Недоросль", clock())
    librarian = chat("librarian")
    await librarian.send("/reader 1001")
    inventory = librarian.text.split("инв. № ")[1].split(")")[0]
    await librarian.send(f"/return {inventory}")
    assert "Принято: «Недоросль»" in librarian.text
    sent = _delivered(await _console(demo_db, clock))
    assert not [text for text in sent if text.startswith("⏰")]
    assert "📥 Книга «Недоросль» возвращена. Спасибо!" in sent
    assert await _stale(demo_db) == [DIGEST_KIND]


async def test_a_book_renewed_after_its_reminder_was_queued_is_not_reminded(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await _remind(demo_db, "Бедная Лиза", clock())
    await _remind(demo_db, "Недоросль", clock())  # stays as it was
    librarian = chat("librarian")
    await librarian.send("/reader 1001")
    await librarian.press("🔄 2")
    assert "Продлено: «Бедная Лиза»" in librarian.text
    sent = _delivered(await _console(demo_db, clock))
    assert "⏰ Сегодня: «Бедная Лиза»" not in sent
    assert [text for text in sent if "Бедная Лиза" in text and "продлена" in text]
    assert "⏰ Сегодня: «Недоросль»" in sent  # still late: still told
    assert await _stale(demo_db) == [DIGEST_KIND]


async def test_a_hold_cancelled_before_its_notice_went_out_is_not_announced(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await keep_one_copy(demo_db, "Пиковая дама")
    student, librarian = chat("student"), chat("librarian")
    await student.send("хочу взять пиковую даму")
    await student.press("📌 1")
    await librarian.send("/holds")
    await librarian.press("✅ 1")
    assert "Одобрено: «Пиковая дама»" in librarian.text
    await student.send("мои брони")
    await student.press("✖ 📌1")
    assert student.text.startswith("Бронь на книгу «Пиковая дама» снята.")
    sent = _delivered(await _console(demo_db, clock))
    assert not [text for text in sent if "ждёт" in text]
    # The student's and the parent's «ждёт вас», and the other librarian's «Новая заявка» for
    # a request already approved.
    assert await _stale(demo_db) == ["hold.requested", "hold.ready", "hold.ready"]


async def test_a_digest_is_still_true_while_one_of_its_loans_is(
    demo_db: Database,
) -> None:
    async with demo_db.transaction() as session:
        loans = list(
            await session.scalars(
                select(Loan).where(Loan.returned_at.is_(None)).order_by(Loan.id).limit(2)
            )
        )
        named = {str(loan.id): loan.due_at.isoformat() for loan in loans}
        assert await still_true(session, {"loans": named})
        assert await still_true(session, {})
        loans[0].returned_at = FIXED_NOW
        await session.flush()
        assert await still_true(session, {"loans": named})  # a digest: the other still holds
        loans[1].due_at += timedelta(days=7)
        await session.flush()
        assert not await still_true(session, {"loans": named})
        assert not await still_true(session, {"loans": {}})
        assert not await still_true(session, {"hold": {"id": 10**9, "status": "ready"}})
