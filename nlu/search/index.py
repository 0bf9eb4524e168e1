"""The catalog search index: a trigram index with a bounded, fuzzy re-ranking.

An immutable base — numpy arrays that can be saved and memory-mapped back in a fraction of a
second — plus a small delta of records changed since the base was built. A search:

1. an ISBN in the query is looked up directly (ISBN-10 and -13 meet as ISBN-13);
2. the query is read (as typed / wrong layout / transliterated) against the vocabulary;
3. candidates come from the postings of the query's rarest trigrams, IDF-weighted, without
   touching the rest of the catalog;
4. at most a few hundred candidates are re-ranked with rapidfuzz (nlu.search.ranking);
5. textbooks go below fiction unless asked for, and a series' books come in their order
   (nlu.search.arrange).

Who may find a record is part of the search, not a filter on its results: each document
carries an age mark and a scope key (0: everyone; any other number names a group of people —
the caller decides what it means), and a search given the viewer's keys (`visible`) drops the
others among the candidates, before any ranking or cut, so a page of results never has a
hidden record's place in it.
"""

from __future__ import annotations

import json
import math
import mmap
import os
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlu.isbn import find_isbn, to_isbn13
from nlu.normalize import normalize, normalize_many
from nlu.search.arrange import demote_textbooks, series_in_order
from nlu.search.postings import Postings
from nlu.search.query import QueryReader, Reading
from nlu.search.ranking import Fields, score
from nlu.search.trigrams import TRIGRAM_SPACE, bulk_trigrams, query_trigrams, word_trigrams
from nlu.search.vocabulary import Vocabulary

FORMAT_VERSION = 5  # 5: each document's scope key (who may find it)
CHUNK = 100_000  # documents per bulk trigram pass
POSTINGS_BUDGET = 150_000  # postings read per query, rarest trigrams first
MIN_TRIGRAMS = 3  # …but never fewer trigrams than this
MAX_CANDIDATES = 250  # re-ranked per query
CANDIDATE_RATIO = 0.3  # of the best trigram score, to be a candidate at all
MIN_SCORE = 55.0  # below this (about half the query's words unmatched) a record is not a hit
RELATIVE_FLOOR = 0.6  # …nor below this share of the best hit's score
GOOD_SCORE = 95.0  # below this, a «did you mean» with the catalog's spelling is considered
NO_AGE = -1
TEXTBOOK = "textbook"  # RecordKind.TEXTBOOK
MAX_QUERY = 200  # characters of a query read at all: a title and an author fit in far fewer
# Words of a query read at all: each costs a look-up in the vocabulary, and a title with its
# author fits in far fewer («Гарри Поттер и Дары Смерти Роулинг Дж. К.» is eight).
MAX_WORDS = 12
SEP = "\x1f"


@dataclass(frozen=True, slots=True)
class Document:
    """A record as the search index sees it."""

    record_id: int
    title: str
    authors: str = ""
    year: int | None = None
    age_mark: int | None = None
    isbns: tuple[str, ...] = ()
    subtitle: str | None = None
    series: str | None = None
    subjects: str = ""
    kind: str = "book"  # a RecordKind value
    series_number: int | None = None
    scope: int = 0  # who may find it: 0 everyone, else a key a viewer must hold


@dataclass(frozen=True, slots=True)
class Hit:
    record_id: int
    score: float


class SearchResult(list[Hit]):
    """Hits, best first, with how the query was read and a suggestion when nothing fits well."""

    def __init__(
        self,
        hits: Iterable[Hit] = (),
        reading: Reading | None = None,
        suggestion: str | None = None,
    ) -> None:
        super().__init__(hits)
        self.reading = reading
        self.suggestion = suggestion


def _raw_fields(doc: Document) -> tuple[str, str, str, str]:
    title = f"{doc.title} {doc.subtitle}" if doc.subtitle else doc.title
    return title, doc.authors, doc.series or "", doc.subjects


def _fields(doc: Document) -> Fields:
    return Fields(*(normalize(f) for f in _raw_fields(doc)))


def _index_text(fields: Fields) -> str:
    return " ".join(filter(None, (fields.title, fields.authors, fields.series, fields.subjects)))


