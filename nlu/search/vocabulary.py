"""Every word of the catalog, for checking how well a reading of a query fits the catalog and
for spelling suggestions («возможно, вы имели в виду …»).

Words are kept sorted (prefix checks by bisection) with a word-level trigram index, so the
closest catalog words to a misspelt one are found without scanning the vocabulary.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

import numpy as np
from rapidfuzz import fuzz, process

from nlu.search.postings import Postings
from nlu.search.trigrams import bulk_trigrams, query_trigrams

CANDIDATES = 40  # closest-by-trigrams words handed to the edit-distance check


class Vocabulary:
    def __init__(self, words: list[str], postings: Postings) -> None:
        self.words = words  # sorted
        self._ids = {w: i for i, w in enumerate(words)}
        self.postings = postings
        self.extra: set[str] = set()  # words of records changed since the last build

    @classmethod
    def build(cls, texts: Iterable[str]) -> Vocabulary:
        words = sorted({w for text in texts for w in text.split()})
        chunks = [
            bulk_trigrams(words[i : i + 200_000], first_doc=i)
            for i in range(0, len(words), 200_000)
        ]
        return cls(words, Postings.build(chunks))

    def __contains__(self, word: str) -> bool:
        return word in self._ids or word in self.extra

    def __len__(self) -> int:
        return len(self.words) + len(self.extra)

    def add(self, text: str) -> None:
        self.extra.update(w for w in text.split() if w not in self._ids)

    def has_prefix(self, prefix: str) -> bool:
        i = bisect_left(self.words, prefix)
        if i < len(self.words) and self.words[i].startswith(prefix):
            return True
        return any(w.startswith(prefix) for w in self.extra)

    def closest(self, word: str, limit: int = 1) -> list[tuple[str, float]]:
        """Catalog words nearest to `word` by edit similarity (0..1), best first."""
        if word in self:
            return [(word, 1.0)]
        trigrams = query_trigrams([word], last_open=False)
        pool: list[str] = []
        if len(trigrams):
            starts = self.postings.offsets[trigrams]
            ends = self.postings.offsets[trigrams + 1]
            found = np.concatenate(
                [self.postings.docs[s:e] for s, e in zip(starts, ends, strict=True)]
            )
            if len(found):
                counts = np.bincount(found, minlength=len(self.words))
                near = np.flatnonzero(counts >= max(1, counts.max() - 2))
                if len(near) > CANDIDATES:
                    near = near[np.argsort(-counts[near], kind="stable")[:CANDIDATES]]
                pool = [self.words[i] for i in near]
        pool.extend(w for w in self.extra if abs(len(w) - len(word)) <= 2)
        if not pool:
            return []
        matches = process.extract(word, pool, scorer=fuzz.ratio, limit=limit)
        return [(match, score / 100) for match, score, _ in matches]
