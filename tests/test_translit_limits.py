"""Reading Latin back into Cyrillic stays small whatever is typed: a word longer than any real
word is not read at all, and the readings of a real one cost little memory.

Memory is measured with tracemalloc (a bound, never a timing)."""

from __future__ import annotations

import tracemalloc

import pytest

from nlu.translit import MAX_WORD, _ranked, to_cyrillic_variants, transliterate


def _peak(call) -> int:
    _ranked.cache_clear()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# The longest words of the language still get their readings.
LONG_REAL = ["превысокомногорассмотрительствующий", "человеконенавистничество"]


@pytest.mark.parametrize("word", LONG_REAL)
def test_the_longest_real_words_are_still_read(word: str) -> None:
    latin = transliterate(word, "icao")
    assert len(latin) <= MAX_WORD
    assert word in to_cyrillic_variants(latin)


@pytest.mark.parametrize("length", [MAX_WORD + 1, 4_096, 20_000])
@pytest.mark.parametrize("letters", ["a", "shch", "yo", "iy", "xcj", "abcdefghijklmnopqrstuvwxyz"])
def test_a_word_longer_than_any_real_word_is_not_read(letters: str, length: int) -> None:
    word = (letters * (length // len(letters) + 1))[:length]
    found: list[list[str]] = []
    peak = _peak(lambda: found.append(to_cyrillic_variants(word)))
    assert found == [[]]
    assert peak < 256 * 1024, f"{peak} bytes for a word of {length}"
    assert _ranked.cache_info().currsize == 0  # nothing kept for it either


@pytest.mark.parametrize("letters", ["a", "shch", "yo", "iy", "xcj", "abcdefghijklmnopqrstuvwxyz"])
def test_the_readings_of_a_word_at_the_limit_cost_little(letters: str) -> None:
    word = (letters * MAX_WORD)[:MAX_WORD]
    found: list[list[str]] = []
    peak = _peak(lambda: found.append(to_cyrillic_variants(word)))
    assert 1 <= len(found[0]) <= 8
    assert peak < 2 * 1024 * 1024, f"{peak} bytes for a word of {MAX_WORD}"
