"""The librarian's desk in a chat: issue and take back by inventory number, barcode or a photo
of the barcode."""

from __future__ import annotations

from db.access import require_librarian
from db.conversation import get_state
from db.errors import Refused
from db.loans import ensure_issuable, find_copy, issue, return_copy
from db.models import Item, Reader, Record
from db.standing import AgeCheck
from handlers.context import Context, spelled_out
from handlers.copies import copy_reply
from handlers.readers import own_reader, reader_named
from handlers.router import LIBRARIAN, Router
from handlers.staff import age_question, desk_library
from messages import texts
from messages.i18n import class_label, person, say
from messages.types import Reply

router = Router("desk")

SCAN_STATES = ("desk.return", "desk.issue_copy", "desk.issue_for")


# Issue --------------------------------------------------------------------------------------


@router.command("issue", menus=(LIBRARIAN,))
async def issue_command(ctx: Context) -> Reply | list[Reply]:
    library_id = desk_library(ctx, "loan.issue")
    parts = ctx.text.split()
    if not parts:
        await ctx.expect("desk.issue_copy")
        return Reply(texts.DESK_ASK_COPY)
    digits = "".join(parts)  # a barcode typed in groups, or copy + card
    if len(parts) > 1 and digits.isascii() and digits.isdigit():
        try:
            item, record = await find_copy(ctx.circulation, library_id, ctx.text)
        except Refused:
            pass
        else:
            return await _ask_reader(ctx, item, record)
    item, record = await find_copy(ctx.circulation, library_id, parts[0])
    if len(parts) == 1:
        return await _ask_reader(ctx, item, record)
    await ensure_issuable(ctx.circulation, item)
    return await _issue_to_query(ctx, library_id, item, " ".join(parts[1:]))


@router.state("desk.issue_copy")
async def issue_copy_scanned(ctx: Context) -> Reply:
    library_id = desk_library(ctx, "loan.issue")
    item, record = await find_copy(ctx.circulation, library_id, ctx.text)
    return await _ask_reader(ctx, item, record)


async def _ask_reader(ctx: Context, item: Item, record: Record) -> Reply:
    """«Кому выдать?» — only for a copy that can go out; anything else is refused at once."""
    await ensure_issuable(ctx.circulation, item)
    await ctx.expect("desk.issue_to", item=item.id)
    return Reply(say(texts.DESK_ASK_READER, title=record.title, inventory=item.inventory_number))


@router.state("desk.issue_to")
async def issue_to_typed(ctx: Context) -> Reply:
    library_id = desk_library(ctx, "loan.issue")
    item = await ctx.session.get(Item, int(ctx.state_data["item"]))
    if item is None:
        await ctx.forget_expectation()
        return Reply(texts.BUTTON_STALE)
    return await _issue_to_query(ctx, library_id, item, ctx.text)


async def _issue_to_query(ctx: Context, library_id: int, item: Item, query: str) -> Reply:
    found = await reader_named(ctx, library_id, query, "desk.issue_pick", item=item.id)
    if isinstance(found, Reply):
        return found
    await ctx.forget_expectation()
    return await _issue(ctx, item.id, found.id)


@router.action("desk.issue_pick")
async def issue_picked(ctx: Context) -> Reply:
    await ctx.forget_expectation()
    return await _issue(
        ctx,
        int(ctx.args["item"]),
        int(ctx.args["reader"]),
        age_confirmed=bool(ctx.args.get("age_confirmed")),
    )


@router.action("desk.age_no")
async def age_declined(ctx: Context) -> Reply:
    return Reply(texts.DESK_AGE_DECLINED, edit=True)


@router.action("desk.issue_for")
async def issue_for_reader(ctx: Context) -> Reply:
    """📕 on a reader's card: the next scans are issued to that reader."""
    desk_library(ctx, "loan.issue")
    reader = await own_reader(ctx, int(ctx.args["reader"]), "loan.issue")
    await ctx.expect("desk.issue_for", reader=reader.id)
    return Reply(
        say(texts.DESK_ASK_COPY_FOR, reader=person(reader), class_name=class_label(reader))
    )


@router.state("desk.issue_for")
async def issue_for_scanned(ctx: Context) -> Reply:
    library_id = desk_library(ctx, "loan.issue")
    item, _ = await find_copy(ctx.circulation, library_id, ctx.text)
    reply = await _issue(ctx, item.id, int(ctx.state_data["reader"]))
    reply.text += "\n" + texts.DESK_NEXT
    return reply


