"""Readers at the librarian's desk: find one by card, name or class (paged lists), open their
card, renew for them, register, hand out link codes (with a deep link and its QR code), block,
and the overdue list."""

from __future__ import annotations

from db.access import require_librarian
from db.circulation import loans_of
from db.enums import RoleName
from db.errors import Refused
from db.loans import overdue_loans, renewals_offered, set_blocked
from db.models import Library, Reader
from db.people import (
    card_is_linked,
    erase_reader,
    find_readers,
    looks_like_class,
    open_loans_count,
    proper_name,
    reader_by_card,
    similar_readers,
)
from db.readers import (
    detach_accounts,
    new_link_code,
    readers_of_library,
    register_new_reader,
)
from db.rules import overdue_days
from handlers.context import Context
from handlers.qr import qr_png
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.i18n import class_label, person, say
from messages.types import Button, OutFile, Reply, in_rows

router = Router("readers", staff_only=True)

RENEW_BUTTONS = 5  # with issue, two codes, block and unlink: ten, the strictest keyboard
READERS_PAGE = 8  # two to a row, and a row to page
NAMESAKES_SHOWN = 4
NAME_LENGTH = Reader.__table__.c.full_name.type.length  # what the card's column holds


# Finding a reader and their card ---------------------------------------------------------


@router.command("reader", menus=(LIBRARIAN,), audited_as="reader.view")
async def reader_command(ctx: Context) -> Reply:
    if not ctx.text.strip():
        return Reply(texts.DESK_READER_USAGE)
    found = await reader_named(ctx, ctx.desk, ctx.text, "desk.reader")
    return found if isinstance(found, Reply) else await reader_card(ctx, found)


async def reader_named(
    ctx: Context, library_id: int, query: str, action: str, **args: int
) -> Reader | Reply:
    """The one reader the query names for certain, or a reply: a list to choose from when
    several fit, look-alikes offered as suggestions (never opened on a guess), or a plain
    «nobody». Pressing a reader in a list runs `action` with `reader` and `args`."""
    readers = await find_readers(ctx.session, library_id, query)
    if len(readers) == 1:
        return readers[0]
    if readers:
        return choose_reader(ctx, readers, action, **args)
    similar = await similar_readers(ctx.session, library_id, query)
    if not similar:
        return Reply(say(texts.DESK_READER_NONE, query=query))
    reply = choose_reader(ctx, similar, action, **args)
    reply.text = say(texts.DESK_READER_SIMILAR, query=query)
    return reply


@router.action("desk.reader", audited_as="reader.view")
async def reader_pressed(ctx: Context) -> Reply:
    return await reader_card(ctx, await own_reader(ctx, int(ctx.args["reader"]), "reader.view"))


async def reader_card(ctx: Context, reader: Reader, prefix: str = "") -> Reply:
    library = await ctx.session.get(Library, reader.library_id)
    assert library is not None
    lines = [prefix] if prefix else []
    lines.append(
        say(
            texts.DESK_READER_CARD,
            name=reader.full_name,
            class_name=class_label(reader),
            card=reader.card_number,
            library=library.short_name,
        )
    )
    if reader.blocked:
        lines.append(say(texts.DESK_READER_BLOCKED, reason=reader.blocked_reason or "—"))
    loans = await loans_of(ctx.session, [reader.id])
    renew: list[Button] = []
    renewable = await renewals_offered(ctx.circulation, [loan.loan_id for loan in loans])
    lines.append(
        say(texts.DESK_READER_LOANS, n=len(loans)) if loans else texts.DESK_READER_NO_LOANS
    )
    for n, loan in enumerate(loans, start=1):
        days = overdue_days(loan.due_at, library, ctx.now)
        late = say(texts.DESK_LOAN_LATE, days=days) if days else ""
        lines.append(
            say(
                texts.DESK_LOAN_LINE,
                n=n,
                title=loan.title,
                inventory=loan.inventory_number,
                due=ctx.local(loan.due_at),
                late=late,
            )
        )
        if loan.loan_id in renewable:  # 🔄 only where renewing can succeed now
            renew.append(
                ctx.button(say(texts.BUTTON_RENEW_N, n=n), "loan.renew", loan=loan.loan_id)
            )
    buttons = in_rows(renew[:RENEW_BUTTONS])
    buttons.append([ctx.button(texts.BUTTON_ISSUE_TO, "desk.issue_for", reader=reader.id)])
    buttons.append(
        [
            ctx.button(texts.BUTTON_CODE_READER, "desk.code", reader=reader.id, parent=0),
            ctx.button(texts.BUTTON_CODE_PARENT, "desk.code", reader=reader.id, parent=1),
        ]
    )
    last_row = [
        ctx.button(texts.BUTTON_UNBLOCK, "desk.unblock", reader=reader.id)
        if reader.blocked
        else ctx.button(texts.BUTTON_BLOCK, "desk.block", reader=reader.id)
    ]
    if await card_is_linked(ctx.session, reader.id):
        last_row.append(ctx.button(texts.BUTTON_UNLINK, "desk.unlink", reader=reader.id))
    buttons.append(last_row)
    return Reply("\n".join(lines), buttons=buttons)


