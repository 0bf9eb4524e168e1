"""Class sets of textbooks: «выдать 7Б комплект: Алгебра 7, Русский язык 7», who in a class has
no copy of a textbook, and taking a class's textbooks back at the end of the year."""

from __future__ import annotations

import re

from db.catalog import free_copies
from db.circulation import holders
from db.class_sets import (
    class_readers,
    issue_class_set,
    return_class_set,
    textbook_loans,
    textbooks_held,
    without_copy,
)
from db.elibrary import visible_scopes
from db.models import Record
from db.people import looks_like_class, normalise_class
from handlers.context import Context
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.i18n import say
from messages.types import Reply, in_rows

router = Router("class_sets", staff_only=True)

COLLECT_PAGE = 6  # students a page, two to a row: with ◀ ▶ and 📥, nine buttons in five rows
LINE = 200  # a student's line of titles, at most

SET_PHRASE = re.compile(
    r"^\s*(?:/classset\s+|выда(?:ть|й|ём)\s+)?(?P<class>\d{1,2}\s*[-–]?\s*[А-Яа-яЁё])\s+"
    r"комплект\s*:?\s*(?P<titles>.+)$",
    re.IGNORECASE | re.DOTALL,
)


def parse_set_request(text: str) -> tuple[str, list[str]] | None:
    """«выдать 7Б комплект: Алгебра 7, Русский язык 7» → ("7Б", ["Алгебра 7", "Русский язык 7"])."""
    match = SET_PHRASE.match(text)
    if match is None:
        return None
    titles = [t.strip(' .«»"') for t in re.split(r"[,;\n]", match["titles"])]
    return normalise_class(match["class"]), [t for t in titles if t]


async def textbook(ctx: Context, library_id: int, query: str) -> Record | None:
    """The library's textbook that best matches a librarian's short name for it."""
    visible = await visible_scopes(ctx.session, ctx.actor)
    result = await ctx.services.search.search(ctx.session, query, limit=30, visible=visible)
    ids = [hit.record_id for hit in result]
    held = await textbooks_held(ctx.session, library_id, ids) if ids else []
    return await ctx.session.get(Record, held[0]) if held else None


@router.command("classset", audited_as="class_set.issue")
async def class_set_command(ctx: Context) -> Reply:
    return await class_set(ctx, "/classset " + ctx.text)


@router.intent("class_set", audited_as="class_set.issue")
async def class_set_intent(ctx: Context) -> Reply:
    """«выдать 7Б комплект: Алгебра 7, …», or a class and a subject in any order as the
    classifier read them («комплект алгебра 7б», «7 б учебники по истории»)."""
    request = parse_set_request(ctx.text) or set_from_slots(ctx.args)
    if request is None or not request[1]:
        return Reply(texts.SET_USAGE)
    class_name, titles = request
    grade = "".join(ch for ch in class_name if ch.isdigit())
    # «7Б комплект: алгебра» means the 7th grade's algebra, not the first algebra found.
    titles = [t if any(ch.isdigit() for ch in t) else f"{t} {grade}" for t in titles]
    return await _preview(ctx, class_name, titles)


def set_from_slots(slots: dict[str, str]) -> tuple[str, list[str]] | None:
    """class_name «7Б», subject «алгебра» (or «алгебра, физика»), grade «7» if said
    → ("7Б", ["алгебра 7"]): the textbooks of those subjects."""
    class_name, subject = slots.get("class_name", ""), slots.get("subject", "")
    if not looks_like_class(class_name) or not subject.strip():
        return None
    grade = slots.get("grade", "")
    subjects = [s.strip() for s in re.split(r",|;|\bи\b", subject) if s.strip()]
    return normalise_class(class_name), [f"{s} {grade}".strip() for s in subjects]


async def class_set(ctx: Context, text: str) -> Reply:
    """Preview first: what each textbook needs and whether copies suffice; ✅ issues it."""
    request = parse_set_request(text)
    if request is None or not request[1]:
        return Reply(texts.SET_USAGE)
    return await _preview(ctx, *request)


