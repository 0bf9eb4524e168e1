"""/start, /help and linking an account with a one-time code (also via a deep link)."""

from __future__ import annotations

from db.access import Actor
from db.circulation import library_names
from db.enums import RoleName
from db.people import LinkRefused
from db.projects import LINK_PREFIX
from db.readers import link_account
from handlers.context import Context
from handlers.projects import join_by_link
from handlers.router import EVERYONE, PARENT, READER, Router
from messages import texts
from messages.i18n import person, say
from messages.types import Reply
from nlu.morph import given_name

router = Router("welcome")


@router.command("start", menus=(READER, PARENT))
async def start(ctx: Context) -> Reply | list[Reply]:
    if ctx.text.startswith(LINK_PREFIX):  # a project's poster: /start p_CODE
        return await join_by_link(ctx, ctx.text)
    if ctx.text:  # a deep link: /start CODE
        return await _link(ctx, ctx.text)
    await ctx.forget_expectation()
    return Reply(await welcome_text(ctx, ctx.actor))


@router.command("help", menus=EVERYONE)
@router.intent("help")
async def help_(ctx: Context) -> Reply:
    text = texts.HELP_COMMON
    roles = ctx.actor.roles
    if RoleName.READER in roles:
        text += texts.HELP_READER
    if RoleName.PARENT in roles:
        text += texts.HELP_PARENT
    if RoleName.LIBRARIAN in roles:
        text += texts.HELP_LIBRARIAN
    if RoleName.ADMIN in roles:
        text += texts.HELP_ADMIN
    if not roles:
        text += texts.HELP_GUEST
    return Reply(text + texts.HELP_FOOTER)


@router.intent("link")
async def link(ctx: Context) -> Reply:
    return await _link(ctx, ctx.args["code"])


@router.action("link.confirm")
async def link_confirmed(ctx: Context) -> Reply:
    """«Да, я родитель»: the code is tried again, now as a parent's (and checked again)."""
    return await _link(ctx, str(ctx.args["code"]), parent_confirmed=True)


@router.action("link.decline")
async def link_declined(ctx: Context) -> Reply:
    return Reply(texts.LINK_PARENT_DECLINED)


async def _link(ctx: Context, code: str, parent_confirmed: bool = False) -> Reply:
    try:
        linked = await link_account(
            ctx.session, ctx.actor, ctx.account, code, ctx.now, parent_confirmed=parent_confirmed
        )
    except LinkRefused as refused:
        text = say(texts.LINK_REFUSED[refused.reason], **refused.params)
        if refused.reason != "parent_confirm":
            return Reply(text)
        buttons = [
            [
                ctx.button(texts.BUTTON_PARENT_CONFIRM, "link.confirm", code=code),
                ctx.button(texts.BUTTON_PARENT_DECLINE, "link.decline"),
            ]
        ]
        return Reply(text, buttons=buttons)
    ctx.roles_changed = True
    reader, library = linked.reader, linked.library
    if linked.role == RoleName.READER and reader is not None:
        return Reply(say(texts.LINKED_READER, card=reader.card_number, library=library))
    if linked.role == RoleName.PARENT and reader is not None:
        return Reply(say(texts.LINKED_PARENT, child=person(reader), library=library))
    if linked.role == RoleName.LIBRARIAN and library is not None:
        return Reply(say(texts.LINKED_LIBRARIAN, library=library))
    return Reply(texts.LINKED_ADMIN)


async def welcome_text(ctx: Context, actor: Actor) -> str:
    if actor.librarian_of:
        names = await library_names(ctx.session, sorted(actor.librarian_of))
        return say(texts.WELCOME_LIBRARIAN, library=", ".join(names))
    if actor.cards:
        card = actor.cards[0]
        return say(texts.WELCOME_READER, name=given_name(card.full_name), library=card.library_name)
    if actor.children:
        children = ", ".join(
            f"{given_name(c.full_name)} ({c.library_name})" for c in actor.children
        )
        return say(texts.WELCOME_PARENT, children=children)
    if actor.admin_of:
        return texts.WELCOME_ADMIN
    return texts.WELCOME_GUEST
