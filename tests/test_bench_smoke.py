"""The search bench's generators at a tiny size: deterministic, complete, valid. Times nothing."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

from bench.search import vocab
from bench.search.catalog import write_catalog
from bench.search.isbns import IsbnAllocator, isbn10_to_13
from bench.search.morph import lexicon
from bench.search.queries import KINDS, Query, fold, load_sources, make_queries
from bench.search.records import LIBRARIES
from nlu.isbn import to_isbn13

SIZE = 2_000
SEED = 7


async def _catalog_and_queries(folder: Path) -> tuple[Path, list[Query]]:
    info = await write_catalog(folder / "catalog.sqlite3", SIZE, SEED, progress=lambda _: None)
    path = Path(info.path)
    queries = make_queries(load_sources(path, info.sources), per_kind=20, seed=SEED)
    return path, queries


def _titles(path: Path, n: int) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [t for (t,) in conn.execute("SELECT title FROM records ORDER BY id LIMIT ?", (n,))]


async def test_the_bench_generators_are_deterministic_and_valid(tmp_path: Path) -> None:
    first, queries = await _catalog_and_queries(tmp_path / "a")
    second, again = await _catalog_and_queries(tmp_path / "b")

    assert _titles(first, 20) == _titles(second, 20)
    assert queries[:20] == again[:20]
    assert {q.kind for q in queries} == set(KINDS)
    assert all(sum(q.kind == kind for q in queries) == 20 for kind in KINDS)

    with closing(sqlite3.connect(first)) as conn:
        records = dict(
            (rid, (title, authors))
            for rid, title, authors in conn.execute("SELECT id, title, authors FROM records")
        )
        isbns = [i for (i,) in conn.execute("SELECT isbn13 FROM record_isbns")]
        items = conn.execute("SELECT count(*), count(DISTINCT record_id) FROM items").fetchone()
        libraries = conn.execute("SELECT count(*) FROM libraries").fetchone()[0]

    assert len(records) == SIZE
    assert libraries == LIBRARIES
    assert items[1] == SIZE and SIZE <= items[0] <= 4 * SIZE
    for query in queries:
        assert query.record_id in records
        title, authors = records[query.record_id]
        assert (fold(title), fold(authors)) == query.key
    assert 0.6 * SIZE <= len(isbns) <= 0.85 * SIZE
    assert all(i.startswith("9785") and to_isbn13(i) == i for i in isbns)
    old = IsbnAllocator(random.Random(SEED)).isbn10("Детгиз")  # «5-PPP-TTTTT-C»
    assert to_isbn13(old) == isbn10_to_13(old)

    # The vocabularies are as large as the bench promises.
    assert len(lexicon().word_forms()) >= 1_500
    assert len(set(vocab.SURNAMES)) >= 800
    assert len(set(vocab.MALE_NAMES) | set(vocab.FEMALE_NAMES)) >= 150
    english = set(vocab.ENGLISH_NOUNS) | set(vocab.ENGLISH_ADJECTIVES) | set(vocab.ENGLISH_VERBS)
    assert len(english) >= 280
    assert len(set(vocab.ENGLISH_FIRST_NAMES) | set(vocab.ENGLISH_SURNAMES)) >= 200
