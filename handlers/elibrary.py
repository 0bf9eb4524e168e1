"""The e-library in chat: what a student work's or an e-resource's card adds (`card_extras`,
called by the record card in handlers/catalog.py), opening a work's file, asking to withdraw a
work and the librarian's decision, /eresources (a school's subscriptions), e-book loans.

Every press is checked again on the server: the record must be one the person may see
(db.elibrary.may_see), the work the person's own or their child's, the decision their school's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from db.access import AccessDenied, require_librarian
from db.elibrary import may_see, remove_from_elibrary
from db.enums import RecordKind
from db.eresources import (
    ELOAN_DAYS,
    EResourceData,
    access,
    add_collection,
    add_eresource,
    ask_eloan,
    collections_of,
    grant_eloan,
    match_collection,
    network_collections,
    network_of,
    records_in,
    refuse_eloan,
    remove_collection,
    rename_collection,
    set_subscription,
    subscriptions,
    web_link,
)
from db.errors import Refused
from db.models import (
    ECollection,
    Library,
    LibrarySubscription,
    Network,
    Project,
    ProjectWork,
    Reader,
    Record,
    StoredFile,
)
from handlers.context import Context, desk_of
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.elibrary_notices import action, tell_librarians, tell_reader
from messages.i18n import class_label, say
from messages.types import MAX_BUTTONS, Button, OutFile, Reply, in_rows

router = Router("elibrary")
staff = Router("elibrary_staff", staff_only=True)
router.include(staff)


# The record card ----------------------------------------------------------------------------


async def card_extras(ctx: Context, record: Record) -> tuple[list[str], list[list[Button]]]:
    """Lines and buttons a student work's or an e-resource's card adds; nothing for a book."""
    if record.kind == RecordKind.STUDENT_WORK:
        return await _work_extras(ctx, record)
    if record.kind == RecordKind.E_RESOURCE:
        return await _eresource_extras(ctx, record)
    return [], []


async def _work_extras(ctx: Context, record: Record) -> tuple[list[str], list[list[Button]]]:
    lines: list[str] = []
    if record.library_id is not None:
        school = await ctx.session.scalar(
            select(Library.short_name).where(Library.id == record.library_id)
        )
        lines.append(say(texts.ELIB_WORK_SCHOOL, school=school))
    if record.project_id is not None:
        project = await ctx.session.scalar(
            select(Project.title).where(Project.id == record.project_id)
        )
        lines.append(say(texts.ELIB_WORK_PROJECT, project=project))
    lines.append(say(texts.ELIB_WORK_SCOPE, scope=record.access_scope.value))
    buttons = [[ctx.button(texts.BUTTON_ELIB_OPEN_WORK, "elibrary.work", record=record.id)]]
    if record.author_reader_id is not None and ctx.actor.card_in_scope(record.author_reader_id):
        work = await _work_of(ctx, record.id)
        if work is not None and work.withdraw_asked_at is not None:
            lines.append(texts.ELIB_WITHDRAW_PENDING)
        elif work is not None:
            buttons.append(
                [ctx.button(texts.BUTTON_ELIB_WITHDRAW, "elibrary.withdraw", record=record.id)]
            )
    return lines, buttons


async def _eresource_extras(ctx: Context, record: Record) -> tuple[list[str], list[list[Button]]]:
    got = await access(ctx.session, ctx.actor, record, ctx.now)
    lines: list[str] = []
    buttons: list[list[Button]] = []
    if got.collection is not None:
        lines.append(say(texts.ERES_COLLECTION, name=got.collection.name))
    if got.readable and record.url:
        if got.until is not None:
            lines.append(say(texts.ERES_UNTIL, until=ctx.local(got.until)))
        buttons.append([Button(texts.BUTTON_READ_ONLINE, url=record.url)])
    elif got.collection is not None and got.asked:
        lines.append(texts.ERES_ASKED)
    elif got.collection is not None and got.may_ask:
        lines.append(say(texts.ERES_LENDS, name=got.collection.name))
        buttons.append([ctx.button(texts.BUTTON_ERES_ASK, "eloan.ask", record=record.id)])
    elif got.collection is not None:
        lines.append(say(texts.ERES_NOT_SUBSCRIBED, name=got.collection.name))
    return lines, buttons


async def _visible_record(ctx: Context, record_id: int, kind: RecordKind) -> Record:
    """The record if this person may see it and it is of this kind; else as if it were gone."""
    record = await ctx.session.get(Record, record_id)
    if record is None or record.kind != kind:
        raise Refused("record_gone")
    if not await may_see(ctx.session, ctx.actor, record_id):
        raise Refused("record_gone")
    return record


async def _work_of(ctx: Context, record_id: int) -> ProjectWork | None:
    return await ctx.session.scalar(select(ProjectWork).where(ProjectWork.record_id == record_id))


# Student works ------------------------------------------------------------------------------


@router.action("elibrary.work")
async def open_work(ctx: Context) -> Reply:
    """«📎 Открыть работу»: the stored file, else the link, else the work's text."""
    record = await _visible_record(ctx, int(ctx.args["record"]), RecordKind.STUDENT_WORK)
    caption = say(texts.ELIB_WORK_FILE_CAPTION, title=record.title, authors=record.authors)
    if record.file_id is not None:
        stored = await ctx.session.get(StoredFile, record.file_id)
        if stored is not None:
            kind = "photo" if stored.kind == "photo" else "document"
            return Reply(caption, files=[OutFile(kind, stored.name, stored.data)])
    if record.url:
        return Reply(caption, buttons=[[Button(texts.BUTTON_ELIB_WORK_LINK, url=record.url)]])
    work = await _work_of(ctx, record.id)
    if work is not None and work.text:
        return Reply(
            say(texts.ELIB_WORK_TEXT, title=record.title, authors=record.authors, text=work.text)
        )
    return Reply(texts.ELIB_WORK_NOTHING)


@router.action("elibrary.withdraw")
async def ask_withdraw(ctx: Context) -> Reply:
    """The author or their parent asks the school's librarian to take the work down."""
    record = await _visible_record(ctx, int(ctx.args["record"]), RecordKind.STUDENT_WORK)
    if record.author_reader_id is None or not ctx.actor.card_in_scope(record.author_reader_id):
        raise AccessDenied("elibrary.withdraw_ask", record.library_id)
    work = await _work_of(ctx, record.id)
    if work is None:
        raise Refused("record_gone")
    if work.withdraw_asked_at is not None:
        return Reply(texts.ELIB_WITHDRAW_PENDING)
    work.withdraw_asked_at = ctx.now
    reader = await ctx.session.get(Reader, work.reader_id)
    project = await ctx.session.get(Project, work.project_id)
    assert reader is not None and project is not None
    text = say(
        texts.ELIB_NOTICE_WITHDRAW,
        title=record.title,
        reader=reader.full_name,
        class_name=class_label(reader),
        project=project.title,
    )
    buttons = [
        [
            action(texts.BUTTON_ELIB_WITHDRAW_YES, "elibrary.withdraw_yes", work=work.id),
            action(texts.BUTTON_ELIB_WITHDRAW_NO, "elibrary.withdraw_no", work=work.id),
        ]
    ]
    await tell_librarians(
        ctx.session, reader.library_id, "elibrary.withdraw", text,
        f"elibrary.withdraw:{work.id}:{ctx.now.isoformat()}", buttons, ctx.now,
    )  # fmt: skip
    return Reply(say(texts.ELIB_WITHDRAW_SENT, title=record.title))


async def _asked_work(ctx: Context, action_name: str) -> tuple[ProjectWork, Reader]:
    work = await ctx.session.get(ProjectWork, int(ctx.args["work"]))
    if work is None:
        raise Refused("elib_withdraw_decided")
    reader = await ctx.session.get(Reader, work.reader_id)
    assert reader is not None
    require_librarian(ctx.actor, reader.library_id, action_name)
    if work.withdraw_asked_at is None or work.status == "withdrawn":
        raise Refused("elib_withdraw_decided")
    return work, reader


@staff.action("elibrary.withdraw_yes", audited_as="elibrary.withdraw")
async def withdraw(ctx: Context) -> Reply:
    """«Снять»: the record is deleted, the work marked «withdrawn» (see db/elibrary.py)."""
    work, reader = await _asked_work(ctx, "elibrary.withdraw")
    if work.record_id is not None:
        await remove_from_elibrary(ctx.session, work.record_id)
    work.record_id = None
    work.status = "withdrawn"
    work.withdraw_asked_at = None
    ctx.audit(
        "elibrary.withdraw", library_id=reader.library_id, object_type="project_work",
        object_id=work.id,
    )  # fmt: skip
    await tell_reader(
        ctx.session, reader.id, "elibrary.withdrawn",
        say(texts.NOTICE_ELIB_WITHDRAWN, title=work.title), f"elibrary.withdrawn:{work.id}",
        ctx.now,
    )  # fmt: skip
    return Reply(say(texts.ELIB_WITHDRAWN_STAFF, title=work.title), edit=True)


@staff.action("elibrary.withdraw_no", audited_as="elibrary.keep")
async def keep(ctx: Context) -> Reply:
    """«Оставить»: the work stays; the author may ask again."""
    work, reader = await _asked_work(ctx, "elibrary.keep")
    work.withdraw_asked_at = None
    ctx.audit(
        "elibrary.keep", library_id=reader.library_id, object_type="project_work",
        object_id=work.id,
    )  # fmt: skip
    await tell_reader(
        ctx.session, reader.id, "elibrary.kept", say(texts.NOTICE_ELIB_KEPT, title=work.title),
        f"elibrary.kept:{work.id}:{ctx.now.isoformat()}", ctx.now,
    )  # fmt: skip
    return Reply(say(texts.ELIB_KEPT_STAFF, title=work.title), edit=True)


# E-resources --------------------------------------------------------------------------------


@staff.command("eresources", menus=(LIBRARIAN,), audited_as="eresources.view")
async def eresources(ctx: Context) -> Reply:
    """/eresources — the network's collections, ✅ subscribed, ➕ to subscribe."""
    return await _collections_reply(ctx, edit=False)


@staff.action("eresources.toggle", audited_as="eresources.subscribe")
async def toggle(ctx: Context) -> list[Reply]:
    collection_id = int(ctx.args["collection"])
    on = collection_id not in await subscriptions(ctx.session, {ctx.desk})
    collection = await set_subscription(
        ctx.session, ctx.actor, ctx.desk, collection_id, on, ctx.now
    )
    done = texts.ERES_SUBSCRIBED if on else texts.ERES_UNSUBSCRIBED
    listing = await _collections_reply(ctx, edit=True)
    listing.notice = say(done, name=collection.name)
    return [listing, Reply(say(done, name=collection.name))]


async def _collections_reply(ctx: Context, *, edit: bool) -> Reply:
    collections = await network_collections(ctx.session, ctx.desk)
    if not collections:
        return Reply(texts.ERES_NONE, edit=edit)
    subscribed = await subscriptions(ctx.session, {ctx.desk})
    lines = [texts.ERES_HEADER]
    buttons = []
    for collection in collections:
        mark = "✅" if collection.id in subscribed else "➕"
        notes = texts.ERES_NOTE_OPEN if collection.open_to_all else ""
        notes += texts.ERES_NOTE_LENDS if collection.lends else ""
        lines.append(say(texts.ERES_LINE, mark=mark, name=collection.name, notes=notes))
        if not collection.open_to_all:
            label = say(texts.BUTTON_ERES, mark=mark, name=collection.name)
            buttons.append([ctx.button(label, "eresources.toggle", collection=collection.id)])
    return Reply("\n".join(lines), buttons=buttons[:10], edit=edit)


@router.action("eloan.ask")
async def ask_access(ctx: Context) -> Reply:
    """«Попросить доступ»: the reader's school's librarians get the request with buttons."""
    record = await _visible_record(ctx, int(ctx.args["record"]), RecordKind.E_RESOURCE)
    if not ctx.actor.cards:
        raise AccessDenied("eloan.ask")
    card = ctx.actor.cards[0]
    loan = await ask_eloan(ctx.session, ctx.actor, card.reader_id, record.id, ctx.now)
    collection = await ctx.session.get(ECollection, record.collection_id)
    assert collection is not None
    text = say(
        texts.ELOAN_NOTICE_ASKED,
        reader=card.full_name,
        class_name=card.class_name or "—",
        title=record.title,
        collection=collection.name,
    )
    buttons = [
        [
            action(say(texts.BUTTON_ELOAN_GRANT, days=ELOAN_DAYS), "eloan.grant", eloan=loan.id),
            action(texts.BUTTON_ELOAN_REFUSE, "eloan.refuse", eloan=loan.id),
        ]
    ]
    await tell_librarians(
        ctx.session, card.library_id, "eloan.asked", text, f"eloan.asked:{loan.id}", buttons,
        ctx.now,
    )  # fmt: skip
    return Reply(texts.ERES_ASK_SENT)


@staff.action("eloan.grant", audited_as="eloan.grant")
async def grant(ctx: Context) -> Reply:
    loan = await grant_eloan(ctx.session, ctx.actor, int(ctx.args["eloan"]), ctx.now)
    record = await ctx.session.get(Record, loan.record_id)
    assert record is not None and loan.ends_at is not None
    await tell_reader(
        ctx.session, loan.reader_id, "eloan.granted",
        say(texts.NOTICE_ELOAN_GRANTED, title=record.title, until=ctx.local(loan.ends_at),
            url=record.url or ""),
        f"eloan.granted:{loan.id}", ctx.now,
    )  # fmt: skip
    return Reply(
        say(texts.ELOAN_GRANTED_STAFF, title=record.title, until=ctx.local(loan.ends_at)),
        edit=True,
    )


@staff.action("eloan.refuse", audited_as="eloan.refuse")
async def refuse(ctx: Context) -> Reply:
    loan = await refuse_eloan(ctx.session, ctx.actor, int(ctx.args["eloan"]))
    record = await ctx.session.get(Record, loan.record_id)
    assert record is not None
    await tell_reader(
        ctx.session, loan.reader_id, "eloan.refused",
        say(texts.NOTICE_ELOAN_REFUSED, title=record.title), f"eloan.refused:{loan.id}", ctx.now,
    )  # fmt: skip
    return Reply(say(texts.ELOAN_REFUSED_STAFF, title=record.title), edit=True)


# The network's collections: its admin keeps the list -------------------------------------------
#
# /collection_add, the card's ✏️ and 🗑 are the admin's (the methodologist's) alone: a librarian
# who is no admin is refused, a forged button too (db.eresources checks the collection's network
# against the admin's). A librarian may look at the list (/collections) to know the names.

FLAG_LENDS = ("выдача", "выдаёт", "выдает", "выдавать", "на время")
FLAG_OPEN = ("всем", "для всех", "открыта", "открыт", "без подписки")


def _admin_network(ctx: Context, action: str) -> int:
    """The network an admin acts for: an admin of several keeps the first one's list."""
    if not ctx.actor.admin_of:
        raise AccessDenied(action)
    return min(ctx.actor.admin_of)


async def _network_of_actor(ctx: Context, action: str) -> int:
    """The network a librarian's school belongs to, else the admin's; anyone else refused."""
    desk = desk_of(ctx.actor)
    if desk is not None:
        return await network_of(ctx.session, desk)
    return _admin_network(ctx, action)


@router.command("collections", menus=(LIBRARIAN,))
async def collections(ctx: Context) -> Reply:
    """/collections — the network's e-resource collections; the admin gets a button for each
    (rename, remove), a librarian the list alone."""
    network_id = await _network_of_actor(ctx, "eresources.collections")
    return await _collection_list(ctx, network_id, edit=False)


@router.action("collections.list")
async def collections_again(ctx: Context) -> Reply:
    return await _collection_list(ctx, _admin_network(ctx, "eresources.collections"), edit=True)


async def _collection_list(ctx: Context, network_id: int, *, edit: bool) -> Reply:
    network = await ctx.session.get(Network, network_id)
    assert network is not None
    found = await collections_of(ctx.session, network_id)
    admin = network_id in ctx.actor.admin_of
    if not found:
        text = texts.COLLECTIONS_NONE_ADMIN if admin else texts.COLLECTIONS_NONE
        return Reply(say(text, network=network.name), edit=edit)
    lines = [say(texts.COLLECTIONS_HEADER, network=network.name)]
    for collection in found:
        lines.append(
            say(
                texts.COLLECTIONS_LINE,
                name=collection.name,
                notes=_notes(collection),
                count=await records_in(ctx.session, collection.id),
            )
        )
    lines.append(texts.COLLECTIONS_FOOTER_ADMIN if admin else texts.COLLECTIONS_FOOTER)
    buttons: list[Button] = []
    if admin:
        buttons = [
            ctx.button(say(texts.BUTTON_COLLECTION, name=c.name), "collections.card",
                       collection=c.id)
            for c in found[:MAX_BUTTONS]
        ]  # fmt: skip
        if len(found) > MAX_BUTTONS:
            lines.append(say(texts.COLLECTIONS_MORE, shown=MAX_BUTTONS))
    return Reply("\n".join(lines), buttons=in_rows(buttons, per_row=2), edit=edit)


def _notes(collection: ECollection) -> str:
    notes = texts.ERES_NOTE_OPEN if collection.open_to_all else ""
    return notes + (texts.ERES_NOTE_LENDS if collection.lends else "")


@router.command("collection_add")
async def collection_add(ctx: Context) -> Reply:
    """/collection_add ЛитРес: Школа | https://school.litres.ru | выдача — a new collection
    (the link and «выдача» / «всем» optional)."""
    network_id = _admin_network(ctx, "eresources.collection_add")
    parts = [part.strip() for part in ctx.text.split("|")]
    if not parts[0]:
        return Reply(texts.COLLECTION_ADD_USAGE)
    url: str | None = None
    lends = open_to_all = False
    for part in parts[1:]:
        flag = part.casefold()
        if not flag:
            continue
        if web_link(part) is not None:
            url = part
        elif flag in FLAG_LENDS:
            lends = True
        elif flag in FLAG_OPEN:
            open_to_all = True
        elif "." in part or ":" in part:
            return Reply(say(texts.COLLECTION_BAD_LINK, link=part))
        else:
            return Reply(say(texts.COLLECTION_BAD_PART, part=part))
    collection = await add_collection(
        ctx.session, ctx.actor, network_id, parts[0], url, lends=lends, open_to_all=open_to_all
    )
    return Reply(
        say(texts.COLLECTION_ADDED, name=collection.name, notes=_notes(collection),
            link=collection.url or "—")
    )  # fmt: skip


@router.action("collections.card")
async def collection_card(ctx: Context) -> Reply:
    """One collection: its link, how many records use it, how many schools subscribe."""
    collection = await _admins_collection(ctx, "eresources.collections")
    subscribed = await ctx.session.scalar(
        select(func.count()).where(LibrarySubscription.collection_id == collection.id)
    )
    text = say(
        texts.COLLECTION_CARD,
        name=collection.name,
        notes=_notes(collection),
        link=collection.url or "—",
        count=await records_in(ctx.session, collection.id),
        schools=subscribed or 0,
    )
    buttons = [
        [
            ctx.button(texts.BUTTON_COLLECTION_RENAME, "collections.rename",
                       collection=collection.id),
            ctx.button(texts.BUTTON_COLLECTION_REMOVE, "collections.remove",
                       collection=collection.id),
        ],
        [ctx.button(texts.BUTTON_COLLECTIONS_BACK, "collections.list")],
    ]  # fmt: skip
    return Reply(text, buttons=buttons, edit=True)


async def _admins_collection(ctx: Context, action: str) -> ECollection:
    """The pressed collection, if it is of the admin's network; refused otherwise."""
    collection = await ctx.session.get(ECollection, int(ctx.args["collection"]))
    if collection is None or collection.network_id not in ctx.actor.admin_of:
        raise AccessDenied(action)
    return collection


@router.action("collections.rename")
async def rename_asked(ctx: Context) -> Reply:
    collection = await _admins_collection(ctx, "eresources.collection_rename")
    await ctx.expect("collections.rename_to", collection=collection.id)
    return Reply(say(texts.COLLECTION_ASK_NAME, name=collection.name))


@router.state("collections.rename_to")
async def rename_typed(ctx: Context) -> Reply:
    """The new name; checked again as the admin's (the awaited input names the collection)."""
    if not ctx.text.strip():
        return Reply(texts.COLLECTION_NAME_EMPTY)
    old, collection = await rename_collection(
        ctx.session, ctx.actor, int(ctx.state_data["collection"]), ctx.text
    )
    await ctx.forget_expectation()
    return Reply(say(texts.COLLECTION_RENAMED, old=old, name=collection.name))


@router.action("collections.remove")
async def remove_asked(ctx: Context) -> Reply:
    """🗑: refused at once while records use it, else asked to confirm."""
    collection = await _admins_collection(ctx, "eresources.collection_remove")
    used = await records_in(ctx.session, collection.id)
    if used:
        return Reply(say(texts.REFUSALS["collection_in_use"], name=collection.name, count=used))
    buttons = [
        [
            ctx.button(texts.BUTTON_COLLECTION_REMOVE_YES, "collections.remove_yes",
                       collection=collection.id),
            ctx.button(texts.BUTTON_COLLECTIONS_BACK, "collections.list"),
        ]
    ]  # fmt: skip
    return Reply(say(texts.COLLECTION_REMOVE_CONFIRM, name=collection.name), buttons=buttons)


@router.action("collections.remove_yes")
async def remove_confirmed(ctx: Context) -> Reply:
    name = await remove_collection(ctx.session, ctx.actor, int(ctx.args["collection"]))
    return Reply(say(texts.COLLECTION_REMOVED, name=name), edit=True)


# New e-resources: a librarian's (or the admin's) -----------------------------------------------

AGE_MARKS = (0, 6, 12, 16, 18)
AGE_MARK = re.compile(r"(?:^|\s)(0|6|12|16|18)\s*\+$")
AUTHOR_DASH = re.compile(r"\s+[—–]\s+")  # a dash, not a hyphen: «Война и мир - том 1» stays


@dataclass(frozen=True, slots=True)
class TypedEResource:
    """/eresource_add's line read: the resource, the collection as typed (or none), or why the
    line does not do."""

    data: EResourceData | None = None
    collection: str = ""
    problem: str | None = None  # a key of texts.ERES_ADD_PROBLEMS
    bad_link: str = ""


def read_eresource(line: str) -> TypedEResource:
    """«Автор — Название 12+ | https://… | коллекция»: the author (before a dash) and the age
    mark are optional, as is the collection; the link must be http(s)."""
    parts = [part.strip() for part in line.split("|")]
    head = parts[0]
    age: int | None = None
    rest: list[str] = []
    for part in parts[1:]:
        mark = AGE_MARK.fullmatch(part)
        if mark and age is None:
            age = int(mark.group(1))
        elif part:
            rest.append(part)
    mark = AGE_MARK.search(head)
    if mark and age is None:
        age, head = int(mark.group(1)), head[: mark.start()].strip()
    authors: tuple[str, ...] = ()
    split = AUTHOR_DASH.split(head, maxsplit=1)
    if len(split) == 2 and split[0] and split[1]:
        authors = tuple(a.strip() for a in re.split(r"[;,]", split[0]) if a.strip())
        head = split[1].strip()
    if not head:
        return TypedEResource(problem="no_title")
    if not rest:
        return TypedEResource(problem="no_link")
    url = web_link(rest[0])
    if url is None:
        return TypedEResource(problem="bad_link", bad_link=rest[0])
    return TypedEResource(
        data=EResourceData(title=head, url=url, authors=authors, age_mark=age),
        collection=" ".join(rest[1:2]),
    )


@router.command("eresource_add", menus=(LIBRARIAN,))
async def eresource_add(ctx: Context) -> Reply | list[Reply]:
    """/eresource_add Название | https://… | коллекция — a new e-resource record."""
    await _network_of_actor(ctx, "eresources.record_add")
    if not ctx.text.strip():
        await ctx.expect("eresource.add")
        return Reply(texts.ERES_ADD_USAGE)
    return await _eresource_line(ctx, ctx.text)


@router.state("eresource.add")
async def eresource_typed(ctx: Context) -> Reply | list[Reply]:
    """The line sent again after /eresource_add (alone, or refused): read as the command's."""
    await _network_of_actor(ctx, "eresources.record_add")
    if not ctx.text.strip():
        return Reply(texts.ERES_ADD_USAGE)
    return await _eresource_line(ctx, ctx.text)


async def _eresource_line(ctx: Context, line: str) -> Reply | list[Reply]:
    """A line that does not do is answered with why and the line itself, and the next
    message is read as a corrected one: nothing typed is lost."""
    network_id = await _network_of_actor(ctx, "eresources.record_add")
    typed = read_eresource(line)
    if typed.data is None:
        await ctx.expect("eresource.add")
        problem = say(texts.ERES_ADD_PROBLEMS[typed.problem or "no_link"], link=typed.bad_link)
        return Reply(say(texts.ERES_ADD_AGAIN, problem=problem, line=line))
    await ctx.forget_expectation()
    data = typed.data
    if not typed.collection:
        return await _eresource_added(ctx, network_id, data, None)
    found = await collections_of(ctx.session, network_id)
    collection = match_collection(found, typed.collection)
    if collection is not None:
        return await _eresource_added(ctx, network_id, data, collection.id)
    keep = {"title": data.title, "url": data.url, "authors": list(data.authors),
            "age": data.age_mark}  # fmt: skip
    buttons = [
        ctx.button(c.name, "eresource.pick", collection=c.id, **keep)
        for c in found[: MAX_BUTTONS - 1]
    ]
    buttons.append(ctx.button(texts.BUTTON_ERES_NO_COLLECTION, "eresource.pick", collection=0,
                              **keep))  # fmt: skip
    return Reply(
        say(texts.ERES_ADD_WHICH, typed=typed.collection, title=data.title),
        buttons=in_rows(buttons, per_row=2),
    )


@router.action("eresource.pick")
async def eresource_picked(ctx: Context) -> Reply | list[Reply]:
    """A collection chosen from the buttons (0: none, open to everyone); the rights and the
    collection's network checked again by db.eresources.add_eresource."""
    network_id = await _network_of_actor(ctx, "eresources.record_add")
    data = EResourceData(
        title=str(ctx.args["title"]),
        url=str(ctx.args["url"]),
        authors=tuple(str(a) for a in ctx.args.get("authors") or ()),
        age_mark=age if (age := ctx.args.get("age")) in AGE_MARKS else None,
    )
    collection_id = int(ctx.args["collection"]) or None
    return await _eresource_added(ctx, network_id, data, collection_id, edit=True)


async def _eresource_added(
    ctx: Context, network_id: int, data: EResourceData, collection_id: int | None,
    *, edit: bool = False,
) -> Reply:  # fmt: skip
    record = await add_eresource(ctx.session, ctx.actor, network_id, data, collection_id, ctx.now)
    collection = await ctx.session.get(ECollection, collection_id) if collection_id else None
    lines = [
        say(texts.ERES_ADDED, title=record.title,
            authors=f" ({record.authors})" if record.authors else "",
            age=f", {record.age_mark}+" if record.age_mark is not None else "", url=record.url)
    ]  # fmt: skip
    if collection is None:
        lines.append(texts.ERES_ADDED_OPEN)
    else:
        lines.append(say(texts.ERES_ADDED_IN, name=collection.name, notes=_notes(collection)))
        desk = desk_of(ctx.actor)
        if (
            desk is not None
            and not collection.open_to_all
            and collection.id not in await subscriptions(ctx.session, {desk})
        ):
            lines.append(say(texts.ERES_ADDED_NOT_SUBSCRIBED, name=collection.name))
    return Reply("\n".join(lines), edit=edit)
