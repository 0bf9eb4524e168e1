"""/via: where a person's notices go — every messenger they use, or the one they choose (the
outbox falls back to the others while the chosen one cannot be written to)."""

from __future__ import annotations

from db.enums import Messenger
from db.models import Person
from db.people import choose_notice_messenger, messengers_of
from handlers.context import Context
from handlers.router import EVERYONE, Router
from messages import texts
from messages.i18n import say
from messages.types import Reply

router = Router("delivery")


def messenger_name(messenger: Messenger) -> str:
    return texts.MESSENGER_NAMES[messenger.value]


@router.command("via", menus=EVERYONE)
async def where_notices_go(ctx: Context) -> Reply:
    person_id = ctx.actor.person_id
    if person_id is None:
        return Reply(texts.VIA_NOT_LINKED)
    person = await ctx.session.get(Person, person_id)
    assert person is not None
    mine = await messengers_of(ctx.session, person_id)
    names = ", ".join(messenger_name(m) for m in mine)
    if len(mine) < 2:
        return Reply(say(texts.VIA_ONLY_ONE, messenger=names))
    chosen = person.notify_via if person.notify_via in mine else None
    if chosen is None:
        text = say(texts.VIA_STATE_ALL, messengers=names)
    else:
        others = ", ".join(messenger_name(m) for m in mine if m != chosen)
        text = say(texts.VIA_STATE_ONE, messenger=messenger_name(chosen), messengers=others)
    buttons = [[ctx.button(texts.BUTTON_VIA_ALL, "via.set", messenger="")]]
    for m in mine:
        label = say(texts.BUTTON_VIA_ONLY, messenger=messenger_name(m))
        buttons.append([ctx.button(label, "via.set", messenger=m.value)])
    return Reply(text, buttons=buttons)


@router.action("via.set")
async def notices_go_via(ctx: Context) -> Reply:
    person_id = ctx.actor.person_id
    if person_id is None:
        return Reply(texts.VIA_NOT_LINKED)
    messenger = Messenger(ctx.args["messenger"]) if ctx.args.get("messenger") else None
    if messenger is not None and messenger not in await messengers_of(ctx.session, person_id):
        return await where_notices_go(ctx)  # that account was unlinked since
    await choose_notice_messenger(ctx.session, person_id, messenger)
    ctx.audit("notify.via", via=messenger.value if messenger else "all")
    if messenger is None:
        return Reply(texts.VIA_CHOSEN_ALL, edit=True)
    return Reply(say(texts.VIA_CHOSEN_ONE, messenger=messenger_name(messenger)), edit=True)
