"""What to read: the school reading list of a grade (and of the next one, for the summer),
new arrivals of the reader's school, what readers of the same grade borrow most, a short mix of
all three — and «похожие», the books alike to one on its card.

The grade is the one asked for («список литературы для 5 класса»), else the reader's own class,
else — for a parent — their child's (asked which child when there are several). Every list
keeps to the reader's age mark; popularity is counted, never attributed (db.shelves).
"""

from __future__ import annotations

from dataclasses import dataclass

from db.catalog import holdings
from db.elibrary import may_see
from db.models import Record
from db.programme import GRADES, Work, find_works, works_for
from db.shelves import (
    grade_of,
    library_names,
    network_of,
    new_arrivals,
    popular_in_grade,
    similar_records,
)
from handlers.catalog import Homes, availability
from handlers.context import Context
from handlers.router import Router
from handlers.shelf import PAGE_SIZE, book_lines, page_count, shelf_page
from messages import texts
from messages.i18n import say
from messages.types import Button, Reply, in_rows
from nlu.morph import given_name

router = Router("recommend")

KINDS = ("grade", "summer", "new", "popular", "any")
ASKED_GRADES = range(5, 12)  # buttons offered when nobody's grade is known (at most ten)
MIX_EACH = 2  # books of each kind in the short mix


@dataclass(frozen=True, slots=True)
class Whose:
    """The grade to recommend for, and the schools whose shelves count."""

    grade: int | None
    libraries: tuple[int, ...]


def _slot_grade(value: object) -> int | None:
    grade = grade_of(str(value)) if value not in (None, "") else None
    return grade if grade in GRADES else None


def whose(ctx: Context, asked: int | None = None) -> Whose:
    """The reader's grade and school; a parent's children's (the first child's grade)."""
    actor = ctx.actor
    if actor.cards:
        card = actor.cards[0]
        return Whose(asked or grade_of(card.class_name), (card.library_id,))
    if actor.librarian_of:
        return Whose(asked, (actor.home_library_id,) if actor.home_library_id else ())
    children = actor.children
    grades = [g for c in children if (g := grade_of(c.class_name)) is not None]
    libraries = tuple(dict.fromkeys(c.library_id for c in children))
    return Whose(asked or (grades[0] if grades else None), libraries)


@router.intent("recommend")
async def recommend(ctx: Context) -> Reply:
    kind = ctx.args.get("kind") if ctx.args.get("kind") in KINDS else "any"
    asked = _slot_grade(ctx.args.get("grade"))
    if kind in ("grade", "summer"):
        if asked is None and len(ctx.actor.children) > 1 and not ctx.actor.cards:
            return _ask_child(ctx, kind)
        grade = whose(ctx, asked).grade
        if grade is None:
            return _ask_grade(ctx, kind)
        target = min(grade + 1, max(GRADES)) if kind == "summer" else grade
        return await programme_page(ctx, target, summer=kind == "summer", page=1, edit=False)
    if kind == "new":
        return await new_page(ctx, page=1, edit=False)
    if kind == "popular":
        return await popular_page(ctx, asked, page=1, edit=False)
    return await mix(ctx, asked)


@router.action("recommend.list")
async def recommend_list(ctx: Context) -> Reply:
    """A grade (or a child) chosen by button: that grade's list, or the next one's."""
    grade = int(ctx.args["grade"])
    summer = bool(ctx.args.get("summer"))
    target = min(grade + 1, max(GRADES)) if summer else grade
    return await programme_page(ctx, target, summer=summer, page=1, edit=False)


@router.action("recommend.programme")
async def recommend_programme(ctx: Context) -> Reply:
    return await programme_page(
        ctx,
        int(ctx.args["grade"]),
        summer=bool(ctx.args.get("summer")),
        page=int(ctx.args["page"]),
        edit=True,
    )


@router.action("recommend.new")
async def recommend_new(ctx: Context) -> Reply:
    return await new_page(ctx, page=int(ctx.args.get("page", 1)), edit="page" in ctx.args)


@router.action("recommend.popular")
async def recommend_popular(ctx: Context) -> Reply:
    grade = ctx.args.get("grade")
    return await popular_page(
        ctx,
        int(grade) if grade else None,
        page=int(ctx.args.get("page", 1)),
        edit="page" in ctx.args,
    )


