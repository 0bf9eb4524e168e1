"""The benches at a tiny size: the search bench's generators deterministic, complete, valid;
the understanding bench's set complete and its runner printing every figure; the broadcast
bench sending 30 notices and printing every figure, one broadcast to 30 VK people, and (with
TEST_DATABASE_URL) two sending processes on PostgreSQL settling 30 notices between them. Times
nothing."""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import uuid
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from bench.broadcast.__main__ import main as broadcast_bench
from bench.search import vocab
from bench.search.catalog import write_catalog
from bench.search.isbns import IsbnAllocator, isbn10_to_13
from bench.search.morph import lexicon
from bench.search.queries import KINDS, Query, fold, load_sources, make_queries
from bench.search.records import LIBRARIES
from bench.understanding.__main__ import main as understanding_bench
from bench.understanding.messages import HOLDOUT
from bench.understanding.messages import load as understanding_set
from nlu.isbn import to_isbn13
from tests.support.shared import under_ci

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


# The intents of issue 13's contract, each of which the understanding set must cover.
INTENTS = {
    "help", "my_books", "due_dates", "renew", "class_set", "reserve", "search", "link",
    "greeting", "thanks", "my_holds", "loan_count", "renew_all", "cancel_hold", "hours",
    "address", "rules", "reading_history", "new_requests", "hold_shelf", "overdue", "who_has",
    "issue", "return", "find_reader", "ask_librarian", "browse_subject", "recommend",
}  # fmt: skip


def test_the_understanding_set_covers_every_intent_and_persona() -> None:
    messages = understanding_set()
    per_intent = Counter(m.intent for m in messages)
    assert len(messages) >= 400
    assert set(per_intent) == INTENTS
    assert min(per_intent.values()) >= 12 and per_intent["search"] >= 60
    assert {m.persona.partition("-")[0] for m in messages} == {"student", "parent", "librarian"}
    assert {m.persona for m in messages if m.persona.startswith("student")} == {
        f"student-{grade}" for grade in range(1, 12)
    }
    assert len({m.text for m in messages}) == len(messages)
    held_out = understanding_set(HOLDOUT)  # written after the classifier, measured once first
    assert {m.intent for m in held_out} == INTENTS
    assert not {m.text for m in held_out} & {m.text for m in messages}


def test_the_understanding_bench_prints_its_figures_beside_the_baseline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    figures = tmp_path / "understanding.json"
    assert understanding_bench(["--per-intent", "2", "--misses", "3", "--json", str(figures)]) == 0
    out = capsys.readouterr().out
    assert "messages: 56 " in out
    for intent in INTENTS:
        assert f"\n{intent} " in out
    for line in ("answered as meant:", "lowest intent:", "classify per message:", "confusions"):
        assert line in out
    document = json.loads(figures.read_text("utf-8"))
    assert document["ours"]["all"]["n"] == document["baseline"]["all"]["n"] == 56


def test_the_broadcast_bench_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert broadcast_bench(["--size", "30"]) == 0
    out = capsys.readouterr().out
    assert "notices: 30 · one sending process" in out
    for figure in ("effective rate", "429s met", "duplicates", "lost", "live reply p95"):
        assert f"\n{figure} " in out


def test_the_broadcast_bench_counts_the_vk_calls_of_one_broadcast(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert broadcast_bench(["--vk", "--size", "30"]) == 0
    out = capsys.readouterr().out
    assert "people: 30 · one broadcast · VK" in out
    for figure in ("API calls", "  messages.send", "duplicates", "lost", "VK API violations"):
        assert f"\n{figure} " in out
    assert re.search(r"\nlost +0 ", out)


def test_the_broadcast_bench_shares_the_notices_between_two_processes_on_postgresql(
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        if under_ci():
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run")
        pytest.skip("TEST_DATABASE_URL is not set: the --pg run is skipped")
    name = f"bench_smoke_{uuid.uuid4().hex[:12]}"  # dropped by the bench at its end
    assert broadcast_bench(["--size", "30", "--pg", server, "--pg-database", name]) == 0
    out = capsys.readouterr().out
    assert "notices: 30 · 2 sending processes · PostgreSQL" in out
    for figure in ("effective rate", "busiest second", "duplicates", "lost", "live reply p95"):
        assert f"\n{figure} " in out
    tallies = re.findall(r"\nsender \d +sent (\d+) skipped 0 failed 0", out)
    assert len(tallies) == 2 and sum(map(int, tallies)) == 30  # each notice settled once
