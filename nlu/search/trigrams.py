"""Words → trigram ids, one query at a time or a whole catalog at once (vectorised).

Each word is padded with a boundary mark on both sides, «$мир$» → «$ми», «мир», «ир$», so a
trigram never spans two words and word starts are anchored (typing «пот» matches «поттер»).
Characters are mapped to a compact alphabet so a trigram id fits in K³ < 360,000.
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


def word_trigrams(word: str, *, open_end: bool = False) -> list[int]:
    """Trigram ids of one word; `open_end` leaves off the end mark (a word still being typed).

    One-letter words (initials, «и», «в») give none: they tell documents apart too little, and
    the re-ranking still sees them.
    """
    if len(word) < 2:
        return []
    codes = [BOUNDARY, *(_LUT[ord(ch)] if ord(ch) < 0x500 else OTHER for ch in word)]
    if not open_end:
        codes.append(BOUNDARY)
    return [(codes[i] * K + codes[i + 1]) * K + codes[i + 2] for i in range(len(codes) - 2)]


def query_trigrams(words: Sequence[str], *, last_open: bool) -> np.ndarray:
    ids: set[int] = set()
    for n, word in enumerate(words):
        ids.update(word_trigrams(word, open_end=last_open and n == len(words) - 1))
    return np.fromiter(ids, dtype=np.int64, count=len(ids))


def bulk_trigrams(texts: Sequence[str], first_doc: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (trigram id, document number) pairs of normalised texts, sorted by trigram.

    Texts are words separated by single spaces. Documents are numbered from `first_doc`.
    """
    joined = "".join(f" {t} \x01" for t in texts)
    codes = _codes(joined)
    lengths = np.fromiter((len(t) + 3 for t in texts), dtype=np.int64, count=len(texts))
    docs = np.repeat(np.arange(first_doc, first_doc + len(texts), dtype=np.int64), lengths)
    a, b, c = codes[:-2], codes[1:-1], codes[2:]
    valid = (a != SEPARATOR) & (b != SEPARATOR) & (c != SEPARATOR) & (b != BOUNDARY)
    valid &= ~((a == BOUNDARY) & (c == BOUNDARY))  # one-letter words: see word_trigrams
    trigram = (a.astype(np.int64) * K + b) * K + c
    keys = trigram[valid] * (1 << 32) + docs[:-2][valid]
    keys.sort()  # much faster than np.unique, which is what follows
    if len(keys):
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return (keys >> 32).astype(np.int32), (keys & 0xFFFFFFFF).astype(np.int32)
