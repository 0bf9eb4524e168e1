"""Telegram's sending rates, when a fake is asked to keep them (`FakeTelegram(rate_limits=True)`):
about 30 messages a second for one bot overall and one a second per chat; a send beyond either
is answered 429 with the whole seconds to wait in `retry_after`, as Telegram does. Off by
default, so tests that send in bursts are not slowed; the broadcast bench turns it on."""

from __future__ import annotations

import math
from collections import deque

OVERALL_PER_SECOND = 30
CHAT_INTERVAL = 1.0  # seconds between two messages to one chat


class SendRates:
    """A sliding one-second window overall and the last send per chat (monotonic seconds)."""

    def __init__(self, overall: int = OVERALL_PER_SECOND, chat_interval: float = CHAT_INTERVAL):
        self.overall = overall
        self.chat_interval = chat_interval
        self._recent: deque[float] = deque()
        self._last: dict[int, float] = {}
        self.refused = 0  # sends answered 429

    def take(self, chat_id: int, now: float) -> int:
        """0 if a send to `chat_id` may go at `now` (and count it); else the retry_after."""
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        wait = 0.0
        if len(self._recent) >= self.overall:
            wait = self._recent[0] + 1.0 - now
        last = self._last.get(chat_id)
        if last is not None and now - last < self.chat_interval:
            wait = max(wait, last + self.chat_interval - now)
        if wait > 0:
            self.refused += 1
            return max(1, math.ceil(wait))
        self._recent.append(now)
        self._last[chat_id] = now
        return 0
