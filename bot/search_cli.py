"""`python -m bot search`: ranked results for one or many queries, as text or JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from sqlalchemy import select

from bot.app import App
from db.access import reader_age
from db.catalog import holdings
from db.models import Record
from db.people import library_by_code, reader_by_card
from handlers import texts
from handlers.i18n import say


async def run_search(app: App, args: argparse.Namespace) -> int:
    queries = list(_queries(args))
    if not queries:
        print(texts.CLI_SEARCH_NO_QUERY, file=sys.stderr)
        return 2
    async with app.db.reading() as session:
        library_id = None
        max_age = None
        if args.library:
            library = await library_by_code(session, args.library)
            if library is None:
                print(say(texts.CLI_UNKNOWN_LIBRARY, code=args.library), file=sys.stderr)
                return 2
            library_id = library.id
            if args.reader:
                reader = await reader_by_card(session, library.id, args.reader)
                if reader is None:
                    print(
                        say(texts.CLI_UNKNOWN_CARD, card=args.reader, library=args.library),
                        file=sys.stderr,
                    )
                    return 2
                max_age = reader_age(reader.birth_year, reader.class_name, date.today())
        for query in queries:
            hits = await app.services.search.search(
                session, query, max_age=max_age, limit=args.limit
            )
            ids = [h.record_id for h in hits]
            records = {
                r.id: r for r in await session.scalars(select(Record).where(Record.id.in_(ids)))
            }
            where = await holdings(session, ids)
            if args.json:
                print(
                    json.dumps(
                        {
                            "query": query,
                            "hits": [
                                {
                                    "record_id": h.record_id,
                                    "title": records[h.record_id].title,
                                    "authors": records[h.record_id].author_list,
                                    "year": records[h.record_id].year,
                                    "score": round(h.score, 2),
                                    "availability": [
                                        {
                                            "library": w.library_name,
                                            "available": w.available,
                                            "total": w.total,
                                            "home": w.library_id == library_id,
                                        }
                                        for w in where.get(h.record_id, [])
                                    ],
                                }
                                for h in hits
                            ],
                        },
                        ensure_ascii=False,
                    )
                )
                continue
            print(say(texts.CLI_SEARCH_QUERY, query=query))
            if not hits:
                print(texts.CLI_SEARCH_NOTHING)
            for n, hit in enumerate(hits, 1):
                record = records[hit.record_id]
                print(
                    say(
                        texts.CLI_SEARCH_HIT,
                        n=n,
                        record_id=record.id,
                        title=record.title,
                        authors=f" — {record.authors}" if record.authors else "",
                        year=f", {record.year}" if record.year else "",
                        score=hit.score,
                    )
                )
    return 0


def _queries(args: argparse.Namespace):
    if args.query:
        yield " ".join(args.query)
    if args.batch:
        for line in args.batch.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield line.strip()
