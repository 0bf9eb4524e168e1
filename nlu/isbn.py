"""ISBN-10 and ISBN-13: cleaning, validation, conversion (ISBN-10 and its ISBN-13 are one book)."""

from __future__ import annotations

import re

_ISBN_CHARS = re.compile(r"[0-9Xx]")
# Not part of a longer run of digits: a library's 13-digit barcode is not an ISBN-10 inside.
_CANDIDATE = re.compile(r"(?<![\dXx])(?:(?:97[89][\s-]?)?(?:\d[\s-]?){9}[\dXx])(?![\dXx])")


def _digits(raw: str) -> str:
    return "".join(_ISBN_CHARS.findall(raw)).upper()


def _isbn10_valid(d: str) -> bool:
    if len(d) != 10 or not d[:9].isdigit() or not (d[9].isdigit() or d[9] == "X"):
        return False
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(d))
    return total % 11 == 0


def _isbn13_check(d12: str) -> str:
    total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(d12))
    return str((10 - total % 10) % 10)


def _isbn13_valid(d: str) -> bool:
    return (
        len(d) == 13 and d.isdigit() and d[:3] in ("978", "979") and _isbn13_check(d[:12]) == d[12]
    )


def to_isbn13(raw: str) -> str | None:
    """The ISBN-13 of an ISBN written any way («5-699-12014-7», «978-5-699-12014-2»), or None."""
    d = _digits(raw)
    if _isbn13_valid(d):
        return d
    if _isbn10_valid(d):
        core = "978" + d[:9]
        return core + _isbn13_check(core)
    return None


def find_isbn(text: str) -> str | None:
    """The first valid ISBN inside a free-text query, as ISBN-13."""
    for match in _CANDIDATE.finditer(text):
        isbn = to_isbn13(match.group())
        if isbn:
            return isbn
    return None
