"""«Мои книги»: a reader's (or a parent's children's) loans and holds, renewing, the reading
history a reader opted into, and the copies of reminders a parent receives."""

from __future__ import annotations

from rapidfuzz import fuzz

from db.catalog import title_of
from db.circulation import HoldView, LoanView, loans_of
from db.holds import active_holds, cancel_hold
from db.loans import renew, renewals_offered
from db.readers import (
    history_settings,
    reminder_copies,
    set_reading_history,
    set_reminder_copies,
)
from handlers.context import Context
from handlers.router import EVERYONE, PARENT, READER, Router
from messages import texts
from messages.i18n import say
from messages.types import MAX_BUTTONS, MAX_PER_ROW, Button, Reply, in_rows
from nlu.morph import given_name
from nlu.normalize import normalize
from nlu.search.ranking import stem

router = Router("my_books")

TITLE_MATCH = 70


@router.intent("my_books", "due_dates")
@router.command("mybooks", "books", menus=EVERYONE)
async def my_books(ctx: Context) -> Reply:
    return await _overview(ctx)


async def _overview(ctx: Context, prefix: str = "") -> Reply:
    cards = ctx.actor.cards + ctx.actor.children
    if not cards:
        return Reply(texts.MY_BOOKS_NOT_LINKED)
    ids = [c.reader_id for c in cards]
    loans = await loans_of(ctx.session, ids)
    holds = await active_holds(ctx.session, ids)
    blocks = [prefix] if prefix else []
    renew_buttons: list[Button] = []
    renewable = await renewals_offered(ctx.circulation, [loan.loan_id for loan in loans])
    cancel_buttons: list[Button] = []
    n = k = 0
    for card in cards:
        lines, mine = [], [loan for loan in loans if loan.reader_id == card.reader_id]
        name = given_name(card.full_name)
        lines.append(
            say(texts.MY_BOOKS_HEADER, name=name, n=len(mine))
            if mine
            else say(texts.MY_BOOKS_EMPTY, name=name)
        )
        for loan in mine:
            n += 1
            lines.append(f"{n}. " + _loan_line(ctx, loan))
            if loan.loan_id in renewable:  # 🔄 only where renewing can succeed now
                renew_buttons.append(
                    ctx.button(say(texts.BUTTON_RENEW_N, n=n), "loan.renew", loan=loan.loan_id)
                )
        waiting = [h for h in holds if h.reader_id == card.reader_id]
        if waiting:
            lines.append(texts.MY_HOLDS_HEADER)
            for hold in waiting:
                k += 1
                lines.append(f"📌{k}. " + hold_line(ctx, hold))
                cancel_buttons.append(
                    ctx.button(
                        say(texts.BUTTON_CANCEL_HOLD_N, n=k), "hold.cancel_mine", hold=hold.hold_id
                    )
                )
        blocks.append("\n".join(lines))
    # Within the strictest keyboard: up to two holds' ✖, the rest 🔄 (more by «продли …»).
    cancels = cancel_buttons[:2]
    buttons = in_rows(renew_buttons[: min(2 * MAX_PER_ROW, MAX_BUTTONS - len(cancels))])
    if cancels:
        buttons.append(cancels)
    return Reply("\n\n".join(blocks), buttons=buttons)


def _loan_line(ctx: Context, loan: LoanView) -> str:
    authors = f" ({loan.first_author})" if loan.authors else ""
    due = ctx.local(loan.due_at)
    days = (ctx.today - due.date()).days
    if days > 0:
        return say(
            texts.MY_BOOKS_LOAN_OVERDUE, title=loan.title, authors=authors, due=due, days=days
        ).removeprefix("• ")
    return say(texts.MY_BOOKS_LOAN, title=loan.title, authors=authors, due=due).removeprefix("• ")


def hold_line(ctx: Context, hold: HoldView) -> str:
    """A hold as its reader sees it: «Дубровский — в очереди под номером 2»."""
    until = ctx.local(hold.ready_until) if hold.ready_until else ctx.local_now
    status = say(texts.HOLD_STATUS[hold.status.value], position=hold.position or 1, until=until)
    return say(texts.MY_HOLD_LINE, title=hold.title, status=status).removeprefix("• ")


@router.action("loan.renew")
async def renew_pressed(ctx: Context) -> Reply:
    """🔄: the reader, their parent or their school's librarian (checked in db.loans)."""
    return await _renew(ctx, int(ctx.args["loan"]))


@router.intent("renew")
async def renew_asked(ctx: Context) -> Reply:
    """«продли книгу», «продли войну и мир»: renew the one meant, or ask which."""
    cards = ctx.actor.cards + ctx.actor.children
    if not cards:
        return Reply(texts.MY_BOOKS_NOT_LINKED)
    loans = await loans_of(ctx.session, [c.reader_id for c in cards])
    if not loans:
        return Reply(texts.RENEW_NOTHING)
    query = ctx.args.get("query", "")
    if query:
        best = max(loans, key=lambda loan: title_likeness(query, loan.title, loan.authors))
        if title_likeness(query, best.title, best.authors) >= TITLE_MATCH:
            return await _renew(ctx, best.loan_id)
        return await _overview(ctx, prefix=say(texts.RENEW_NO_MATCH, query=ctx.args["query"]))
    if len(loans) == 1:
        return await _renew(ctx, loans[0].loan_id)
    return await _overview(ctx, prefix=texts.RENEW_WHICH)


