"""Fixtures: a real database per test, on SQLite always and on PostgreSQL when
TEST_DATABASE_URL names one (CI provides it; under CI=true a skip fails the run).

Each backend is migrated once per session into a template — a SQLite file, or a PostgreSQL
template database — and every test gets its own fresh copy, with or without the demo network.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from db.clock import PIN_VARIABLE, use_clock
from db.demo.seed import seed_demo
from db.engine import Database
from db.enums import Messenger
from db.migrate import upgrade
from handlers import build_registry
from handlers.dispatcher import Dispatcher
from handlers.services import Services
from tests.support.chat import Chat
from tests.support.clock import Clock
from tests.support.fake_telegram import FakeTelegram, running_fake_telegram
from tests.support.fake_vk import FakeVK, running_fake_vk
from tests.support.shared import under_ci

if TYPE_CHECKING:
    from bot.telegram.transport import TelegramTransport

T = TypeVar("T")

FIXED_NOW = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)  # понедельник, середина четверти

# One clock: no test reads the wall clock. ---------------------------------------------------
# The whole session (templates, fixtures) runs at FIXED_NOW, each test on its own hand-moved
# clock, and every subprocess a test starts inherits FORMULYAR_NOW. tests/test_one_clock.py
# fails if code reads the wall clock past db.clock.


def pytest_configure(config: pytest.Config) -> None:
    os.environ[PIN_VARIABLE] = FIXED_NOW.isoformat()
    session_clock = use_clock(lambda: FIXED_NOW)
    session_clock.__enter__()
    config.add_cleanup(lambda: session_clock.__exit__(None, None, None))


# CI may not skip: a skipped test is a test that proved nothing. --------------------------

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if under_ci() and _skipped:
        print(f"\nCI=true, but {len(_skipped)} test(s) were skipped:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# Templates ------------------------------------------------------------------------------


async def _prepare(db: Database, demo: bool) -> None:
    await upgrade(db)
    if demo:
        await seed_demo(db, now=FIXED_NOW)


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    folder = tmp_path_factory.mktemp("templates")
    templates = {}
    for demo in (False, True):
        path = folder / f"{'demo' if demo else 'empty'}.sqlite3"

        async def build(path: Path = path, demo: bool = demo) -> None:
            db = Database(f"sqlite+aiosqlite:///{path}")
            try:
                await _prepare(db, demo)
            finally:
                await db.dispose()  # the last connection closing checkpoints the WAL away

        asyncio.run(build())
        assert not path.with_name(path.name + "-wal").exists(), "template left a WAL behind"
        templates[demo] = path
    return templates


def _pg_admin_dsn(url: str) -> tuple[str, str]:
    parsed = make_url(url)
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return dsn, parsed.database or "postgres"


class PgTemplates(dict[bool, str]):
    """The two template databases by `demo`, and a worker on a thread of its own that makes
    each test's copy before it is asked for and drops it after: a test waits for neither.

    A copy (CREATE DATABASE … TEMPLATE) costs ~0.1 s on a quiet machine and a DROP DATABASE
    forces a checkpoint of the whole server (~1 s on a busy one). Copies are made one ahead on
    one connection, drops run behind on another, so neither lies on a test's path. Each test
    still gets a database of its own, copied from the template, as before.
    """

    def __init__(self, dsn: str, base: str, names: dict[bool, str]) -> None:
        super().__init__(names)
        self.dsn, self.base = dsn, base
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="pg-copies", daemon=True)
        self.thread.start()
        self.admins: dict[str, tuple[asyncio.Lock, list[asyncpg.Connection]]] = {}
        self.spare: dict[bool, concurrent.futures.Future[str]] = {}
        self.drops: list[concurrent.futures.Future[None]] = []

    def _submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    async def _execute(self, channel: str, sql: str) -> None:
        """On the channel's own admin connection, one statement at a time."""
        lock, held = self.admins.setdefault(channel, (asyncio.Lock(), []))
        async with lock:
            if not held or held[0].is_closed():
                held[:] = [await asyncpg.connect(self.dsn)]
            await held[0].execute(sql)

    async def _copy(self, demo: bool) -> str:
        name = f"{self.base}_t_{uuid.uuid4().hex[:12]}"
        await self._execute("copy", f'CREATE DATABASE "{name}" TEMPLATE "{self[demo]}"')
        # Durability across a crash of the server is no test's subject; a commit that does not
        # wait for its fsync is seen by every other connection exactly as before.
        await self._execute("copy", f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        return name

    def take(self, demo: bool) -> str:
        """A fresh copy of the template: the spare one, while the next spare is being made."""
        spare = self.spare.pop(demo, None) or self._submit(self._copy(demo))
        name = spare.result()
        self.spare[demo] = self._submit(self._copy(demo))
        return name

    def drop(self, name: str) -> None:
        self.drops = [d for d in self.drops if not d.done() or d.exception()]
        sql = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        self.drops.append(self._submit(self._execute("drop", sql)))

    def close(self) -> None:
        for spare in self.spare.values():
            with contextlib.suppress(Exception):
                self.drop(spare.result())
        for name in self.values():
            self.drop(name)
        try:
            for done in self.drops:
                done.result()  # a drop that failed is reported, not left behind unseen
        finally:
            for _, held in self.admins.values():
                for admin in held:
                    self._submit(admin.close()).result()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join()
            self.loop.close()


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[PgTemplates | None]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield None
        return
    dsn, base = _pg_admin_dsn(url)
    run_id = uuid.uuid4().hex[:8]
    names = {demo: f"{base}_tpl_{'demo' if demo else 'empty'}_{run_id}" for demo in (False, True)}

    async def create() -> None:
        admin = await asyncpg.connect(dsn)
        try:
            for demo, name in names.items():
                await admin.execute(f'CREATE DATABASE "{name}"')
                db = Database(make_url(url).set(database=name))
                try:
                    await _prepare(db, demo)
                finally:
                    await db.dispose()
        finally:
            await admin.close()

    templates = PgTemplates(dsn, base, names)
    try:
        asyncio.run(create())
        yield templates
    finally:
        templates.close()


# Per-test databases -----------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
        if under_ci():
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run")
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL variant skipped")
    return request.param


async def _open(
    backend: str,
    demo: bool,
    tmp_path: Path,
    sqlite_templates: dict[bool, Path],
    pg_templates: PgTemplates | None,
) -> AsyncIterator[Database]:
    if backend == "sqlite":
        path = tmp_path / "formulyar.sqlite3"
        shutil.copyfile(sqlite_templates[demo], path)
        db = Database(f"sqlite+aiosqlite:///{path}")
        try:
            yield db
        finally:
            await db.dispose()
        return
    assert isinstance(pg_templates, PgTemplates)
    name = await asyncio.to_thread(pg_templates.take, demo)
    db = Database(make_url(os.environ["TEST_DATABASE_URL"]).set(database=name))
    try:
        yield db
    finally:
        await db.dispose()
        pg_templates.drop(name)


@pytest.fixture
async def db(
    backend: str,
    tmp_path: Path,
    sqlite_templates: dict[bool, Path],
    pg_templates: PgTemplates | None,
) -> AsyncIterator[Database]:
    """An empty, migrated database."""
    async for database in _open(backend, False, tmp_path, sqlite_templates, pg_templates):
        yield database


@pytest.fixture
async def sqlite_demo_db(
    tmp_path: Path, sqlite_templates: dict[bool, Path], pg_templates: PgTemplates | None
) -> AsyncIterator[Database]:
    """The embedded default a school runs, for a real `python -m bot` process: one process on
    SQLite, whichever backend the test is parametrised with."""
    async for database in _open("sqlite", True, tmp_path, sqlite_templates, None):
        yield database


@pytest.fixture
async def demo_db(
    backend: str,
    tmp_path: Path,
    sqlite_templates: dict[bool, Path],
    pg_templates: PgTemplates | None,
) -> AsyncIterator[Database]:
    """A database holding the demo network, seeded as of FIXED_NOW."""
    async for database in _open(backend, True, tmp_path, sqlite_templates, pg_templates):
        yield database


@pytest.fixture
async def demo_db_pair(
    tmp_path: Path, sqlite_templates: dict[bool, Path], pg_templates: PgTemplates | None
) -> AsyncIterator[tuple[Database, Database]]:
    """The demo network on SQLite and on PostgreSQL at once, for comparing the two."""
    if pg_templates is None:
        if under_ci():
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run")
        pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL to compare with")
    async for sqlite in _open("sqlite", True, tmp_path, sqlite_templates, pg_templates):
        async for postgres in _open("postgresql", True, tmp_path, sqlite_templates, pg_templates):
            yield sqlite, postgres


@pytest.fixture(autouse=True)
def clock() -> Iterator[Clock]:
    """The test's clock, moved by hand; every "now" in the test reads it."""
    fixed = Clock(FIXED_NOW)
    with use_clock(fixed):
        yield fixed


@pytest.fixture
def services(demo_db: Database, clock: Clock) -> Services:
    return Services(db=demo_db, clock=clock)


@pytest.fixture
def dispatcher(services: Services) -> Dispatcher:
    return Dispatcher(build_registry(), services)


@pytest.fixture
def chat(dispatcher: Dispatcher) -> Callable[[str], Chat]:
    """A factory: `chat("student")` is that persona's conversation."""

    def start(persona: str) -> Chat:
        return Chat(dispatcher, persona)

    return start


# Telegram through the local Bot API server ---------------------------------------------------


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """The local Telegram Bot API server (tests/support/fake_telegram/)."""
    async with running_fake_telegram() as fake:
        yield fake


@pytest.fixture
async def vk() -> AsyncIterator[FakeVK]:
    """The local VK API of one community (tests/support/fake_vk/)."""
    async with running_fake_vk() as fake:
        yield fake


def telegram_transport(tg: FakeTelegram, services: Services) -> TelegramTransport:
    """The real aiogram transport over the fake server; link codes get its deep links."""
    from bot.telegram.transport import TelegramTransport

    transport = TelegramTransport(Dispatcher(build_registry(), services), tg.token, tg.base_url)
    services.links[Messenger.TELEGRAM] = transport.deep_link
    return transport


@pytest.fixture
async def polling(tg: FakeTelegram, services: Services) -> AsyncIterator[TelegramTransport]:
    """The bot in long-polling mode, as `python -m bot` runs it without a webhook URL."""
    transport = telegram_transport(tg, services)
    await transport.prepare()
    task = asyncio.create_task(transport.run_polling(polling_timeout=1))
    await tg.wait_until(lambda: any(c.method == "getUpdates" for c in tg.calls))
    try:
        yield transport
    finally:
        await transport.stop_polling()
        await asyncio.wait_for(task, 10)
        await transport.close()
