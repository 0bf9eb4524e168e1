"""Holds from chat: a reader reserves and cancels; a librarian approves or rejects requests
and issues straight from the hold shelf."""

from __future__ import annotations

from sqlalchemy import select

from db.access import require_librarian
from db.circulation import holds_where
from db.enums import HoldStatus, RoleName
from db.holds import approve_hold, cancel_hold, estimated_wait, place_hold, reject_hold
from db.loans import issue_from_hold
from db.models import Hold, Item, Library, Person, Reader, Record, Role
from db.standing import AgeCheck, standing
from handlers.context import Context
from handlers.router import LIBRARIAN, Router
from handlers.staff import age_question, desk_library
from messages import texts
from messages.i18n import class_label, person, say
from messages.types import Button, Reply
from nlu.normalize import ascii_int

router = Router("holds")

# Within the strictest keyboard (ten buttons): three requests with ✅/❌, four 📕 of the shelf.
PENDING_SHOWN = 3
SHELF_SHOWN = 4


@router.action("hold.place")
async def place(ctx: Context) -> Reply:
    """📌 on a record: the reader's own card at their own school (checked again in db.holds)."""
    reader_id = ctx.actor.cards[0].reader_id if ctx.actor.cards else 0
    hold = await place_hold(ctx.circulation, reader_id, int(ctx.args["r"]))
    record = await ctx.session.get(Record, hold.record_id)
    home = await ctx.session.get(Library, hold.library_id)
    assert record is not None and home is not None
    cancel = [[ctx.button(texts.BUTTON_CANCEL_HOLD, "hold.cancel", h=hold.id)]]
    if hold.status == HoldStatus.PENDING:
        text = say(texts.HOLD_PENDING, title=record.title, library=home.short_name)
    elif hold.status == HoldStatus.READY:
        until = ctx.local(hold.ready_until) if hold.ready_until else ctx.local_now
        text = say(texts.HOLD_READY, title=record.title, library=home.short_name, until=until)
    else:
        [view] = await holds_where(ctx.session, Hold.id == hold.id)
        position = view.position or 1
        text = say(texts.HOLD_QUEUED, title=record.title, position=position)
        when = await estimated_wait(ctx.circulation, hold, position)
        if when is not None:
            text += say(texts.HOLD_QUEUED_ESTIMATE, when=ctx.local(when))
    # The reader heard it here; the notice is for their parents.
    return Reply(text, buttons=cancel)


@router.action("hold.cancel")
async def cancel(ctx: Context) -> Reply:
    hold = await cancel_hold(ctx.circulation, int(ctx.args["h"]))
    title = await ctx.session.scalar(select(Record.title).where(Record.id == hold.record_id))
    return Reply(say(texts.HOLD_CANCELLED, title=title), notice=texts.CANCELLED)


# Librarian ----------------------------------------------------------------------------------


@router.command("holds", "requests", menus=(LIBRARIAN,))
async def desk_holds(ctx: Context) -> Reply:
    return await holds_page(ctx, edit=False)


@router.action("hold.list")
async def holds_list_pressed(ctx: Context) -> Reply:
    """📋 under a notice: the requests and the hold shelf as they are now."""
    return await holds_page(ctx, edit=False)


@router.command("notify", menus=(LIBRARIAN,))
async def notify_settings(ctx: Context) -> Reply:
    """/notify: new-request notices on or off, and the librarian's own quiet hours."""
    library_id = desk_library(ctx, "notify.set")
    words = ctx.text.lower().split()
    if words and words[0] == "тихо":
        hours = [h for h in map(ascii_int, words[1:]) if h is not None and h <= 23]
        if len(hours) != 2 or len(words) != 3:
            return Reply(texts.NOTIFY_QUIET_USAGE)
        person = await ctx.session.get(Person, ctx.actor.person_id)
        assert person is not None
        person.quiet_from_hour, person.quiet_to_hour = hours
        ctx.audit("notify.quiet", library_id=library_id)
    return await _notify_state(ctx, library_id)


@router.action("notify.set")
async def notify_switched(ctx: Context) -> Reply:
    library_id = desk_library(ctx, "notify.set")
    role = await _librarian_role(ctx, library_id)
    role.notify_holds = bool(ctx.args["on"])
    ctx.audit("notify.set", library_id=library_id, on=role.notify_holds)
    return await _notify_state(ctx, library_id, edit=True)


async def _librarian_role(ctx: Context, library_id: int) -> Role:
    role = await ctx.session.scalar(
        select(Role).where(
            Role.person_id == ctx.actor.person_id,
            Role.role == RoleName.LIBRARIAN,
            Role.library_id == library_id,
        )
    )
    assert role is not None  # desk_library found this very role
    return role


