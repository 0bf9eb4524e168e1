"""Rows of a generated union catalog — records, ISBNs, copies — as plain dicts for Core inserts.

Everything is drawn from one seeded random source, in one order, so a size and a seed always
give the same catalog.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import db.demo
from bench.search import vocab
from bench.search.isbns import IsbnAllocator, isbn10_to_13, isbn13_check
from bench.search.titles import TitleMaker
from db.catalog import dedupe_key
from db.enums import AccessScope, ItemStatus, RecordKind

LIBRARIES = 1_000
SOURCE_TARGET = 6_000  # records sampled as query sources, whatever the size
LATIN_SHARE = 0.08
TEXTBOOK_SHARE = 0.03
TEXTBOOK_TEAMS = 6  # author teams (textbook lines) per school subject
REAL_TITLE_SHARE = 0.01  # the demo reading list, mixed in as a tiny part
REUSED_TITLE_SHARE = 0.12  # the same title by another author
FEMALE_AUTHOR_SHARE = 0.35
EPOCH = datetime(2023, 9, 1, tzinfo=UTC)
AGE_MARKS = (0, 6, 12, 16, 18, None)
AGE_WEIGHTS = (25, 20, 25, 12, 3, 15)
COPIES = (1, 2, 3, 4)
COPY_WEIGHTS = (45, 30, 15, 10)
TEXTBOOK_PUBLISHERS = ("Просвещение", "Дрофа", "Вентана-Граф", "Бином", "Русское слово")
ENGLISH_PUBLISHERS = ("Айрис-пресс", "Антология", "Каро", "Титул", "Просвещение")


def feminine(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ий", "ой", "ый")):
        return surname[:-2] + "ая"
    return surname


def reading_list() -> list[dict[str, str]]:
    path = Path(db.demo.__file__).with_name("reading_list.csv")
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _authors_field(raw: str) -> str:
    return "; ".join(a.strip() for a in raw.split(";") if a.strip())


@dataclass(slots=True)
class Chunk:
    records: list[dict[str, Any]] = field(default_factory=list)
    isbns: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Totals:
    records: int = 0
    items: int = 0
    isbns: int = 0
    isbn10_derived: int = 0
    latin: int = 0
    textbooks: int = 0
    real_titles: int = 0
    reused_titles: int = 0


class CatalogGenerator:
    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.titles = TitleMaker(self.rng)
        self.isbn = IsbnAllocator(self.rng)
        self.totals = Totals()
        self._source_share = min(1.0, SOURCE_TARGET / size)
        self._russian_authors = self._author_pool(max(2_000, size // 4), english=False)
        self._english_authors = self._author_pool(max(300, size // 40), english=True)
        self._teams = {
            subject: [self._team() for _ in range(TEXTBOOK_TEAMS)]
            for subject, _, _ in vocab.SCHOOL_SUBJECTS
        }
        self._reading = reading_list()
        self._generated: list[tuple[str, str]] = []  # (title, language) of generated records
        self._keys: set[str] = set()
        self._inventory = [0] * (LIBRARIES + 1)

    # people ---------------------------------------------------------------------------

    def _author_pool(self, n: int, *, english: bool) -> list[str]:
        rng, pool = self.rng, []
        for _ in range(n):
            if english:
                initials = f"{rng.choice(vocab.ENGLISH_FIRST_NAMES)[0]}."
                if rng.random() < 0.3:
                    initials += f" {rng.choice(vocab.ENGLISH_FIRST_NAMES)[0]}."
                pool.append(f"{rng.choice(vocab.ENGLISH_SURNAMES)} {initials}")
                continue
            surname = rng.choice(vocab.SURNAMES)
            names = vocab.MALE_NAMES
            if rng.random() < FEMALE_AUTHOR_SHARE:
                surname, names = feminine(surname), vocab.FEMALE_NAMES
            initials = f"{rng.choice(names)[0]}."
            if rng.random() < 0.9:
                initials += f" {rng.choice(vocab.MALE_NAMES)[0]}."
            pool.append(f"{surname} {initials}")
        return pool

    def _team(self) -> list[str]:
        """The authors of one textbook line: one to three people."""
        team = dict.fromkeys(self._author(False) for _ in range(self.rng.randint(1, 3)))
        return list(team)

    def _author(self, english: bool) -> str:
        pool = self._english_authors if english else self._russian_authors
        return pool[int(len(pool) * self.rng.random() ** 2.2)]  # a few authors write a lot

    def _authors(self, english: bool) -> list[str]:
        first = self._author(english)
        if self.rng.random() < 0.2:
            second = self._author(english)
            if second != first:
                return [first, second]
        return [first]

    # records --------------------------------------------------------------------------

    def _year(self, kind: RecordKind) -> int:
        if kind == RecordKind.TEXTBOOK:
            return self.rng.randint(2005, 2024)
        if self.rng.random() < 0.25:
            return self.rng.randint(1950, 1989)
        return self.rng.randint(1990, 2024)

    def _describe(self) -> dict[str, Any]:
        """Title, authors, kind, language and the like of the next record."""
        rng = self.rng
        roll = rng.random()
        if roll < REAL_TITLE_SHARE:
            row = rng.choice(self._reading)
            kind = RecordKind(row["kind"]) if row["kind"] else RecordKind.BOOK
            return {
                "origin": "real",
                "title": row["title"],
                "authors": _authors_field(row["authors"]).split("; "),
                "kind": kind,
                "language": "rus",
                "subtitle": row["subtitle"] or None,
                "series": row["series"] or None,
                "publisher": row["publisher"] or None,
            }
        if roll < REAL_TITLE_SHARE + REUSED_TITLE_SHARE and self._generated:
            title, language = rng.choice(self._generated)
            kind, origin = RecordKind.BOOK, "reused"
        elif roll < REAL_TITLE_SHARE + REUSED_TITLE_SHARE + TEXTBOOK_SHARE:
            title, language, kind = self.titles.textbook(), "rus", RecordKind.TEXTBOOK
            origin = "new"
        elif roll < REAL_TITLE_SHARE + REUSED_TITLE_SHARE + TEXTBOOK_SHARE + LATIN_SHARE:
            title, language, kind = self.titles.english(), "eng", RecordKind.BOOK
            origin = "new"
        else:
            title, language, kind = self.titles.russian(), "rus", RecordKind.BOOK
            origin = "new"
        if "ё" in title and rng.random() < 0.25:
            title = title.replace("ё", "е")  # many catalogs print е for ё
        english = language == "eng"
        textbook = kind == RecordKind.TEXTBOOK
        if textbook:
            authors = self.rng.choice(self._teams[title.split(".")[0]])
        else:
            authors = self._authors(english)
        subtitle = None
        if rng.random() < 0.2:
            subtitle = rng.choice(vocab.TEXTBOOK_SUBTITLES if textbook else vocab.SUBTITLES)
        series = None
        if not english and rng.random() < 0.33:
            series = rng.choice(vocab.TEXTBOOK_SERIES if textbook else vocab.SERIES)
        return {
            "origin": origin,
            "title": title,
            "authors": authors,
            "kind": kind,
            "language": language,
            "subtitle": subtitle,
            "series": series,
            "publisher": None,
        }

    def _subjects(self, kind: RecordKind, title: str) -> str:
        if kind == RecordKind.TEXTBOOK:
            return f"учебная литература; {title.split('.')[0].lower()}"
        return "; ".join(dict.fromkeys(self.rng.sample(vocab.SUBJECTS, self.rng.randint(1, 3))))

    def _publisher(self, kind: RecordKind, language: str, year: int) -> str:
        if kind == RecordKind.TEXTBOOK:
            return self.rng.choice(TEXTBOOK_PUBLISHERS)
        if language == "eng":
            return self.rng.choice(ENGLISH_PUBLISHERS)
        return self.rng.choice(vocab.SOVIET_PUBLISHERS if year < 1991 else vocab.PUBLISHERS)

    def _isbns(self, publisher: str, year: int) -> list[str]:
        rng = self.rng
        chance = 0.88 if year >= 1990 else (0.3 if year >= 1975 else 0.0)
        if rng.random() >= chance:
            return []
        count = 2 if rng.random() < 0.03 else 1
        found = []
        for _ in range(count):
            if year < 2007:  # printed as ISBN-10; the catalog keeps its ISBN-13
                found.append(isbn10_to_13(self.isbn.isbn10(publisher)))
                self.totals.isbn10_derived += 1
            else:
                found.append(self.isbn.isbn13(publisher))
        return found

    def _copies(self, record_id: int, when: datetime) -> list[dict[str, Any]]:
        rng, items = self.rng, []
        for _ in range(rng.choices(COPIES, COPY_WEIGHTS)[0]):
            library = rng.randint(1, LIBRARIES)
            self._inventory[library] += 1
            number = self._inventory[library]
            barcode = None
            if rng.random() < 0.4:
                first12 = f"2{library:04d}{number:07d}"
                barcode = first12 + isbn13_check(first12)
            roll = rng.random()
            status = (
                ItemStatus.AVAILABLE
                if roll < 0.88
                else ItemStatus.ON_LOAN
                if roll < 0.98
                else ItemStatus.IN_REPAIR
            )
            items.append(
                {
                    "record_id": record_id,
                    "library_id": library,
                    "inventory_number": str(number),
                    "barcode": barcode,
                    "status": status,
                    "created_at": when,
                    "updated_at": when,
                }
            )
        return items

    def record(self, record_id: int) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
        rng = self.rng
        while True:
            about = self._describe()
            year = self._year(about["kind"])
            for _ in range(20):
                key = dedupe_key(about["title"], about["authors"], year)
                if key not in self._keys:
                    break
                year = self._year(about["kind"])
            else:
                continue  # an edition of every year already: draw another record
            break
        self._keys.add(key)
        if about["origin"] == "real":
            self.totals.real_titles += 1
        elif about["origin"] == "reused":
            self.totals.reused_titles += 1
        else:
            self._generated.append((about["title"], about["language"]))
        kind, language = about["kind"], about["language"]
        publisher = about["publisher"] or self._publisher(kind, language, year)
        if kind == RecordKind.TEXTBOOK:
            age_mark = rng.choice((0, 6, None))
        else:
            age_mark = rng.choices(AGE_MARKS, AGE_WEIGHTS)[0]
        created = EPOCH + timedelta(seconds=rng.randrange(80_000_000))
        row = {
            "id": record_id,
            "title": about["title"],
            "subtitle": about["subtitle"],
            "authors": "; ".join(about["authors"]),
            "year": year,
            "publisher": publisher,
            "series": about["series"],
            "subjects": self._subjects(kind, about["title"]),
            "language": language,
            "kind": kind,
            "age_mark": age_mark,
            "url": None,
            "access_scope": AccessScope.PUBLIC,
            "dedupe_key": key,
            "created_at": created,
            "updated_at": created,
        }
        return row, self._isbns(publisher, year), self._copies(record_id, created)

    def chunks(self, chunk_size: int) -> Iterator[Chunk]:
        chunk = Chunk()
        for record_id in range(1, self.size + 1):
            row, isbns, items = self.record(record_id)
            chunk.records.append(row)
            chunk.isbns.extend({"isbn13": i, "record_id": record_id} for i in isbns)
            chunk.items.extend(items)
            if self.rng.random() < self._source_share:
                chunk.sources.append(record_id)
            t = self.totals
            t.records += 1
            t.items += len(items)
            t.isbns += len(isbns)
            t.latin += row["language"] == "eng"
            t.textbooks += row["kind"] == RecordKind.TEXTBOOK
            if len(chunk.records) >= chunk_size:
                yield chunk
                chunk = Chunk()
        if chunk.records:
            yield chunk


def libraries() -> list[dict[str, Any]]:
    """1,000 schools of one network: lib-0001…"""
    kinds = ("МБОУ СОШ", "МАОУ СОШ", "Гимназия", "Лицей", "Школа", "Центр образования")
    rows = []
    for n in range(1, LIBRARIES + 1):
        kind = kinds[n % len(kinds)]
        rows.append(
            {
                "id": n,
                "network_id": 1,
                "code": f"lib-{n:04d}",
                "name": f"Библиотека: {kind} № {n}",
                "short_name": f"{kind} № {n}",
            }
        )
    return rows
