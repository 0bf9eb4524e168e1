"""Trigram postings in CSR form: for trigram t, the sorted documents docs[offsets[t]:offsets[t+1]].

Built chunk by chunk (each chunk's pairs come sorted by trigram, documents ascending), then
merged with one vectorised placement, so a million documents never need one giant sort.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from nlu.search.trigrams import TRIGRAM_SPACE


@dataclass(frozen=True, slots=True)
class Postings:
    offsets: np.ndarray  # int64, TRIGRAM_SPACE + 1
    docs: np.ndarray  # int32

    @classmethod
    def build(cls, chunks: Iterable[tuple[np.ndarray, np.ndarray]]) -> Postings:
        """From (trigram, document) pairs per chunk, each sorted by trigram then document,
        chunks in ascending document order."""
        parts = list(chunks)
        counts = np.zeros(TRIGRAM_SPACE, dtype=np.int64)
        for trigrams, _ in parts:
            counts += np.bincount(trigrams, minlength=TRIGRAM_SPACE)
        offsets = np.zeros(TRIGRAM_SPACE + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        docs = np.empty(int(offsets[-1]), dtype=np.int32)
        filled = offsets[:-1].copy()  # next free slot of each trigram
        for trigrams, chunk_docs in parts:
            chunk_counts = np.bincount(trigrams, minlength=TRIGRAM_SPACE)
            chunk_starts = np.zeros(TRIGRAM_SPACE, dtype=np.int64)
            np.cumsum(chunk_counts[:-1], out=chunk_starts[1:])
            rank = np.arange(len(trigrams), dtype=np.int64) - chunk_starts[trigrams]
            docs[filled[trigrams] + rank] = chunk_docs
            filled += chunk_counts
        return cls(offsets, docs)

    def document_frequency(self, trigrams: np.ndarray) -> np.ndarray:
        return self.offsets[trigrams + 1] - self.offsets[trigrams]

    def of(self, trigram: int) -> np.ndarray:
        return self.docs[self.offsets[trigram] : self.offsets[trigram + 1]]

    @property
    def nbytes(self) -> int:
        return int(self.offsets.nbytes + self.docs.nbytes)
