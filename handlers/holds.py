"""Holds from chat: a reader reserves and cancels; a librarian approves or rejects requests
and issues straight from the hold shelf."""

from __future__ import annotations

from db.access import require_librarian
from db.catalog import title_of
from db.enums import HoldStatus
from db.holds import (
    HoldView,
    approve_hold,
    cancel_hold,
    decision,
    hold_shelf,
    hold_view,
    pending_requests,
    place_hold,
    placed,
    reject_hold,
    request_standing,
)
from db.loans import issue_from_hold
from db.models import Library
from db.readers import notify_settings, set_quiet_hours, set_request_notices
from db.standing import AgeCheck
from handlers.context import Context
from handlers.router import LIBRARIAN, Router
from handlers.staff import age_question
from messages import texts
from messages.i18n import class_label, person, say
from messages.types import Button, Reply
from nlu.normalize import ascii_int

router = Router("holds")
desk = Router("hold_desk", staff_only=True)  # the librarian's part: requests, the hold shelf
router.include(desk)

# Within the strictest keyboard (ten buttons): three requests with ✅/❌, four 📕 of the shelf.
PENDING_SHOWN = 3
SHELF_SHOWN = 4


@router.action("hold.place")
async def place(ctx: Context) -> Reply:
    """📌 on a record: the reader's own card at their own school (checked again in db.holds)."""
    reader_id = ctx.actor.cards[0].reader_id if ctx.actor.cards else 0
    hold = await place_hold(ctx.circulation, reader_id, int(ctx.args["record"]))
    done = await placed(ctx.circulation, hold)
    cancel = [[ctx.button(texts.BUTTON_CANCEL_HOLD, "hold.cancel", hold=hold.id)]]
    if hold.status == HoldStatus.PENDING:
        text = say(texts.HOLD_PENDING, title=done.title, library=done.library)
    elif hold.status == HoldStatus.READY:
        until = ctx.local(hold.ready_until) if hold.ready_until else ctx.local_now
        text = say(texts.HOLD_READY, title=done.title, library=done.library, until=until)
    else:
        text = say(texts.HOLD_QUEUED, title=done.title, position=done.position)
        if done.expected is not None:
            text += say(texts.HOLD_QUEUED_ESTIMATE, when=ctx.local(done.expected))
    # The reader heard it here; the notice is for their parents.
    return Reply(text, buttons=cancel)


@router.action("hold.cancel")
async def cancel(ctx: Context) -> Reply:
    hold = await cancel_hold(ctx.circulation, int(ctx.args["hold"]))
    title = await title_of(ctx.session, hold.record_id)
    return Reply(say(texts.HOLD_CANCELLED, title=title), notice=texts.CANCELLED)


# Librarian ----------------------------------------------------------------------------------


@desk.command("holds", "requests", menus=(LIBRARIAN,), audited_as="hold.list")
async def desk_holds(ctx: Context) -> Reply:
    return await holds_page(ctx, edit=False)


@desk.action("hold.list", audited_as="hold.list")
async def holds_list_pressed(ctx: Context) -> Reply:
    """📋 under a notice: the requests and the hold shelf as they are now."""
    return await holds_page(ctx, edit=False)


@desk.command("notify", menus=(LIBRARIAN,), audited_as="notify.set")
async def notify_command(ctx: Context) -> Reply:
    """/notify: new-request notices on or off, and the librarian's own quiet hours."""
    library_id = ctx.desk
    words = ctx.text.lower().split()
    if words and words[0] == "тихо":
        hours = [h for h in map(ascii_int, words[1:]) if h is not None and h <= 23]
        if len(hours) != 2 or len(words) != 3:
            return Reply(texts.NOTIFY_QUIET_USAGE)
        await set_quiet_hours(ctx.session, ctx.actor, library_id, hours[0], hours[1])
    return await _notify_state(ctx, library_id)


