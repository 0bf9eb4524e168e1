"""Keeping under a messenger's request rate: each transport paces its calls with one pace per
token and its own messenger's number (Telegram's ≈30 messages a second, VK's ≈20 requests a
second).

`pace_for` gives a pace shared by every process of the deployment where the database is
PostgreSQL (slots taken in one atomic statement, db/rate.py), and an in-memory one on the
embedded SQLite default, which runs as one process. The token itself is never stored: its slot
row is named by a hash of it. A messenger's «slow down» (Telegram's 429 with retry_after, VK's
error 6) pauses the pace, and with a shared pace every process of the deployment waits it out.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Protocol

from db.engine import Database
from db.rate import pause_slots, take_slot


class Pacing(Protocol):
    async def wait(self) -> None:
        """Return when the next call may go."""

    async def pause(self, seconds: float) -> None:
        """The messenger asked to wait (a 429's retry_after): no call for `seconds`."""


class Pace:
    """At most `per_second` calls a second in this process, spread evenly: each `wait()` takes
    the next slot."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)

    async def pause(self, seconds: float) -> None:
        self._next = max(self._next, time.monotonic() + seconds)


class SharedPace:
    """At most `per_second` calls a second across every process using this database."""

    def __init__(self, db: Database, key: str, per_second: float) -> None:
        self.db = db
        self.key = key
        self.interval = 1.0 / per_second

    async def wait(self) -> None:
        delay = await take_slot(self.db, self.key, self.interval)
        if delay > 0:
            await asyncio.sleep(delay)

    async def pause(self, seconds: float) -> None:
        await pause_slots(self.db, self.key, seconds)


def slot_key(messenger: str, token: str) -> str:
    """The name of a token's slot row: the messenger and a hash of the token, never the token."""
    return f"{messenger}:{hashlib.sha256(token.encode()).hexdigest()[:24]}"


def pace_for(db: Database, messenger: str, token: str, per_second: float) -> Pacing:
    if db.dialect == "postgresql":
        return SharedPace(db, slot_key(messenger, token), per_second)
    return Pace(per_second)
