"""Re-ranking a bounded set of candidates: exact beats prefix beats fuzzy.

For each query word, its best match among the record's words (edit similarity; the last word
also as a prefix while it is being typed). Title and author words count fully, series and
subjects less. The weighted share of well-matched query words is the main score; closeness of
the whole query to the title, an exact title and a title that starts with the query add to it.
A query that names only an author («книги пушкина») puts that author's books before a book with
the name in its title («Мой Пушкин»).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Prefix

from nlu.names import initial_of

# title, authors, series, subjects
FIELD_WEIGHTS = np.array([1.0, 1.0, 0.85, 0.7], dtype=np.float32)
AUTHOR_FIELD = 1
AUTHOR_BONUS = 12.0  # a query all of an author's name: enough to pass a title naming them
AUTHOR_MATCH = 0.85  # an author's name matched this well (as typed, or inflected: 0.9) counts
PREFIX_DISCOUNT = 0.98
FLOOR = 0.5  # a word matched at 50% similarity or less does not count at all
# «пиковую даму» asks for «Пиковая дама»: a word whose stem (the word without its case
# ending) begins a record word of about the same length counts nearly as an exact match.
INFLECTED = 0.9
ENDINGS = tuple(
    sorted(
        "ями ами ого его ому ему ыми ими ую юю ая яя ое ее ые ие ой ей ый ий ом ем ах ях ов ев "
        "ам ям а я у ю ы и е о й ь".split(),
        key=len,
        reverse=True,
    )
)
MIN_STEM = 3


@dataclass(frozen=True, slots=True)
class Fields:
    """A record's normalised text, as the index keeps it."""

    title: str  # title and subtitle
    authors: str = ""
    series: str = ""
    subjects: str = ""


# Words of a request rather than of a title: «книга про войну», «что-нибудь о космосе».
FUNCTION_WORDS = frozenset(
    "про о об обо в во на по для за из от до с со к и а или что нибудь книга книгу книги книжку "
    "книжки что-нибудь почитать".split()
)


def word_weight(word: str) -> float:
    """Initials and function words say little; long words and numbers say a lot."""
    if word.isdigit():
        return 1.0
    if word in FUNCTION_WORDS:
        return 0.15
    return 0.25 if len(word) == 1 else min(len(word), 6) / 6


def stem(word: str) -> str:
    """The word without a Russian case or number ending, if what is left is long enough."""
    if not ("а" <= word[:1] <= "я"):
        return word
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def score(query: str, open_end: bool, candidates: Sequence[Fields]) -> np.ndarray:
    """A score per candidate, higher is better (about 0–130)."""
    words = query.split()
    if not words or not candidates:
        return np.zeros(len(candidates))
    flat: list[str] = []
    lengths = np.empty((len(candidates), 4), dtype=np.int64)  # words of each field
    for n, fields in enumerate(candidates):
        title = fields.title.split() or [""]  # every candidate has a word: reduceat needs it
        authors = fields.authors.split()
        series = fields.series.split()
        subjects = fields.subjects.split()
        lengths[n] = len(title), len(authors), len(series), len(subjects)
        flat += title
        flat += authors
        flat += series
        flat += subjects
    starts = np.concatenate(([0], np.cumsum(lengths.sum(axis=1))[:-1]))
    weights = np.repeat(np.tile(FIELD_WEIGHTS, len(candidates)), lengths.ravel())
    fields_of = np.repeat(np.tile(np.arange(4), len(candidates)), lengths.ravel())
    initials = _initials(words)
    rows = words + [initial for _, initial in initials]
    similarity = process.cdist(rows, flat, scorer=fuzz.ratio, dtype=np.float32) / 100
    for row, (n, _) in enumerate(initials, start=len(words)):  # «лев» also matches «л»
        similarity[n] = np.maximum(similarity[n], similarity[row])
    similarity = similarity[: len(words)]
    _credit_inflections(words, flat, similarity)
    author_bonus = _author_bonus(words, flat, similarity, fields_of, starts)
    if open_end:  # the start of a word typed so far: how much of it the word begins with
        last = words[-1]
        typed = process.cdist([last], flat, scorer=Prefix.similarity, dtype=np.int32)[0]
        similarity[-1] = np.maximum(similarity[-1], typed / len(last) * PREFIX_DISCOUNT)
    similarity *= weights
    best = np.maximum.reduceat(similarity, starts, axis=1)  # query word × candidate
    credit = np.clip((best - FLOOR) / (1 - FLOOR), 0, 1)
    query_weights = np.array([word_weight(w) for w in words], dtype=np.float32)
    if open_end:  # a word being typed counts for the word it will become
        query_weights[-1] = max(query_weights[-1], 0.5)
    coverage = query_weights @ credit / query_weights.sum()

    titles = [c.title for c in candidates]
    closeness = process.cdist([query], titles, scorer=fuzz.ratio, dtype=np.float32)[0] / 100
    exact = np.fromiter((t == query for t in titles), dtype=np.float32, count=len(titles))
    typing = np.fromiter(
        (open_end and t.startswith(query) for t in titles), dtype=np.float32, count=len(titles)
    )
    return 100 * coverage + 12 * closeness + 10 * exact + 6 * typing + author_bonus


def _initials(words: list[str]) -> list[tuple[int, str]]:
    """The initials the query's given names stand for, beside a surname («лев толстой» meets
    «Толстой Л. Н.»); a given name with no other word beside it is a word of a title
    («любовь», «вера»), not an author's initial."""
    named = [(n, initial) for n, w in enumerate(words) if (initial := initial_of(w))]
    others = [w for w in words if len(w) > 1 and w not in FUNCTION_WORDS and initial_of(w) is None]
    return named if others else []


def _author_bonus(
    words: list[str],
    flat: list[str],
    similarity: np.ndarray,
    fields_of: np.ndarray,
    starts: np.ndarray,
) -> np.ndarray:
    """AUTHOR_BONUS for the records whose authors' names (not initials) match every content word
    of the query, as typed or inflected («книги пушкина»: Pushkin's books, not Tsvetaeva's «Мой
    Пушкин»; «родионов вера» is not a name, for the initial «В.» of «Родионова В. А.»)."""
    content = [n for n, w in enumerate(words) if w not in FUNCTION_WORDS and len(w) > 1]
    if not content:
        return np.zeros(len(starts), dtype=np.float32)
    names = (fields_of == AUTHOR_FIELD) & np.fromiter(
        (len(w) > 1 for w in flat), dtype=bool, count=len(flat)
    )
    by_name = np.maximum.reduceat(np.where(names, similarity[content], 0), starts, axis=1)
    return np.where((by_name >= AUTHOR_MATCH).all(axis=0), AUTHOR_BONUS, 0).astype(np.float32)


def _credit_inflections(words: list[str], flat: list[str], similarity: np.ndarray) -> None:
    """Raise each inflected query word's similarity to the record words sharing its stem."""
    lengths: np.ndarray | None = None
    for n, word in enumerate(words):
        base = stem(word)
        if base == word:
            continue
        if lengths is None:
            lengths = np.fromiter(map(len, flat), dtype=np.int32, count=len(flat))
        shared = process.cdist([base], flat, scorer=Prefix.similarity, dtype=np.int32)[0]
        same = (shared == len(base)) & (np.abs(lengths - len(word)) <= 3)
        similarity[n] = np.where(same, np.maximum(similarity[n], INFLECTED), similarity[n])