@desk.action("notify.set", audited_as="notify.set")
async def notify_switched(ctx: Context) -> Reply:
    library_id = ctx.desk
    await set_request_notices(ctx.session, ctx.actor, library_id, bool(ctx.args["on"]))
    return await _notify_state(ctx, library_id, edit=True)


async def _notify_state(ctx: Context, library_id: int, edit: bool = False) -> Reply:
    settings = await notify_settings(ctx.session, ctx.actor, library_id)
    text = say(
        texts.NOTIFY_STATE,
        library=settings.library,
        state=texts.NOTIFY_ON if settings.request_notices else texts.NOTIFY_OFF,
        quiet_from=settings.quiet_from,
        quiet_to=settings.quiet_to,
        whose=texts.NOTIFY_QUIET_OWN if settings.own_quiet_hours else texts.NOTIFY_QUIET_LIBRARY,
    )
    button = (
        ctx.button(texts.BUTTON_NOTIFY_OFF, "notify.set", on=0)
        if settings.request_notices
        else ctx.button(texts.BUTTON_NOTIFY_ON, "notify.set", on=1)
    )
    return Reply(text, buttons=[[button]], edit=edit)


async def holds_page(ctx: Context, *, edit: bool, prefix: str = "") -> Reply:
    """Pending requests with ✅/❌, then the hold shelf with 📕 to issue straight from it."""
    library_id = ctx.desk
    home = await ctx.session.get(Library, library_id)
    assert home is not None
    pending = await pending_requests(ctx.session, library_id)
    ready = await hold_shelf(ctx.session, library_id)
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
                    ctx.button(say(texts.BUTTON_APPROVE_N, n=n), "hold.approve", hold=view.hold_id),
                    ctx.button(say(texts.BUTTON_REJECT_N, n=n), "hold.reject", hold=view.hold_id),
                ]
            )
        if len(pending) > PENDING_SHOWN:
            lines.append(say(texts.DESK_HOLDS_MORE, n=len(pending) - PENDING_SHOWN))
    else:
        lines.append(say(texts.DESK_HOLDS_NONE, library=home.short_name))
    if ready:
        lines.append("")
        shelf_lines, shelf = hold_shelf_lines(ctx, ready, SHELF_SHOWN)
        lines += shelf_lines
        buttons.append(shelf)
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


def hold_shelf_lines(
    ctx: Context, ready: list[HoldView], shown: int
) -> tuple[list[str], list[Button]]:
    """The hold shelf as the desk shows it: a header, the first `shown` copies with whom and
    until when they wait, each with 📕 to issue it, and how many more there are."""
    lines = [say(texts.DESK_SHELF_HEADER, n=len(ready))]
    buttons: list[Button] = []
    for n, view in enumerate(ready[:shown], start=1):
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
        buttons.append(
            ctx.button(say(texts.BUTTON_ISSUE_HOLD_N, n=n), "hold.issue", hold=view.hold_id)
        )
    if len(ready) > shown:
        lines.append(say(texts.DESK_SHELF_MORE, n=len(ready) - shown))
    return lines, buttons


async def _warnings(ctx: Context, hold_id: int) -> list[str]:
    """What the librarian should weigh before approving: a block, the limit, overdue books."""
    state = await request_standing(ctx.session, hold_id, ctx.now)
    warnings = []
    if state.blocked:
        warnings.append(texts.DESK_WARN_BLOCKED)
    if state.at_limit:
        warnings.append(say(texts.DESK_WARN_LIMIT, taken=state.taken, max=state.max_items))
    if state.overdue:
        warnings.append(say(texts.DESK_WARN_OVERDUE, n=state.overdue))
    return warnings


