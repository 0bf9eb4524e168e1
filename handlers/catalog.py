"""Searching the union catalog and opening a record's card."""

from __future__ import annotations

from sqlalchemy import select

from db.catalog import Holding, find_copies, holdings
from db.models import Item, Record, RecordIsbn
from handlers import texts
from handlers.context import Context
from handlers.core import Button, Reply, in_rows
from handlers.i18n import say
from handlers.router import Router

router = Router("catalog")

PAGE_SIZE = 5
MAX_RESULTS = 50


@router.intent("search")
async def search(ctx: Context) -> list[Reply]:
    query = ctx.args.get("query") or ctx.text
    replies = []
    if ctx.actor.librarian_of and looks_like_copy_number(query):
        copies = await find_copies(ctx.session, sorted(ctx.actor.librarian_of), query.strip())
        if copies:
            replies.append(Reply("\n".join(copy_line(item, record) for item, record in copies)))
    replies.append(await results_page(ctx, query, page=1, edit=False))
    return replies


@router.intent("reserve")
async def reserve(ctx: Context) -> Reply:
    """«хочу взять …»: the results carry 📌 buttons that reserve in one tap (readers only)."""
    query = ctx.args.get("query") or ctx.text
    return await results_page(ctx, query, page=1, edit=False, reserve=bool(ctx.actor.cards))


@router.action("search.page")
async def search_page(ctx: Context) -> Reply:
    return await results_page(
        ctx,
        str(ctx.args["q"]),
        page=int(ctx.args["p"]),
        edit=True,
        reserve=bool(ctx.args.get("rs")),
    )


@router.action("search.run")
async def search_suggested(ctx: Context) -> Reply:
    return await results_page(
        ctx, str(ctx.args["q"]), page=1, edit=False, reserve=bool(ctx.args.get("rs"))
    )


async def results_page(
    ctx: Context, query: str, *, page: int, edit: bool, reserve: bool = False
) -> Reply:
    """One page of results: a line per record with where it can be had, 📖 buttons (📌 to
    reserve when the reader asked to take a book), paging."""
    max_age = ctx.actor.reader_age(ctx.today)
    result = await ctx.services.search.search(
        ctx.session, query, max_age=max_age, limit=MAX_RESULTS
    )
    suggestion = (
        [
            [
                ctx.button(
                    say(texts.BUTTON_SUGGESTION, query=result.suggestion),
                    "search.run",
                    q=result.suggestion,
                    rs=int(reserve),
                )
            ]
        ]
        if result.suggestion
        else []
    )
    if not result:
        if max_age is not None and await ctx.services.search.search(ctx.session, query, limit=1):
            return Reply(say(texts.SEARCH_ONLY_OLDER, query=query), edit=edit)
        if result.suggestion:
            text = say(texts.SEARCH_NOTHING_BUT, query=query, suggestion=result.suggestion)
            return Reply(text, buttons=suggestion, edit=edit)
        return Reply(say(texts.SEARCH_NOTHING, query=query), edit=edit)
    pages = (len(result) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 1), pages)
    chunk = result[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ids = [hit.record_id for hit in chunk]
    records = {r.id: r for r in await ctx.session.scalars(select(Record).where(Record.id.in_(ids)))}
    where = await holdings(ctx.session, ids)
    home = ctx.actor.home_library_id

    lines = [say(texts.SEARCH_HEADER, total=len(result), query=query)]
    reading = result.reading
    if reading is not None and reading.how != "typed":
        lines.append(say(texts.SEARCH_READ_AS[reading.how], text=reading.text))
    buttons: list[list[Button]] = []
    details: list[Button] = []
    for n, record_id in enumerate(ids, start=(page - 1) * PAGE_SIZE + 1):
        record = records.get(record_id)
        if record is None:
            continue
        lines.append(record_line(n, record))
        lines.append("   " + availability(where.get(record_id, []), home))
        if reserve:
            details.append(ctx.button(say(texts.BUTTON_RESERVE_N, n=n), "hold.place", r=record_id))
        else:
            details.append(ctx.button(say(texts.BUTTON_DETAILS, n=n), "record.open", r=record_id))
    buttons += in_rows(details)
    if reserve:
        lines.append(texts.SEARCH_RESERVE_HINT)
    if pages > 1:
        lines.append(say(texts.SEARCH_PAGE, page=page, pages=pages))
        nav = []
        if page > 1:
            nav.append(
                ctx.button(texts.BUTTON_PREV, "search.page", q=query, p=page - 1, rs=int(reserve))
            )
        if page < pages:
            nav.append(
                ctx.button(texts.BUTTON_NEXT, "search.page", q=query, p=page + 1, rs=int(reserve))
            )
        buttons.append(nav)
    if result.suggestion and page == 1:
        lines.append(say(texts.SEARCH_MAYBE, suggestion=result.suggestion))
        buttons += suggestion
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


def looks_like_copy_number(query: str) -> bool:
    """An inventory number or a scanned barcode: one token with a digit in it."""
    token = query.strip()
    return 0 < len(token) <= 40 and " " not in token and any(ch.isdigit() for ch in token)


def copy_line(item: Item, record: Record) -> str:
    return say(
        texts.COPY_FOUND,
        inventory=item.inventory_number,
        barcode=say(texts.COPY_BARCODE, barcode=item.barcode) if item.barcode else "",
        title=record.title,
        authors=say(texts.SEARCH_AUTHORS, authors=", ".join(record.author_list))
        if record.authors
        else "",
        status=texts.ITEM_STATUS[item.status],
    )


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
    buttons = []
    if ctx.actor.cards:
        buttons.append([ctx.button(texts.BUTTON_RESERVE, "hold.place", r=record.id)])
    return Reply("\n".join(lines), buttons=buttons)