async def _preview(ctx: Context, class_name: str, titles: list[str]) -> Reply:
    library_id = ctx.desk
    readers = await class_readers(ctx.circulation, library_id, class_name)
    records = []
    for title in titles:
        record = await textbook(ctx, library_id, title)
        if record is None:
            return Reply(say(texts.SET_TITLE_UNKNOWN, query=title))
        records.append(record)
    lines = [say(texts.SET_PREVIEW, class_name=class_name, students=len(readers))]
    for record in records:
        have = await holders(ctx.session, [r.id for r in readers], record.id)
        need = sum(1 for r in readers if r.id not in have and not r.blocked)
        free = len(await free_copies(ctx.session, record.id, library_id))
        short = say(texts.SET_PREVIEW_SHORT, n=need - free) if need > free else ""
        lines.append(
            say(texts.SET_PREVIEW_LINE, title=record.title, need=need, free=free, short=short)
        )
    confirm = ctx.button(
        texts.BUTTON_SET_CONFIRM,
        "set.issue",
        class_name=class_name,
        records=[r.id for r in records],
    )
    return Reply("\n".join(lines), buttons=[[confirm]])


@router.action("set.issue", audited_as="class_set.issue")
async def class_set_confirmed(ctx: Context) -> Reply:
    library_id = ctx.desk
    class_name = str(ctx.args["class_name"])
    record_ids = [int(r) for r in ctx.args["records"]]
    outcome = await issue_class_set(ctx.circulation, library_id, class_name, record_ids)
    text = say(texts.SET_DONE, issued=outcome.issued, class_name=class_name)
    if outcome.already:
        text += say(texts.SET_DONE_ALREADY, n=outcome.already)
    for record_id, n in outcome.short.items():
        text += say(texts.SET_DONE_SHORT, title=outcome.titles[record_id], n=n)
    if outcome.blocked:
        text += say(texts.SET_DONE_BLOCKED, names=", ".join(outcome.blocked))
    return Reply(text, edit=True)


@router.command("nocopy", menus=(LIBRARIAN,), audited_as="class.view")
async def no_copy(ctx: Context) -> Reply:
    library_id = ctx.desk
    words = ctx.text.split()
    if len(words) < 2 or not looks_like_class(words[0]):
        return Reply(texts.SET_MISSING_USAGE)
    class_name = normalise_class(words[0])
    record = await textbook(ctx, library_id, " ".join(words[1:]))
    if record is None:
        return Reply(say(texts.SET_TITLE_UNKNOWN, query=" ".join(words[1:])))
    missing = await without_copy(ctx.circulation, library_id, class_name, record.id)
    if not missing:
        return Reply(say(texts.SET_MISSING_NONE, class_name=class_name, title=record.title))
    lines = [say(texts.SET_MISSING, class_name=class_name, title=record.title, n=len(missing))]
    lines += [f"• {r.full_name} (№ {r.card_number})" for r in missing]
    return Reply("\n".join(lines))


@router.command("collect", menus=(LIBRARIAN,), audited_as="class_set.return")
async def collect(ctx: Context) -> Reply:
    """/collect 7Б: who holds which textbooks; 📥 takes all back, or ✋ marks who did not hand
    theirs in and 📥 takes the rest."""
    if not looks_like_class(ctx.text):
        return Reply(texts.SET_COLLECT_USAGE)
    return await _collect_preview(ctx, normalise_class(ctx.text), kept=set(), page=1)


@router.action("set.collect_page", audited_as="class_set.return")
async def collect_page(ctx: Context) -> Reply:
    """A student marked or unmarked, or another page: the arguments are re-checked against the
    librarian's own class."""
    kept = {int(i) for i in ctx.args.get("kept", [])}
    return await _collect_preview(
        ctx, str(ctx.args["class_name"]), kept=kept, page=int(ctx.args.get("page", 1)), edit=True
    )


