"""What every transport needs to stop without losing a message, and to stay small while it runs.

- `Shutdown`: SIGTERM or SIGINT (a deploy, Ctrl+C) asks the transports to stop taking new work;
  whatever they already took is finished within a deadline, then the process closes its
  sessions and the database. An update is acknowledged to its messenger only once the core has
  committed it, so whatever was not finished is delivered again and the core's dedupe by
  update id makes that safe.
- `InFlight`: the updates being served now; closed, it takes no more and can be waited out.
- `KeyedLocks`: one lock per chat, kept only while someone holds or waits for it.
- `LruDict`: a per-chat memory with a maximum size; the least recently used entry goes first.

Nothing here imports a messenger library: VK and MAX use the same pieces.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager, suppress
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

DEFAULT_DEADLINE = 10.0  # seconds to finish what was taken before the process stops
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = TypeVar("P")  # a position in a polled stream


class Closed(Exception):
    """The transport is stopping and takes no new work."""


class Shutdown:
    """A stop requested by a signal (or by `request`), and the deadline for finishing."""

    def __init__(self, deadline: float = DEFAULT_DEADLINE) -> None:
        self.deadline = deadline
        self._requested = asyncio.Event()
        self._installed: list[int] = []

    def install(self, signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)) -> None:
        """Handle these signals in the running loop (where the platform allows)."""
        loop = asyncio.get_running_loop()
        for number in signals:
            with suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, self.request)
                self._installed.append(number)

    def uninstall(self) -> None:
        loop = asyncio.get_running_loop()
        while self._installed:
            with suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(self._installed.pop())

    def request(self) -> None:
        if not self._requested.is_set():
            log.warning("stopping: no new work is taken; finishing what is in hand")
        self._requested.set()

    @property
    def requested(self) -> bool:
        return self._requested.is_set()

    async def wait(self) -> None:
        await self._requested.wait()


class InFlight:
    """Units of work being served now (updates, webhook requests)."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.closed = False

    def __len__(self) -> int:
        return self._count

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        """One unit of work; `Closed` once `close` was called."""
        self.begin()
        try:
            yield
        finally:
            self.end()

    def begin(self) -> None:
        """One unit of work taken now, to be served by a task that starts later (a webhook
        answered at once): `Closed` once `close` was called; call `end` when it is done."""
        if self.closed:
            raise Closed()
        self._count += 1
        self._idle.clear()

    def end(self) -> None:
        self._count -= 1
        if self._count == 0:
            self._idle.set()

    def close(self) -> None:
        self.closed = True

    def serve(self, work: Callable[[], Awaitable[object]]) -> asyncio.Task[None]:
        """Take one unit of work now (`Closed` once closed) and serve it in a task of its own;
        a stop waits for it."""
        self.begin()

        async def serve() -> None:
            try:
                await work()
            finally:
                self.end()

        return asyncio.create_task(serve())

    async def drained(self, timeout: float) -> bool:  # noqa: ASYNC109 (the shutdown deadline)
        """Wait until nothing is in flight; False if the deadline came first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


class Batches(Generic[P]):
    """How far a polled stream (VK's Long Poll `ts`, MAX's `marker`) is handled: each batch of
    updates with the position before it and its tasks still in hand. The position to save is
    the oldest unfinished batch's start, so a restarted process reads again what it had not
    finished (the core's dedupe makes each update happen once)."""

    def __init__(self) -> None:
        self._batches: list[tuple[P, set[asyncio.Task[None]]]] = []

    def add(self, before: P, tasks: set[asyncio.Task[None]]) -> None:
        if not tasks:
            return
        self._batches.append((before, tasks))
        for task in tasks:
            task.add_done_callback(tasks.discard)

    def in_hand(self) -> set[asyncio.Task[None]]:
        return {task for _, tasks in self._batches for task in tasks}

    def handled_up_to(self, newest: P) -> P:
        """The oldest unfinished batch's start, or `newest` when all is handled."""
        self._batches = [(before, tasks) for before, tasks in self._batches if tasks]
        return self._batches[0][0] if self._batches else newest


class KeyedLocks(Generic[K]):
    """A lock per key (a chat), removed as soon as nobody holds or waits for it: a chat that
    wrote once costs nothing afterwards. Waiters get the lock in the order they came."""

    def __init__(self) -> None:
        self._locks: dict[K, tuple[asyncio.Lock, list[int]]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    def __contains__(self, key: object) -> bool:
        return key in self._locks

    @asynccontextmanager
    async def hold(self, key: K) -> AsyncIterator[None]:
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = (asyncio.Lock(), [0])
        lock, users = entry
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0 and self._locks.get(key) is entry:
                del self._locks[key]


class LruDict(Generic[K, V]):
    """A mapping that keeps at most `maximum` entries, dropping the least recently used."""

    def __init__(self, maximum: int) -> None:
        if maximum < 1:
            raise ValueError("maximum must be positive")
        self.maximum = maximum
        self._data: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: K, default: V | None = None) -> V | None:
        if key not in self._data:
            return default
        self._data.move_to_end(key)
        return self._data[key]

    def __setitem__(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.maximum:
            self._data.popitem(last=False)

    def forget(self, key: K) -> None:
        """Drop `key` if present (a delivery that failed and will come again)."""
        self._data.pop(key, None)
