"""A library's opening hours, address and closed days: /hours and /address (and «когда работает
библиотека», «где библиотека») show them to anyone; the librarian keeps them up to date from
the chat, with the same commands followed by the new text, or with ✏️ and one message.

Whose library is shown: a librarian's desk; a reader's own school; a parent's children's
schools (each of them, when they are at two). A person linked to no library — a parent who
has not sent the code yet, a methodologist — sees every library of the installation in one
line each when there are at most SMALL_NETWORK of them (a district's few schools fit a
screen, and the person can tell their own), and is asked to link otherwise: a long list of
schools they cannot tell apart helps nobody, and their own school is what they came for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from db.access import Actor
from db.library_info import (
    INFO_LENGTH,
    ClosedSpan,
    InfoTooLong,
    closed_ahead,
    every_library,
    libraries_by_id,
    set_address,
    set_opening_hours,
)
from db.models import Library
from db.questions import libraries_to_ask
from db.rules import local_today
from handlers.context import Context, desk_of
from handlers.router import EVERYONE, Router
from handlers.rules import weekdays_text
from handlers.staff import desk_library
from messages import texts
from messages.i18n import MONTHS_GENITIVE, format_date, say
from messages.types import Reply

router = Router("info")
desk = Router("info_desk", staff_only=True)  # ✏️ and the one message that follows it
router.include(desk)

SMALL_NETWORK = 5
CLOSED_AHEAD_DAYS = 30
CLOSED_SHOWN = 5
HOURS, ADDRESS = "hours", "address"

Setter = Callable[[AsyncSession, Actor, int, str], Awaitable[Library]]
# What /hours and /address change: the setter, the «done» text, the question ✏️ asks.
FIELDS: dict[str, tuple[Setter, str, str]] = {
    HOURS: (set_opening_hours, texts.INFO_HOURS_SET, texts.INFO_ASK_HOURS),
    ADDRESS: (set_address, texts.INFO_ADDRESS_SET, texts.INFO_ASK_ADDRESS),
}


@router.command("hours", menus=EVERYONE)
async def hours_command(ctx: Context) -> Reply:
    """/hours — the library's hours, address and closed days; a librarian's /hours TEXT sets
    the hours of their own library. Anyone else's words after /hours are not a change they
    may make, and they simply get the answer they were after."""
    if ctx.text and ctx.actor.librarian_of:
        return await _change(ctx, HOURS, ctx.text)
    return await show_library(ctx, HOURS)


@router.command("address")
async def address_command(ctx: Context) -> Reply:
    """/address — where the library is; a librarian's /address TEXT sets it."""
    if ctx.text and ctx.actor.librarian_of:
        return await _change(ctx, ADDRESS, ctx.text)
    return await show_library(ctx, ADDRESS)


@router.intent("hours")
async def hours_asked(ctx: Context) -> Reply:
    """«когда работает библиотека»: the words are a question, never new hours."""
    return await show_library(ctx, HOURS)


@router.intent("address")
async def address_asked(ctx: Context) -> Reply:
    """«где библиотека»: the address first, then the hours."""
    return await show_library(ctx, ADDRESS)


@desk.action("info.edit", audited_as="library.info")
async def edit_pressed(ctx: Context) -> Reply:
    """✏️ under the librarian's /hours: the next message is the new text."""
    field = str(ctx.args.get("field"))
    if field not in FIELDS:
        return Reply(texts.BUTTON_STALE)
    await ctx.expect("info.edit", field=field)
    return Reply(FIELDS[field][2])


@desk.state("info.edit", audited_as="library.info")
async def edit_typed(ctx: Context) -> Reply:
    field = str(ctx.state_data.get("field"))
    if field not in FIELDS:
        await ctx.forget_expectation()
        return Reply(texts.BUTTON_STALE)
    if not ctx.text.strip():  # nothing to keep: the question again
        return Reply(FIELDS[field][2])
    changed = await _set(ctx, field, ctx.text)
    if changed is None:  # still waiting, for a shorter one
        return Reply(say(texts.INFO_TOO_LONG, limit=INFO_LENGTH))
    await ctx.forget_expectation()
    return changed


