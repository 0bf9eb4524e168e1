"""Words → trigram ids, one query at a time or a whole catalog at once (vectorised).

Each word is padded with two boundary marks before and one after, «$$мир$» → «$$м», «$ми»,
«мир», «ир$», so a trigram never spans two words, word starts are anchored (typing «пот»
matches «поттер»), and even one typed letter narrows the search («$$ш»: a word starting with
ш). A one-letter word is not a trigram of its own («и», «в», initials say too little), unless
it is a digit («Т. 2», «2 рояля»). Characters are mapped to a compact alphabet so a trigram id
fits in K³ < 360,000.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюя"  # ё is folded into е by normalize()
LATIN = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
BOUNDARY = 0  # «$» around every word
SEPARATOR = 1  # between documents in bulk encoding; never part of a trigram
OTHER = 2  # any other character
ALPHABET = CYRILLIC + LATIN + DIGITS
K = 3 + len(ALPHABET)
TRIGRAM_SPACE = K**3

_LUT = np.full(0x500, OTHER, dtype=np.int32)
for _i, _ch in enumerate(ALPHABET):
    _LUT[ord(_ch)] = 3 + _i
_LUT[ord(" ")] = BOUNDARY
_LUT[1] = SEPARATOR  # "\x01" ends each document in bulk encoding


def _codes(text: str) -> np.ndarray:
    raw = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return np.where(raw < 0x500, _LUT[np.minimum(raw, 0x4FF)], OTHER).astype(np.int32)


_DIGIT_CODES = range(3 + len(CYRILLIC) + len(LATIN), 3 + len(ALPHABET))


def word_trigrams(word: str, *, open_end: bool = False) -> list[int]:
    """Trigram ids of one word; `open_end` leaves off the end mark (a word still being typed)."""
    if not word:
        return []
    letters = [int(_LUT[ord(ch)]) if ord(ch) < 0x500 else OTHER for ch in word]
    codes = [BOUNDARY, BOUNDARY, *letters]
    if not open_end:
        codes.append(BOUNDARY)
    ids = [(codes[i] * K + codes[i + 1]) * K + codes[i + 2] for i in range(len(codes) - 2)]
    if len(word) == 1 and not open_end and letters[0] not in _DIGIT_CODES:
        ids.pop()  # «$и$»: a one-letter word is no trigram of its own
    return ids


def query_trigrams(words: Sequence[str], *, last_open: bool) -> np.ndarray:
    ids: set[int] = set()
    for n, word in enumerate(words):
        ids.update(word_trigrams(word, open_end=last_open and n == len(words) - 1))
    return np.fromiter(ids, dtype=np.int64, count=len(ids))


def bulk_trigrams(texts: Sequence[str], first_doc: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (trigram id, document number) pairs of normalised texts, sorted by trigram.

    Texts are words separated by single spaces. Documents are numbered from `first_doc`.
    """
    padded = [f"  {t.replace(' ', '  ')} \x01" for t in texts]
    codes = _codes("".join(padded))
    lengths = np.fromiter((len(p) for p in padded), dtype=np.int64, count=len(padded))
    docs = np.repeat(np.arange(first_doc, first_doc + len(texts), dtype=np.int64), lengths)
    a, b, c = codes[:-2], codes[1:-1], codes[2:]
    valid = (a != SEPARATOR) & (b != SEPARATOR) & (c != SEPARATOR)
    starts = (a == BOUNDARY) & (b == BOUNDARY) & (c != BOUNDARY)  # «$$м»: a word's first letter
    inner = (b != BOUNDARY) & ~((a == BOUNDARY) & (c == BOUNDARY))
    single = (a == BOUNDARY) & (c == BOUNDARY) & (b >= _DIGIT_CODES.start)  # «$2$»
    valid &= starts | inner | single
    trigram = (a.astype(np.int64) * K + b) * K + c
    keys = trigram[valid] * (1 << 32) + docs[:-2][valid]
    keys.sort()  # much faster than np.unique, which is what follows
    if len(keys):
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return (keys >> 32).astype(np.int32), (keys & 0xFFFFFFFF).astype(np.int32)