def _ask_grade(ctx: Context, kind: str) -> Reply:
    summer = int(kind == "summer")
    buttons = [
        ctx.button(say(texts.BUTTON_GRADE, grade=g), "recommend.list", grade=g, summer=summer)
        for g in ASKED_GRADES
    ]
    return Reply(texts.RECOMMEND_ASK_GRADE, buttons=in_rows(buttons))


def _ask_child(ctx: Context, kind: str) -> Reply:
    buttons = [
        ctx.button(
            say(
                texts.BUTTON_CHILD_GRADE,
                name=given_name(card.full_name),
                class_name=card.class_name,
            ),
            "recommend.list",
            grade=grade,
            summer=int(kind == "summer"),
        )
        for card in ctx.actor.children
        if (grade := grade_of(card.class_name)) is not None
    ]
    if not buttons:
        return _ask_grade(ctx, kind)
    return Reply(texts.RECOMMEND_ASK_CHILD, buttons=in_rows(buttons))


async def _visible_works(ctx: Context, grade: int) -> list[tuple[Work, int | None]]:
    """The grade's works with their catalog record, leaving out what the reader may not see."""
    max_age = ctx.actor.reader_age(ctx.today)
    works = works_for(grade)
    found = await find_works(ctx.session, ctx.services.search, works)
    listed: list[tuple[Work, int | None]] = []
    for work in works:
        record = found.get(work)
        if record is None:
            listed.append((work, None))
        elif max_age is None or (record.age_mark or 0) <= max_age:
            listed.append((work, record.id))
    return listed


async def programme_page(ctx: Context, grade: int, *, summer: bool, page: int, edit: bool) -> Reply:
    """The reading list of `grade`, with where each work can be had."""
    listed = await _visible_works(ctx, grade)
    if summer:
        header = texts.RECOMMEND_SUMMER_LAST if grade == max(GRADES) else texts.RECOMMEND_SUMMER
    else:
        header = texts.RECOMMEND_PROGRAMME
    pages = page_count(len(listed))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    chunk = listed[start : start + PAGE_SIZE]
    ids = [record_id for _, record_id in chunk if record_id is not None]
    where = await holdings(ctx.session, ids)
    homes = Homes.of(ctx.actor)
    lines = [say(header, grade=grade, n=len(listed))]
    details: list[Button] = []
    for n, (work, record_id) in enumerate(chunk, start=start + 1):
        lines.append(say(texts.RECOMMEND_WORK, n=n, title=work.title, author=work.author))
        if record_id is None:
            lines.append(texts.RECOMMEND_WORK_MISSING)
            continue
        lines.append("   " + availability(where.get(record_id, []), homes))
        details.append(ctx.button(say(texts.BUTTON_DETAILS, n=n), "record.open", record=record_id))
    buttons = in_rows(details)
    if pages > 1:
        lines.append(say(texts.SEARCH_PAGE, page=page, pages=pages))
        args = {"grade": grade, "summer": int(summer)}
        nav = []
        if page > 1:
            nav.append(ctx.button(texts.BUTTON_PREV, "recommend.programme", **args, page=page - 1))
        if page < pages:
            nav.append(ctx.button(texts.BUTTON_NEXT, "recommend.programme", **args, page=page + 1))
        buttons.append(nav)
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


async def new_page(ctx: Context, *, page: int, edit: bool) -> Reply:
    """New arrivals of the reader's school (a parent: the children's schools)."""
    libraries = whose(ctx).libraries
    if not libraries:
        return Reply(texts.RECOMMEND_NO_SCHOOL, edit=edit)
    max_age = ctx.actor.reader_age(ctx.today)
    ids = await new_arrivals(ctx.session, libraries, max_age, ctx.now)
    library = ", ".join(await library_names(ctx.session, libraries))
    if not ids:
        return Reply(say(texts.RECOMMEND_NEW_NONE, library=library), edit=edit)
    return await shelf_page(
        ctx,
        say(texts.RECOMMEND_NEW, library=library, n=len(ids)),
        ids,
        page=page,
        action="recommend.new",
        args={},
        edit=edit,
    )


async def _network(ctx: Context, libraries: tuple[int, ...]) -> int | None:
    return await network_of(ctx.session, libraries[0]) if libraries else None


