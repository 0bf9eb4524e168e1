"""Bots Long Poll: numbered events kept as history, keys, and the failures VK answers with.

groups.getLongPollServer gives a key, the server's URL and the number (`ts`) the next event will
get. `GET <server>?act=a_check&key=…&ts=…&wait=…` answers `{"ts": next, "updates": [...]}` with
every event numbered `ts` or later, waiting up to `wait` seconds for one when there is none.
Events are never dropped, so a client that comes back with an older ts (a restart) gets them
again.

On request it answers as VK does when things go wrong: `{"failed": 1, "ts": …}` (history lost:
go on from the new ts), `{"failed": 2}` (the key expired: ask getLongPollServer for a new key,
keep your ts; the old key keeps answering failed 2), `{"failed": 3}` (key and history lost: ask
for both again), or a request that dies without an answer (a dropped connection or a 502).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.fake_http import FakeHttpServer

MAX_WAIT = 90  # seconds, VK's ceiling for `wait`
FAILURE_CODES = (1, 2, 3)
DROP_WAYS = ("close", "502")
QUERY_PARAMETERS = frozenset({"act", "key", "ts", "wait"})
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Drop:
    """The request dies: the connection is closed unanswered, or a proxy answers 502."""

    how: str


class LongPoll:
    """The Long Poll server of one community; see the module docstring."""

    def __init__(self, server: FakeHttpServer, path: str = "lp") -> None:
        self.server = server
        self.path = path
        self.events: list[dict[str, Any]] = []  # event number n is events[n - 1]
        self.a_checks = 0  # a_check requests received, dropped ones included
        self._keys: dict[str, int | None] = {}  # key → the failure it now answers (None: valid)
        self._failures: deque[int] = deque()
        self._drops: deque[str] = deque()

    @property
    def next_ts(self) -> int:
        return len(self.events) + 1

    def add(self, event: dict[str, Any]) -> int:
        """Queue an event; its number."""
        self.events.append(event)
        self.server.wake()
        return len(self.events)

    def fail(self, code: int) -> None:
        """The next a_check answers {"failed": code}."""
        if code not in FAILURE_CODES:
            raise ValueError(f"Long Poll failures are {FAILURE_CODES}, not {code}")
        self._failures.append(code)
        self.server.wake()

    def drop(self, n: int = 1, how: str = "close") -> None:
        """The next `n` a_check requests die (see Drop)."""
        if how not in DROP_WAYS:
            raise ValueError(f"a request dies by {DROP_WAYS}, not {how!r}")
        self._drops.extend([how] * n)
        self.server.wake()

    def connection(self) -> dict[str, str]:
        """groups.getLongPollServer's answer: a fresh key, the server, the next ts."""
        key = hashlib.sha1(f"lp-key-{len(self._keys)}".encode()).hexdigest()
        self._keys[key] = None
        return {"key": key, "server": self.server.url(self.path), "ts": str(self.next_ts)}

    async def check(
        self, query: dict[str, str], alive: Callable[[], bool]
    ) -> dict[str, Any] | Drop:
        """The answer to one a_check request; `alive()` tells whether its client still waits."""
        self.a_checks += 1
        if self._drops:
            return Drop(self._drops.popleft())
        problem = self._malformed(query)
        if problem is not None:
            self.server.violations.append(f"Long Poll: {problem}")
            return {"failed": 2}
        key = query["key"]
        if self._keys[key] is not None:
            return {"failed": self._keys[key]}
        if self._failures:
            code = self._failures.popleft()
            if code == 1:
                return {"failed": 1, "ts": str(self.next_ts)}
            for issued in self._keys:
                self._keys[issued] = code
            return {"failed": code}
        ts, wait = max(int(query["ts"]), 1), min(int(query["wait"]), MAX_WAIT)
        if ts > self.next_ts:
            return {"failed": 1, "ts": str(self.next_ts)}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while self.next_ts <= ts and not self.server.closing and alive():
            remaining = deadline - loop.time()
            if remaining <= 0 or self._failures or self._drops:
                break
            await self.server.sleep_until_woken(remaining)
        return {"ts": str(self.next_ts), "updates": self.events[ts - 1 :]}

    def _malformed(self, query: dict[str, str]) -> str | None:
        unknown = sorted(set(query) - QUERY_PARAMETERS)
        if unknown:
            return f"unknown parameter(s) {', '.join(unknown)}"
        if query.get("act") != "a_check":
            return f"act must be a_check, got {query.get('act')!r}"
        if query.get("key") not in self._keys:
            return f"key {query.get('key')!r} was never issued by groups.getLongPollServer"
        for name in ("ts", "wait"):
            if not _NUMBER.fullmatch(query.get(name, "")):
                return f"{name} must be a number, got {query.get(name)!r}"
        return None
