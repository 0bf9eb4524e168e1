"""Keeping under a messenger's request rate: each transport paces its calls with one pace per
token and its own messenger's number (Telegram's ≈30 messages a second, VK's ≈20 requests a
second).

`pace_for` gives a pace shared by every process of the deployment where the database is
PostgreSQL (slots taken in one atomic statement, db/rate.py), and an in-memory one on the
embedded SQLite default, which runs as one process. The token itself is never stored: its slot
row is named by a hash of it. A messenger's «slow down» (Telegram's 429 with retry_after, VK's
error 6) pauses the pace, and with a shared pace every process of the deployment waits it out.

Who goes first (db.enums.Priority): callers of one process line up for the next slot in
priority order — the answer to what a person just wrote, then due-date notices, then
broadcasts — and only the one at the head holds a slot at a time. However many broadcast rows
are being sent, a live reply waits for at most the slot already taken (and, on a shared pace,
the one slot each other process holds), never for the broadcast.

`ChatSpacing` keeps a messenger's per-chat rate (Telegram: one message a second to one chat)
for notices and broadcasts; a live reply is an answer the person is waiting for and is not held.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import itertools
import time
from typing import Protocol

from db.engine import Database
from db.enums import Priority
from db.rate import pause_slots, take_slot

CHATS_REMEMBERED = 10_000  # chats whose last message an in-memory spacing remembers


class Pacing(Protocol):
    async def wait(self, priority: Priority = Priority.REPLY) -> None:
        """Return when the next call may go (callers of higher priority first)."""

    async def pause(self, seconds: float) -> None:
        """The messenger asked to wait (a 429's retry_after): no call for `seconds`."""


class _Slots(Protocol):
    async def take(self) -> None:
        """Claim the next slot and sleep until it."""

    async def pause(self, seconds: float) -> None: ...


class _InMemory:
    """Slots `interval` apart in this process."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0

    async def take(self) -> None:
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)

    async def pause(self, seconds: float) -> None:
        self._next = max(self._next, time.monotonic() + seconds)


class _InDatabase:
    """Slots `interval` apart across every process using this database."""

    def __init__(self, db: Database, key: str, interval: float) -> None:
        self.db = db
        self.key = key
        self.interval = interval

    async def take(self) -> None:
        delay = await take_slot(self.db, self.key, self.interval)
        if delay > 0:
            await asyncio.sleep(delay)

    async def pause(self, seconds: float) -> None:
        await pause_slots(self.db, self.key, seconds)


class _Prioritized:
    """A pace whose callers line up by priority, then by arrival; one of them at a time claims
    the next slot and sleeps until it, then hands the turn to the next in line."""

    def __init__(self, slots: _Slots, per_second: float) -> None:
        self.slots = slots
        self.interval = 1.0 / per_second
        self._line: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrival = itertools.count()
        self._busy = False

    async def wait(self, priority: Priority = Priority.REPLY) -> None:
        if self._busy:
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._line, (int(priority), next(self._arrival), turn))
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():  # handed the turn, then cancelled
                    self._hand_on()
                raise  # a cancelled place in line is skipped by _hand_on
        else:
            self._busy = True
        try:
            await self.slots.take()
        finally:
            self._hand_on()

    async def pause(self, seconds: float) -> None:
        await self.slots.pause(seconds)

    @property
    def waiting(self) -> int:
        """Callers in line now (a cancelled place counts until it is skipped)."""
        return len(self._line)

    def _hand_on(self) -> None:
        while self._line:
            _, _, turn = heapq.heappop(self._line)
            if not turn.done():
                turn.set_result(None)  # the turn passes on: still busy
                return
        self._busy = False


class Pace(_Prioritized):
    """At most `per_second` calls a second in this process, spread evenly."""

    def __init__(self, per_second: float) -> None:
        super().__init__(_InMemory(1.0 / per_second), per_second)


class SharedPace(_Prioritized):
    """At most `per_second` calls a second across every process using this database."""

    def __init__(self, db: Database, key: str, per_second: float) -> None:
        super().__init__(_InDatabase(db, key, 1.0 / per_second), per_second)
        self.key = key


def slot_key(messenger: str, token: str) -> str:
    """The name of a token's slot row: the messenger and a hash of the token, never the token."""
    return f"{messenger}:{hashlib.sha256(token.encode()).hexdigest()[:24]}"


def pace_for(db: Database, messenger: str, token: str, per_second: float) -> Pacing:
    if db.dialect == "postgresql":
        return SharedPace(db, slot_key(messenger, token), per_second)
    return Pace(per_second)


# One chat ------------------------------------------------------------------------------------


class ChatSpacing(Protocol):
    async def wait(self, chat_id: str) -> None:
        """Return when the next message to this chat may go."""


class InMemoryChatSpacing:
    """Messages to one chat at least `interval` apart, in this process (the most recent
    CHATS_REMEMBERED chats are remembered: one not written to for that long is free anyway)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next: dict[str, float] = {}

    async def wait(self, chat_id: str) -> None:
        now = time.monotonic()
        slot = max(now, self._next.pop(chat_id, 0.0))
        self._next[chat_id] = slot + self.interval  # re-inserted: the most recent last
        if len(self._next) > CHATS_REMEMBERED:
            del self._next[next(iter(self._next))]
        if slot > now:
            await asyncio.sleep(slot - now)


class SharedChatSpacing:
    """Messages to one chat at least `interval` apart across the deployment: a slot row per
    chat under the token's key (old rows are pruned by the retention round)."""

    def __init__(self, db: Database, key: str, interval: float) -> None:
        self.db = db
        self.key = key
        self.interval = interval

    async def wait(self, chat_id: str) -> None:
        delay = await take_slot(self.db, chat_slot_key(self.key, chat_id), self.interval)
        if delay > 0:
            await asyncio.sleep(delay)


def chat_slot_key(token_key: str, chat_id: str) -> str:
    """A chat's slot row (at most 40 characters, as rate_slots keeps keys): a hash of the
    token's key and the chat, so no chat id is stored."""
    digest = hashlib.sha256(f"{token_key}/{chat_id}".encode()).hexdigest()[:30]
    return f"chat:{digest}"


def chat_spacing_for(db: Database, messenger: str, token: str, interval: float) -> ChatSpacing:
    if db.dialect == "postgresql":
        return SharedChatSpacing(db, slot_key(messenger, token), interval)
    return InMemoryChatSpacing(interval)