def title_likeness(query: str, title: str, authors: str) -> float:
    """How well «продли бедную лизу» names a book (a loan, a hold): word stems compared, case
    endings aside; 0–100, TITLE_MATCH and above names it."""

    def stems(text: str) -> str:
        return " ".join(stem(word) for word in normalize(text).split())

    wanted = stems(query)
    return max(
        fuzz.WRatio(wanted, stems(title)),
        fuzz.WRatio(wanted, stems(f"{title} {authors}")),
    )


async def _renew(ctx: Context, loan_id: int) -> Reply:
    done = await renew(ctx.circulation, loan_id)
    text = say(texts.RENEWED, title=done.record.title, due=ctx.local(done.loan.due_at))
    return Reply(text, notice=text)


# Reading history: kept for the library anyway, shown only to a reader who opted in --------


@router.command("history", menus=(READER,))
async def history(ctx: Context) -> Reply:
    if not ctx.actor.cards and not ctx.actor.children:
        return Reply(texts.MY_BOOKS_NOT_LINKED)
    blocks, buttons = [], []
    cards = ctx.actor.cards + ctx.actor.children
    chosen = await history_settings(ctx.session, [card.reader_id for card in cards])
    for card in cards:
        reader = chosen[card.reader_id]
        if not reader.history_opt_in:
            if ctx.actor.own_card(card.reader_id):
                blocks.append(texts.HISTORY_OFF)
                buttons.append(
                    [
                        ctx.button(
                            texts.BUTTON_HISTORY_ON, "history.set", reader=card.reader_id, on=1
                        )
                    ]
                )
            continue
        # History begins when the reader turned it on: nothing read before is shown.
        since = reader.history_since or ctx.now
        read = await loans_of(
            ctx.session, [card.reader_id], returned=True, returned_since=since, limit=20
        )
        if not read:
            blocks.append(texts.HISTORY_ON_EMPTY)
        else:
            lines = [say(texts.HISTORY_HEADER, name=given_name(card.full_name))]
            lines += [
                say(
                    texts.HISTORY_LINE,
                    title=loan.title,
                    authors=f" ({loan.first_author})" if loan.authors else "",
                    returned=ctx.local(loan.returned_at or loan.due_at),
                )
                for loan in read
            ]
            blocks.append("\n".join(lines))
        if ctx.actor.own_card(card.reader_id):
            buttons.append(
                [ctx.button(texts.BUTTON_HISTORY_OFF, "history.set", reader=card.reader_id, on=0)]
            )
    return Reply("\n\n".join(blocks) or texts.HISTORY_OFF, buttons=buttons)


@router.action("history.set")
async def history_set(ctx: Context) -> Reply:
    """Only the reader decides about their own history (a parent's button is refused)."""
    reader = await set_reading_history(
        ctx.session, ctx.actor, int(ctx.args["reader"]), bool(ctx.args["on"]), ctx.now
    )
    return Reply(texts.HISTORY_SWITCHED_ON if reader.history_opt_in else texts.HISTORY_SWITCHED_OFF)


# Copies of reminders for parents ------------------------------------------------------------


@router.command("reminders", menus=(PARENT,))
async def reminders(ctx: Context) -> Reply:
    if not ctx.actor.children:
        return Reply(texts.REMINDERS_NOT_PARENT)
    return await _reminders(ctx)


async def _reminders(ctx: Context, edit: bool = False) -> Reply:
    copies = await reminder_copies(ctx.session, ctx.actor.person_id)
    lines, buttons = [texts.REMINDERS_HEADER], []
    for child in ctx.actor.children:
        on = copies[child.reader_id]
        name = given_name(child.full_name)
        lines.append(
            say(
                texts.REMINDERS_LINE,
                child=name,
                library=child.library_name,
                state=texts.REMINDERS_STATE[on],
            )
        )
        label = texts.BUTTON_REMINDERS_OFF if on else texts.BUTTON_REMINDERS_ON
        buttons.append(
            [
                ctx.button(
                    say(label, child=name),
                    "reminders.set",
                    child=child.reader_id,
                    on=0 if on else 1,
                )
            ]
        )
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


@router.action("reminders.set")
async def reminders_set(ctx: Context) -> Reply:
    await set_reminder_copies(ctx.session, ctx.actor, int(ctx.args["child"]), bool(ctx.args["on"]))
    return await _reminders(ctx, edit=True)


@router.action("hold.cancel_mine")
async def cancel_from_list(ctx: Context) -> Reply:
    hold = await cancel_hold(ctx.circulation, int(ctx.args["hold"]))
    title = await title_of(ctx.session, hold.record_id)
    return await _overview(ctx, prefix=say(texts.HOLD_CANCELLED, title=title))
