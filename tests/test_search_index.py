"""The search index alone: building, following changes, saving and loading, ranking rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlu.search import Document, SearchIndex
from nlu.search.trigrams import bulk_trigrams, word_trigrams

DOCS = [
    Document(1, "Мир", "Иванов И. И.", age_mark=6),
    Document(2, "Мировой океан", "Петров П. П.", age_mark=6),
    Document(3, "Мор", "Сидоров С. С.", age_mark=6),
    Document(4, "Война и мир", "Толстой Л. Н.", age_mark=12, isbns=("978-5-389-07435-4",)),
    Document(5, "Преступление и наказание", "Достоевский Ф. М.", age_mark=16),
    Document(6, "English grammar", "Murphy R.", series="Cambridge"),
    Document(
        7, "Тайна старого маяка", "Носов И. П.", series="Школьные детективы", subjects="детектив"
    ),
]


def ids(index: SearchIndex, query: str, **kwargs: object) -> list[int]:
    return [h.record_id for h in index.search(query, **kwargs)]


def test_exact_then_prefix_then_fuzzy() -> None:
    index = SearchIndex.build(DOCS)
    assert ids(index, "мир ")[:2] == [1, 4]  # the whole word: «Мир», then «Война и мир»
    assert ids(index, "миро")[0] == 2  # still typing: «Мировой океан» first
    assert ids(index, "мирр")[0] == 1  # a typo: the closest word


def test_age_marks_filter_base_and_changed_records() -> None:
    index = SearchIndex.build(DOCS)
    assert 5 in ids(index, "преступление")
    assert ids(index, "преступление", max_age=13) == []
    index.upsert(Document(8, "Преступление века", "Кто-то К. К.", age_mark=18))
    assert ids(index, "преступление", max_age=13) == []
    assert set(ids(index, "преступление")) == {5, 8}


def test_isbn_10_and_13_and_changed_records_by_isbn() -> None:
    index = SearchIndex.build(DOCS)
    assert ids(index, "5-389-07435-1") == [4]
    assert ids(index, "9785389074354") == [4]
    index.upsert(Document(4, "Война и мир. Том 1", "Толстой Л. Н.", isbns=("5389074351",)))
    assert ids(index, "978-5-389-07435-4") == [4]
    index.remove(4)
    assert ids(index, "978-5-389-07435-4") == []


def test_changes_replace_old_text() -> None:
    index = SearchIndex.build(DOCS)
    index.upsert(Document(7, "Тайна заброшенной мельницы", "Носов И. П."))
    assert 7 not in ids(index, "маяка")
    assert ids(index, "заброшенной мельницы") == [7]
    assert len(index) == len(DOCS)
    index.remove(1)
    assert 1 not in ids(index, "мир")
    assert len(index) == len(DOCS) - 1


def test_series_and_subjects_are_searched_but_count_less() -> None:
    index = SearchIndex.build(DOCS)
    assert ids(index, "школьные детективы") == [7]
    assert ids(index, "cambridge") == [6]


def test_saved_index_loads_identically(tmp_path: Path) -> None:
    built = SearchIndex.build(DOCS)
    built.save(tmp_path / "index", {"catalog_id": "x", "change_id": 7})
    loaded, meta = SearchIndex.load(tmp_path / "index")
    assert meta["change_id"] == 7 and meta["documents"] == len(DOCS)
    for query in ("мир", "djqyf b vbh", "voina i mir", "толстой война", "ntuhfy", "5389074351"):
        assert ids(loaded, query) == ids(built, query), query
    assert SearchIndex.load(tmp_path / "missing") is None


def test_postings_agree_with_word_trigrams() -> None:
    texts = ["война и мир толстой л н", "мир", "мировой океан", "история россии т 2", "2 рояля"]
    trigrams, docs = bulk_trigrams(texts)
    for n, text in enumerate(texts):
        expected = {t for word in text.split() for t in word_trigrams(word)}
        assert set(trigrams[docs == n].tolist()) == expected
    assert np.all(np.diff(trigrams) >= 0)


def test_a_reading_is_chosen_by_the_catalog_not_applied_blindly() -> None:
    index = SearchIndex.build(DOCS)
    assert index.search("english grammar").reading.how == "typed"  # Latin that is real Latin
    assert index.search("djqyf b vbh").reading.how == "layout"
    assert index.search("voyna i mir").reading.how == "translit"
    assert index.search("утпдшыр").reading.text == "english"  # Russian layout left on
