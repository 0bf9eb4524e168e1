"""Valid, unique Russian ISBNs (978-5-…) for generated records, some derived from ISBN-10."""

from __future__ import annotations

import random

GROUP = "5"  # the Russian-language group
PREFIX_DIGITS = 3  # every publisher prefix has 3 digits, so the ranges never overlap
TITLE_DIGITS = 9 - len(GROUP) - PREFIX_DIGITS
CAPACITY = 10**TITLE_DIGITS
STRIDE = 7919  # a prime: counter * STRIDE mod CAPACITY walks every title number once


def isbn13_check(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def isbn10_check(first9: str) -> str:
    total = sum(int(d) * (10 - i) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def hyphenate13(isbn13: str) -> str:
    """978-5-PPP-TTTTT-C, the way it is printed on the book."""
    p = 4 + PREFIX_DIGITS
    return f"{isbn13[:3]}-{isbn13[3]}-{isbn13[4:p]}-{isbn13[p:12]}-{isbn13[12]}"


def isbn10_to_13(isbn10: str) -> str:
    digits = isbn10.replace("-", "")
    core = "978" + digits[:9]
    return core + isbn13_check(core)


class IsbnAllocator:
    """Hands out title numbers per publisher; a publisher whose range is used up gets another
    prefix, as real ones do."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._free_prefixes = [f"{n:0{PREFIX_DIGITS}d}" for n in range(10**PREFIX_DIGITS)]
        rng.shuffle(self._free_prefixes)
        self._current: dict[str, tuple[str, int, int]] = {}  # publisher: prefix, offset, count

    def _next_core(self, publisher: str) -> str:
        state = self._current.get(publisher)
        if state is None or state[2] >= CAPACITY:
            state = (self._free_prefixes.pop(), self._rng.randrange(CAPACITY), 0)
        prefix, offset, count = state
        self._current[publisher] = (prefix, offset, count + 1)
        title = (offset + count * STRIDE) % CAPACITY
        return f"{GROUP}{prefix}{title:0{TITLE_DIGITS}d}"

    def isbn13(self, publisher: str) -> str:
        """A new ISBN-13, digits only (as `record_isbns` keeps it)."""
        core = "978" + self._next_core(publisher)
        return core + isbn13_check(core)

    def isbn10(self, publisher: str) -> str:
        """A new ISBN-10 as printed on older books (5-PPP-TTTTT-C); store its ISBN-13."""
        core = self._next_core(publisher)
        check = isbn10_check(core)
        p = 1 + PREFIX_DIGITS
        return f"{core[0]}-{core[1:p]}-{core[p:]}-{check}"
