"""What the person meant: readings of a query, each scored against the catalog's words.

A query is read as typed, and — when its letters allow — as Russian typed with the Latin
layout on («djqyf b vbh» → «война и мир»), as Russian written in Latin letters («voina i
mir»), and as Latin typed with the Russian layout on («руддщ» → «hello»). The reading whose
words fit the catalog vocabulary best wins; nothing is converted blindly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from nlu.layout import looks_like_wrong_layout_cyrillic, looks_like_wrong_layout_latin
from nlu.layout import to_cyrillic as layout_to_cyrillic
from nlu.layout import to_latin as layout_to_latin
from nlu.normalize import normalize
from nlu.search.vocabulary import Vocabulary
from nlu.translit import to_cyrillic_variants

LATIN_WORD = re.compile(r"^[a-z']+$")
PREFIX_FIT = 0.97
# A correction is a misspelling put right, not a lookalike: one slip (a wrong, missing, extra or
# swapped letter) in a short word, two in a long one. «привет» is not a misspelt «живет».
LONG_WORD = 8
CORRECTION_POOL = 5  # closest catalog words weighed per misspelt word
TYPED_PREFERENCE = 0.02  # a tie goes to what was typed


@dataclass(frozen=True, slots=True)
class Reading:
    text: str  # normalised words
    how: str  # typed | layout | translit | latin_layout
    fit: float  # 0..1: how well the words fit the catalog
    open_end: bool  # the last word is still being typed

    @property
    def words(self) -> list[str]:
        return self.text.split()


class QueryReader:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._closest = lru_cache(maxsize=50_000)(self._closest_uncached)
        self._spelling = lru_cache(maxsize=10_000)(self._spelling_uncached)

    def best(self, raw: str) -> Reading:
        return max(
            self.readings(raw), key=lambda r: r.fit + (TYPED_PREFERENCE if r.how == "typed" else 0)
        )

    def readings(self, raw: str) -> list[Reading]:
        open_end = not raw.endswith((" ", "\t"))
        typed = normalize(raw)
        readings = [self._reading(typed, "typed", open_end)]
        if readings[0].fit >= 1.0:
            return readings
        if looks_like_wrong_layout_latin(raw):
            readings.append(self._reading(normalize(layout_to_cyrillic(raw)), "layout", open_end))
        words = typed.split()
        if words and all(LATIN_WORD.match(w) or w.isdigit() for w in words):
            readings.append(self._translit(words, open_end))
        if looks_like_wrong_layout_cyrillic(raw):
            readings.append(
                self._reading(normalize(layout_to_latin(raw)), "latin_layout", open_end)
            )
        return readings

    def corrected(self, reading: Reading) -> str | None:
        """The reading with each unknown word replaced by the catalog's spelling of it, when
        the catalog has a word one slip away (two for a long word); None if nothing changed."""
        words = []
        changed = False
        for n, word in enumerate(reading.words):
            last_open = reading.open_end and n == len(reading.words) - 1
            if (
                len(word) < 3
                or word.isdigit()
                or word in self.vocabulary
                or (last_open and self.vocabulary.has_prefix(word))
            ):
                words.append(word)
                continue
            spelling = self._spelling(word)
            words.append(spelling or word)
            changed = changed or spelling is not None
        return " ".join(words) if changed else None

    def _spelling_uncached(self, word: str) -> str | None:
        allowed = 2 if len(word) >= LONG_WORD else 1
        near = [
            (OSA.distance(word, match, score_cutoff=allowed), -similarity, match)
            for match, similarity in self.vocabulary.closest(word, CORRECTION_POOL)
        ]
        near = [n for n in near if n[0] <= allowed]
        return min(near)[2] if near else None

    def _reading(self, text: str, how: str, open_end: bool) -> Reading:
        words = text.split()
        fits = [
            self._word_fit(w, open_end and n == len(words) - 1)
            for n, w in enumerate(words)
            if len(w) > 1
        ]
        fit = sum(fits) / len(fits) if fits else 0.5
        return Reading(text, how, fit, open_end)

    def _translit(self, words: list[str], open_end: bool) -> Reading:
        chosen = []
        for n, word in enumerate(words):
            last_open = open_end and n == len(words) - 1
            if word.isdigit():
                chosen.append(word)
                continue
            variants = to_cyrillic_variants(word.replace("'", "")) or [word]
            best, best_fit = variants[0], -1.0
            for variant in variants[:4]:
                fit = self._word_fit(variant, last_open)
                if fit > best_fit:
                    best, best_fit = variant, fit
                if fit >= PREFIX_FIT:
                    break
            chosen.append(best)
        return self._reading(" ".join(chosen), "translit", open_end)

    def _word_fit(self, word: str, last_open: bool) -> float:
        if word in self.vocabulary:
            return 1.0
        if last_open and self.vocabulary.has_prefix(word):
            return PREFIX_FIT
        if word.isdigit():
            return 0.5
        match = self._closest(word)
        return match[1] if match else 0.0

    def _closest_uncached(self, word: str) -> tuple[str, float] | None:
        found = self.vocabulary.closest(word, 1)
        return found[0] if found else None
