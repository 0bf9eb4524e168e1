"""Nothing slow happens inside an event's write transaction (handlers/dispatcher.py).

On SQLite an event's transaction is ``BEGIN IMMEDIATE``: while it is open, every other chat's
write waits. A photo's download is the transport's (before the core), its barcodes are read in
a worker thread and the search index is caught up in a read-only session, both before the
transaction opens; these tests hold that true.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest
from aiohttp import web
from sqlalchemy import event, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.telegram import TelegramTransport
from db.catalog import edit_record
from db.engine import READ_ONLY, Database
from db.enums import RoleName
from db.models import CatalogChange, Record
from handlers.services import Services
from messages import texts
from nlu import barcode
from nlu.barcode import barcode_image
from tests.conftest import FIXED_NOW, telegram_transport
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.fake_telegram import FakeTelegram
from tests.support.library import copies
from tests.test_telegram import expect, link_code

LIBRARIAN, STUDENT = 1001, 2002
DOWNLOAD_DELAY = 2.0  # seconds the fake Telegram takes to hand over the librarian's photo
MOST = 0.25  # the share of that delay another chat's search may wait, at most


@pytest.fixture
async def webhook(
    tg: FakeTelegram, services: Services, unused_tcp_port: int
) -> AsyncIterator[TelegramTransport]:
    """The bot behind a webhook: each update is its own HTTP request, served at once."""
    transport = telegram_transport(tg, services)
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/webhook"
    runner = web.AppRunner(transport.webhook_app(url, "s3cret-Token_1"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        yield transport
    finally:
        await runner.cleanup()
        await transport.close()


class WriteTransactions:
    """Counts the write transactions open on a database right now."""

    def __init__(self, db: Database) -> None:
        self.open = 0
        self._transaction = db.transaction

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self._transaction() as session:
            self.open += 1
            try:
                yield session
            finally:
                self.open -= 1


@pytest.fixture
def writes(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[WriteTransactions]:
    counter = WriteTransactions(demo_db)
    monkeypatch.setattr(demo_db, "transaction", counter.transaction)
    yield counter


# a) The acceptance test: a slow photo download in one chat, a search in another -------------


async def _photo_while_another_chat_searches(
    tg: FakeTelegram, demo_db: Database, clock: Clock
) -> None:
    """The librarian's photo takes DOWNLOAD_DELAY to download; meanwhile a student searches.
    The student's answer comes first, and waits a small share of the delay at most."""
    librarian, student = tg.user(LIBRARIAN, "Ольга"), tg.user(STUDENT, "Маша")
    await librarian.send(f"/start {await link_code(demo_db, clock, RoleName.LIBRARIAN)}")
    await expect(tg, librarian, "Вы — библиотекарь")
    await student.send("война и мир")  # the search index is open, the student known
    await expect(tg, student, "Война и мир")
    [item, *_] = await copies(demo_db, "Ревизор")
    answered = f"Экземпляр инв. № {item.inventory_number}"

    tg.download_delay = DOWNLOAD_DELAY
    downloads = len(tg.downloads)
    # A webhook delivery returns once the bot has answered it: the photo goes in a task.
    photo = asyncio.create_task(librarian.send_photo(barcode_image(item.barcode or "", "EAN13")))
    await tg.wait_until(lambda: len(tg.downloads) > downloads)  # the slow download is under way

    loop = asyncio.get_running_loop()
    asked = loop.time()
    before = len(student.messages)
    await student.send("капитанская дочка")
    await expect(tg, student, "Капитанская дочка", since=before)
    waited = loop.time() - asked
    librarian_answered_first = any(answered in (m.text or "") for m in librarian.messages)

    await photo
    await expect(tg, librarian, answered)  # the photo is answered all the same
    ratio = waited / DOWNLOAD_DELAY
    print(f"the student's search took {ratio:.3f} × the photo's download delay")
    assert ratio < MOST and not librarian_answered_first, (
        f"the student's search waited {ratio:.2f} × the photo's download delay "
        f"({waited:.2f} s of {DOWNLOAD_DELAY} s; at most {MOST} × is allowed)"
        + (", and was answered after the photo" if librarian_answered_first else "")
    )


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_in_webhook_mode_a_slow_photo_download_does_not_delay_another_chats_search(
    tg: FakeTelegram, webhook: TelegramTransport, demo_db: Database, clock: Clock
) -> None:
    await _photo_while_another_chat_searches(tg, demo_db, clock)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_in_polling_mode_a_slow_photo_download_does_not_delay_another_chats_search(
    tg: FakeTelegram, polling: TelegramTransport, demo_db: Database, clock: Clock
) -> None:
    await _photo_while_another_chat_searches(tg, demo_db, clock)


# b) A slow barcode decode holds neither the write lock nor the event loop -------------------


