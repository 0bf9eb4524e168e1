"""Broadcasts from chat: a librarian's one message to the whole school, a class, a grade (all
the 7th classes) or the readers with overdue books — to the readers, their parents or both;
an admin's to the librarians of the network (/broadcast).

The steps: whom (buttons: a class is picked by its grade first, «7-е…» → «Все 7-е классы» or
one class; or a class or grade typed), who of them (buttons), the message — a text, or a photo
or a file with the text as its caption, or with no text at all — then a preview as the readers
will see it, with how many people get it and how many of them cannot be reached now; then
«✅ Отправить» — queued through the outbox after the quiet hours — and «⏹ Остановить» while it
goes. /broadcasts reports the last ones.

A photo or file is stored when it arrives (a button cannot carry bytes): its id goes into the
preview's buttons, and a preview cancelled or left behind loses it (db.broadcasts
`spend_previews`). An admin's broadcast reaches every librarian of the network, each after the
quiet hours of their own school.

Every step is authorised when it runs: the choice of readers is a librarian's (a staff-only
router); the command, the message, the confirmation, the stop and the reports serve librarians
and admins alike, and check which of them acts for the library or network a button names.
"""

from __future__ import annotations

import math
from typing import Any, cast

from db.access import AccessDenied, require_admin
from db.broadcasts import (
    BOTH,
    CLASS,
    GRADE,
    LIBRARIANS,
    MAX_TEXT,
    NETWORK,
    OVERDUE,
    PARENTS,
    READERS,
    SCHOOL,
    Audience,
    Reach,
    Report,
    by_grade,
    classes_of,
    file_kept,
    librarians_reach,
    network_librarians,
    network_libraries,
    network_reports,
    reach,
    reports,
    spend_previews,
    start_broadcast,
    start_network_broadcast,
    stop_broadcast,
)
from db.models import Library, Network, StoredFile
from db.school_classes import normal_class, typed_grade
from db.stored_files import MAX_BYTES, store_file
from handlers.context import Context, desk_of
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.i18n import say
from messages.notices import after_quiet_hours
from messages.types import (
    MAX_BUTTONS,
    Attachment,
    Button,
    FileKind,
    OutFile,
    Reply,
    in_rows,
)

# The choice of a library's readers: its librarians only.
router = Router("broadcast", staff_only=True)
# What librarians and admins share: each handler checks who acts, for which library or network.
shared = Router("broadcast.shared")
router.include(shared)

QUOTED = 40  # a report quotes this much of a broadcast's text
MEGABYTE = 1024 * 1024


# Whom --------------------------------------------------------------------------------------


@shared.command("broadcast", menus=(LIBRARIAN,))
async def broadcast(ctx: Context) -> Reply:
    """/broadcast — whom to write to; «/broadcast 7Б» (or «7») goes straight to that class
    (or grade). An admin who is no librarian is offered the network's librarians."""
    if desk_of(ctx.actor) is None:
        return await _network_offer(ctx)
    _desk(ctx, "broadcast.start")
    if ctx.text.strip():
        return await _class_typed(ctx, ctx.text)
    buttons = [
        [
            ctx.button(texts.BUTTON_BROADCAST_SCHOOL, "broadcast.whom", scope=SCHOOL),
            ctx.button(texts.BUTTON_BROADCAST_CLASS, "broadcast.classes"),
            ctx.button(texts.BUTTON_BROADCAST_OVERDUE, "broadcast.whom", scope=OVERDUE),
        ]
    ]
    if ctx.actor.admin_of:
        buttons.append([_network_button(ctx)])
    await ctx.expect("broadcast.class")
    return Reply(texts.BROADCAST_WHO, buttons=buttons)


async def _network_offer(ctx: Context) -> Reply:
    if not ctx.actor.admin_of:
        raise AccessDenied("broadcast.start")
    network = await ctx.session.get(Network, min(ctx.actor.admin_of))
    assert network is not None
    text = say(texts.BROADCAST_WHO_NETWORK, network=network.name)
    return Reply(text, buttons=[[_network_button(ctx)]])


def _network_button(ctx: Context) -> Button:
    """An admin of several networks writes to the first one's librarians."""
    return ctx.button(
        texts.BUTTON_BROADCAST_NETWORK,
        "broadcast.write",
        scope=NETWORK,
        whom=LIBRARIANS,
        network=min(ctx.actor.admin_of),
    )


