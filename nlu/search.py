"""Catalog search over an in-memory set of documents (one per record).

This first engine scores every document with rapidfuzz; the search issue replaces candidate
generation with an index. The interface — upsert, remove, search — stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from nlu.isbn import find_isbn
from nlu.normalize import normalize

MIN_SCORE = 70.0


@dataclass(frozen=True, slots=True)
class Document:
    record_id: int
    title: str
    authors: str = ""
    year: int | None = None
    age_mark: int | None = None
    isbns: tuple[str, ...] = ()
    subtitle: str | None = None
    series: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    record_id: int
    score: float


class SearchIndex:
    def __init__(self) -> None:
        self._docs: dict[int, Document] = {}
        self._text: dict[int, str] = {}
        self._by_isbn: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def upsert(self, doc: Document) -> None:
        self.remove(doc.record_id)
        self._docs[doc.record_id] = doc
        self._text[doc.record_id] = normalize(" ".join(filter(None, (doc.title, doc.authors))))
        for isbn in doc.isbns:
            self._by_isbn[isbn] = doc.record_id

    def remove(self, record_id: int) -> None:
        old = self._docs.pop(record_id, None)
        self._text.pop(record_id, None)
        if old is not None:
            for isbn in old.isbns:
                self._by_isbn.pop(isbn, None)

    def search(self, query: str, *, max_age: int | None = None, limit: int = 50) -> list[Hit]:
        isbn = find_isbn(query)
        if isbn is not None:
            found = self._by_isbn.get(isbn)
            return (
                [Hit(found, 100.0)] if found is not None and self._allowed(found, max_age) else []
            )
        wanted = normalize(query)
        if not wanted:
            return []
        hits = []
        for record_id, text in self._text.items():
            if not self._allowed(record_id, max_age):
                continue
            score = fuzz.token_set_ratio(wanted, text)
            if wanted in text:
                score = max(score, 100.0)
            if score >= MIN_SCORE:
                hits.append(Hit(record_id, score))
        hits.sort(key=lambda h: (-h.score, self._docs[h.record_id].title))
        return hits[:limit]

    def _allowed(self, record_id: int, max_age: int | None) -> bool:
        mark = self._docs[record_id].age_mark
        return max_age is None or mark is None or mark <= max_age