async def _notify_state(ctx: Context, library_id: int, edit: bool = False) -> Reply:
    role = await _librarian_role(ctx, library_id)
    person = await ctx.session.get(Person, ctx.actor.person_id)
    library = await ctx.session.get(Library, library_id)
    assert person is not None and library is not None
    own = person.quiet_from_hour is not None and person.quiet_to_hour is not None
    text = say(
        texts.NOTIFY_STATE,
        library=library.short_name,
        state=texts.NOTIFY_ON if role.notify_holds else texts.NOTIFY_OFF,
        quiet_from=person.quiet_from_hour if own else library.quiet_from_hour,
        quiet_to=person.quiet_to_hour if own else library.quiet_to_hour,
        whose=texts.NOTIFY_QUIET_OWN if own else texts.NOTIFY_QUIET_LIBRARY,
    )
    button = (
        ctx.button(texts.BUTTON_NOTIFY_OFF, "notify.set", on=0)
        if role.notify_holds
        else ctx.button(texts.BUTTON_NOTIFY_ON, "notify.set", on=1)
    )
    return Reply(text, buttons=[[button]], edit=edit)


async def holds_page(ctx: Context, *, edit: bool, prefix: str = "") -> Reply:
    """Pending requests with ✅/❌, then the hold shelf with 📕 to issue straight from it."""
    library_id = desk_library(ctx, "hold.list")
    home = await ctx.session.get(Library, library_id)
    assert home is not None
    pending = await holds_where(
        ctx.session, Hold.library_id == library_id, Hold.status == HoldStatus.PENDING
    )
    ready = await holds_where(
        ctx.session, Hold.library_id == library_id, Hold.status == HoldStatus.READY
    )
    lines = [prefix] if prefix else []
    buttons: list[list[Button]] = []
    if pending:
        lines.append(say(texts.DESK_HOLDS_HEADER, library=home.short_name, n=len(pending)))
        for n, view in enumerate(pending[:PENDING_SHOWN], start=1):
            lines.append(
                say(
                    texts.DESK_HOLD_LINE,
                    n=n,
                    title=view.title,
                    reader=view.reader_name,
                    class_name=view.class_name or "—",
                    card=view.card_number,
                    created=ctx.local(view.created_at),
                )
            )
            warnings = await _warnings(ctx, view.hold_id)
            if warnings:
                lines.append(say(texts.DESK_HOLD_WARNINGS, warnings=" · ".join(warnings)))
            buttons.append(
                [
                    ctx.button(say(texts.BUTTON_APPROVE_N, n=n), "hold.approve", h=view.hold_id),
                    ctx.button(say(texts.BUTTON_REJECT_N, n=n), "hold.reject", h=view.hold_id),
                ]
            )
        if len(pending) > PENDING_SHOWN:
            lines.append(say(texts.DESK_HOLDS_MORE, n=len(pending) - PENDING_SHOWN))
    else:
        lines.append(say(texts.DESK_HOLDS_NONE, library=home.short_name))
    if ready:
        lines.append("")
        lines.append(say(texts.DESK_SHELF_HEADER, n=len(ready)))
        shelf: list[Button] = []
        for n, view in enumerate(ready[:SHELF_SHOWN], start=1):
            until = ctx.local(view.ready_until) if view.ready_until else ctx.local_now
            lines.append(
                say(
                    texts.DESK_SHELF_LINE,
                    n=n,
                    title=view.title,
                    reader=view.reader_name,
                    class_name=view.class_name or "—",
                    until=until,
                )
            )
            shelf.append(
                ctx.button(say(texts.BUTTON_ISSUE_HOLD_N, n=n), "hold.issue", h=view.hold_id)
            )
        buttons.append(shelf)
        if len(ready) > SHELF_SHOWN:
            lines.append(say(texts.DESK_SHELF_MORE, n=len(ready) - SHELF_SHOWN))
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


async def _warnings(ctx: Context, hold_id: int) -> list[str]:
    """What the librarian should weigh before approving: a block, the limit, overdue books."""
    hold = await ctx.session.get(Hold, hold_id)
    assert hold is not None
    reader = await ctx.session.get(Reader, hold.reader_id)
    record = await ctx.session.get(Record, hold.record_id)
    assert reader is not None and record is not None
    state = await standing(ctx.session, reader, record.kind, ctx.now, excluding=hold.id)
    warnings = []
    if state.blocked:
        warnings.append(texts.DESK_WARN_BLOCKED)
    if state.at_limit:
        warnings.append(say(texts.DESK_WARN_LIMIT, taken=state.taken, max=state.max_items))
    if state.overdue:
        warnings.append(say(texts.DESK_WARN_OVERDUE, n=state.overdue))
    return warnings


