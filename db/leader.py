"""One holder of a named lock: a role that only one process plays at a time.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) taken on a connection of its
own, in autocommit, so no transaction stays open and nobody else waits on it. The lock lives
exactly as long as that connection: when the holder dies, or its connection breaks, PostgreSQL
releases it and another process gets it at its next try. The holder checks its connection every
few seconds and gives the role up as soon as a check fails: it can no longer know it is alone.
Between the break and the failed check two processes may act at once, so what the role does
must stay safe to repeat.

SQLite: always granted. SQLite is the embedded default, one process owning one file
(`python -m bot`), so there is nobody to share the role with; and SQLite has no lock that
outlives a transaction: holding its write lock for the role would stop every other writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Database

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 10.0  # seconds a liveness check may take before the holder assumes it is cut off


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (PostgreSQL's advisory locks take a bigint)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Lock:
    """A named lock one process holds at a time; see the module docstring for how."""

    def __init__(self, db: Database, name: str, *, check_timeout: float = CHECK_TIMEOUT) -> None:
        self.db = db
        self.name = name
        self.key = lock_key(name)
        self.check_timeout = check_timeout
        self._embedded = db.dialect != "postgresql"  # one process: always granted
        self._connection: AsyncConnection | None = None
        self._granted = False

    @property
    def held(self) -> bool:
        return self._granted

    async def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this process holds it."""
        if self._granted or self._embedded:
            self._granted = True
            return True
        connection = await self.db.engine.connect()
        try:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
        except BaseException:
            await _discard(connection)
            raise
        if not got:
            await connection.close()
            return False
        self._connection, self._granted = connection, True
        return True

    async def check(self) -> bool:
        """Whether the lock is still held: its connection answers in time. When it does not,
        the lock is given up (the connection closed) and False returned."""
        if not self._granted:
            return False
        if self._connection is None:  # SQLite
            return True
        try:
            await asyncio.wait_for(self._connection.scalar(text("SELECT 1")), self.check_timeout)
        except Exception as error:  # broken, closed or cut off: PostgreSQL frees the lock
            log.warning("lock %s lost: %s", self.name, type(error).__qualname__)
            await self._drop(unlock=False)
            return False
        return True

    async def release(self) -> None:
        """Give the lock up (a no-op when not held)."""
        await self._drop(unlock=True)

    async def _drop(self, *, unlock: bool) -> None:
        connection, self._connection, self._granted = self._connection, None, False
        if connection is None:
            return
        unlocked = False
        if unlock:
            with contextlib.suppress(Exception):
                unlocked = bool(
                    await connection.scalar(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                    )
                )
        if unlocked:
            await connection.close()
        else:  # never hand a connection that may still hold the lock back to the pool
            await _discard(connection)


async def _discard(connection: AsyncConnection) -> None:
    """Close the physical connection (the server frees its session locks with it)."""
    with contextlib.suppress(Exception):
        await connection.invalidate()
    with contextlib.suppress(Exception):
        await connection.close()


async def wait_to_hold(lock: Lock, stop: asyncio.Event, retry_every: float) -> bool:
    """Try every `retry_every` seconds until the lock is held (True) or `stop` is set (False).
    A failed try (the database unreachable) is logged and tried again."""
    waiting_logged = False
    while not stop.is_set():
        try:
            if await lock.try_acquire():
                log.info("lock %s held", lock.name)
                return True
            if not waiting_logged:
                log.info("lock %s is held elsewhere: waiting", lock.name)
                waiting_logged = True
        except Exception as error:
            log.warning("lock %s: try failed: %s", lock.name, type(error).__qualname__)
        await sleep_unless(stop, retry_every)
    return False


async def hold_until(lock: Lock, stop: asyncio.Event, check_every: float) -> bool:
    """Keep the lock until `stop` is set (True, still held) or it is lost (False)."""
    while not await sleep_unless(stop, check_every):
        if not await lock.check():
            return False
    return True


async def sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep `seconds` or until `stop` is set; whether it is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
