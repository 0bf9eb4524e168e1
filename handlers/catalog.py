"""Searching the union catalog and opening a record's card."""

from __future__ import annotations

from sqlalchemy import select

from db.catalog import Holding, holdings
from db.models import Record, RecordIsbn
from handlers import texts
from handlers.context import Context
from handlers.core import Button, Reply
from handlers.i18n import say
from handlers.router import Router

router = Router("catalog")

PAGE_SIZE = 5
MAX_RESULTS = 50


@router.intent("search")
async def search(ctx: Context) -> Reply:
    query = ctx.args.get("query") or ctx.text
    return await results_page(ctx, query, page=1, edit=False)


@router.action("search.page")
async def search_page(ctx: Context) -> Reply:
    return await results_page(ctx, str(ctx.args["q"]), page=int(ctx.args["p"]), edit=True)


async def results_page(ctx: Context, query: str, *, page: int, edit: bool) -> Reply:
    max_age = ctx.actor.reader_age(ctx.today)
    hits = await ctx.services.search.search(ctx.session, query, max_age=max_age, limit=MAX_RESULTS)
    if not hits:
        if max_age is not None and await ctx.services.search.search(ctx.session, query, limit=1):
            return Reply(say(texts.SEARCH_ONLY_OLDER, query=query), edit=edit)
        return Reply(say(texts.SEARCH_NOTHING, query=query), edit=edit)
    pages = (len(hits) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 1), pages)
    chunk = hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ids = [hit.record_id for hit in chunk]
    records = {r.id: r for r in await ctx.session.scalars(select(Record).where(Record.id.in_(ids)))}
    where = await holdings(ctx.session, ids)
    home = ctx.actor.home_library_id

    lines = [say(texts.SEARCH_HEADER, total=len(hits), query=query)]
    buttons: list[list[Button]] = []
    details: list[Button] = []
    for n, record_id in enumerate(ids, start=(page - 1) * PAGE_SIZE + 1):
        record = records.get(record_id)
        if record is None:
            continue
        lines.append(record_line(n, record))
        lines.append("   " + availability(where.get(record_id, []), home))
        details.append(ctx.button(say(texts.BUTTON_DETAILS, n=n), "record.open", r=record_id))
    buttons.append(details)
    if pages > 1:
        lines.append(say(texts.SEARCH_PAGE, page=page, pages=pages))
        nav = []
        if page > 1:
            nav.append(ctx.button(texts.BUTTON_PREV, "search.page", q=query, p=page - 1))
        if page < pages:
            nav.append(ctx.button(texts.BUTTON_NEXT, "search.page", q=query, p=page + 1))
        buttons.append(nav)
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


def record_line(n: int, record: Record) -> str:
    return say(
        texts.SEARCH_LINE,
        n=n,
        title=record.title,
        authors=say(texts.SEARCH_AUTHORS, authors=", ".join(record.author_list))
        if record.authors
        else "",
        year=say(texts.SEARCH_YEAR, year=record.year) if record.year else "",
    )


def availability(where: list[Holding], home_library_id: int | None) -> str:
    """«в вашей школе: 2 из 3 · Школа №5: 1» — one's own school first, then the rest."""
    if not where:
        return texts.AVAILABILITY_NO_COPIES
    parts = []
    for h in where:
        if h.library_id == home_library_id:
            parts.insert(0, say(texts.AVAILABILITY_HOME, available=h.available, total=h.total))
        elif h.available:
            parts.append(
                say(texts.AVAILABILITY_OTHER, library=h.library_name, available=h.available)
            )
    return " · ".join(parts) if parts else texts.AVAILABILITY_NONE


@router.action("record.open")
async def open_record(ctx: Context) -> Reply:
    record = await ctx.session.get(Record, int(ctx.args["r"]))
    max_age = ctx.actor.reader_age(ctx.today)
    if record is None or (max_age is not None and (record.age_mark or 0) > max_age):
        return Reply(texts.RECORD_GONE)
    isbns = list(
        await ctx.session.scalars(
            select(RecordIsbn.isbn13).where(RecordIsbn.record_id == record.id)
        )
    )
    lines = [
        say(
            texts.RECORD_CARD,
            title=record.title,
            subtitle=f". {record.subtitle}" if record.subtitle else "",
            authors=", ".join(record.author_list),
        ).rstrip()
    ]
    if record.year:
        lines.append(say(texts.RECORD_FIELD_YEAR, year=record.year))
    if record.publisher:
        lines.append(say(texts.RECORD_FIELD_PUBLISHER, publisher=record.publisher))
    if record.series:
        lines.append(say(texts.RECORD_FIELD_SERIES, series=record.series))
    if isbns:
        lines.append(say(texts.RECORD_FIELD_ISBN, isbn=", ".join(isbns)))
    if record.age_mark is not None:
        lines.append(say(texts.RECORD_FIELD_AGE, age=record.age_mark))
    where = (await holdings(ctx.session, [record.id])).get(record.id, [])
    if where:
        lines.append(texts.RECORD_HOLDINGS)
        home = ctx.actor.home_library_id
        for h in sorted(where, key=lambda h: h.library_id != home):
            lines.append(
                say(
                    texts.RECORD_HOLDING,
                    library=h.library_name,
                    available=h.available,
                    total=h.total,
                )
            )
    else:
        lines.append(texts.AVAILABILITY_NO_COPIES)
    return Reply("\n".join(lines))
