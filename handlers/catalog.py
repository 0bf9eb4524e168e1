"""Searching the union catalog and opening a record's card."""

from __future__ import annotations

from dataclasses import dataclass, field

from db.access import Actor
from db.catalog import Holding, find_copies, holdings, isbns_of, records_by_id, title_of
from db.elibrary import may_see, visible_scopes
from db.models import Record
from db.shelves import series_books
from handlers.context import Context
from handlers.copies import copy_code, copy_reply
from handlers.elibrary import card_extras
from handlers.router import Router
from messages import texts
from messages.i18n import say
from messages.types import Button, Reply, in_rows
from nlu.morph import given_name
from nlu.normalize import normalize
from nlu.search import MAX_QUERY

router = Router("catalog")

PAGE_SIZE = 5
MAX_RESULTS = 50


@dataclass(frozen=True, slots=True)
class Homes:
    """The schools a search is seen from: one's own («в вашей школе»: a reader's, a
    librarian's), or for a parent each child's school by name («Школа №1 (Мария)»)."""

    own: int | None = None
    children: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → (school, names)

    @classmethod
    def of(cls, actor: Actor) -> Homes:
        if actor.cards or actor.librarian_of:
            return cls(own=actor.home_library_id)
        schools: dict[int, tuple[str, list[str]]] = {}
        for card in actor.children:
            schools.setdefault(card.library_id, (card.library_name, []))[1].append(
                given_name(card.full_name)
            )
        return cls(children={i: (name, ", ".join(kids)) for i, (name, kids) in schools.items()})

    def __contains__(self, library_id: int) -> bool:
        return library_id == self.own or library_id in self.children


@router.intent("search")
async def search(ctx: Context) -> Reply | list[Reply]:
    """A title, an author, an ISBN — or, from a librarian, the number of one of their copies:
    then the copy alone, with what can be done with it."""
    query = ctx.args.get("query") or ctx.text
    code = copy_code(ctx.text)  # the whole message: «есть ли 1984» asks the catalog
    if ctx.actor.librarian_of and code is not None:
        copies = await find_copies(ctx.session, sorted(ctx.actor.librarian_of), code)
        if copies:
            replies = [await copy_reply(ctx, item, record) for item, record in copies]
            if await _is_a_title(ctx, query):  # «1984»: a copy's number, and a novel too
                replies[-1].buttons.append(
                    [
                        ctx.button(
                            say(texts.BUTTON_SUGGESTION, query=query.strip()),
                            "search.run",
                            query=query.strip(),
                        )
                    ]
                )
            return replies
    return await results_page(ctx, query, page=1, edit=False)


@router.intent("reserve")
async def reserve(ctx: Context) -> Reply:
    """«хочу взять …»: the results carry 📌 buttons that reserve in one tap (readers only)."""
    query = ctx.args.get("query") or ctx.text
    reply = await results_page(ctx, query, page=1, edit=False, reserve=bool(ctx.actor.cards))
    if ctx.actor.children and not ctx.actor.cards and reply.buttons:
        reply.text += "\n" + texts.RECORD_PARENT_RESERVE  # a parent cannot reserve for a child
    return reply


@router.action("search.page")
async def search_page(ctx: Context) -> Reply:
    return await results_page(
        ctx,
        str(ctx.args["query"]),
        page=int(ctx.args["page"]),
        edit=True,
        reserve=bool(ctx.args.get("reserve")),
    )


@router.action("search.run")
async def search_suggested(ctx: Context) -> Reply:
    return await results_page(
        ctx, str(ctx.args["query"]), page=1, edit=False, reserve=bool(ctx.args.get("reserve"))
    )


