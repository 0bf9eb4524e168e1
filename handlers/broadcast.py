"""Broadcasts from chat: a librarian's one message to the whole school, a class or the readers
with overdue books — to the readers, their parents or both (/broadcast, its librarian only).

The steps: whom (buttons, or a class typed), who of them (buttons), the text (one message;
photos and files are a later step), a preview with how many people get it and how many of them
cannot be reached now, then «✅ Отправить» — queued through the outbox after the library's
quiet hours — and «⏹ Остановить» while it goes. /broadcasts reports the last ones.
"""

from __future__ import annotations

from db.broadcasts import (
    BOTH,
    CLASS,
    MAX_TEXT,
    OVERDUE,
    PARENTS,
    READERS,
    SCHOOL,
    Audience,
    Report,
    classes_of,
    normal_class,
    reach,
    reports,
    spend_previews,
    start_broadcast,
    stop_broadcast,
)
from db.models import Library
from handlers.context import Context
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.i18n import say
from messages.notices import after_quiet_hours
from messages.types import MAX_BUTTONS, Button, Reply, in_rows

router = Router("broadcast", staff_only=True)

QUOTED = 40  # a report quotes this much of a broadcast's text


@router.command("broadcast", menus=(LIBRARIAN,), audited_as="broadcast.start")
async def broadcast(ctx: Context) -> Reply:
    """/broadcast — whom to write to; «/broadcast 7Б» goes straight to that class."""
    if ctx.text.strip():
        return await _class_typed(ctx, ctx.text)
    buttons = [
        [
            ctx.button(texts.BUTTON_BROADCAST_SCHOOL, "broadcast.whom", scope=SCHOOL),
            ctx.button(texts.BUTTON_BROADCAST_CLASS, "broadcast.classes"),
            ctx.button(texts.BUTTON_BROADCAST_OVERDUE, "broadcast.whom", scope=OVERDUE),
        ]
    ]
    await ctx.expect("broadcast.class")
    return Reply(texts.BROADCAST_WHO, buttons=buttons)


@router.action("broadcast.classes", audited_as="broadcast.start")
async def classes_pressed(ctx: Context) -> Reply:
    """The library's classes as buttons, when they fit one keyboard; a class may be typed."""
    classes = await classes_of(ctx.session, ctx.desk)
    await ctx.expect("broadcast.class")
    if len(classes) > MAX_BUTTONS:
        return Reply(texts.BROADCAST_TYPE_CLASS)
    buttons = [ctx.button(name, "broadcast.whom", scope=CLASS, class_name=name) for name in classes]
    return Reply(texts.BROADCAST_PICK_CLASS, buttons=in_rows(buttons))


@router.state("broadcast.class", audited_as="broadcast.start")
async def class_typed(ctx: Context) -> Reply:
    return await _class_typed(ctx, ctx.text)


async def _class_typed(ctx: Context, typed: str) -> Reply:
    name = normal_class(typed)
    if name not in await classes_of(ctx.session, ctx.desk):
        await ctx.expect("broadcast.class")
        return Reply(say(texts.BROADCAST_NO_CLASS, typed=typed.strip()))
    await ctx.forget_expectation()
    return _whom(ctx, CLASS, name)


@router.action("broadcast.whom", audited_as="broadcast.start")
async def whom_pressed(ctx: Context) -> Reply:
    await ctx.forget_expectation()
    return _whom(ctx, str(ctx.args["scope"]), ctx.args.get("class_name"))


def _whom(ctx: Context, scope: str, class_name: str | None) -> Reply:
    choices = (
        (texts.BUTTON_BROADCAST_READERS, READERS),
        (texts.BUTTON_BROADCAST_BOTH, BOTH),
        (texts.BUTTON_BROADCAST_PARENTS, PARENTS),
    )
    buttons = [
        [ctx.button(label, "broadcast.write", scope=scope, class_name=class_name, whom=whom)]
        for label, whom in choices
    ]
    shown = _scope_shown(scope, class_name)
    return Reply(say(texts.BROADCAST_WHOM, audience=shown), buttons=buttons)


@router.action("broadcast.write", audited_as="broadcast.start")
async def write_pressed(ctx: Context) -> Reply:
    audience = _audience(ctx.args)
    await ctx.expect("broadcast.text", **_args(audience))
    return Reply(say(texts.BROADCAST_WRITE, audience=_shown(audience)))


@router.state("broadcast.text", audited_as="broadcast.start")
async def text_typed(ctx: Context) -> Reply:
    """The text, shown back as its readers will see it, with whom it reaches."""
    audience = _audience(ctx.state_data)
    text = ctx.text.strip()
    if not text:
        return Reply(say(texts.BROADCAST_WRITE, audience=_shown(audience)))
    if len(text) > MAX_TEXT:
        return Reply(say(texts.BROADCAST_TOO_LONG, max=MAX_TEXT))
    await ctx.forget_expectation()
    library = await _library(ctx)
    who = await reach(ctx.session, ctx.desk, audience, ctx.now)
    when = after_quiet_hours(ctx.now, library)
    preview = say(
        texts.BROADCAST_PREVIEW,
        shown=_notice(library, text),
        people=len(who.people),
        audience=_shown(audience),
        unreachable=who.unreachable,
        not_in_bot=who.not_in_bot,
        later=ctx.local(when).strftime("%H:%M") if when > ctx.now else 0,
    )
    args = {"library": ctx.desk, "text": text, **_args(audience)}
    buttons = [
        [
            ctx.button(texts.BUTTON_BROADCAST_SEND, "broadcast.send", **args),
            ctx.button(texts.BUTTON_BROADCAST_CANCEL, "broadcast.cancel"),
        ]
    ]
    return Reply(preview, buttons=buttons)


