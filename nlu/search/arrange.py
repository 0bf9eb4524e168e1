"""The order a child would agree with, once the words have been scored.

Two things the text alone does not know:

* a textbook is rarely what a reader means: it goes below fiction by `TEXTBOOK_PENALTY`
  unless the query asks for one («учебник», «7 класс», a school subject: «алгебра», «физика»);
* a query that names a series and no single book of it («гарри поттер», «незнайка») lists the
  series' books in their order, book one first, in the places the series holds in the list;
  a query naming a book («гарри поттер и кубок огня») keeps that book first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz

from nlu.search.ranking import FUNCTION_WORDS, stem

# Enough to put a textbook below the fiction that matches as well, and out of the list (below
# its relative floor) where fiction matches clearly better.
TEXTBOOK_PENALTY = 30.0
SAME_WORD = 80  # fuzz.ratio of a query word and a series word taken for one word («гари»)

# Words that ask for a textbook on their own: a grade, «учебник», a school subject.
TEXTBOOK_WORDS = (
    "класс учебник учебное пособие практикум задачник хрестоматия тетрадь егэ огэ впр гдз "
    "алгебра геометрия математика физика химия биология география история обществознание "
    "информатика астрономия экология природоведение естествознание окружающий азбука букварь "
    "технология обж вероятность статистика"
).split()
# Words that ask for one beside a grade or «язык»: «русский язык», «литература 7».
WEAK_WORDS = "литература литературное чтение русский английский немецкий французский".split()
GRADE = re.compile(r"^(\d{1,2})(кл\w*)?$")  # «7», «7кл», «7класс»
TYPO = 75  # fuzz.ratio of a misspelt word and the word meant («фиизка», «клсас»)


def _is(word: str, vocabulary: Sequence[str]) -> bool:
    """The word is one of these: any ending, or one slip away («истории», «физике», «фиизка»);
    not a longer word that begins like one («классика», «историческая»)."""
    base = stem(word)
    for known in vocabulary:
        root = stem(known)
        if base.startswith(root) and len(base) - len(root) <= 1:
            return True
        if len(word) >= 4 and abs(len(word) - len(known)) <= 1 and fuzz.ratio(word, known) >= TYPO:
            return True
    return False


def asks_for_textbook(words: Sequence[str]) -> bool:
    """«учебник по истории», «алгебра 7», «русский язык», «7 класс», «литература 5», «кл»."""
    grades = [m for w in words if (m := GRADE.match(w)) and 1 <= int(m.group(1)) <= 11]
    if any(m.group(2) for m in grades) or "кл" in words:
        return True
    if any(_is(w, TEXTBOOK_WORDS) for w in words):
        return True
    language = any(w.startswith("язы") for w in words)
    return any(_is(w, WEAK_WORDS) for w in words) and (bool(grades) or language)


def demote_textbooks(scores: np.ndarray, textbooks: np.ndarray, words: Sequence[str]) -> np.ndarray:
    """Scores with textbooks lowered, unless the query asks for a textbook."""
    if not textbooks.any() or asks_for_textbook(words):
        return scores
    return scores - TEXTBOOK_PENALTY * textbooks


def names_series(words: Sequence[str], series: str) -> bool:
    """Every content word of the query is a word of the series' name («гари потер»)."""
    names = series.split()
    content = [w for w in words if w not in FUNCTION_WORDS]
    return bool(content) and all(
        any(stem(w) == stem(n) or fuzz.ratio(w, n) >= SAME_WORD for n in names) for w in content
    )


def series_in_order(
    order: Sequence[int], words: Sequence[str], series: Sequence[str], volumes: Sequence[int]
) -> list[int]:
    """`order` (candidate numbers, best first) with the numbered books of each series the query
    names put in the series' order, in the places those books hold."""
    members: dict[str, list[int]] = {}
    for n in order:
        if volumes[n] and series[n]:
            members.setdefault(series[n], []).append(n)
    arranged = list(order)
    for name, books in members.items():
        if len(books) < 2 or not names_series(words, name):
            continue
        places = sorted(arranged.index(n) for n in books)
        for place, n in zip(places, sorted(books, key=lambda n: volumes[n]), strict=True):
            arranged[place] = n
    return arranged
