"""When each request came to a fake messenger: the busiest second and the rate a run kept are
read from these moments, which the fakes themselves do not note (their rate window forgets)."""

from __future__ import annotations

import time
from typing import Any

from tests.support.fake_http import Call, FakeHttpServer


class Arrivals(FakeHttpServer):
    """Mixed in before a fake (`class TimedTelegram(Arrivals, FakeTelegram)`): every call it
    logs is noted with the monotonic second it came, the one clock the fakes' rates use."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.arrived: list[tuple[float, Call]] = []

    def log_call(self, call: Call) -> Call:
        self.arrived.append((time.monotonic(), call))
        return super().log_call(call)

    def arrivals(self, method: str) -> list[tuple[float, Call]]:
        """The calls of `method` as the fake names it by now (answered or refused alike)."""
        return [(moment, call) for moment, call in self.arrived if call.method == method]