async def _change(ctx: Context, field: str, text: str) -> Reply:
    changed = await _set(ctx, field, text)
    return changed or Reply(say(texts.INFO_TOO_LONG, limit=INFO_LENGTH))


async def _set(ctx: Context, field: str, text: str) -> Reply | None:
    """Set the hours or the address of the librarian's own library (checked and audited in
    db.library_info) and show the library as readers will see it; None if it is too long."""
    setter, done, _ = FIELDS[field]
    library_id = desk_library(ctx, "library.info")
    try:
        library = await setter(ctx.session, ctx.actor, library_id, text)
    except InfoTooLong:
        return None
    value = library.opening_hours if field == HOURS else library.address
    return await show_library(ctx, field, prefix=say(done, value=value))


async def show_library(ctx: Context, focus: str, prefix: str = "") -> Reply:
    """The person's libraries (see the module's docstring), with what they asked about
    first; a librarian also gets how to change it."""
    desk_id = desk_of(ctx.actor)
    ids = [desk_id] if desk_id is not None else libraries_to_ask(ctx.actor)
    blocks = [prefix] if prefix else []
    libraries = await libraries_by_id(ctx.session, ids)
    if not libraries:
        return Reply("\n\n".join([*blocks, await _every_library(ctx)]))
    for library in libraries:
        blocks.append(await _library_card(ctx, library, focus))
    if desk_id is None:
        return Reply("\n\n".join(blocks))
    blocks.append(texts.INFO_LIBRARIAN_USAGE)
    buttons = [
        [
            ctx.button(texts.BUTTON_EDIT_HOURS, "info.edit", field=HOURS),
            ctx.button(texts.BUTTON_EDIT_ADDRESS, "info.edit", field=ADDRESS),
        ]
    ]
    return Reply("\n\n".join(blocks), buttons=buttons)


async def _library_card(ctx: Context, library: Library, focus: str) -> str:
    hours = (
        say(texts.INFO_HOURS, hours=library.opening_hours)
        if library.opening_hours
        else texts.INFO_HOURS_UNKNOWN
    )
    address = (
        say(texts.INFO_ADDRESS, address=library.address)
        if library.address
        else texts.INFO_ADDRESS_UNKNOWN
    )
    lines = [say(texts.INFO_LIBRARY, library=library.short_name)]
    lines += [address, hours] if focus == ADDRESS else [hours, address]
    lines.append(say(texts.INFO_WEEKDAYS, weekdays=weekdays_text(library.open_weekdays)))
    spans = await closed_ahead(
        ctx.session, library, local_today(library, ctx.now), CLOSED_AHEAD_DAYS
    )
    if not spans:
        lines.append(texts.INFO_NONE_CLOSED)
        return "\n".join(lines)
    lines.append(texts.INFO_CLOSED_HEADER)
    lines += [
        say(texts.INFO_CLOSED_LINE, days=days_text(span), reason=_reason(span))
        for span in spans[:CLOSED_SHOWN]
    ]
    return "\n".join(lines)


def _reason(span: ClosedSpan) -> str:
    if span.public:
        return span.holiday or texts.INFO_HOLIDAY_UNNAMED
    return span.note or texts.INFO_CLOSED_NO_NOTE


def days_text(span: ClosedSpan) -> str:
    """«20 ноября», «1–8 января», «30 декабря – 8 января»."""
    first, last = span.first, span.last
    if first == last:
        return format_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {MONTHS_GENITIVE[last.month - 1]}"
    return f"{format_date(first)} – {format_date(last)}"


async def _every_library(ctx: Context) -> str:
    """For a person linked to no library: the few libraries there are, or how to link."""
    libraries = await every_library(ctx.session, SMALL_NETWORK)
    if not libraries:
        return texts.INFO_NOT_LINKED
    lines = [texts.INFO_ALL_HEADER]
    lines += [
        say(
            texts.INFO_ALL_LINE,
            library=library.short_name,
            hours=library.opening_hours or texts.INFO_ALL_HOURS_UNKNOWN,
            address=library.address or texts.INFO_ALL_ADDRESS_UNKNOWN,
        )
        for library in libraries
    ]
    if not ctx.actor.is_linked:  # a methodologist has nothing to link
        lines.append(texts.INFO_ALL_FOOTER)
    return "\n".join(lines)