@router.action("hold.approve")
async def approve(ctx: Context) -> Reply:
    hold_id = int(ctx.args["h"])
    try:
        hold = await approve_hold(ctx.circulation, hold_id, age_confirmed=bool(ctx.args.get("age")))
    except AgeCheck as check:
        title = await ctx.session.scalar(
            select(Record.title).join(Hold, Hold.record_id == Record.id).where(Hold.id == hold_id)
        )
        text = age_question(
            check, title or "", texts.DESK_AGE_CONFIRM_HOLD, texts.DESK_AGE_CONFIRM_HOLD_UNKNOWN
        )
        yes = ctx.button(texts.BUTTON_AGE_APPROVE, "hold.approve", h=hold_id, age=1)
        return Reply(text, buttons=[[yes, ctx.button(texts.BUTTON_AGE_NO, "desk.age_no")]])
    reader = await ctx.session.get(Reader, hold.reader_id)
    record = await ctx.session.get(Record, hold.record_id)
    assert reader is not None and record is not None
    if hold.status == HoldStatus.READY and hold.item_id is not None:
        item = await ctx.session.get(Item, hold.item_id)
        assert item is not None and hold.ready_until is not None
        done = say(
            texts.DESK_APPROVED_READY,
            title=record.title,
            reader=person(reader),
            inventory=item.inventory_number,
            until=ctx.local(hold.ready_until),
        )
    else:
        [view] = await holds_where(ctx.session, Hold.id == hold.id)
        done = say(texts.DESK_APPROVED_QUEUED, reader=person(reader), position=view.position)
    state = await standing(ctx.session, reader, record.kind, ctx.now, excluding=hold.id)
    if state.overdue:
        done += say(texts.DESK_APPROVED_OVERDUE, n=state.overdue)
    return await holds_page(ctx, edit=True, prefix=done)


@router.action("hold.reject")
async def reject_ask(ctx: Context) -> Reply:
    hold_id = int(ctx.args["h"])
    desk_library(ctx, "hold.reject")
    [view] = await holds_where(ctx.session, Hold.id == hold_id) or [None]
    if view is not None:
        require_librarian(ctx.actor, view.library_id, "hold.reject")
    if view is None or view.status != HoldStatus.PENDING:
        return Reply(texts.REFUSALS["hold_not_pending"])
    buttons = [
        [ctx.button(reason, "hold.reject_as", h=hold_id, i=i)]
        for i, reason in enumerate(texts.REJECT_REASONS)
    ]
    buttons.append([ctx.button(texts.BUTTON_REJECT_OTHER, "hold.reject_other", h=hold_id)])
    return Reply(
        say(texts.DESK_REJECT_ASK, reader=view.reader_name, title=view.title), buttons=buttons
    )


@router.action("hold.reject_as")
async def reject_as(ctx: Context) -> Reply:
    index = int(ctx.args["i"])
    reason = texts.REJECT_REASONS[index] if 0 <= index < len(texts.REJECT_REASONS) else ""
    return await _reject(ctx, int(ctx.args["h"]), reason)


@router.action("hold.reject_other")
async def reject_other(ctx: Context) -> Reply:
    desk_library(ctx, "hold.reject")
    await ctx.expect("hold.reject_reason", h=int(ctx.args["h"]))
    return Reply(texts.DESK_REJECT_WRITE)


@router.state("hold.reject_reason")
async def reject_reason(ctx: Context) -> Reply:
    await ctx.forget_expectation()
    return await _reject(ctx, int(ctx.state_data["h"]), ctx.text)


async def _reject(ctx: Context, hold_id: int, reason: str) -> Reply:
    hold = await reject_hold(ctx.circulation, hold_id, reason.strip())
    reader = await ctx.session.get(Reader, hold.reader_id)
    record = await ctx.session.get(Record, hold.record_id)
    assert reader is not None and record is not None
    done = say(texts.DESK_REJECTED, title=record.title, reader=person(reader))
    return await holds_page(ctx, edit=False, prefix=done)


@router.action("hold.issue")
async def issue_from_shelf(ctx: Context) -> Reply:
    """📕 on the hold shelf: issue the copy kept for that hold to its reader."""
    desk_library(ctx, "loan.issue")
    loan = await issue_from_hold(ctx.circulation, int(ctx.args["h"]))
    item = await ctx.session.get(Item, loan.item_id)
    reader = await ctx.session.get(Reader, loan.reader_id)
    assert item is not None and reader is not None
    record = await ctx.session.get(Record, item.record_id)
    assert record is not None
    done = say(
        texts.DESK_ISSUED,
        title=record.title,
        inventory=item.inventory_number,
        reader=reader.full_name,
        class_name=class_label(reader),
        due=ctx.local(loan.due_at),
    )
    return await holds_page(ctx, edit=False, prefix=done)
