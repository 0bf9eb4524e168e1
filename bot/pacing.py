"""Keeping under a messenger's request rate: each transport paces its calls with one pace per
token and its own messenger's number (Telegram's ≈30 messages a second, VK's ≈20 requests a
second).

`pace_for` gives a pace shared by every process of the deployment where the database is
PostgreSQL (slots taken in one atomic statement, db/rate.py), and an in-memory one on the
embedded SQLite default, which runs as one process. The token itself is never stored: its slot
row is named by a hash of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Protocol

from db.engine import Database
from db.rate import take_slot


class Pacing(Protocol):
    async def wait(self) -> None:
        """Return when the next call may go."""


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


def slot_key(messenger: str, token: str) -> str:
    """The name of a token's slot row: the messenger and a hash of the token, never the token."""
    return f"{messenger}:{hashlib.sha256(token.encode()).hexdigest()[:24]}"


def pace_for(db: Database, messenger: str, token: str, per_second: float) -> Pacing:
    if db.dialect == "postgresql":
        return SharedPace(db, slot_key(messenger, token), per_second)
    return Pace(per_second)