@router.action("desk.unlink", audited_as="reader.unlink")
async def unlink_pressed(ctx: Context) -> Reply:
    """🔓: the card's messenger accounts are detached; a new code links the right one."""
    reader = await own_reader(ctx, int(ctx.args["reader"]), "reader.unlink")
    await detach_accounts(ctx.session, ctx.actor, reader)
    return Reply(say(texts.DESK_UNLINKED, card=reader.card_number))


@router.command("register", menus=(LIBRARIAN,), audited_as="reader.register")
async def register(ctx: Context) -> Reply:
    library_id = ctx.desk
    words = ctx.text.split()
    class_name = None
    if len(words) >= 2 and looks_like_class(words[-1]):
        class_name = words.pop()
    elif len(words) >= 3 and looks_like_class(" ".join(words[-2:])):
        class_name = " ".join(words[-2:])
        words = words[:-2]
    if len(words) < 2 or not all(w.replace("-", "").isalpha() for w in words):
        return Reply(texts.DESK_REGISTER_USAGE)
    if len(" ".join(words)) > NAME_LENGTH:
        return Reply(say(texts.DESK_NAME_TOO_LONG, limit=NAME_LENGTH))
    name = proper_name(" ".join(words))
    namesakes = [
        r
        for r in await find_readers(ctx.session, library_id, name)
        if len(r.full_name.split()) == len(words)
    ]
    if namesakes:
        return _namesakes(ctx, namesakes, name, class_name)
    return await _register(ctx, library_id, name, class_name)


def _namesakes(ctx: Context, namesakes: list[Reader], name: str, class_name: str | None) -> Reply:
    """The library already has a reader of that name: open their card, or register anew."""
    lines = [texts.DESK_REGISTER_NAMESAKES]
    buttons = []
    for reader in namesakes[:NAMESAKES_SHOWN]:
        label = say(
            texts.BUTTON_READER,
            name=reader.full_name,
            class_name=class_label(reader),
            card=reader.card_number,
        )
        lines.append("• " + label)
        buttons.append([ctx.button(label, "desk.reader", reader=reader.id)])
    buttons.append(
        [
            ctx.button(
                texts.BUTTON_REGISTER_ANYWAY, "desk.register", name=name, class_name=class_name
            )
        ]
    )
    return Reply("\n".join(lines), buttons=buttons)


@router.action("desk.register", audited_as="reader.register")
async def register_anyway(ctx: Context) -> Reply:
    class_name = ctx.args.get("class_name")
    name = str(ctx.args["name"])
    return await _register(ctx, ctx.desk, name, str(class_name) if class_name else None)


async def _register(ctx: Context, library_id: int, name: str, class_name: str | None) -> Reply:
    reader = await register_new_reader(ctx.session, ctx.actor, library_id, name, class_name)
    done = say(
        texts.DESK_REGISTERED,
        name=person(reader),
        class_name=class_label(reader),
        card=reader.card_number,
    )
    return await reader_card(ctx, reader, prefix=done)


@router.command("code", menus=(LIBRARIAN,), audited_as="link.create")
async def code_command(ctx: Context) -> Reply:
    words = ctx.text.split()
    if not words or not (words[0].isascii() and words[0].isdigit()):
        return Reply(texts.DESK_CODE_USAGE)
    readers = await find_readers(ctx.session, ctx.desk, words[0])
    if not readers:
        return Reply(say(texts.DESK_CARD_NONE, card=words[0]))
    for_parent = len(words) > 1 and words[1].lower().startswith("род")
    return await _code(ctx, readers[0], for_parent)


@router.action("desk.code", audited_as="link.create")
async def code_pressed(ctx: Context) -> Reply:
    reader = await own_reader(ctx, int(ctx.args["reader"]), "link.create")
    return await _code(ctx, reader, bool(ctx.args.get("parent")))