async def popular_page(ctx: Context, asked: int | None, *, page: int, edit: bool) -> Reply:
    """What readers of the same grade borrow most (of every grade, when the grade is unknown)."""
    target = whose(ctx, asked)
    max_age = ctx.actor.reader_age(ctx.today)
    network = await _network(ctx, target.libraries)
    ids = await popular_in_grade(ctx.session, network, target.grade, max_age, ctx.now)
    if not ids:
        return Reply(
            texts.RECOMMEND_POPULAR_NONE, buttons=[_more_buttons(ctx, target, popular=False)]
        )
    header = (
        say(texts.RECOMMEND_POPULAR_GRADE, grade=target.grade)
        if target.grade
        else texts.RECOMMEND_POPULAR_ALL
    )
    return await shelf_page(
        ctx,
        header,
        ids,
        page=page,
        action="recommend.popular",
        args={"grade": target.grade or 0},
        edit=edit,
    )


def _more_buttons(ctx: Context, target: Whose, *, popular: bool = True) -> list[Button]:
    """Buttons to the full lists: the grade's programme, the summer's, popular, new."""
    more = []
    if target.grade is not None:
        more.append(
            ctx.button(
                say(texts.BUTTON_RECOMMEND_PROGRAMME, grade=target.grade),
                "recommend.list",
                grade=target.grade,
                summer=0,
            )
        )
        more.append(
            ctx.button(
                texts.BUTTON_RECOMMEND_SUMMER, "recommend.list", grade=target.grade, summer=1
            )
        )
    if popular:
        more.append(
            ctx.button(texts.BUTTON_RECOMMEND_POPULAR, "recommend.popular", grade=target.grade or 0)
        )
    if target.libraries:
        more.append(ctx.button(texts.BUTTON_RECOMMEND_NEW, "recommend.new"))
    return more


async def mix(ctx: Context, asked: int | None) -> Reply:
    """A few of each: the grade's programme (what is on the shelf at home first), what the
    grade reads most, what is new at school."""
    target = whose(ctx, asked)
    max_age = ctx.actor.reader_age(ctx.today)
    sections: list[tuple[str, list[int]]] = []
    seen: set[int] = set()

    def fresh(ids: list[int]) -> list[int]:
        chosen = [i for i in ids if i not in seen][:MIX_EACH]
        seen.update(chosen)
        return chosen

    if target.grade is not None:
        listed = [r for _, r in await _visible_works(ctx, target.grade) if r is not None]
        where = await holdings(ctx.session, listed)
        on_shelf = [
            r
            for r in listed
            if any(h.library_id in target.libraries and h.available for h in where.get(r, []))
        ]
        ordered = on_shelf + [r for r in listed if r not in on_shelf]
        sections.append((say(texts.RECOMMEND_MIX_PROGRAMME, grade=target.grade), fresh(ordered)))
    network = await _network(ctx, target.libraries)
    popular = await popular_in_grade(ctx.session, network, target.grade, max_age, ctx.now)
    sections.append((texts.RECOMMEND_MIX_POPULAR, fresh(popular)))
    if target.libraries:
        arrived = await new_arrivals(ctx.session, target.libraries, max_age, ctx.now)
        sections.append((texts.RECOMMEND_MIX_NEW, fresh(arrived)))
    lines = [texts.RECOMMEND_MIX]
    details: list[Button] = []
    n = 1
    for header, ids in sections:
        if not ids:
            continue
        section_lines, section_buttons = await book_lines(ctx, ids, n)
        lines += [header, *section_lines]
        details += section_buttons
        n += len(ids)
    return Reply("\n".join(lines), buttons=[*in_rows(details), _more_buttons(ctx, target)])


@router.action("record.similar")
async def similar(ctx: Context) -> Reply:
    """«Похожие» on a record's card: the same series, author, subjects."""
    record = await ctx.session.get(Record, int(ctx.args["record"]))
    max_age = ctx.actor.reader_age(ctx.today)
    if record is None or (max_age is not None and (record.age_mark or 0) > max_age):
        return Reply(texts.RECORD_GONE)
    if not await may_see(ctx.session, ctx.actor, record.id):  # a forged button: no title shown
        return Reply(texts.RECORD_GONE)
    ids = await similar_records(ctx.session, record, max_age)
    if not ids:
        return Reply(say(texts.SIMILAR_NONE, title=record.title))
    return await shelf_page(
        ctx,
        say(texts.SIMILAR_HEADER, title=record.title, n=len(ids)),
        ids,
        page=int(ctx.args.get("page", 1)),
        action="record.similar",
        args={"record": record.id},
        edit="page" in ctx.args,
    )