async def test_a_slow_barcode_decode_does_not_hold_the_write_lock(
    chat: ChatFactory, demo_db: Database, writes: WriteTransactions, monkeypatch: pytest.MonkeyPatch
) -> None:
    librarian, student = chat("librarian"), chat("student")
    [item, *_] = await copies(demo_db, "Ревизор")
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}
    read = barcode.read_barcodes

    def slow_read(data: bytes) -> list[str]:
        """A big photo: the decode goes on until the test lets it end."""
        seen["in a worker thread"] = threading.current_thread() is not threading.main_thread()
        seen["write transactions open"] = writes.open
        seen["sqlite write lock held"] = _sqlite_write_locked(demo_db)
        started.set()
        release.wait(timeout=30)
        finished.set()
        return read(data)

    monkeypatch.setattr(barcode, "read_barcodes", slow_read)
    photo = asyncio.create_task(librarian.send_photo(barcode_image(item.barcode or "", "EAN13")))
    assert await asyncio.to_thread(started.wait, 30), "the photo was never read"

    await student.send("/mybooks")  # another chat's write, its own transaction
    decoding = not finished.is_set()
    release.set()
    await photo

    assert decoding, "the student's event had to wait for the librarian's barcode decode"
    assert "на руках" in student.text, student.text
    assert seen == {
        "in a worker thread": True,
        "write transactions open": 0,
        "sqlite write lock held": False if demo_db.dialect == "sqlite" else None,
    }
    assert f"Экземпляр инв. № {item.inventory_number}" in librarian.text, librarian.text


async def test_only_a_librarians_photo_is_read(
    chat: ChatFactory, demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader's photo is refused unread: decoding it would cost CPU for nothing."""
    reads: list[bytes] = []
    monkeypatch.setattr(barcode, "read_barcodes", lambda data: reads.append(data) or [])
    student = chat("student")
    await student.send_photo(barcode_image("1234567890128", "EAN13"))
    assert student.text == texts.DESK_PHOTO_ONLY_LIBRARIANS and reads == []


# c) The search index catches up before the transaction, not inside it ---------------------


async def test_the_search_index_catches_up_before_the_write_transaction(
    chat: ChatFactory,
    services: Services,
    demo_db: Database,
    writes: WriteTransactions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    search = services.search
    search.check_interval = 0  # every search looks at the change log: the strictest case
    refresh = search.refresh
    calls: list[dict[str, object]] = []
    queries = _Queries(demo_db)

    async def spy(session: AsyncSession) -> None:
        before = search._seen_change  # the last catalog change the index covers
        with queries.counting() as counted:
            await refresh(session)
        calls.append(
            {
                "in a write transaction": writes.open > 0,
                "read-only session": bool(session.bind.get_execution_options().get(READ_ONLY)),
                "sqlite write lock held": _sqlite_write_locked(demo_db),
                "caught up": search._seen_change != before,
                "queries": counted[0],
            }
        )

    monkeypatch.setattr(search, "refresh", spy)
    student = chat("student")
    await student.send("белолобый")  # the index opens (first use in this process)
    assert "Белолобый" not in student.text
    await _renamed_elsewhere(demo_db, "Каштанка", "Белолобый")
    await student.send("белолобый")
    assert "Белолобый" in student.text, student.text

    inside = [call for call in calls if call["in a write transaction"]]
    outside = [call for call in calls if not call["in a write transaction"]]
    assert len(outside) == 2 and inside, calls  # each event: one look before, the rest in it
    assert all(call["caught up"] for call in outside), calls  # opened, then the rename
    assert not any(call["caught up"] for call in inside), calls
    assert all(call["read-only session"] for call in outside), calls
    assert not any(call["sqlite write lock held"] for call in outside), calls

    # At the usual check interval, after a change made in this process (a librarian's edit),
    # the look before the transaction catches up and the one inside asks the database nothing.
    search.check_interval = 30.0
    async with demo_db.transaction() as session:
        record_id = await session.scalar(select(Record.id).where(Record.title == "Белолобый"))
        await edit_record(session, record_id, title="Каштанка")
    calls.clear()
    await student.send("каштанка")
    assert "Каштанка" in student.text, student.text
    first, *rest = calls
    assert not first["in a write transaction"] and first["caught up"], calls
    assert rest and all(c["in a write transaction"] and not c["caught up"] for c in rest), calls
    assert all(c["queries"] == 0 for c in rest), calls


class _Queries:
    """Counts the SQL statements the database runs while `counting`."""

    def __init__(self, db: Database) -> None:
        self._counts: list[list[int]] = []
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: object) -> None:
        for count in self._counts:
            count[0] += 1

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        count = [0]
        self._counts.append(count)
        try:
            yield count
        finally:
            self._counts.remove(count)


def _sqlite_write_locked(db: Database) -> bool | None:
    """Whether some connection holds SQLite's write lock now (None on PostgreSQL): another
    connection's BEGIN IMMEDIATE fails at once if so."""
    if db.dialect != "sqlite":
        return None
    probe = sqlite3.connect(db.engine.url.database or "", timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


async def _renamed_elsewhere(db: Database, title: str, new_title: str) -> None:
    """Another bot process renames a record: plain SQL, known here only by the change log."""
    async with db.engine.begin() as connection:
        record_id = (
            await connection.execute(select(Record.id).where(Record.title == title))
        ).scalar_one()
        await connection.execute(
            update(Record).where(Record.id == record_id).values(title=new_title)
        )
        await connection.execute(
            insert(CatalogChange).values(record_id=record_id, changed_at=FIXED_NOW)
        )
