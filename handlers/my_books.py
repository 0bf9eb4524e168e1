"""«Мои книги»: what a reader (or a parent's children) has on loan, and until when."""

from __future__ import annotations

from db.circulation import open_loans
from handlers import texts
from handlers.context import Context
from handlers.core import Reply
from handlers.i18n import say
from handlers.router import Router
from handlers.welcome import given_name

router = Router("my_books")


@router.intent("my_books", "due_dates", "renew")
@router.command("mybooks", "books")
async def my_books(ctx: Context) -> Reply:
    cards = ctx.actor.cards + ctx.actor.children
    if not cards:
        return Reply(texts.MY_BOOKS_NOT_LINKED)
    loans = await open_loans(ctx.session, [c.reader_id for c in cards])
    blocks = []
    for card in cards:
        mine = [loan for loan in loans if loan.reader_id == card.reader_id]
        name = given_name(card.full_name)
        if not mine:
            blocks.append(say(texts.MY_BOOKS_EMPTY, name=name))
            continue
        lines = [say(texts.MY_BOOKS_HEADER, name=name, n=len(mine))]
        for loan in mine:
            authors = f" ({loan.authors.split(';')[0].strip()})" if loan.authors else ""
            due = ctx.local(loan.due_at)
            overdue_days = (ctx.today - due.date()).days
            if overdue_days > 0:
                lines.append(
                    say(
                        texts.MY_BOOKS_LOAN_OVERDUE,
                        title=loan.title,
                        authors=authors,
                        due=due,
                        days=overdue_days,
                    )
                )
            else:
                lines.append(say(texts.MY_BOOKS_LOAN, title=loan.title, authors=authors, due=due))
        blocks.append("\n".join(lines))
    return Reply("\n\n".join(blocks))
