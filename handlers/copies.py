"""A copy as the librarian sees it at the desk: found by its inventory number or barcode (typed,
scanned, or read from a photo), with where it is, who has it until when, and the next step."""

from __future__ import annotations

from db.enums import ItemStatus
from db.holds import held_for_pickup
from db.loans import holder_of
from db.models import Item, Record
from handlers.context import Context
from messages import texts
from messages.i18n import class_label, say
from messages.types import Button, Reply


def copy_code(query: str) -> str | None:
    """An inventory number or a scanned barcode: one token with a digit in it; a number typed
    in groups as printed under a barcode («4 600000 000017») is one number."""
    token = query.strip()
    compact = "".join(token.split())
    if compact.isascii() and compact.isdigit():
        token = compact
    if 0 < len(token) <= 40 and " " not in token and any(ch.isdigit() for ch in token):
        return token
    return None


async def copy_reply(ctx: Context, item: Item, record: Record) -> Reply:
    """A copy as the librarian needs it at the desk: where it is, who has it until when, and
    the button for the next step (take it back, issue it)."""
    lines = [copy_line(item, record)]
    buttons: list[list[Button]] = []
    holder = await holder_of(ctx.circulation, item.id)
    if holder is not None:
        loan, reader = holder
        due = ctx.local(loan.due_at)
        overdue = due.date() < ctx.local_now.date()
        lines.append(
            say(
                texts.COPY_ON_LOAN_OVERDUE if overdue else texts.COPY_ON_LOAN,
                reader=reader.full_name,
                class_name=class_label(reader),
                card=reader.card_number,
                due=due,
            )
        )
        buttons.append([ctx.button(texts.BUTTON_RETURN, "desk.return_item", item=item.id)])
    elif item.status == ItemStatus.ON_HOLD_SHELF:
        for hold in await held_for_pickup(ctx.session, item.id):
            lines.append(
                say(
                    texts.COPY_ON_HOLD_SHELF,
                    reader=hold.reader_name,
                    class_name=hold.class_name or "—",
                    card=hold.card_number,
                    until=ctx.local(hold.ready_until) if hold.ready_until else ctx.local_now,
                )
            )
            buttons.append([ctx.button(texts.BUTTON_ISSUE, "hold.issue", hold=hold.hold_id)])
    elif item.status == ItemStatus.AVAILABLE:
        buttons.append([ctx.button(texts.BUTTON_ISSUE, "desk.issue_copy", item=item.id)])
    return Reply("\n".join(lines), buttons=buttons)


def copy_line(item: Item, record: Record) -> str:
    return say(
        texts.COPY_FOUND,
        inventory=item.inventory_number,
        barcode=say(texts.COPY_BARCODE, barcode=item.barcode) if item.barcode else "",
        title=record.title,
        authors=say(texts.SEARCH_AUTHORS, authors=", ".join(record.author_list))
        if record.authors
        else "",
        status=texts.ITEM_STATUS[item.status],
    )