async def _code(ctx: Context, reader: Reader, for_parent: bool) -> Reply:
    require_librarian(ctx.actor, reader.library_id, "link.create")
    if reader.erased_at is not None:  # a removed reader is nobody to link to
        return Reply(
            say(
                texts.DESK_REMOVE_ALREADY, card=reader.card_number, when=ctx.local(reader.erased_at)
            )
        )
    role = RoleName.PARENT if for_parent else RoleName.READER
    link = await new_link_code(ctx.session, ctx.actor, reader, role, ctx.now)
    who = say(
        texts.DESK_CODE_WHO_PARENT if for_parent else texts.DESK_CODE_WHO_READER,
        name=person(reader),
        class_name=class_label(reader),
    )
    text = say(texts.DESK_CODE, who=who, code=link.code, expires=ctx.local(link.expires_at))
    links = ctx.services.deep_links(link.code, first=ctx.incoming.messenger)
    if not links:
        return Reply(text)
    if len(links) == 1:
        text += say(texts.DESK_CODE_LINK, link=links[0][1])
    else:
        text += texts.DESK_CODE_LINKS + "".join(
            say(texts.DESK_CODE_LINK_IN, messenger=texts.MESSENGER_NAMES[m], link=url)
            for m, url in links
        )
    qr_link = links[0][1]  # the librarian's own messenger's, as the person asked there
    qr = OutFile("photo", f"code-{link.code}.png", qr_png(qr_link), caption=texts.DESK_CODE_QR)
    return Reply(text, files=[qr])


@router.action("desk.block", audited_as="reader.block")
async def block_pressed(ctx: Context) -> Reply:
    reader = await own_reader(ctx, int(ctx.args["reader"]), "reader.block")
    await ctx.expect("desk.block_reason", reader=reader.id)
    return Reply(say(texts.DESK_BLOCK_ASK, reader=person(reader)))


@router.state("desk.block_reason", audited_as="reader.block")
async def block_reason(ctx: Context) -> Reply:
    await ctx.forget_expectation()
    reader = await set_blocked(ctx.circulation, int(ctx.state_data["reader"]), True, ctx.text)
    return Reply(say(texts.DESK_BLOCKED, reader=person(reader), reason=ctx.text))


@router.action("desk.unblock", audited_as="reader.block")
async def unblock_pressed(ctx: Context) -> Reply:
    reader = await set_blocked(ctx.circulation, int(ctx.args["reader"]), False)
    return Reply(say(texts.DESK_UNBLOCKED, reader=person(reader)))


@router.command("block", "unblock", audited_as="reader.block")
async def block_command(ctx: Context) -> Reply:
    blocking = (ctx.incoming.text or "").lstrip("/").lower().startswith("block")
    card, _, reason = ctx.text.partition(" ")
    if not (card.isascii() and card.isdigit()) or (blocking and not reason.strip()):
        return Reply(texts.DESK_BLOCK_USAGE)
    readers = await find_readers(ctx.session, ctx.desk, card)
    if not readers:
        return Reply(say(texts.DESK_CARD_NONE, card=card))
    if not blocking and not readers[0].blocked:
        return Reply(say(texts.DESK_NOT_BLOCKED, card=card, reader=readers[0].full_name))
    reader = await set_blocked(ctx.circulation, readers[0].id, blocking, reason.strip())
    if blocking:
        return Reply(say(texts.DESK_BLOCKED, reader=person(reader), reason=reason.strip()))
    return Reply(say(texts.DESK_UNBLOCKED, reader=person(reader)))


@router.command("overdue", menus=(LIBRARIAN,), audited_as="loan.overdue_list")
async def overdue(ctx: Context) -> Reply:
    library = await ctx.session.get(Library, ctx.desk)
    assert library is not None
    rows = await overdue_loans(ctx.circulation, library.id)
    if not rows:
        return Reply(say(texts.DESK_OVERDUE_NONE, library=library.short_name))
    lines = [say(texts.DESK_OVERDUE_HEADER, library=library.short_name, n=len(rows))]
    for row in rows:
        lines.append(
            say(
                texts.DESK_OVERDUE_LINE,
                class_name=row.class_name or "—",
                reader=row.reader_name,
                card=row.card_number,
                title=row.title,
                inventory=row.inventory_number,
                days=row.days,
            )
        )
    return Reply("\n".join(lines))


# A reader who left the school ---------------------------------------------------------------


