"""A librarian's desk words in free text: «новые заявки», «полка заказов», «должники 7Б»,
«у кого Война и мир», «выдать 1062 пиковую даму», «возврат», «читатель Иванова».

Each goes to the desk's own flow (/holds, /overdue, /issue, /return, /reader) for the library the
librarian works at. From anyone else the same words show nothing of the desk: a book's name is
searched in the catalog as anyone's search would be, a plain desk word gets a polite «only
librarians». Every action below is authorised again where it is done (db/ and the desk flows).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from db.catalog import find_copies, free_copies, holdings, title_of
from db.class_sets import class_readers
from db.elibrary import visible_scopes
from db.holds import hold_shelf
from db.loans import borrowed_copies, overdue_loans
from db.models import Item, Library
from db.people import looks_like_class, normalise_class
from db.rules import overdue_days
from handlers.catalog import reserve, search
from handlers.context import Context, desk_of
from handlers.copies import copy_code
from handlers.desk import issue_command, issue_for_reader, return_command
from handlers.holds import desk_holds, hold_shelf_lines
from handlers.readers import overdue, reader_command, reader_named
from handlers.router import Router
from messages import texts
from messages.i18n import class_label, say
from messages.types import MAX_BUTTONS, Reply, in_rows

router = Router("everyday_desk")

DeskWord = Callable[[Context], Awaitable[Reply | list[Reply]]]

CANDIDATES = 10  # search hits looked at for the record a librarian names
CLOSE_TO_BEST = 0.85  # of the best hit's score: the other records the same words name
WHO_HAS_RECORDS = 3  # records shown by «у кого …», each with everyone who has it


def desk_word(otherwise: DeskWord) -> Callable[[DeskWord], DeskWord]:
    """For a librarian the handler, with `ctx.desk` set to the library they work at; for anyone
    else `otherwise`, so nothing of the desk shows."""

    def wrap(handler: DeskWord) -> DeskWord:
        @wraps(handler)
        async def guarded(ctx: Context) -> Reply | list[Reply]:
            desk = desk_of(ctx.actor)
            if desk is None:
                return await otherwise(ctx)
            ctx.desk_id = desk
            return await handler(ctx)

        return guarded

    return wrap


async def only_librarians(ctx: Context) -> Reply:
    return Reply(texts.DESK_ONLY)


async def reserve_or_only_librarians(ctx: Context) -> Reply:
    """«выдайте пиковую даму» from a reader: the book, to reserve; with no book named, a word."""
    if ctx.args.get("query"):
        return await reserve(ctx)
    return Reply(texts.DESK_ONLY)


# Requests, the hold shelf, the overdue -------------------------------------------------------


@router.intent("new_requests")
@desk_word(only_librarians)
async def new_requests(ctx: Context) -> Reply:
    """«новые заявки» is /holds."""
    return await desk_holds(ctx)


@router.intent("hold_shelf")
@desk_word(only_librarians)
async def shelf(ctx: Context) -> Reply:
    """«что на полке»: the hold shelf alone, 📕 to issue a copy to the reader it waits for."""
    library = await ctx.session.get(Library, ctx.desk)
    assert library is not None
    ready = await hold_shelf(ctx.session, library.id)
    if not ready:
        return Reply(say(texts.DESK_SHELF_NONE, library=library.short_name))
    lines, buttons = hold_shelf_lines(ctx, ready, MAX_BUTTONS)
    return Reply("\n".join(lines), buttons=in_rows(buttons))


@router.intent("overdue")
@desk_word(only_librarians)
async def overdue_asked(ctx: Context) -> Reply:
    """«должники» is /overdue; «должники 7б», «кто не сдал книги в 5а» — that class only."""
    class_name = ctx.args.get("class_name", "").strip()
    if not looks_like_class(class_name):
        return await overdue(ctx)
    class_name = normalise_class(class_name)
    await class_readers(ctx.circulation, ctx.desk, class_name)  # refuses a class not here
    library = await ctx.session.get(Library, ctx.desk)
    assert library is not None
    rows = [
        row
        for row in await overdue_loans(ctx.circulation, library.id)
        if row.class_name == class_name
    ]
    if not rows:
        return Reply(
            say(texts.DESK_OVERDUE_CLASS_NONE, class_name=class_name, library=library.short_name)
        )
    lines = [
        say(
            texts.DESK_OVERDUE_CLASS_HEADER,
            class_name=class_name,
            library=library.short_name,
            n=len(rows),
        )
    ]
    lines += [
        say(
            texts.DESK_OVERDUE_LINE,
            class_name=row.class_name,
            reader=row.reader_name,
            card=row.card_number,
            title=row.title,
            inventory=row.inventory_number,
            days=row.days,
        )
        for row in rows
    ]
    return Reply("\n".join(lines))


# Who has a book -------------------------------------------------------------------------------


@router.intent("who_has")
@desk_word(search)
async def who_has(ctx: Context) -> Reply:
    """«у кого война и мир»: which readers of this librarian's library have it now — never
    another school's readers. From a reader it is a search for the book."""
    query = ctx.args.get("query", "").strip()
    if not query:
        return Reply(texts.WHO_HAS_USAGE)
    library = await ctx.session.get(Library, ctx.desk)
    assert library is not None
    record_ids = await _named_records(ctx, query)
    if not record_ids:
        return Reply(say(texts.WHO_HAS_UNKNOWN, query=query))
    borrowed = await borrowed_copies(ctx.circulation, library.id, record_ids)
    if not borrowed:
        title = await title_of(ctx.session, record_ids[0])
        return Reply(say(texts.WHO_HAS_NOBODY, title=title, library=library.short_name))
    blocks = []
    for record_id in dict.fromkeys(b.record_id for b in borrowed):
        rows = [b for b in borrowed if b.record_id == record_id]
        lines = [
            say(texts.WHO_HAS_HEADER, title=rows[0].title, n=len(rows), library=library.short_name)
        ]
        for row in rows:
            days = overdue_days(row.due_at, library, ctx.now)
            lines.append(
                say(
                    texts.WHO_HAS_LINE,
                    reader=row.reader.full_name,
                    class_name=class_label(row.reader),
                    card=row.reader.card_number,
                    inventory=row.inventory_number,
                    due=ctx.local(row.due_at),
                    late=say(texts.DESK_LOAN_LATE, days=days) if days else "",
                )
            )
        blocks.append("\n".join(lines))
        if len(blocks) == WHO_HAS_RECORDS:
            break
    return Reply("\n\n".join(blocks))