@router.action("broadcast.classes", audited_as="broadcast.start")
async def classes_pressed(ctx: Context) -> Reply:
    """The library's grades as buttons (a grade of one class is that class), when they fit
    one keyboard; a class or a grade may be typed."""
    await ctx.expect("broadcast.class")
    choices: list[tuple[str, str, dict[str, Any]]] = []
    for grade, names in by_grade(await classes_of(ctx.session, ctx.desk)).items():
        if grade is None or len(names) == 1:
            choices += [(n, "broadcast.whom", {"scope": CLASS, "class_name": n}) for n in names]
        else:
            label = say(texts.BUTTON_BROADCAST_GRADE_MENU, grade=grade)
            choices.append((label, "broadcast.grade", {"grade": grade}))
    if len(choices) > MAX_BUTTONS:
        return Reply(texts.BROADCAST_TYPE_CLASS)
    buttons = [ctx.button(label, action, **args) for label, action, args in choices]
    return Reply(texts.BROADCAST_PICK_CLASS, buttons=in_rows(buttons))


@router.action("broadcast.grade", audited_as="broadcast.start")
async def grade_pressed(ctx: Context) -> Reply:
    """All the classes of a grade at once, or one of them."""
    grade = int(ctx.args["grade"])
    names = by_grade(await classes_of(ctx.session, ctx.desk)).get(grade, [])
    if not names:
        return Reply(texts.BUTTON_STALE)
    await ctx.expect("broadcast.class")
    every = ctx.button(
        say(texts.BUTTON_BROADCAST_GRADE, grade=grade), "broadcast.whom", scope=GRADE, grade=grade
    )
    buttons = [[every]]
    if len(names) < MAX_BUTTONS:  # more than that are typed
        classes = [ctx.button(n, "broadcast.whom", scope=CLASS, class_name=n) for n in names]
        buttons += in_rows(classes)
    return Reply(say(texts.BROADCAST_PICK_IN_GRADE, grade=grade), buttons=buttons)


@router.state("broadcast.class", audited_as="broadcast.start")
async def class_typed(ctx: Context) -> Reply:
    return await _class_typed(ctx, ctx.text)


async def _class_typed(ctx: Context, typed: str) -> Reply:
    """«7Б» is that class; «7», «7-е», «7 классы» are all the 7th classes."""
    classes = await classes_of(ctx.session, ctx.desk)
    name = normal_class(typed)
    if name in classes:
        await ctx.forget_expectation()
        return _whom(ctx, Audience(CLASS, READERS, class_name=name))
    grade = typed_grade(typed)
    await ctx.expect("broadcast.class")
    if grade is None:
        return Reply(say(texts.BROADCAST_NO_CLASS, typed=typed.strip()))
    if grade not in by_grade(classes):
        return Reply(say(texts.BROADCAST_NO_GRADE, grade=grade))
    await ctx.forget_expectation()
    return _whom(ctx, Audience(GRADE, READERS, grade=grade))


@router.action("broadcast.whom", audited_as="broadcast.start")
async def whom_pressed(ctx: Context) -> Reply:
    await ctx.forget_expectation()
    return _whom(ctx, _audience({**ctx.args, "whom": READERS}))


def _whom(ctx: Context, readers: Audience) -> Reply:
    """Who of the readers chosen: the readers, both, or only their parents."""
    choices = (
        (texts.BUTTON_BROADCAST_READERS, READERS),
        (texts.BUTTON_BROADCAST_BOTH, BOTH),
        (texts.BUTTON_BROADCAST_PARENTS, PARENTS),
    )
    buttons = [
        [ctx.button(label, "broadcast.write", **(_args(readers) | {"whom": whom}))]
        for label, whom in choices
    ]
    shown = _scope_shown(readers)
    return Reply(say(texts.BROADCAST_WHOM, audience=shown), buttons=buttons)


# The message and its preview -----------------------------------------------------------------


@shared.action("broadcast.write")
async def write_pressed(ctx: Context) -> Reply:
    audience = _audience(ctx.args)
    owner = _owner(ctx, audience, ctx.args, "broadcast.start")
    await ctx.expect("broadcast.text", **_args(audience), **owner)
    return Reply(_write(audience))


