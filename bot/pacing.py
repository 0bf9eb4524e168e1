"""Keeping under a messenger's request rate: each transport owns one `Pace` per token with its
own messenger's number (Telegram's ≈30 messages a second, VK's ≈20 requests a second).

Within one process only; a deployment of many workers shares the rate through the outbox's
single dispatcher (issue: shared rate limits across processes).
"""

from __future__ import annotations

import asyncio
import time


class Pace:
    """At most `per_second` calls a second, spread evenly: each `wait()` takes the next slot."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)
