"""Keeps the in-memory search index in step with the catalog, in every process.

Each change to a record appends to `catalog_changes`; before answering, the index replays what
it has not seen yet, so an import or an edit is searchable at once without a restart.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CatalogChange, Record, RecordIsbn
from nlu.search import Document, Hit, SearchIndex

CHUNK = 1000  # ids per IN (...) query: well inside both databases' parameter limits


class CatalogSearch:
    def __init__(self, index: SearchIndex | None = None) -> None:
        self.index = index or SearchIndex()
        self._seen_change = -1
        self._lock = asyncio.Lock()

    async def refresh(self, session: AsyncSession) -> None:
        async with self._lock:
            latest = await session.scalar(select(func.coalesce(func.max(CatalogChange.id), 0)))
            if latest == self._seen_change:
                return
            if self._seen_change < 0:
                ids = None  # first load: everything
            else:
                ids = set(
                    await session.scalars(
                        select(CatalogChange.record_id).where(
                            CatalogChange.id > self._seen_change, CatalogChange.id <= latest
                        )
                    )
                )
            if ids is None:
                await self._load(session, None)
            else:
                ordered = sorted(ids)
                for start in range(0, len(ordered), CHUNK):
                    await self._load(session, set(ordered[start : start + CHUNK]))
            self._seen_change = latest

    async def _load(self, session: AsyncSession, ids: set[int] | None) -> None:
        query = select(
            Record.id,
            Record.title,
            Record.authors,
            Record.year,
            Record.age_mark,
            Record.subtitle,
            Record.series,
        )
        isbn_query = select(RecordIsbn.record_id, RecordIsbn.isbn13)
        if ids is not None:
            query = query.where(Record.id.in_(ids))
            isbn_query = isbn_query.where(RecordIsbn.record_id.in_(ids))
        isbns: dict[int, list[str]] = defaultdict(list)
        for record_id, isbn in await session.execute(isbn_query):
            isbns[record_id].append(isbn)
        found: set[int] = set()
        for row in await session.execute(query):
            found.add(row.id)
            self.index.upsert(
                Document(
                    record_id=row.id,
                    title=row.title,
                    authors=row.authors,
                    year=row.year,
                    age_mark=row.age_mark,
                    isbns=tuple(isbns.get(row.id, ())),
                    subtitle=row.subtitle,
                    series=row.series,
                )
            )
        for missing in (ids or set()) - found:
            self.index.remove(missing)

    async def search(
        self, session: AsyncSession, query: str, *, max_age: int | None = None, limit: int = 50
    ) -> list[Hit]:
        await self.refresh(session)
        return self.index.search(query, max_age=max_age, limit=limit)