async def results_page(
    ctx: Context, query: str, *, page: int, edit: bool, reserve: bool = False
) -> Reply:
    """One page of results: a line per record with where it can be had, 📖 buttons (📌 to
    reserve when the reader asked to take a book), paging. A query longer than `MAX_QUERY`
    is not searched (nor kept in a paging button)."""
    if len(query) > MAX_QUERY:
        return Reply(say(texts.TOO_LONG_QUERY, limit=MAX_QUERY), edit=edit)
    max_age = ctx.actor.reader_age(ctx.today)
    visible = await visible_scopes(ctx.session, ctx.actor)
    result = await ctx.services.search.search(
        ctx.session, query, max_age=max_age, limit=MAX_RESULTS, visible=visible
    )
    suggestion = (
        [
            [
                ctx.button(
                    say(texts.BUTTON_SUGGESTION, query=result.suggestion),
                    "search.run",
                    query=result.suggestion,
                    reserve=int(reserve),
                )
            ]
        ]
        if result.suggestion
        else []
    )
    if not result:
        if max_age is not None and await ctx.services.search.search(
            ctx.session, query, limit=1, visible=visible
        ):
            return Reply(say(_only_older(ctx, max_age), query=query), edit=edit)
        if result.suggestion:
            text = say(texts.SEARCH_NOTHING_BUT, query=query, suggestion=result.suggestion)
            return Reply(text, buttons=suggestion, edit=edit)
        return Reply(say(texts.SEARCH_NOTHING, query=query), edit=edit)
    pages = (len(result) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 1), pages)
    chunk = result[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ids = [hit.record_id for hit in chunk]
    records = await records_by_id(ctx.session, ids)
    where = await holdings(ctx.session, ids)
    homes = Homes.of(ctx.actor)
    own = ctx.actor.cards[0].library_id if ctx.actor.cards else None
    reservable = elsewhere = 0

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
        lines.append("   " + availability(where.get(record_id, []), homes))
        if reserve and any(h.library_id == own for h in where.get(record_id, [])):
            reservable += 1
            details.append(
                ctx.button(say(texts.BUTTON_RESERVE_N, n=n), "hold.place", record=record_id)
            )
        else:  # a hold is for pickup at one's own school: elsewhere, only the record's card
            elsewhere += reserve
            details.append(
                ctx.button(say(texts.BUTTON_DETAILS, n=n), "record.open", record=record_id)
            )
    buttons += in_rows(details)
    if reservable:
        lines.append(texts.SEARCH_RESERVE_HINT)
    if elsewhere:
        lines.append(texts.SEARCH_RESERVE_ELSEWHERE)
    if pages > 1:
        lines.append(say(texts.SEARCH_PAGE, page=page, pages=pages))
        nav = []
        if page > 1:
            nav.append(
                ctx.button(
                    texts.BUTTON_PREV,
                    "search.page",
                    query=query,
                    page=page - 1,
                    reserve=int(reserve),
                )
            )
        if page < pages:
            nav.append(
                ctx.button(
                    texts.BUTTON_NEXT,
                    "search.page",
                    query=query,
                    page=page + 1,
                    reserve=int(reserve),
                )
            )
        buttons.append(nav)
    if result.suggestion and page == 1:
        lines.append(say(texts.SEARCH_MAYBE, suggestion=result.suggestion))
        buttons += suggestion
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


def _only_older(ctx: Context, max_age: int) -> str:
    """Why nothing is shown: too young, or an age nobody told us (then up to 16+ only)."""
    if any(card.age(ctx.today) is not None for card in ctx.actor.cards):
        return texts.SEARCH_ONLY_OLDER
    return texts.SEARCH_ONLY_ADULT_NO_AGE if ctx.actor.cards else texts.SEARCH_ONLY_ADULT


async def _is_a_title(ctx: Context, query: str) -> bool:
    """Whether the catalog has a record titled just so (a number like «1984» can be both)."""
    visible = await visible_scopes(ctx.session, ctx.actor)
    hits = await ctx.services.search.search(ctx.session, query, limit=1, visible=visible)
    if not hits:
        return False
    title = await title_of(ctx.session, hits[0].record_id)
    return title is not None and normalize(title) == normalize(query)


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


def availability(where: list[Holding], homes: Homes) -> str:
    """«в вашей школе: 2 из 3 · Школа №5: 1» — one's own school first (for a parent, each
    child's school by name), then the other schools with a copy on the shelf."""
    if not where:
        return texts.AVAILABILITY_NO_COPIES
    at = {h.library_id: h for h in where}
    parts = []
    if homes.own is not None:
        own = at.get(homes.own)
        parts.append(
            say(texts.AVAILABILITY_HOME, available=own.available, total=own.total)
            if own
            else texts.AVAILABILITY_HOME_NONE
        )
    for library_id, (school, children) in homes.children.items():
        h = at.get(library_id)
        parts.append(
            say(
                texts.AVAILABILITY_CHILD,
                library=school,
                children=children,
                available=h.available,
                total=h.total,
            )
            if h
            else say(texts.AVAILABILITY_CHILD_NONE, library=school, children=children)
        )
    for h in where:
        if h.library_id not in homes and h.available:
            parts.append(
                say(texts.AVAILABILITY_OTHER, library=h.library_name, available=h.available)
            )
    return " · ".join(parts) if parts else texts.AVAILABILITY_NONE


@router.action("record.open")
async def open_record(ctx: Context) -> Reply:
    record = await ctx.session.get(Record, int(ctx.args["record"]))
    max_age = ctx.actor.reader_age(ctx.today)
    if record is None or (max_age is not None and (record.age_mark or 0) > max_age):
        return Reply(texts.RECORD_GONE)
    if not await may_see(ctx.session, ctx.actor, record.id):  # a forged button: as if gone
        return Reply(texts.RECORD_GONE)
    isbns = await isbns_of(ctx.session, record.id)
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
    if record.series and record.series_number:
        lines.append(
            say(texts.RECORD_FIELD_SERIES_NUMBER, series=record.series, number=record.series_number)
        )
    elif record.series:
        lines.append(say(texts.RECORD_FIELD_SERIES, series=record.series))
    if record.subjects:
        lines.append(say(texts.RECORD_FIELD_SUBJECTS, subjects=record.subjects.replace(";", ",")))
    if isbns:
        lines.append(say(texts.RECORD_FIELD_ISBN, isbn=", ".join(isbns)))
    if record.age_mark is not None:
        lines.append(say(texts.RECORD_FIELD_AGE, age=record.age_mark))
    if record.annotation:
        lines.append(say(texts.RECORD_ANNOTATION, annotation=record.annotation))
    lines += await _series_order(ctx, record, max_age)
    extra_lines, extra_buttons = await card_extras(ctx, record)
    lines += extra_lines
    where = (await holdings(ctx.session, [record.id])).get(record.id, [])
    homes = Homes.of(ctx.actor)
    if extra_lines or extra_buttons:  # a student work or an e-resource: no copies to speak of
        return Reply("\n".join(lines), buttons=extra_buttons)
    if where:
        lines.append(texts.RECORD_HOLDINGS)
        children = list(homes.children)
        for h in sorted(
            where,
            key=lambda h: (
                h.library_id != homes.own,
                children.index(h.library_id) if h.library_id in children else len(children),
            ),
        ):
            lines.append(
                say(
                    texts.RECORD_HOLDING_CHILD,
                    library=h.library_name,
                    children=homes.children[h.library_id][1],
                    available=h.available,
                    total=h.total,
                )
                if h.library_id in homes.children
                else say(
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
        card = ctx.actor.cards[0]  # a hold is for pickup at the reader's own school
        if any(h.library_id == card.library_id for h in where):
            buttons.append([ctx.button(texts.BUTTON_RESERVE, "hold.place", record=record.id)])
        elif where:
            lines.append(
                say(
                    texts.RECORD_NOT_AT_HOME,
                    library=card.library_name,
                    where=", ".join(h.library_name for h in where),
                )
            )
    elif ctx.actor.children:
        lines.append(texts.RECORD_PARENT_RESERVE)
    buttons.append([ctx.button(texts.BUTTON_SIMILAR, "record.similar", record=record.id)])
    return Reply("\n".join(lines), buttons=buttons)


async def _series_order(ctx: Context, record: Record, max_age: int | None) -> list[str]:
    """The numbered series the book belongs to, in order, the book itself marked."""
    if not (record.series and record.series_number):
        return []
    books = await series_books(ctx.session, record.series, max_age)
    if len(books) < 2:
        return []
    return [texts.RECORD_SERIES_ORDER] + [
        say(
            texts.RECORD_SERIES_BOOK,
            mark=texts.RECORD_SERIES_HERE if record_id == record.id else texts.RECORD_SERIES_OTHER,
            number=number,
            title=title,
        )
        for number, record_id, title in books
    ]