class _Texts:
    """Normalised fields of every base document, as one UTF-8 blob (bytes, or a read-only
    memory map of the saved file, so a million records cost no start-up time)."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: np.ndarray) -> None:
        self.blob = blob
        self.offsets = offsets

    @classmethod
    def build(cls, rows: list[str]) -> _Texts:
        encoded = [row.encode() for row in rows]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(b"".join(encoded), offsets)

    @classmethod
    def open(cls, path: Path, offsets: np.ndarray) -> _Texts:
        with path.open("rb") as file:
            if path.stat().st_size == 0:
                return cls(b"", offsets)
            return cls(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ), offsets)

    def get_many(self, docs: np.ndarray) -> list[Fields]:
        starts = self.offsets[docs].tolist()
        ends = self.offsets[docs + 1].tolist()
        blob = self.blob
        return [Fields(*blob[s:e].decode().split(SEP)) for s, e in zip(starts, ends, strict=True)]


@dataclass(slots=True)
class _DeltaDoc:
    fields: Fields
    age: int
    isbns: tuple[str, ...]
    trigrams: frozenset[int]
    textbook: bool
    volume: int
    scope: int = 0


def _volume(doc: Document) -> int:
    """The place in its series as the index keeps it: 0 for none (or one past int16)."""
    number = doc.series_number or 0
    return number if 0 < number <= np.iinfo(np.int16).max else 0


class SearchIndex:
    def __init__(
        self,
        record_ids: np.ndarray,
        ages: np.ndarray,
        texts: _Texts,
        postings: Postings,
        isbn_keys: np.ndarray,
        isbn_docs: np.ndarray,
        vocabulary: Vocabulary,
        textbooks: np.ndarray,
        volumes: np.ndarray,
        scopes: np.ndarray,
    ) -> None:
        self.record_ids = record_ids  # sorted: document number → record id
        self.ages = ages
        self.textbooks = textbooks  # bool: the record is a textbook
        self.volumes = volumes  # int16: its place in its series, 0 for none
        self.scopes = scopes  # int64: who may find it, 0 for everyone
        self.texts = texts
        self.postings = postings
        self.isbn_keys = isbn_keys  # sorted ISBN-13 as integers
        self.isbn_docs = isbn_docs
        self.vocabulary = vocabulary
        self.reader = QueryReader(vocabulary)
        self.alive = np.ones(len(record_ids), dtype=bool)
        self.delta: dict[int, _DeltaDoc] = {}
        self._delta_postings: dict[int, set[int]] = defaultdict(set)
        self._delta_isbns: dict[str, int] = {}

    # Building, saving, loading ------------------------------------------------------------

    @classmethod
    def empty(cls) -> SearchIndex:
        none = np.empty(0, dtype=np.int64)
        postings = Postings(
            np.zeros(TRIGRAM_SPACE + 1, dtype=np.int64), np.empty(0, dtype=np.int32)
        )
        return cls(
            record_ids=none,
            ages=np.empty(0, dtype=np.int8),
            texts=_Texts(b"", np.zeros(1, dtype=np.int64)),
            postings=postings,
            isbn_keys=none,
            isbn_docs=np.empty(0, dtype=np.int32),
            vocabulary=Vocabulary([], postings),
            textbooks=np.empty(0, dtype=bool),
            volumes=np.empty(0, dtype=np.int16),
            scopes=np.empty(0, dtype=np.int64),
        )

    @classmethod
    def build(cls, documents: Iterable[Document]) -> SearchIndex:
        docs = sorted(documents, key=lambda d: d.record_id)
        columns = list(zip(*(_raw_fields(d) for d in docs), strict=True)) or [(), (), (), ()]
        titles, authors, series, subjects = (normalize_many(list(c)) for c in columns)
        fields = [Fields(*f) for f in zip(titles, authors, series, subjects, strict=True)]
        index_texts = [_index_text(f) for f in fields]
        postings = Postings.build(
            bulk_trigrams(index_texts[i : i + CHUNK], first_doc=i)
            for i in range(0, len(index_texts), CHUNK)
        )
        isbn_pairs = sorted(
            (int(isbn), n)
            for n, d in enumerate(docs)
            for raw in d.isbns
            if (isbn := to_isbn13(raw))
        )
        return cls(
            record_ids=np.fromiter((d.record_id for d in docs), dtype=np.int64, count=len(docs)),
            ages=np.fromiter(
                (NO_AGE if d.age_mark is None else d.age_mark for d in docs),
                dtype=np.int8,
                count=len(docs),
            ),
            texts=_Texts.build(
                [SEP.join(f) for f in zip(titles, authors, series, subjects, strict=True)]
            ),
            postings=postings,
            isbn_keys=np.array([k for k, _ in isbn_pairs], dtype=np.int64),
            isbn_docs=np.array([n for _, n in isbn_pairs], dtype=np.int32),
            vocabulary=Vocabulary.build(index_texts),
            textbooks=np.fromiter((d.kind == TEXTBOOK for d in docs), dtype=bool, count=len(docs)),
            volumes=np.fromiter((_volume(d) for d in docs), dtype=np.int16, count=len(docs)),
            scopes=np.fromiter((d.scope for d in docs), dtype=np.int64, count=len(docs)),
        )

    _ARRAYS = ("record_ids", "ages", "isbn_keys", "isbn_docs", "textbooks", "volumes", "scopes")

    def save(self, folder: Path, meta: dict[str, Any]) -> None:
        """Write the base atomically: a half-written snapshot is never loaded."""
        if self.delta or not self.alive.all():
            raise ValueError("only a freshly built index can be saved")
        tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name in self._ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(self, name))
        (tmp / "text_blob.bin").write_bytes(self.texts.blob)
        np.save(tmp / "text_offsets.npy", self.texts.offsets)
        np.save(tmp / "postings_offsets.npy", self.postings.offsets)
        np.save(tmp / "postings_docs.npy", self.postings.docs)
        (tmp / "vocabulary.txt").write_text("\n".join(self.vocabulary.words), encoding="utf-8")
        np.save(tmp / "vocabulary_offsets.npy", self.vocabulary.postings.offsets)
        np.save(tmp / "vocabulary_docs.npy", self.vocabulary.postings.docs)
        (tmp / "meta.json").write_text(
            json.dumps({**meta, "format": FORMAT_VERSION, "documents": len(self.record_ids)}),
            encoding="utf-8",
        )
        old = folder.with_name(f"{folder.name}.old{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> tuple[SearchIndex, dict[str, Any]] | None:
        """The saved index and its metadata, or None if there is none or it is of another format."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT_VERSION:
                return None

            def array(name: str) -> np.ndarray:
                # a plain ndarray view of the mapped file: no copy, no memmap overhead per access
                return np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r"))

            words = (folder / "vocabulary.txt").read_text(encoding="utf-8")
            vocabulary = Vocabulary(
                words.split("\n") if words else [],
                Postings(array("vocabulary_offsets"), array("vocabulary_docs")),
            )
            index = cls(
                record_ids=array("record_ids"),
                ages=array("ages"),
                texts=_Texts.open(folder / "text_blob.bin", array("text_offsets")),
                postings=Postings(array("postings_offsets"), array("postings_docs")),
                isbn_keys=array("isbn_keys"),
                isbn_docs=array("isbn_docs"),
                vocabulary=vocabulary,
                textbooks=array("textbooks"),
                volumes=array("volumes"),
                scopes=array("scopes"),
            )
        except (OSError, ValueError, KeyError):
            return None
        return index, meta

    # Following the catalog ----------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.alive.sum()) + len(self.delta)

    def _base_doc(self, record_id: int) -> int | None:
        n = int(np.searchsorted(self.record_ids, record_id))
        if n < len(self.record_ids) and self.record_ids[n] == record_id and self.alive[n]:
            return n
        return None

    def upsert(self, doc: Document) -> None:
        """A new or changed record: it lives in the delta until the next full build."""
        self.remove(doc.record_id)
        fields = _fields(doc)
        text = _index_text(fields)
        trigrams = frozenset(t for w in text.split() for t in word_trigrams(w))
        isbns = tuple(i for raw in doc.isbns if (i := to_isbn13(raw)))
        self.delta[doc.record_id] = _DeltaDoc(
            fields,
            NO_AGE if doc.age_mark is None else doc.age_mark,
            isbns,
            trigrams,
            textbook=doc.kind == TEXTBOOK,
            volume=_volume(doc),
            scope=doc.scope,
        )
        for t in trigrams:
            self._delta_postings[t].add(doc.record_id)
        for isbn in isbns:
            self._delta_isbns[isbn] = doc.record_id
        self.vocabulary.add(text)
        self.reader = QueryReader(self.vocabulary)  # forget cached spellings

    def remove(self, record_id: int) -> None:
        n = self._base_doc(record_id)
        if n is not None:
            self.alive[n] = False
        old = self.delta.pop(record_id, None)
        if old is not None:
            for t in old.trigrams:
                self._delta_postings[t].discard(record_id)
            for isbn in old.isbns:
                self._delta_isbns.pop(isbn, None)

    # Searching ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        max_age: int | None = None,
        limit: int = 50,
        visible: frozenset[int] | None = None,
    ) -> SearchResult:
        """Hits for `query`, best first, among the records this viewer may find: age marks up
        to `max_age` (None: any) and scope keys 0 or in `visible` (None: every scope)."""
        query = first_words(query[:MAX_QUERY], MAX_WORDS)  # callers refuse longer ones too
        allowed = _Allowed(max_age, visible)
        isbn = find_isbn(query)
        if isbn is not None:
            return SearchResult(self._by_isbn(isbn, allowed))
        reading = self.reader.best(query)
        hits = self._ranked(reading, allowed, limit)
        suggestion = None
        if not hits or hits[0].score < GOOD_SCORE:
            suggestion = self._suggestion(reading, hits, allowed)
        return SearchResult(hits, reading, suggestion)

    def _suggestion(self, reading: Reading, hits: list[Hit], allowed: _Allowed) -> str | None:
        """The catalog's spelling of the query, if searching for it (as the suggestion's button
        will) finds a record this search did not, and a better match than the best found.
        Only records the viewer may find count: a suggestion never hints at a hidden one."""
        corrected = self.reader.corrected(reading)
        if corrected is None:
            return None
        better = self._ranked(self.reader.best(corrected), allowed, 1)
        if not better:
            return None
        best = hits[0].score if hits else 0.0
        if better[0].score <= best or better[0].record_id in {h.record_id for h in hits}:
            return None
        return corrected

    def _ranked(self, reading: Reading, allowed: _Allowed, limit: int) -> list[Hit]:
        words = reading.words
        if not words:
            return []
        trigrams = query_trigrams(words, last_open=reading.open_end)
        base = self._base_candidates(trigrams, allowed)
        delta = self._delta_candidates(trigrams, allowed)
        fields = self.texts.get_many(base) + [self.delta[r].fields for r in delta]
        ids = [int(self.record_ids[n]) for n in base] + delta
        scores = score(reading.text, reading.open_end, fields)
        if not len(scores):
            return []
        textbooks = np.concatenate(
            [self.textbooks[base], [self.delta[r].textbook for r in delta]]
        ).astype(bool)
        arranged = demote_textbooks(scores, textbooks, words)
        floor = max(MIN_SCORE, float(arranged.max()) * RELATIVE_FLOOR)
        order = [int(i) for i in np.argsort(-arranged, kind="stable") if arranged[i] >= floor]
        volumes = [int(v) for v in self.volumes[base]] + [self.delta[r].volume for r in delta]
        order = series_in_order(order, words, [f.series for f in fields], volumes)
        return [Hit(ids[i], round(float(scores[i]), 2)) for i in order[:limit]]

    def _allowed(self, docs: np.ndarray, allowed: _Allowed) -> np.ndarray:
        """Which of these base documents are alive and the viewer may find."""
        return self.alive[docs] & allowed.base(self.ages[docs], self.scopes[docs])

    def _by_isbn(self, isbn: str, allowed: _Allowed) -> list[Hit]:
        key = int(isbn)
        start, end = np.searchsorted(self.isbn_keys, [key, key + 1])
        docs = np.asarray(self.isbn_docs[start:end])
        docs = docs[self._allowed(docs, allowed)]
        ids = [int(self.record_ids[n]) for n in docs]
        in_delta = self._delta_isbns.get(isbn)
        if in_delta is not None and allowed.delta(self.delta[in_delta]):
            ids.append(in_delta)
        return [Hit(record_id, 100.0) for record_id in ids]

    def _base_candidates(self, trigrams: np.ndarray, allowed: _Allowed) -> np.ndarray:
        n_docs = len(self.record_ids)
        if not len(trigrams) or not n_docs:
            return np.empty(0, dtype=np.int64)
        frequency = self.postings.document_frequency(trigrams)
        present = frequency > 0
        trigrams, frequency = trigrams[present], frequency[present]
        if not len(trigrams):
            return np.empty(0, dtype=np.int64)
        rarest = np.argsort(frequency, kind="stable")
        within = int(np.searchsorted(np.cumsum(frequency[rarest]), POSTINGS_BUDGET, side="right"))
        chosen = rarest[: max(MIN_TRIGRAMS, within)]
        idf = np.log1p(n_docs / frequency[chosen])
        starts = self.postings.offsets[trigrams[chosen]]
        ends = self.postings.offsets[trigrams[chosen] + 1]
        docs = np.concatenate([self.postings.docs[s:e] for s, e in zip(starts, ends, strict=True)])
        weights = np.repeat(idf, frequency[chosen])
        if len(docs) * 8 < n_docs:  # few postings: sort them instead of a catalog-wide array
            order = np.argsort(docs, kind="stable")
            docs, weights = docs[order], weights[order]
            firsts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
            candidates = docs[firsts].astype(np.int64)
            totals = np.add.reduceat(weights, firsts)
        else:
            sums = np.bincount(docs, weights=weights, minlength=n_docs)
            candidates = np.flatnonzero(sums > 0)
            totals = sums[candidates]
        # whom the viewer may not find is dropped first: a hidden record neither sets the bar
        # nor takes a candidate's place
        keep = self._allowed(candidates, allowed)
        candidates, totals = candidates[keep], totals[keep]
        if not len(candidates):
            return candidates
        keep = totals >= totals.max() * CANDIDATE_RATIO
        candidates, totals = candidates[keep], totals[keep]
        if len(candidates) > MAX_CANDIDATES:
            top = np.argpartition(-totals, MAX_CANDIDATES)[:MAX_CANDIDATES]
            candidates = candidates[top]
        return candidates

    def _delta_candidates(self, trigrams: np.ndarray, allowed: _Allowed) -> list[int]:
        if not self.delta:
            return []
        n_docs = len(self.record_ids) + len(self.delta)
        totals: dict[int, float] = defaultdict(float)
        for t in trigrams.tolist():
            holders = self._delta_postings.get(t)
            if holders:
                idf = math.log1p(n_docs / (len(holders) + len(self.postings.of(t))))
                for record_id in holders:
                    if allowed.delta(self.delta[record_id]):
                        totals[record_id] += idf
        if not totals:
            return []
        best = max(totals.values())
        chosen = [r for r, total in totals.items() if total >= best * CANDIDATE_RATIO]
        return sorted(chosen, key=lambda r: -totals[r])[:MAX_CANDIDATES]


@dataclass(frozen=True, slots=True)
class _Allowed:
    """What the viewer may find: age marks up to `max_age` (None: any), scope keys 0 or in
    `visible` (None: all)."""

    max_age: int | None
    visible: frozenset[int] | None

    def base(self, ages: np.ndarray, scopes: np.ndarray) -> np.ndarray:
        mask = np.ones(len(ages), dtype=bool)
        if self.max_age is not None:
            mask &= (ages == NO_AGE) | (ages <= self.max_age)
        if self.visible is not None:
            keys = np.fromiter(self.visible, dtype=np.int64, count=len(self.visible))
            mask &= (scopes == 0) | np.isin(scopes, keys)
        return mask

    def delta(self, doc: _DeltaDoc) -> bool:
        if self.max_age is not None and doc.age != NO_AGE and doc.age > self.max_age:
            return False
        return self.visible is None or doc.scope == 0 or doc.scope in self.visible


def first_words(query: str, most: int) -> str:
    """The query cut to its first `most` words; a shorter one as it is (its trailing space
    still tells that the last word was finished)."""
    words = query.split()
    return query if len(words) <= most else " ".join(words[:most]) + " "
