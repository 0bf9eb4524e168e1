"""Queries with known answers, made from records of the catalog the way people type them.

Each kind draws its own deterministic sample of the catalog's query sources. A query expects
its source record; since generated catalogs repeat titles, any record with the same title and
authors (casefolded, ё→е) counts as the answer.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bench.search.keyboard import to_latin, typo
from bench.search.translit import transliterate

KINDS = (
    "exact",
    "typo1",
    "typo2",
    "layout",
    "translit",
    "missing",
    "prefix",
    "author_title",
    "inflected",
)
# How a request bends a title: «хочу взять пиковую даму» (accusative), «нет мёртвых душ»
# (genitive). Endings of words of ≥ 4 letters, longest first; the first that fits is changed.
ACCUSATIVE = (("ая", "ую"), ("яя", "юю"), ("а", "у"), ("я", "ю"))
GENITIVE = (
    ("ый", "ого"), ("ий", "его"), ("ой", "ого"), ("ая", "ой"), ("яя", "ей"), ("ые", "ых"),
    ("ие", "их"), ("а", "ы"), ("я", "и"), ("о", "а"),
)  # fmt: skip
SCHEMES = ("icao", "bgn_pcgn", "gost_7_79_b", "informal")
WITH_SURNAME = 0.3  # share of title queries that add the author's surname
CROWDED = 4  # books (author sets) sharing a title beyond which the title alone names none
STOPWORDS = frozenset(
    "и в во на о об обо с со к ко по за из у над под для без до от при про как не ни его её "
    "их мой моя моё мои все всё что кто где это the a an of and in on for to at by".split()
)
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def fold(text: str) -> str:
    """The form in which titles and authors are compared: casefolded, ё→е, single spaces."""
    return " ".join(text.casefold().replace("ё", "е").split())


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    title: str
    authors: str
    language: str
    books: int = 1  # distinct author sets with this title in the catalog, this one included

    @property
    def crowded(self) -> bool:
        return self.books >= CROWDED

    @property
    def surname(self) -> str:
        first = self.authors.split(";")[0].split()
        return first[0] if first else ""

    @property
    def cyrillic(self) -> bool:
        return self.language == "rus" and bool(_CYRILLIC.search(self.title))

    @property
    def key(self) -> tuple[str, str]:
        return fold(self.title), fold(self.authors)


@dataclass(frozen=True, slots=True)
class Query:
    kind: str
    text: str
    record_id: int
    title: str
    authors: str

    @property
    def key(self) -> tuple[str, str]:
        return fold(self.title), fold(self.authors)


def load_sources(db_path: Path, ids: Iterable[int]) -> list[Source]:
    """The records behind `ids`, in id order, with how many books share each one's title."""
    wanted = sorted(set(ids))
    rows: list[tuple[int, str, str, str]] = []
    with closing(sqlite3.connect(db_path)) as conn:
        for start in range(0, len(wanted), 900):
            part = wanted[start : start + 900]
            marks = ",".join("?" * len(part))
            rows.extend(
                conn.execute(
                    f"SELECT id, title, authors, coalesce(language, '') FROM records "
                    f"WHERE id IN ({marks}) ORDER BY id",
                    part,
                )
            )
        shared: dict[str, set[str]] = {fold(title): set() for _, title, _, _ in rows}
        for title, authors in conn.execute("SELECT title, authors FROM records"):
            books = shared.get(fold(title))
            if books is not None:
                books.add(fold(authors))
    return [Source(*row, books=len(shared[fold(row[1])])) for row in rows]


def _words(text: str, min_len: int = 4) -> list[re.Match[str]]:
    return [m for m in _WORD.finditer(text) if len(m.group()) >= min_len]


def _significant(text: str) -> list[str]:
    return [m.group() for m in _words(text) if m.group().casefold() not in STOPWORDS]


def _lower_sometimes(rng: random.Random, text: str, share: float) -> str:
    return text.lower() if rng.random() < share else text


class QueryMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _base(self, source: Source) -> tuple[str, int]:
        """The title, sometimes followed by the surname — always when the title alone names
        many books (one wanting this very one adds the author); and where the title ends."""
        title = source.title
        wants_surname = source.crowded or self.rng.random() < WITH_SURNAME
        if source.surname and wants_surname:
            return f"{title} {source.surname}", len(title)
        return title, len(title)

    def _edit(self, text: str, end: int, edits: int) -> str | None:
        """`edits` typos in words of ≥ 4 letters within text[:end], in different words if
        there are enough of them."""
        words = [m for m in _words(text) if m.end() <= end]
        if not words:
            return None
        if len(words) >= edits:
            chosen = self.rng.sample(words, edits)
        else:
            chosen = [words[0]] * edits
        spans: dict[tuple[int, int], str] = {}
        for match in chosen:
            span = match.span()
            spans[span] = typo(self.rng, spans.get(span, match.group()))
        for (start, stop), word in sorted(spans.items(), reverse=True):
            text = text[:start] + word + text[stop:]
        return text

    def exact(self, source: Source) -> str | None:
        return self._base(source)[0]

    def typo1(self, source: Source) -> str | None:
        return self._edit(*self._base(source), edits=1)

    def typo2(self, source: Source) -> str | None:
        return self._edit(*self._base(source), edits=2)

    def layout(self, source: Source) -> str | None:
        if not source.cyrillic:
            return None
        return to_latin(_lower_sometimes(self.rng, self._base(source)[0], 0.8))

    def translit(self, source: Source) -> str | None:
        if not source.cyrillic:
            return None
        text = transliterate(self._base(source)[0], self.rng.choice(SCHEMES))
        return _lower_sometimes(self.rng, text, 0.7)

    def missing(self, source: Source) -> str | None:
        tokens = source.title.split()
        if len(tokens) < 3 or not source.surname:
            return None
        droppable = [i for i, t in enumerate(tokens) if len(_WORD.findall(t)) and len(t) >= 3]
        if not droppable:
            return None
        del tokens[self.rng.choice(droppable)]
        return f"{' '.join(tokens)} {source.surname}"

    def prefix(self, source: Source) -> str | None:
        if source.crowded:
            return None  # the start of a title many books share names none of them
        title = source.title
        target = round(len(title) * 0.6)
        for shift in (0, 1, -1, 2, -2, 3, -3):
            cut = target + shift
            if 2 <= cut < len(title) and title[cut - 1].isalpha() and title[cut].isalpha():
                return title[:cut]
        return None

    def author_title(self, source: Source) -> str | None:
        words = _significant(source.title)
        if not words or not source.surname:
            return None
        return f"{source.surname} {self.rng.choice(words)}".lower()

    def inflected(self, source: Source) -> str | None:
        """The title as a request puts it: its words in the accusative or the genitive."""
        if not source.cyrillic:
            return None
        endings = ACCUSATIVE if self.rng.random() < 0.6 else GENITIVE
        base, end = self._base(source)
        title, rest = base[:end], base[end:]

        def bend(match: re.Match[str]) -> str:
            word = match.group()
            for ending, replacement in endings:
                if word.lower().endswith(ending) and len(word) > len(ending) + 2:
                    return word[: -len(ending)] + replacement
            return word

        text = re.sub(r"[^\W\d_]{4,}", bend, title)
        if text == title:
            return None
        return _lower_sometimes(self.rng, text + rest, 0.8)

    def make(self, kind: str) -> Callable[[Source], str | None]:
        return getattr(self, kind)


def make_queries(
    sources: Sequence[Source], per_kind: int, seed: int, kinds: Sequence[str] = KINDS
) -> list[Query]:
    """`per_kind` queries of each kind, from a per-kind shuffle of `sources` (fixed by seed)."""
    queries: list[Query] = []
    for kind in kinds:
        rng = random.Random(f"{seed}:{kind}")
        order = list(sources)
        rng.shuffle(order)
        maker = QueryMaker(rng).make(kind)
        made = 0
        for source in order:
            if made >= per_kind:
                break
            text = maker(source)
            if text and text.strip():
                queries.append(Query(kind, text, source.id, source.title, source.authors))
                made += 1
    return queries


def record_keys(db_path: Path, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(title, authors) in compared form for each record id — to score answers."""
    wanted = sorted(set(ids))
    keys: dict[int, tuple[str, str]] = {}
    with closing(sqlite3.connect(db_path)) as conn:
        for start in range(0, len(wanted), 900):
            part = wanted[start : start + 900]
            marks = ",".join("?" * len(part))
            for rid, title, authors in conn.execute(
                f"SELECT id, title, authors FROM records WHERE id IN ({marks})", part
            ):
                keys[rid] = (fold(title), fold(authors))
    return keys