@router.action("broadcast.send", audited_as="broadcast.send")
async def send_pressed(ctx: Context) -> Reply:
    """Confirmed: stored and queued, for the library the preview was made for (checked again:
    a forged button naming another school is refused)."""
    library_id = int(ctx.args["library"])
    audience = _audience(ctx.args)
    library = await ctx.session.get(Library, library_id)
    if library is None:
        return Reply(texts.BUTTON_STALE, edit=True)
    text = str(ctx.args["text"])
    sent, people = await start_broadcast(
        ctx.session,
        ctx.actor,
        library_id,
        audience,
        text,
        _notice(library, text),
        ctx.now,
        after_quiet_hours(ctx.now, library),
    )
    await spend_previews(ctx.session, ctx.account.id)
    if not people:
        return Reply(say(texts.BROADCAST_NOBODY, id=sent.id), edit=True)
    buttons = [
        [
            ctx.button(texts.BUTTON_BROADCAST_STOP, "broadcast.stop", broadcast=sent.id),
            ctx.button(texts.BUTTON_BROADCAST_REPORT, "broadcast.report"),
        ]
    ]
    return Reply(say(texts.BROADCAST_STARTED, id=sent.id, people=people), buttons, edit=True)


@router.action("broadcast.cancel", audited_as="broadcast.start")
async def cancel_pressed(ctx: Context) -> Reply:
    await spend_previews(ctx.session, ctx.account.id)
    return Reply(texts.BROADCAST_CANCELLED, edit=True)


@router.action("broadcast.stop", audited_as="broadcast.stop")
async def stop_pressed(ctx: Context) -> Reply:
    broadcast_id = int(ctx.args["broadcast"])
    stopped = await stop_broadcast(ctx.session, ctx.actor, broadcast_id)
    if stopped is None:
        return Reply(say(texts.BROADCAST_NOT_FOUND, id=broadcast_id))
    return Reply(say(texts.BROADCAST_STOPPED, id=broadcast_id, n=stopped))


@router.command("broadcasts", menus=(LIBRARIAN,), audited_as="broadcast.report")
async def broadcasts(ctx: Context) -> Reply:
    """/broadcasts — the last broadcasts and what became of their messages."""
    return await _reports(ctx)


@router.action("broadcast.report", audited_as="broadcast.report")
async def report_pressed(ctx: Context) -> Reply:
    return await _reports(ctx)


async def _reports(ctx: Context) -> Reply:
    found = await reports(ctx.session, ctx.actor, ctx.desk, ctx.now)
    if not found:
        return Reply(texts.BROADCAST_REPORTS_NONE)
    lines = [_report_line(ctx, report) for report in found]
    buttons: list[list[Button]] = [
        [ctx.button(f"{texts.BUTTON_BROADCAST_STOP} №{r.broadcast.id}", "broadcast.stop",
                    broadcast=r.broadcast.id)]
        for r in found
        if r.queued + r.waiting
    ]  # fmt: skip
    return Reply("\n".join(lines), buttons=buttons)


def _report_line(ctx: Context, report: Report) -> str:
    broadcast = report.broadcast
    text = broadcast.text if len(broadcast.text) <= QUOTED else f"{broadcast.text[:QUOTED]}…"
    return say(
        texts.BROADCAST_REPORT,
        id=broadcast.id,
        date=ctx.local(broadcast.created_at).strftime("%d.%m %H:%M"),
        audience=_shown(Audience.from_stored(broadcast.audience)),
        status=texts.BROADCAST_STATUS[broadcast.status],
        text=" ".join(text.split()),
        sent=report.sent,
        queued=report.queued,
        waiting=report.waiting,
        unreachable=report.unreachable,
        failed=report.failed,
        cancelled=report.cancelled,
    )


async def _library(ctx: Context) -> Library:
    library = await ctx.session.get(Library, ctx.desk)
    assert library is not None
    return library


def _notice(library: Library, text: str) -> str:
    """The message as its readers see it: the library's name over the librarian's text."""
    return say(texts.BROADCAST_NOTICE, library=library.short_name, text=text)


def _audience(args: dict[str, object]) -> Audience:
    class_name = args.get("class_name")
    return Audience(str(args["scope"]), str(args["whom"]), str(class_name) if class_name else None)


def _args(audience: Audience) -> dict[str, str | None]:
    return {"scope": audience.scope, "class_name": audience.class_name, "whom": audience.whom}


def _scope_shown(scope: str, class_name: str | None) -> str:
    return texts.BROADCAST_SCOPE[scope].format(class_name=class_name)


def _shown(audience: Audience) -> str:
    scope = _scope_shown(audience.scope, audience.class_name)
    return f"{scope}: {texts.BROADCAST_WHOM_SHOWN[audience.whom]}"