@desk.action("hold.approve", audited_as="hold.approve")
async def approve(ctx: Context) -> Reply:
    hold_id = int(ctx.args["hold"])
    try:
        hold = await approve_hold(
            ctx.circulation, hold_id, age_confirmed=bool(ctx.args.get("age_confirmed"))
        )
    except AgeCheck as check:
        view = await hold_view(ctx.session, hold_id)
        title = view.title if view else ""
        text = age_question(
            check, title or "", texts.DESK_AGE_CONFIRM_HOLD, texts.DESK_AGE_CONFIRM_HOLD_UNKNOWN
        )
        yes = ctx.button(texts.BUTTON_AGE_APPROVE, "hold.approve", hold=hold_id, age_confirmed=1)
        return Reply(text, buttons=[[yes, ctx.button(texts.BUTTON_AGE_NO, "desk.age_no")]])
    done = await decision(ctx.circulation, hold)
    if done.item is not None and done.hold.ready_until is not None:
        text = say(
            texts.DESK_APPROVED_READY,
            title=done.record.title,
            reader=person(done.reader),
            inventory=done.item.inventory_number,
            until=ctx.local(done.hold.ready_until),
        )
    else:
        text = say(texts.DESK_APPROVED_QUEUED, reader=person(done.reader), position=done.position)
    if done.overdue:
        text += say(texts.DESK_APPROVED_OVERDUE, n=done.overdue)
    return await holds_page(ctx, edit=True, prefix=text)


@desk.action("hold.reject", audited_as="hold.reject")
async def reject_ask(ctx: Context) -> Reply:
    hold_id = int(ctx.args["hold"])
    view = await hold_view(ctx.session, hold_id)
    if view is not None:
        require_librarian(ctx.actor, view.library_id, "hold.reject")
    if view is None or view.status != HoldStatus.PENDING:
        return Reply(texts.REFUSALS["hold_not_pending"])
    buttons = [
        [ctx.button(reason, "hold.reject_as", hold=hold_id, reason=i)]
        for i, reason in enumerate(texts.REJECT_REASONS)
    ]
    buttons.append([ctx.button(texts.BUTTON_REJECT_OTHER, "hold.reject_other", hold=hold_id)])
    return Reply(
        say(texts.DESK_REJECT_ASK, reader=view.reader_name, title=view.title), buttons=buttons
    )


@desk.action("hold.reject_as", audited_as="hold.reject")
async def reject_as(ctx: Context) -> Reply:
    index = int(ctx.args["reason"])
    reason = texts.REJECT_REASONS[index] if 0 <= index < len(texts.REJECT_REASONS) else ""
    return await _reject(ctx, int(ctx.args["hold"]), reason)


@desk.action("hold.reject_other", audited_as="hold.reject")
async def reject_other(ctx: Context) -> Reply:
    await ctx.expect("hold.reject_reason", hold=int(ctx.args["hold"]))
    return Reply(texts.DESK_REJECT_WRITE)


@desk.state("hold.reject_reason", audited_as="hold.reject")
async def reject_reason(ctx: Context) -> Reply:
    await ctx.forget_expectation()
    return await _reject(ctx, int(ctx.state_data["hold"]), ctx.text)


async def _reject(ctx: Context, hold_id: int, reason: str) -> Reply:
    done = await decision(
        ctx.circulation, await reject_hold(ctx.circulation, hold_id, reason.strip())
    )
    text = say(texts.DESK_REJECTED, title=done.record.title, reader=person(done.reader))
    return await holds_page(ctx, edit=False, prefix=text)


@desk.action("hold.issue", audited_as="loan.issue")
async def issue_from_shelf(ctx: Context) -> Reply:
    """📕 on the hold shelf: issue the copy kept for that hold to its reader."""
    done = await issue_from_hold(ctx.circulation, int(ctx.args["hold"]))
    text = say(
        texts.DESK_ISSUED,
        title=done.record.title,
        inventory=done.item.inventory_number,
        reader=done.reader.full_name,
        class_name=class_label(done.reader),
        due=ctx.local(done.loan.due_at),
    )
    return await holds_page(ctx, edit=False, prefix=text)