@shared.state("broadcast.text", files=True, long_text=True)
async def text_typed(ctx: Context) -> Reply | list[Reply]:
    """The message — a text, a photo or a file with or without a caption — shown back as its
    readers will see it, with whom it reaches. A file too big is refused and the step stays."""
    audience = _audience(ctx.state_data)
    _owner(ctx, audience, ctx.state_data, "broadcast.start")
    text = ctx.text.strip()
    attachment = ctx.incoming.attachments[0] if ctx.incoming.attachments else None
    if attachment is None and not text:
        return Reply(_write(audience))
    if len(text) > MAX_TEXT:
        return Reply(say(texts.BROADCAST_TOO_LONG, max=MAX_TEXT))
    if attachment is not None and len(attachment.data) > MAX_BYTES:
        size = f"{math.ceil(len(attachment.data) * 10 / MEGABYTE) / 10:.1f}".replace(".", ",")
        return Reply(say(texts.BROADCAST_FILE_TOO_BIG, size=size, max_mb=MAX_BYTES // MEGABYTE))
    if attachment is not None and not attachment.data:
        return Reply(texts.BROADCAST_FILE_EMPTY)
    await ctx.forget_expectation()
    stored = None
    if attachment is not None:
        stored = await store_file(
            ctx.session, attachment.kind, _file_name(attachment), attachment.data, ctx.now
        )
    return await _preview(ctx, audience, text, stored)


async def _preview(
    ctx: Context, audience: Audience, text: str, file: StoredFile | None
) -> list[Reply]:
    """Two messages: the broadcast as its readers will see it (with its file), then how many
    it reaches, with «✅ Отправить» and «✖ Отмена»."""
    if audience.scope == NETWORK:
        network = await _network(ctx, ctx.state_data, "broadcast.start")
        header = say(texts.BROADCAST_FROM_NETWORK, network=network.name)
        who = await librarians_reach(ctx.session, network.id)
        quiet = [lib for lib in await _librarians_schools(ctx, network) if _quiet(ctx, lib)]
        owner: dict[str, Any] = {"network": network.id}
        later: str | int = 0
    else:
        library = await _library(ctx, ctx.desk)
        header = library.short_name
        who = await reach(ctx.session, library.id, audience, ctx.now)
        quiet = []
        owner = {"library": library.id}
        when = after_quiet_hours(ctx.now, library)
        later = ctx.local(when).strftime("%H:%M") if when > ctx.now else 0
    kind = file.kind if file is not None else "none"
    shown = Reply(
        say(
            texts.BROADCAST_PREVIEW_SHOWN,
            file=kind,
            name=file.name if file else "",
            shown=_notice(header, text),
        ),
        files=[_out_file(file)] if file is not None else [],
    )
    args = {**owner, "text": text, "file": file.id if file else None, **_args(audience)}
    buttons = [
        [
            ctx.button(texts.BUTTON_BROADCAST_SEND, "broadcast.send", **args),
            ctx.button(texts.BUTTON_BROADCAST_CANCEL, "broadcast.cancel"),
        ]
    ]
    return [shown, Reply(_reach_shown(audience, who, later, len(quiet), kind), buttons=buttons)]


def _reach_shown(audience: Audience, who: Reach, later: str | int, quiet: int, kind: str) -> str:
    return say(
        texts.BROADCAST_PREVIEW,
        people=len(who.people),
        audience=_shown(audience),
        unreachable=who.unreachable,
        not_in_bot=who.not_in_bot,
        later=later,
        quiet_schools=quiet,
        file=kind,
    )


# Confirmed, cancelled, stopped ---------------------------------------------------------------


@shared.action("broadcast.send")
async def send_pressed(ctx: Context) -> Reply:
    """Confirmed: stored and queued, for the library (or network) the preview was made for,
    checked again: a forged button naming another school, or the network for a librarian who
    is not its admin, is refused."""
    audience = _audience(ctx.args)
    _owner(ctx, audience, ctx.args, "broadcast.send")
    text = str(ctx.args["text"])
    file_id = int(ctx.args["file"]) if ctx.args.get("file") is not None else None
    if file_id is not None and not await file_kept(ctx.session, file_id):
        return Reply(texts.BUTTON_STALE, edit=True)
    if audience.scope == NETWORK:
        network = await _network(ctx, ctx.args, "broadcast.send")
        header = say(texts.BROADCAST_FROM_NETWORK, network=network.name)
        schools = await network_libraries(ctx.session, network.id)
        sent, people = await start_network_broadcast(
            ctx.session,
            ctx.actor,
            network.id,
            text,
            _notice(header, text),
            ctx.now,
            {school.id: after_quiet_hours(ctx.now, school) for school in schools},
            file_id,
        )
    else:
        library = await ctx.session.get(Library, int(ctx.args["library"]))
        if library is None:
            return Reply(texts.BUTTON_STALE, edit=True)
        sent, people = await start_broadcast(
            ctx.session,
            ctx.actor,
            library.id,
            audience,
            text,
            _notice(library.short_name, text),
            ctx.now,
            after_quiet_hours(ctx.now, library),
            file_id,
        )
    await spend_previews(ctx.session, ctx.account.id, keep=file_id)
    if not people:
        return Reply(say(texts.BROADCAST_NOBODY, id=sent.id), edit=True)
    buttons = [
        [
            ctx.button(texts.BUTTON_BROADCAST_STOP, "broadcast.stop", broadcast=sent.id),
            ctx.button(texts.BUTTON_BROADCAST_REPORT, "broadcast.report"),
        ]
    ]
    return Reply(say(texts.BROADCAST_STARTED, id=sent.id, people=people), buttons, edit=True)


@shared.action("broadcast.cancel")
async def cancel_pressed(ctx: Context) -> Reply:
    """Nothing is sent; the preview's file is deleted with its buttons."""
    _staff(ctx, "broadcast.start")
    await spend_previews(ctx.session, ctx.account.id)
    return Reply(texts.BROADCAST_CANCELLED, edit=True)


@shared.action("broadcast.stop")
async def stop_pressed(ctx: Context) -> Reply:
    _staff(ctx, "broadcast.stop")
    broadcast_id = int(ctx.args["broadcast"])
    stopped = await stop_broadcast(ctx.session, ctx.actor, broadcast_id)
    if stopped is None:
        return Reply(say(texts.BROADCAST_NOT_FOUND, id=broadcast_id))
    return Reply(say(texts.BROADCAST_STOPPED, id=broadcast_id, n=stopped))


# Reports -------------------------------------------------------------------------------------


@shared.command("broadcasts", menus=(LIBRARIAN,))
async def broadcasts(ctx: Context) -> Reply:
    """/broadcasts — the last broadcasts and what became of their messages: the library's for
    its librarian, the network's for its admin."""
    return await _reports(ctx)


@shared.action("broadcast.report")
async def report_pressed(ctx: Context) -> Reply:
    return await _reports(ctx)


async def _reports(ctx: Context) -> Reply:
    _staff(ctx, "broadcast.report")
    found: list[Report] = []
    desk = desk_of(ctx.actor)
    if desk is not None:
        found += await reports(ctx.session, ctx.actor, desk, ctx.now)
    for network_id in sorted(ctx.actor.admin_of):
        found += await network_reports(ctx.session, ctx.actor, network_id, ctx.now)
    if not found:
        return Reply(texts.BROADCAST_REPORTS_NONE)
    lines = [_report_line(ctx, report) for report in found]
    buttons: list[list[Button]] = [
        [ctx.button(f"{texts.BUTTON_BROADCAST_STOP} №{r.broadcast.id}", "broadcast.stop",
                    broadcast=r.broadcast.id)]
        for r in found
        if r.queued + r.waiting
    ][:MAX_BUTTONS]  # fmt: skip
    return Reply("\n".join(lines), buttons=buttons)


def _report_line(ctx: Context, report: Report) -> str:
    broadcast = report.broadcast
    text = broadcast.text if len(broadcast.text) <= QUOTED else f"{broadcast.text[:QUOTED]}…"
    quoted = say(texts.BROADCAST_QUOTED, text=" ".join(text.split()))
    return say(
        texts.BROADCAST_REPORT,
        id=broadcast.id,
        date=ctx.local(broadcast.created_at).strftime("%d.%m %H:%M"),
        audience=_shown(Audience.from_stored(broadcast.audience)),
        status=texts.BROADCAST_STATUS[broadcast.status],
        file=report.file_kind or "none",
        quoted=quoted if text else texts.BROADCAST_NO_TEXT,
        sent=report.sent,
        queued=report.queued,
        waiting=report.waiting,
        unreachable=report.unreachable,
        failed=report.failed,
        cancelled=report.cancelled,
    )


# Who acts, for whom --------------------------------------------------------------------------


def _staff(ctx: Context, action: str) -> None:
    """A librarian or an admin; anyone else is refused (and audited)."""
    if not (ctx.actor.librarian_of or ctx.actor.admin_of):
        raise AccessDenied(action)


def _desk(ctx: Context, action: str) -> int:
    """The librarian's library, as a staff-only router's guard would give it."""
    desk = desk_of(ctx.actor)
    if desk is None:
        raise AccessDenied(action)
    ctx.desk_id = desk
    return desk


def _owner(ctx: Context, audience: Audience, data: dict[str, Any], action: str) -> dict[str, int]:
    """Whose broadcast this step is for: a librarian's library, or the network (its admin's
    only) that the button or the awaited input names. Refused for anyone else."""
    if audience.scope != NETWORK:
        _desk(ctx, action)  # which library: db.broadcasts checks it where it is touched
        return {}
    network_id = int(data.get("network") or 0)
    require_admin(ctx.actor, network_id, action)
    return {"network": network_id}


async def _network(ctx: Context, data: dict[str, Any], action: str) -> Network:
    network_id = int(data.get("network") or 0)
    require_admin(ctx.actor, network_id, action)
    network = await ctx.session.get(Network, network_id)
    if network is None:
        raise AccessDenied(action)
    return network


async def _library(ctx: Context, library_id: int) -> Library:
    library = await ctx.session.get(Library, library_id)
    assert library is not None
    return library


async def _librarians_schools(ctx: Context, network: Network) -> list[Library]:
    """The network's schools that have a librarian in the bot's roles."""
    theirs = set((await network_librarians(ctx.session, network.id)).values())
    return [lib for lib in await network_libraries(ctx.session, network.id) if lib.id in theirs]


def _quiet(ctx: Context, library: Library) -> bool:
    return after_quiet_hours(ctx.now, library) > ctx.now


# Words ---------------------------------------------------------------------------------------


def _write(audience: Audience) -> str:
    return say(texts.BROADCAST_WRITE, audience=_shown(audience), max_mb=MAX_BYTES // MEGABYTE)


def _notice(sender: str, text: str) -> str:
    """The message as its readers see it: the sender's name over the text (alone over a photo
    or a file sent with no text)."""
    if not text:
        return say(texts.BROADCAST_NOTICE_FILE_ONLY, library=sender)
    return say(texts.BROADCAST_NOTICE, library=sender, text=text)


def _out_file(file: StoredFile) -> OutFile:
    return OutFile(cast(FileKind, file.kind), file.name, file.data)


def _file_name(attachment: Attachment) -> str:
    """The name the file goes out under: its own, or one for a photo (messengers send photos
    with no name)."""
    if attachment.name:
        return attachment.name
    if attachment.kind == "photo":
        return "photo.png" if attachment.data.startswith(b"\x89PNG") else "photo.jpg"
    return "file"


def _audience(args: dict[str, Any]) -> Audience:
    class_name = args.get("class_name")
    grade = args.get("grade")
    project = args.get("project")
    return Audience(
        str(args["scope"]),
        str(args["whom"]),
        str(class_name) if class_name else None,
        int(grade) if grade is not None else None,
        int(project) if project is not None else None,
    )


def _args(audience: Audience) -> dict[str, Any]:
    return {
        "scope": audience.scope,
        "class_name": audience.class_name,
        "grade": audience.grade,
        "whom": audience.whom,
        "project": audience.project,
    }


def _scope_shown(audience: Audience) -> str:
    template = texts.BROADCAST_SCOPE[audience.scope]
    return template.format(class_name=audience.class_name, grade=audience.grade)


def _shown(audience: Audience) -> str:
    if audience.scope == NETWORK:
        return _scope_shown(audience)
    return f"{_scope_shown(audience)}: {texts.BROADCAST_WHOM_SHOWN[audience.whom]}"