@router.command("remove", menus=(LIBRARIAN,), audited_as="reader.erase")
async def remove_command(ctx: Context) -> Reply:
    """/remove 1034: erase a card's personal data, after a confirmation."""
    card = ctx.text.strip()
    if not (card.isascii() and card.isdigit()):
        return Reply(texts.DESK_REMOVE_USAGE)
    reader = await reader_by_card(ctx.session, ctx.desk, card)
    if reader is None:
        return Reply(say(texts.DESK_CARD_NONE, card=card))
    refusal = await _cannot_remove(ctx, reader)
    if refusal is not None:
        return refusal
    text = say(
        texts.DESK_REMOVE_ASK,
        name=person(reader),
        class_name=class_label(reader),
        card=reader.card_number,
    )
    buttons = [
        [
            ctx.button(texts.BUTTON_REMOVE_CONFIRM, "desk.erase", reader=reader.id),
            ctx.button(texts.BUTTON_REMOVE_KEEP, "desk.erase_keep", reader=reader.id),
        ]
    ]
    return Reply(text, buttons=buttons)


@router.action("desk.erase", audited_as="reader.erase")
async def erase_pressed(ctx: Context) -> Reply:
    reader = await own_reader(ctx, int(ctx.args["reader"]), "reader.erase")
    refusal = await _cannot_remove(ctx, reader)
    if refusal is not None:
        return refusal
    card = reader.card_number
    done = await erase_reader(ctx.circulation, reader.id, say(texts.READER_ERASED_NAME, card=card))
    if done.loans_out:  # a book went out between the question and the answer
        return Reply(say(texts.DESK_REMOVE_HAS_LOANS, name=person(reader), n=done.loans_out))
    return Reply(
        say(
            texts.DESK_REMOVED,
            card=card,
            name=reader.full_name,
            holds=done.holds_cancelled,
            accounts=done.accounts_unlinked,
            parents=done.parents_unlinked,
        )
    )


@router.action("desk.erase_keep", audited_as="reader.erase")
async def erase_declined(ctx: Context) -> Reply:
    await own_reader(ctx, int(ctx.args["reader"]), "reader.erase")
    return Reply(texts.DESK_REMOVE_KEPT)


async def _cannot_remove(ctx: Context, reader: Reader) -> Reply | None:
    if reader.erased_at is not None:
        when = ctx.local(reader.erased_at)
        return Reply(say(texts.DESK_REMOVE_ALREADY, card=reader.card_number, when=when))
    loans = await open_loans_count(ctx.session, reader.id)
    if loans:
        return Reply(say(texts.DESK_REMOVE_HAS_LOANS, name=person(reader), n=loans))
    return None


# Choosing among several readers -----------------------------------------------------------


def choose_reader(
    ctx: Context, readers: list[Reader], action: str, page: int = 1, edit: bool = False, **args: int
) -> Reply:
    """Several readers match: a button each, READERS_PAGE to a page (a class of thirty pages
    through ◀ ▶); pressing one runs `action` with that reader."""
    pages = max(1, -(-len(readers) // READERS_PAGE))
    page = min(max(page, 1), pages)
    shown = readers[(page - 1) * READERS_PAGE : page * READERS_PAGE]
    choices = [
        ctx.button(
            say(
                texts.BUTTON_READER, name=r.full_name, class_name=class_label(r), card=r.card_number
            ),
            action,
            reader=r.id,
            **args,
        )
        for r in shown
    ]
    buttons = in_rows(choices, per_row=2)
    if pages > 1:
        ids = [r.id for r in readers]
        nav = [
            ctx.button(label, "desk.readers", readers=ids, page=to, then=action, **args)
            for label, to in ((texts.BUTTON_PREV, page - 1), (texts.BUTTON_NEXT, page + 1))
            if 1 <= to <= pages
        ]
        buttons.append(nav)
    classes = {r.class_name for r in readers}
    if len(classes) == 1 and len(readers) > 3:
        text = say(texts.DESK_CLASS_LIST, class_name=class_label(readers[0]), n=len(readers))
    else:
        text = texts.DESK_READER_MANY
    if pages > 1:
        text += "\n" + say(texts.SEARCH_PAGE, page=page, pages=pages)
    return Reply(text, buttons=buttons, edit=edit)


@router.action("desk.readers", audited_as="reader.view")
async def readers_page(ctx: Context) -> Reply:
    """◀ ▶ through a list of readers; only this librarian's own readers are shown."""
    ids = [int(i) for i in ctx.args["readers"]]
    readers = await readers_of_library(ctx.session, ctx.desk, ids)
    extra = {k: int(v) for k, v in ctx.args.items() if k not in ("readers", "page", "then")}
    return choose_reader(
        ctx, readers, str(ctx.args["then"]), page=int(ctx.args["page"]), edit=True, **extra
    )


async def own_reader(ctx: Context, reader_id: int, action: str) -> Reader:
    """A reader of this librarian's own library, or a refusal (a forged button, say)."""
    reader = await ctx.session.get(Reader, reader_id)
    if reader is None:
        raise Refused("reader_unknown")
    require_librarian(ctx.actor, reader.library_id, action)
    return reader