async def _named_records(ctx: Context, query: str) -> list[int]:
    """The records the words name: the best hit and those scored close to it."""
    visible = await visible_scopes(ctx.session, ctx.actor)
    hits = await ctx.services.search.search(ctx.session, query, limit=CANDIDATES, visible=visible)
    if not hits:
        return []
    best = hits[0].score
    return [hit.record_id for hit in hits if hit.score >= best * CLOSE_TO_BEST]


# Issue and return in free form ----------------------------------------------------------------


@router.intent("issue")
@desk_word(reserve_or_only_librarians)
async def issue_asked(ctx: Context) -> Reply | list[Reply]:
    """«выдать 1062 петровой», «выдать пиковую даму», «выдать книгу петрову», «выдача»: the
    /issue flow from wherever the words leave it."""
    inventory = ctx.args.get("inventory", "").strip()
    name = ctx.args.get("name", "").strip()
    query = ctx.args.get("query", "").strip()
    first, _, rest = query.partition(" ")
    if not inventory and copy_code(first) and await find_copies(ctx.session, [ctx.desk], first):
        inventory, query = first, rest.strip()  # «выдать 72 …»: a copy of this library first
    if inventory:
        ctx.text = f"{inventory} {name}".strip()
        return await issue_command(ctx)
    if query:
        return await _issue_title(ctx, query, name)
    if name:
        found = await reader_named(ctx, ctx.desk, name, "desk.issue_for")
        if isinstance(found, Reply):
            return found
        ctx.args = {"reader": found.id}
        return await issue_for_reader(ctx)
    ctx.text = ""
    return await issue_command(ctx)


async def _issue_title(ctx: Context, query: str, name: str) -> Reply | list[Reply]:
    """A title, not a copy: with one free copy, that copy (then «Кому выдать?», or the reader
    named); with several, the librarian sends the number of the one in their hands — the
    record must say which copy left — and is asked for the reader after it."""
    record_ids = await _named_records(ctx, query)
    where = await holdings(ctx.session, record_ids)
    held = next(
        (i for i in record_ids if any(h.library_id == ctx.desk for h in where.get(i, []))), None
    )
    if held is None:
        return Reply(say(texts.DESK_ISSUE_NOT_HELD, query=query))
    title = await title_of(ctx.session, held)
    free = await free_copies(ctx.session, held, ctx.desk)
    if not free:
        library = await ctx.session.get(Library, ctx.desk)
        assert library is not None
        return Reply(say(texts.DESK_ISSUE_NONE_FREE, title=title, library=library.short_name))
    if len(free) == 1:
        item = await ctx.session.get(Item, free[0])
        assert item is not None
        ctx.text = f"{item.inventory_number} {name}".strip()
        return await issue_command(ctx)
    await ctx.expect("desk.issue_copy")
    return Reply(say(texts.DESK_ISSUE_WHICH_COPY, title=title, n=len(free)))


@router.intent("return")
@desk_word(only_librarians)
async def return_asked(ctx: Context) -> Reply:
    """«принять книгу 104-567» takes that copy back; «возврат» starts /return's scanning."""
    ctx.text = ctx.args.get("inventory", "").strip()
    return await return_command(ctx)


# A reader by name -----------------------------------------------------------------------------


async def search_the_name(ctx: Context) -> Reply | list[Reply]:
    """«найди пушкина» from a reader is a search for the author, never a look at the readers."""
    ctx.args = {"query": ctx.args.get("name") or ctx.text}
    return await search(ctx)


@router.intent("find_reader")
@desk_word(search_the_name)
async def find_reader(ctx: Context) -> Reply:
    """«найди ученика петров», «читатель иванова» is /reader."""
    ctx.text = ctx.args.get("name", "").strip()
    return await reader_command(ctx)
