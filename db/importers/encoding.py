"""Working out the character set of a MARC record whose declared encoding cannot be trusted.

Russian ISO 2709 files come in UTF-8, KOI8-R, Windows-1251 or (rarely) CP866, and their
labels lie: leader/09 = "a" (UTF-8) over KOI8-R data, RUSMARC 100$a/26-29 = "0102" (ISO 646 +
ISO 5427, a KOI-8 style table) over anything. So every candidate is decoded and the one that
reads most like Russian wins; the labels only add a small bonus that decides short records.

Plausibility of a decoded text:
  * each Cyrillic letter adds the log-ratio of its Russian frequency to a uniform one, so a
    wrong single-byte table (rare letters "щ", "ъ", "э", "ф" everywhere) scores negative;
  * a capital after a small letter inside a word ("хЕЪДНОЕ": KOI8-R read as cp1251) costs 2;
  * a word mixing Cyrillic and Latin letters costs 3;
  * control characters, U+FFFD, box drawing and similar debris cost 3 each.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from itertools import pairwise

from pymarc.marc8 import marc8_to_unicode

CANDIDATES = ("utf-8", "koi8-r", "cp1251", "cp866")

# Letter frequencies of Russian prose, per cent ("ё" as often as it is actually printed).
_LETTERS = "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё"
_PERCENT = (
    10.97, 8.45, 8.01, 7.35, 6.70, 6.26, 5.47, 4.73, 4.54, 4.40, 3.49, 3.21, 2.98, 2.81, 2.62,
    2.01, 1.90, 1.74, 1.70, 1.65, 1.59, 1.44, 1.21, 0.97, 0.94, 0.73, 0.64, 0.48, 0.36, 0.32,
    0.26, 0.04, 0.30,
)  # fmt: skip
_FREQ = dict(zip(_LETTERS, _PERCENT, strict=True))
_WEIGHT = {ch: math.log(freq / (100 / 33)) for ch, freq in _FREQ.items()}
_WORD = re.compile(r"[^\W\d_]+")
_OK_CONTROLS = "\t\n\r"
# RUSMARC 100$a/26-33 character set codes (national extensions 79/89/99 included).
_RUSMARC_SETS = {"50": "utf-8", "89": "cp1251", "79": "cp866", "99": "koi8-r", "02": "koi8-r"}
# Bytes used as NSB/NSE non-filing marks; none of them is a letter in KOI8-R or cp1251.
_NONSORT_BYTES = b"\x88\x89\x98\x9c"


def decode(raw: bytes, encoding: str) -> str:
    """Decode one value; non-filing mark bytes are dropped where they cannot be letters."""
    if encoding == "marc8":
        return marc8_to_unicode(raw, hide_utf8_warnings=True)
    if encoding in ("koi8-r", "cp1251"):
        raw = raw.translate(None, _NONSORT_BYTES)
    return raw.decode(encoding, errors="replace")


def _odd(ch: str) -> bool:
    code = ord(ch)
    if ch == "\ufffd" or 0x2500 <= code <= 0x25FF or 0x2320 <= code <= 0x2321:
        return True
    if 0x0400 <= code <= 0x045F and ch not in "Ёё" and not 0x0410 <= code <= 0x044F:
        return True  # Ђ Ѓ Љ ... : what KOI8-R bytes look like through cp1251
    return unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in _OK_CONTROLS


def plausibility(text: str) -> float:
    """How much a decoded text looks like (Russian) library data; higher is better."""
    score = 0.0
    for word in _WORD.findall(text):
        cyrillic = [ch for ch in word if "\u0410" <= ch <= "\u044f" or ch in "Ёё"]
        if not cyrillic:
            continue
        if len(cyrillic) < len(word):
            score -= 3
        score += sum(_WEIGHT[ch.lower()] for ch in cyrillic)
        score -= 2 * sum(1 for a, b in pairwise(word) if a.islower() and b.isupper())
    score -= 3 * sum(1 for ch in text if ord(ch) > 0x7F and _odd(ch))
    return score


class EncodingGuesser:
    """Chooses the encoding of each record of one file; remembers what the file used so far."""

    def __init__(self) -> None:
        self._chosen: Counter[str] = Counter()

    def guess(
        self,
        values: list[bytes],
        *,
        leader09: str = " ",
        charset_codes: str = "",
        marc21: bool = False,
    ) -> str:
        """Pick the encoding for a record given its raw subfield values and its own labels.

        charset_codes is RUSMARC 100$a/26-29 ("0102", "0150", "0189"...).
        """
        sample = b"\x1f".join(v for v in values if any(byte > 0x7F for byte in v))
        if not sample:
            return "utf-8"  # plain ASCII: nothing to learn about the file
        if marc21 and leader09 == " " and b"\x1b" in sample:
            return self._remember("marc8")
        bonus: Counter[str] = Counter()
        if leader09 == "a":
            bonus["utf-8"] += 4
        for pos in (0, 2):
            label = _RUSMARC_SETS.get(charset_codes[pos : pos + 2])
            if label:
                bonus[label] += 4
        total = sum(self._chosen.values())
        for encoding, count in self._chosen.items():
            bonus[encoding] += 3 * count / total
        best = max(CANDIDATES, key=lambda enc: plausibility(decode(sample, enc)) + bonus[enc])
        return self._remember(best)

    def _remember(self, encoding: str) -> str:
        self._chosen[encoding] += 1
        return encoding
