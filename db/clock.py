"""The one clock of the application: every "now" in the code comes from `utcnow`.

In production it is the wall clock. `FORMULYAR_NOW` (an ISO moment with its offset) pins it,
for a demo recorded "as of" a date and for the test suite's subprocesses; the test suite
itself installs its hand-moved clock with `use_clock`, and a test fails if anything reads the
wall clock past it (see tests/test_one_clock.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

Source = Callable[[], datetime]

PIN_VARIABLE = "FORMULYAR_NOW"


def wall_clock() -> datetime:
    return datetime.now(UTC)


def _pinned() -> Source | None:
    value = os.environ.get(PIN_VARIABLE)
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{PIN_VARIABLE} needs a UTC offset, e.g. 2026-11-16T09:30:00+00:00")
    return lambda: moment.astimezone(UTC)


_source: Source = _pinned() or wall_clock


def utcnow() -> datetime:
    """Now, in UTC, from the installed clock."""
    return _source()


@contextmanager
def use_clock(source: Source) -> Iterator[None]:
    """Read every "now" from `source` while the block runs."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous
