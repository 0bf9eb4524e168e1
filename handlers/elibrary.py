"""The e-library in chat: what a student work's or an e-resource's card adds (`card_extras`,
called by the record card in handlers/catalog.py), opening a work's file, asking to withdraw a
work and the librarian's decision, /eresources (a school's subscriptions), e-book loans.

Every press is checked again on the server: the record must be one the person may see
(db.elibrary.may_see), the work the person's own or their child's, the decision their school's.
"""

from __future__ import annotations

from sqlalchemy import select

from db.access import AccessDenied, require_librarian
from db.elibrary import may_see, remove_from_elibrary
from db.enums import RecordKind
from db.eresources import (
    ELOAN_DAYS,
    access,
    ask_eloan,
    grant_eloan,
    network_collections,
    refuse_eloan,
    set_subscription,
    subscriptions,
)
from db.errors import Refused
from db.models import ECollection, Library, Project, ProjectWork, Reader, Record, StoredFile
from handlers.context import Context
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.elibrary_notices import action, tell_librarians, tell_reader
from messages.i18n import class_label, say
from messages.types import Button, OutFile, Reply

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
