"""The search systems measured on one catalog: the project's engine and three alternatives a
developer would reach for. Each has `prepare()` (timed as build time) and
`search(query, limit) -> record ids`."""

from __future__ import annotations

import inspect
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Protocol

import asyncpg
from rapidfuzz import fuzz, process
from sqlalchemy.engine import make_url

from db.engine import Database
from db.search import CatalogSearch
from nlu.normalize import normalize

FTS_CANDIDATES = 50


class System(Protocol):
    name: str

    async def prepare(self) -> None: ...

    async def search(self, query: str, limit: int = 5) -> list[int]: ...

    async def close(self) -> None: ...


def catalog_rows(db_path: Path, *, series: bool) -> Iterator[tuple[int, str]]:
    """(record id, normalised «title authors [series]») for every record, in id order."""
    columns = "title, authors, coalesce(series, '')" if series else "title, authors, ''"
    with closing(sqlite3.connect(db_path)) as conn:
        for rid, title, authors, extra in conn.execute(
            f"SELECT id, {columns} FROM records ORDER BY id"
        ):
            yield rid, normalize(f"{title} {authors} {extra}")


# ours --------------------------------------------------------------------------------------


def supports_index_dir() -> bool:
    return "index_dir" in inspect.signature(CatalogSearch).parameters


class Ours:
    """`db.search.CatalogSearch` over the catalog, one reading session per query (as the bot
    opens one per incoming event)."""

    name = "ours"

    def __init__(self, db_path: Path, index_dir: Path | None) -> None:
        self.db = Database(f"sqlite+aiosqlite:///{db_path}")
        if index_dir is not None and supports_index_dir():
            self.search_engine = CatalogSearch(index_dir=index_dir)
        else:
            self.search_engine = CatalogSearch()

    async def prepare(self) -> None:
        async with self.db.reading() as session:
            await self.search_engine.refresh(session)

    async def search(self, query: str, limit: int = 5) -> list[int]:
        async with self.db.reading() as session:
            hits = await self.search_engine.search(session, query, limit=limit)
        return [h.record_id for h in hits]

    async def close(self) -> None:
        await self.db.dispose()


# naive rapidfuzz scan ----------------------------------------------------------------------


class Naive:
    """rapidfuzz `process.extract` with WRatio over every «title authors» string."""

    name = "naive"

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.ids: list[int] = []
        self.choices: list[str] = []

    async def prepare(self) -> None:
        rows = list(catalog_rows(self.db_path, series=False))
        self.ids = [rid for rid, _ in rows]
        self.choices = [text for _, text in rows]

    async def search(self, query: str, limit: int = 5) -> list[int]:
        found = process.extract(normalize(query), self.choices, scorer=fuzz.WRatio, limit=limit)
        return [self.ids[index] for _, _, index in found]

    async def close(self) -> None:
        self.choices = []


# SQLite FTS5 with the trigram tokenizer --------------------------------------------------


def trigram_match(query: str) -> str | None:
    """An FTS5 MATCH expression: the OR of the query's distinct trigrams, spaces excluded."""
    text = normalize(query)
    grams = dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2))
    quoted = [f'"{g}"' for g in grams if " " not in g]
    return " OR ".join(quoted) or None


class Fts5:
    """FTS5 trigram index of normalised «title authors series»; the best 50 by bm25 are
    re-ranked with rapidfuzz WRatio. Plain synchronous sqlite3."""

    name = "fts5"

    def __init__(self, db_path: Path, fts_path: Path) -> None:
        self.db_path = db_path
        self.fts_path = fts_path
        self.conn: sqlite3.Connection | None = None

    async def prepare(self) -> None:
        self.conn = self._build()

    def _build(self) -> sqlite3.Connection:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.fts_path) + suffix).unlink(missing_ok=True)
        self.fts_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.fts_path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE VIRTUAL TABLE docs USING fts5(text, tokenize='trigram')")
        with conn:
            conn.executemany(
                "INSERT INTO docs(rowid, text) VALUES (?, ?)",
                catalog_rows(self.db_path, series=True),
            )
        with conn:
            conn.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        return conn

    async def search(self, query: str, limit: int = 5) -> list[int]:
        assert self.conn is not None
        match = trigram_match(query)
        if match is None:
            return []
        rows = self.conn.execute(
            "SELECT rowid, text FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
            (match, FTS_CANDIDATES),
        ).fetchall()
        wanted = normalize(query)
        ranked = sorted(rows, key=lambda row: -fuzz.WRatio(wanted, row[1]))
        return [rid for rid, _ in ranked[:limit]]

    async def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# PostgreSQL pg_trgm --------------------------------------------------------------------------

BENCH_DATABASE = "formulyar_bench"


def asyncpg_dsn(url: str, database: str | None = None) -> str:
    """A plain postgresql:// DSN for asyncpg from a SQLAlchemy-style URL."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


class PgTrgm:
    """`docs(id, text)` with a GIN gin_trgm_ops index; `text % $1 ORDER BY similarity`."""

    name = "pg_trgm"

    def __init__(self, url: str, db_path: Path, threshold: float = 0.3) -> None:
        self.url = url
        self.db_path = db_path
        self.threshold = threshold
        self.conn: asyncpg.Connection | None = None
        self.server_version = ""

    async def _ensure_database(self) -> None:
        admin = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            exists = await admin.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = $1", BENCH_DATABASE
            )
            if not exists:
                await admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
        finally:
            await admin.close()

    async def prepare(self) -> None:
        await self._ensure_database()
        conn = await asyncpg.connect(asyncpg_dsn(self.url, BENCH_DATABASE))
        self.server_version = await conn.fetchval("SHOW server_version")
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        await conn.execute("DROP TABLE IF EXISTS docs")
        await conn.execute("CREATE TABLE docs (id integer PRIMARY KEY, text text NOT NULL)")
        await conn.copy_records_to_table(
            "docs", records=catalog_rows(self.db_path, series=True), columns=["id", "text"]
        )
        await conn.execute("CREATE INDEX docs_text_trgm ON docs USING gin (text gin_trgm_ops)")
        await conn.execute("ANALYZE docs")
        self.conn = conn
        await self.set_threshold(self.threshold)

    async def set_threshold(self, threshold: float) -> None:
        assert self.conn is not None
        self.threshold = threshold
        await self.conn.execute(f"SET pg_trgm.similarity_threshold = {float(threshold)}")

    async def search(self, query: str, limit: int = 5) -> list[int]:
        assert self.conn is not None
        rows = await self.conn.fetch(
            "SELECT id FROM docs WHERE text % $1 ORDER BY similarity(text, $1) DESC LIMIT $2",
            normalize(query),
            limit,
        )
        return [row["id"] for row in rows]

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
            self.conn = None


async def timed_prepare(system: System) -> float:
    started = time.perf_counter()
    await system.prepare()
    return time.perf_counter() - started
