"""`python -m bot search`: ranked results for one or many queries, as text or JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from db.access import reader_age
from db.catalog import Holding, holdings
from db.clock import utcnow
from db.models import Record
from db.people import library_by_code, reader_by_card
from messages import texts
from messages.i18n import say
from nlu.search import SearchResult


class _Refused(Exception):
    pass


async def run_search(app: App, args: argparse.Namespace) -> int:
    queries = list(_queries(args))
    if not queries:
        print(texts.CLI_SEARCH_NO_QUERY, file=sys.stderr)
        return 2
    async with app.db.reading() as session:
        try:
            library_id, max_age = await _viewpoint(session, args)
        except _Refused as refused:
            print(refused, file=sys.stderr)
            return 2
        for query in queries:
            result = await app.services.search.search(
                session, query, max_age=max_age, limit=args.limit
            )
            ids = [h.record_id for h in result]
            records = {
                r.id: r for r in await session.scalars(select(Record).where(Record.id.in_(ids)))
            }
            where = await holdings(session, ids)
            if args.json:
                print(
                    json.dumps(
                        _as_json(query, result, records, where, library_id), ensure_ascii=False
                    )
                )
            else:
                print("\n".join(_as_text(query, result, records)))
    return 0


async def _viewpoint(
    session: AsyncSession, args: argparse.Namespace
) -> tuple[int | None, int | None]:
    """The home library (for «в вашей школе») and the age limit of the reader searching."""
    if args.reader and not args.library:
        raise _Refused(texts.CLI_SEARCH_READER_NEEDS_LIBRARY)
    if not args.library:
        return None, None
    library = await library_by_code(session, args.library)
    if library is None:
        raise _Refused(say(texts.CLI_UNKNOWN_LIBRARY, code=args.library))
    if not args.reader:
        return library.id, None
    reader = await reader_by_card(session, library.id, args.reader)
    if reader is None:
        raise _Refused(say(texts.CLI_UNKNOWN_CARD, card=args.reader, library=args.library))
    return library.id, reader_age(
        reader.birth_year, reader.class_name, utcnow().astimezone(ZoneInfo(library.timezone)).date()
    )


def _as_json(
    query: str,
    result: SearchResult,
    records: dict[int, Record],
    where: dict[int, list[Holding]],
    library_id: int | None,
) -> dict[str, Any]:
    return {
        "query": query,
        "read_as": result.reading.text if result.reading else None,
        "suggestion": result.suggestion,
        "hits": [
            {
                "record_id": hit.record_id,
                "title": records[hit.record_id].title,
                "authors": records[hit.record_id].author_list,
                "year": records[hit.record_id].year,
                "score": hit.score,
                "availability": [
                    {"library": w.library_name, "available": w.available, "total": w.total,
                     "home": w.library_id == library_id}
                    for w in where.get(hit.record_id, [])
                ],
            }
            for hit in result
        ],
    }  # fmt: skip


def _as_text(query: str, result: SearchResult, records: dict[int, Record]) -> Iterator[str]:
    yield say(texts.CLI_SEARCH_QUERY, query=query)
    if not result:
        yield texts.CLI_SEARCH_NOTHING
    for n, hit in enumerate(result, 1):
        record = records[hit.record_id]
        yield say(
            texts.CLI_SEARCH_HIT,
            n=n,
            record_id=record.id,
            title=record.title,
            authors=f" — {record.authors}" if record.authors else "",
            year=f", {record.year}" if record.year else "",
            score=hit.score,
        )
    if result.suggestion:
        yield say(texts.SEARCH_MAYBE, suggestion=result.suggestion)


def _queries(args: argparse.Namespace) -> Iterator[str]:
    if args.query:
        yield " ".join(args.query)
    if args.batch:
        lines = sys.stdin if str(args.batch) == "-" else args.batch.open(encoding="utf-8")
        for line in lines:
            if line.strip():
                yield line.strip()
