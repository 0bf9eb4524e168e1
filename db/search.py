"""Keeps the search index in step with the catalog, in every process.

Each change to a record appends to `catalog_changes` (one row per record and transaction).
Before answering, the index replays what it has not seen yet: a changed record moves to the
index's small delta; after a large import (or once the delta has grown large) the index is
rebuilt from the database instead. A built index is saved to `index_dir`, tagged with the
catalog's id and the change it covers, so the next start loads it in a moment and replays only
the changes since.

Catching up is the slow part, so it belongs outside a write transaction: the dispatcher calls
`refresh` in a short read-only session before it opens an event's transaction, and the search
inside it then finds the index fresh and returns at once. Building, loading and saving an
index run in a worker thread; replaying a delta changes the live index, which searches read at
the same time, so it stays on the event loop and hands it back every `SLICE` records.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.catalog import catalog_epoch
from db.elibrary import scope_key
from db.models import CatalogChange, InstallationSetting, Library, Record, RecordIsbn
from nlu.search import Document, SearchIndex, SearchResult

log = logging.getLogger(__name__)

CHUNK = 1000  # ids per IN (...) query: well inside both databases' parameter limits
REBUILD_AFTER = 20_000  # changed records beyond which a full rebuild beats the delta
CHECK_INTERVAL = 0.5  # seconds between looks at the change log for other processes' changes
SLICE = 50  # records replayed into the live index between yields to the event loop (~30 ms)


class CatalogSearch:
    def __init__(
        self,
        index_dir: Path | None = None,
        *,
        rebuild_after: int = REBUILD_AFTER,
        check_interval: float = CHECK_INTERVAL,
    ) -> None:
        self.index = SearchIndex.empty()
        self.index_dir = index_dir
        self.rebuild_after = rebuild_after
        self.check_interval = check_interval
        self._seen_change = -1
        self._checked = (-1.0, -1)  # when the change log was last read, and the epoch then
        self._lock = asyncio.Lock()

    async def search(
        self,
        session: AsyncSession,
        query: str,
        *,
        max_age: int | None = None,
        limit: int = 50,
        visible: frozenset[int] | None = None,
    ) -> SearchResult:
        """Hits among the records the viewer may find: `visible` is their scope keys
        (db.elibrary.visible_scopes); None only where no person is behind the search (the CLI,
        a benchmark, matching a reading list)."""
        await self.refresh(session)
        return self.index.search(query, max_age=max_age, limit=limit, visible=visible)

    async def refresh(self, session: AsyncSession) -> None:
        """Catch up with the catalog: at once after this process's own changes, and within
        `check_interval` seconds after another process's. Cheap when fresh: no query at all
        within `check_interval` of the last look, unless this process changed the catalog."""
        checked_at, epoch = self._checked
        if epoch == catalog_epoch() and time.monotonic() - checked_at < self.check_interval:
            return
        self._checked = (time.monotonic(), catalog_epoch())
        latest = await session.scalar(select(func.coalesce(func.max(CatalogChange.id), 0)))
        if latest == self._seen_change:
            return
        async with self._lock:
            if latest == self._seen_change:
                return
            if self._seen_change < 0:
                await self._open(session, latest)
                return
            changed = set(
                await session.scalars(
                    select(CatalogChange.record_id).where(
                        CatalogChange.id > self._seen_change, CatalogChange.id <= latest
                    )
                )
            )
            if len(changed) + len(self.index.delta) > self.rebuild_after:
                await self._rebuild(session, latest)
            else:
                await self._apply(session, changed)
                self._seen_change = latest

    async def _open(self, session: AsyncSession, latest: int) -> None:
        """First use in this process: the saved index if it is this catalog's, else a build."""
        catalog_id = await session.scalar(
            select(InstallationSetting.value).where(InstallationSetting.key == "catalog_id")
        )
        if self.index_dir is not None:
            loaded = await asyncio.to_thread(SearchIndex.load, self.index_dir)
            if loaded is not None:
                index, meta = loaded
                covered = int(meta.get("change_id", -1))
                if meta.get("catalog_id") == catalog_id and 0 <= covered <= latest:
                    self.index = index
                    self._seen_change = covered
                    if covered < latest:
                        changed = set(
                            await session.scalars(
                                select(CatalogChange.record_id).where(CatalogChange.id > covered)
                            )
                        )
                        await self._apply(session, changed)
                        self._seen_change = latest
                    return
        await self._rebuild(session, latest, catalog_id)

    async def _rebuild(
        self, session: AsyncSession, latest: int, catalog_id: str | None = None
    ) -> None:
        if catalog_id is None:
            catalog_id = await session.scalar(
                select(InstallationSetting.value).where(InstallationSetting.key == "catalog_id")
            )
        documents = await _documents(session, None)
        index = await asyncio.to_thread(SearchIndex.build, documents)
        if self.index_dir is not None:
            meta = {"catalog_id": catalog_id, "change_id": latest}
            try:
                await asyncio.to_thread(index.save, self.index_dir, meta)
            except OSError as error:  # a read-only disk costs start-up time, not search
                log.warning("search index not saved to %s: %s", self.index_dir, error)
        self.index = index
        self._seen_change = latest

    async def _apply(self, session: AsyncSession, changed: set[int]) -> None:
        ordered = sorted(changed)
        for start in range(0, len(ordered), CHUNK):
            ids = ordered[start : start + CHUNK]
            found = {d.record_id: d for d in await _documents(session, ids)}
            for n, record_id in enumerate(ids, 1):
                if record_id in found:
                    self.index.upsert(found[record_id])
                else:
                    self.index.remove(record_id)
                if n % SLICE == 0:  # each record is in or out: a search in between is sound
                    await asyncio.sleep(0)


async def _documents(session: AsyncSession, ids: list[int] | None) -> list[Document]:
    query = (
        select(
            Record.id, Record.title, Record.authors, Record.year, Record.age_mark,
            Record.subtitle, Record.series, Record.subjects, Record.kind, Record.series_number,
            Record.access_scope, Record.library_id, Record.project_id, Record.author_reader_id,
            Library.network_id,
        )
        .outerjoin(Library, Library.id == Record.library_id)
        .order_by(Record.id)
    )  # fmt: skip
    isbn_query = select(RecordIsbn.record_id, RecordIsbn.isbn13)
    if ids is not None:
        query = query.where(Record.id.in_(ids))
        isbn_query = isbn_query.where(RecordIsbn.record_id.in_(ids))
    isbns: dict[int, list[str]] = defaultdict(list)
    for record_id, isbn in await session.execute(isbn_query):
        isbns[record_id].append(isbn)
    return [
        Document(
            record_id=row.id,
            title=row.title,
            authors=row.authors,
            year=row.year,
            age_mark=row.age_mark,
            isbns=tuple(isbns.get(row.id, ())),
            subtitle=row.subtitle,
            series=row.series,
            subjects=row.subjects,
            kind=row.kind.value,
            series_number=row.series_number,
            scope=scope_key(
                row.access_scope,
                network_id=row.network_id,
                library_id=row.library_id,
                project_id=row.project_id,
                author_reader_id=row.author_reader_id,
            ),
        )
        for row in await session.execute(query)
    ]