async def _issue(
    ctx: Context, item_id: int, reader_id: int, *, age_confirmed: bool = False
) -> Reply:
    try:
        loan = await issue(ctx.circulation, item_id, reader_id, age_confirmed=age_confirmed)
    except AgeCheck as check:
        item = await ctx.session.get(Item, item_id)
        assert item is not None
        text = age_question(
            check, await _title(ctx, item), texts.DESK_AGE_CONFIRM, texts.DESK_AGE_CONFIRM_UNKNOWN
        )
        yes = ctx.button(
            texts.BUTTON_AGE_ISSUE,
            "desk.issue_pick",
            item=item_id,
            reader=reader_id,
            age_confirmed=1,
        )
        return Reply(text, buttons=[[yes, ctx.button(texts.BUTTON_AGE_NO, "desk.age_no")]])
    item = await ctx.session.get(Item, loan.item_id)
    reader = await ctx.session.get(Reader, loan.reader_id)
    assert item is not None and reader is not None
    title = await _title(ctx, item)
    return Reply(
        say(
            texts.DESK_ISSUED,
            title=title,
            inventory=item.inventory_number,
            reader=reader.full_name,
            class_name=class_label(reader),
            due=ctx.local(loan.due_at),
        )
    )


# Return -------------------------------------------------------------------------------------


@router.command("return", menus=(LIBRARIAN,))
async def return_command(ctx: Context) -> Reply:
    library_id = desk_library(ctx, "loan.return")
    if not ctx.text:
        await ctx.expect("desk.return")
        return Reply(texts.DESK_ASK_RETURN)
    item, _ = await find_copy(ctx.circulation, library_id, ctx.text)
    return await _return(ctx, item.id)


@router.state("desk.return")
async def return_scanned(ctx: Context) -> Reply:
    library_id = desk_library(ctx, "loan.return")
    item, _ = await find_copy(ctx.circulation, library_id, ctx.text)
    reply = await _return(ctx, item.id)
    reply.text += "\n" + texts.DESK_NEXT
    return reply


@router.action("desk.return_item")
async def return_pressed(ctx: Context) -> Reply:
    return await _return(ctx, int(ctx.args["item"]))


async def _return(ctx: Context, item_id: int) -> Reply:
    done = await return_copy(ctx.circulation, item_id)
    item = await ctx.session.get(Item, item_id)
    assert item is not None
    text = say(
        texts.DESK_RETURNED,
        title=done.record.title,
        inventory=item.inventory_number,
        reader=person(done.reader),
        class_name=class_label(done.reader),
    )
    if done.overdue_days:
        text += say(texts.DESK_RETURNED_LATE, days=done.overdue_days)
    if done.next_hold is not None:
        waiting = await ctx.session.get(Reader, done.next_hold.reader_id)
        assert waiting is not None
        text += say(
            texts.DESK_RETURNED_HOLD, reader=person(waiting), class_name=class_label(waiting)
        )
    return Reply(text)


# A photo of a barcode -----------------------------------------------------------------------


@router.on_photo
async def photo(ctx: Context) -> Reply | list[Reply]:
    if not ctx.actor.librarian_of:
        return Reply(texts.DESK_PHOTO_ONLY_LIBRARIANS)
    library_id = desk_library(ctx, "copy.find")
    # Read by the dispatcher before the transaction opened: never decoded here.
    codes = [code for a in ctx.incoming.attachments for code in a.barcodes or ()]
    if not codes:
        return Reply(texts.DESK_PHOTO_NO_CODE)
    ctx.text = codes[0]
    state = await get_state(ctx.session, ctx.account.id)
    if state is not None and state.state in SCAN_STATES:
        ctx.state_data = spelled_out(state.state, dict(state.data))
        handler = {
            "desk.return": return_scanned,
            "desk.issue_copy": issue_copy_scanned,
            "desk.issue_for": issue_for_scanned,
        }[state.state]
        return await handler(ctx)
    item, record = await find_copy(ctx.circulation, library_id, codes[0])
    return await copy_reply(ctx, item, record)  # as if the number had been typed


@router.action("desk.issue_copy")
async def issue_copy_pressed(ctx: Context) -> Reply:
    library_id = desk_library(ctx, "loan.issue")
    item = await ctx.session.get(Item, int(ctx.args["item"]))
    if item is None:
        return Reply(texts.BUTTON_STALE)
    require_librarian(ctx.actor, item.library_id, "loan.issue")
    item, record = await find_copy(ctx.circulation, library_id, item.inventory_number)
    return await _ask_reader(ctx, item, record)


async def _title(ctx: Context, item: Item) -> str:
    record = await ctx.session.get(Record, item.record_id)
    return record.title if record else ""