async def _collect_preview(
    ctx: Context, class_name: str, kept: set[int], page: int, edit: bool = False
) -> Reply:
    library_id = ctx.desk
    readers = await class_readers(ctx.circulation, library_id, class_name)
    on_loan = await textbook_loans(ctx.circulation, library_id, readers)
    if not on_loan:
        return Reply(say(texts.SET_COLLECT_NONE, class_name=class_name), edit=edit)
    titles: dict[int, list[str]] = {}
    for row in on_loan:
        titles.setdefault(row.reader_id, []).append(row.title)
    holding = [r for r in readers if r.id in titles]  # in the class's order, by name
    kept = kept & set(titles)  # only students of this class who hold textbooks can keep them
    pages = max(1, -(-len(holding) // COLLECT_PAGE))
    page = min(max(page, 1), pages)
    first = (page - 1) * COLLECT_PAGE
    shown = holding[first : first + COLLECT_PAGE]

    if kept:
        rest = sum(len(titles[r.id]) for r in holding if r.id not in kept)
        head = say(texts.SET_COLLECT_REST, class_name=class_name, n=len(on_loan), rest=rest)
        names = ", ".join(r.full_name for r in holding if r.id in kept)
        lines = [head, say(texts.SET_COLLECT_KEPT_LIST, names=names)]
    else:
        lines = [say(texts.SET_COLLECT_PREVIEW, class_name=class_name, n=len(on_loan))]
    lines.append(texts.SET_COLLECT_HINT)
    for n, reader in enumerate(shown, start=first + 1):
        template = (
            texts.SET_COLLECT_STUDENT_KEPT if reader.id in kept else texts.SET_COLLECT_STUDENT
        )
        line = say(template, n=n, name=reader.full_name, titles=", ".join(titles[reader.id]))
        lines.append(line if len(line) <= LINE else line[: LINE - 1] + "…")
    if pages > 1:
        lines.append(say(texts.SEARCH_PAGE, page=page, pages=pages))

    marks = sorted(kept)
    students = [
        ctx.button(
            say(
                texts.BUTTON_COLLECT_KEPT if r.id in kept else texts.BUTTON_COLLECT_STUDENT,
                name=r.full_name,
            ),
            "set.collect_page",
            class_name=class_name,
            kept=sorted(kept ^ {r.id}),
            page=page,
        )
        for r in shown
    ]
    buttons = in_rows(students, per_row=2)
    nav = [
        ctx.button(label, "set.collect_page", class_name=class_name, kept=marks, page=to)
        for label, to in ((texts.BUTTON_PREV, page - 1), (texts.BUTTON_NEXT, page + 1))
        if 1 <= to <= pages
    ]
    if nav:
        buttons.append(nav)
    if kept:
        confirm = ctx.button(
            texts.BUTTON_COLLECT_REST, "set.collect", class_name=class_name, kept=marks
        )
    else:
        confirm = ctx.button(texts.BUTTON_COLLECT_CONFIRM, "set.collect", class_name=class_name)
    buttons.append([confirm])
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


@router.action("set.collect", audited_as="class_set.return")
async def collect_confirmed(ctx: Context) -> Reply:
    """📥: this librarian's class, at this moment; the marked students keep their textbooks."""
    library_id = ctx.desk
    class_name = str(ctx.args["class_name"])
    kept = {int(i) for i in ctx.args.get("kept", [])}
    outcome = await return_class_set(ctx.circulation, library_id, class_name, keep=kept)
    text = say(texts.SET_COLLECTED, class_name=class_name, n=outcome.returned)
    if outcome.kept:
        names = ", ".join(
            say(texts.SET_COLLECTED_KEPT_ONE, name=reader.full_name, n=n)
            for reader, n in outcome.kept
        )
        text += say(texts.SET_COLLECTED_KEPT, names=names)
    return Reply(text, edit=True)
