"""Everyday requests in a person's own words: a greeting, thanks, «мои брони», «сколько у меня
книг», «продли всё», «отмени бронь …», the library's rules and the reading history.

Each answers for whoever writes: a reader about their own card, a parent about their children's,
a librarian at their desk (the desk's own words live in handlers/everyday_desk.py). What these
handlers change goes through db/ functions that check the actor again on the server.
"""

from __future__ import annotations

from datetime import datetime

from db.calendar import closed_days
from db.catalog import title_of
from db.circulation import HoldView, library_names, loans_of
from db.errors import Refused
from db.holds import active_holds, cancel_hold
from db.loans import renew, renewal_refusals
from db.models import Library, LoanRule
from db.readers import history_settings
from db.rules import library_rules, local_today
from handlers import everyday_desk
from handlers.context import Context, desk_of
from handlers.my_books import TITLE_MATCH, history, hold_line, my_books, title_likeness
from handlers.router import Router
from handlers.rules import show_rules, weekdays_text
from messages import texts
from messages.i18n import format_date, person, say
from messages.types import MAX_BUTTONS, Button, Reply, in_rows
from nlu.morph import given_name

router = Router("everyday")
router.include(everyday_desk.router)

CLOSED_SHOWN = 5  # the next closed days a reader is told of


# Greeting and thanks ---------------------------------------------------------------------------


@router.intent("greeting")
async def greeting(ctx: Context) -> Reply:
    """«привет»: a short hello for who they are, with what to try next."""
    actor = ctx.actor
    if actor.librarian_of:
        names = await library_names(ctx.session, sorted(actor.librarian_of))
        return Reply(say(texts.GREETING_LIBRARIAN, library=", ".join(names)))
    if actor.cards:
        card = actor.cards[0]
        template = texts.GREETING_ADULT_READER if card.adult else texts.GREETING_READER
        return Reply(say(template, name=given_name(card.full_name)))
    if actor.children:
        return Reply(texts.GREETING_PARENT)
    if actor.admin_of:
        return Reply(texts.GREETING_ADMIN)
    return Reply(texts.GREETING_GUEST)


@router.intent("thanks")
async def thanks(ctx: Context) -> Reply:
    return Reply(texts.THANKS)


# Holds -------------------------------------------------------------------------------------------


@router.intent("my_holds")
async def my_holds(ctx: Context) -> Reply:
    """«мои брони», «брони дочки»: each card's holds, ✖ to cancel one."""
    return await _holds(ctx)


@router.intent("cancel_hold")
async def cancel_asked(ctx: Context) -> Reply:
    """«отмени бронь на дубровского» cancels that hold; «не нужна книга» asks which (✖)."""
    cards = ctx.actor.cards + ctx.actor.children
    if not cards:
        return Reply(texts.MY_BOOKS_NOT_LINKED)
    holds = await active_holds(ctx.session, [card.reader_id for card in cards])
    if not holds:
        return Reply(texts.CANCEL_HOLD_NONE)
    query = ctx.args.get("query", "").strip()
    if query:
        best = max(holds, key=lambda hold: title_likeness(query, hold.title, hold.authors))
        if title_likeness(query, best.title, best.authors) >= TITLE_MATCH:
            await cancel_hold(ctx.circulation, best.hold_id)
            return Reply(say(texts.HOLD_CANCELLED, title=best.title))
        return await _holds(ctx, prefix=say(texts.CANCEL_HOLD_NO_MATCH, query=query))
    return await _holds(ctx, prefix=texts.CANCEL_HOLD_WHICH)


@router.action("hold.cancel_listed")
async def cancel_pressed(ctx: Context) -> Reply:
    """✖ under the list of holds: cancel_hold checks again that the hold is this person's own
    (or their child's); then the list as it is now."""
    hold = await cancel_hold(ctx.circulation, int(ctx.args["hold"]))
    title = await title_of(ctx.session, hold.record_id)
    return await _holds(ctx, prefix=say(texts.HOLD_CANCELLED, title=title), edit=True)


async def _holds(ctx: Context, prefix: str = "", edit: bool = False) -> Reply:
    cards = ctx.actor.cards + ctx.actor.children
    if not cards:
        return Reply(texts.MY_BOOKS_NOT_LINKED)
    holds = await active_holds(ctx.session, [card.reader_id for card in cards])
    blocks = [prefix] if prefix else []
    buttons: list[Button] = []
    n = 0
    for card in cards:
        mine: list[HoldView] = [h for h in holds if h.reader_id == card.reader_id]
        name = given_name(card.full_name)
        if not mine:
            blocks.append(say(texts.MY_HOLDS_CARD_NONE, name=name))
            continue
        lines = [say(texts.MY_HOLDS_CARD, name=name, n=len(mine))]
        for hold in mine:
            n += 1
            lines.append(f"📌{n}. " + hold_line(ctx, hold))
            if len(buttons) < MAX_BUTTONS:  # the rest by «отмени бронь на …»
                label = say(texts.BUTTON_CANCEL_HOLD_N, n=n)
                buttons.append(ctx.button(label, "hold.cancel_listed", hold=hold.hold_id))
        blocks.append("\n".join(lines))
    if buttons:
        blocks.append(texts.MY_HOLDS_CANCEL_HINT)
    elif ctx.actor.cards:
        blocks.append(texts.MY_HOLDS_HOW)
    return Reply("\n\n".join(blocks), buttons=in_rows(buttons), edit=edit)


# How many books, renewing them all -------------------------------------------------------------


@router.intent("loan_count")
async def loan_count(ctx: Context) -> Reply:
    """«сколько у меня книг»: a number for each card, the overdue among them."""
    cards = ctx.actor.cards + ctx.actor.children
    if not cards:
        return Reply(texts.MY_BOOKS_NOT_LINKED)
    loans = await loans_of(ctx.session, [card.reader_id for card in cards])
    lines = []
    for card in cards:
        mine = [loan for loan in loans if loan.reader_id == card.reader_id]
        late_n = sum(1 for loan in mine if ctx.local(loan.due_at).date() < ctx.today)
        late = ""
        if late_n:
            late = say(
                texts.LOAN_COUNT_ALL_LATE if late_n == len(mine) else texts.LOAN_COUNT_LATE,
                n=late_n,
            )
        if ctx.actor.own_card(card.reader_id):
            line = (
                say(texts.LOAN_COUNT_OWN, n=len(mine), late=late)
                if mine
                else texts.LOAN_COUNT_OWN_NONE
            )
        else:
            name = given_name(card.full_name)
            line = (
                say(texts.LOAN_COUNT_CHILD, name=name, n=len(mine), late=late)
                if mine
                else say(texts.LOAN_COUNT_CHILD_NONE, name=name)
            )
        lines.append(line)
    buttons = [[ctx.button(texts.BUTTON_MY_BOOKS, "books.show")]] if loans else []
    return Reply("\n".join(lines), buttons=buttons)


@router.action("books.show")
async def books_pressed(ctx: Context) -> Reply:
    return await my_books(ctx)


@router.intent("renew_all")
async def renew_all(ctx: Context) -> Reply:
    """«продли всё»: renews every book that may be renewed now and, in the same reply, says
    which could not be and why (each reason once)."""
    cards = ctx.actor.cards + ctx.actor.children
    if not cards:
        return Reply(texts.MY_BOOKS_NOT_LINKED)
    loans = await loans_of(ctx.session, [card.reader_id for card in cards])
    if not loans:
        return Reply(texts.RENEW_NOTHING)
    names = {card.reader_id: given_name(card.full_name) for card in cards}
    refusals = await renewal_refusals(ctx.circulation, [loan.loan_id for loan in loans])
    done: list[str] = []
    reasons: list[str] = []
    for loan in loans:
        who = say(texts.RENEW_ALL_WHO, name=names[loan.reader_id]) if len(cards) > 1 else ""
        refusal = refusals.get(loan.loan_id)
        if refusal is None:
            try:
                renewed = await renew(ctx.circulation, loan.loan_id)
            except Refused as changed:  # another chat got there between the look and now
                refusal = changed
            else:
                due = ctx.local(renewed.loan.due_at)
                done.append(say(texts.RENEW_ALL_LINE, who=who, title=loan.title, due=due))
                continue
        reason = say(texts.RENEW_ALL_REASON, who=who, reason=_refusal_text(ctx, refusal))
        if reason not in reasons:
            reasons.append(reason)
    blocks = []
    if done:
        blocks.append("\n".join([say(texts.RENEW_ALL_DONE, n=len(done)), *done]))
    if reasons:
        header = texts.RENEW_ALL_REFUSED if done else texts.RENEW_ALL_NONE
        blocks.append("\n".join([header, *reasons]))
    return Reply("\n\n".join(blocks))


def _refusal_text(ctx: Context, refusal: Refused) -> str:
    """A refusal in the words for whoever asked: a librarian's wording never reaches a reader
    (as in the dispatcher, which words the refusals it catches)."""
    if refusal.key in texts.STAFF_REFUSALS and not ctx.actor.librarian_of:
        return texts.REFUSED_NEUTRAL
    params = {
        key: ctx.local(value) if isinstance(value, datetime) else value
        for key, value in refusal.params.items()
    }
    return say(texts.REFUSALS[refusal.key], **params)


# The library's rules, the reading history ------------------------------------------------------


@router.intent("rules")
async def rules(ctx: Context) -> Reply:
    """«сколько можно держать книгу»: a librarian gets /rules; a reader, in sentences, the rules
    of their own school; a parent, those of each child's school."""
    desk = desk_of(ctx.actor)
    if desk is not None:
        ctx.desk_id = desk
        return await show_rules(ctx)
    libraries = list(
        dict.fromkeys(card.library_id for card in ctx.actor.cards + ctx.actor.children)
    )
    if not libraries:
        return Reply(texts.READER_RULES_NOT_LINKED)
    return Reply("\n\n".join([await _rules_told(ctx, library_id) for library_id in libraries]))


async def _rules_told(ctx: Context, library_id: int) -> str:
    library = await ctx.session.get(Library, library_id)
    assert library is not None
    loan_rules = await library_rules(ctx.session, library_id)
    lines = [say(texts.READER_RULES_HEADER, library=library.short_name)]
    lines += [_rule_told(rule) for rule in loan_rules]
    default = next((rule for rule in loan_rules if rule.kind == "*"), None)
    if default is not None:
        lines.append(say(texts.READER_RULES_SHELF, days=default.hold_shelf_days))
    lines.append(texts.READER_RULES_APPROVAL[library.approval_mode.value])
    lines.append(say(texts.READER_RULES_OPEN, weekdays=weekdays_text(library.open_weekdays)))
    upcoming = await closed_days(ctx.session, library_id, local_today(library, ctx.now))
    if upcoming:
        days = ", ".join(format_date(day.day) for day in upcoming[:CLOSED_SHOWN])
        lines.append(say(texts.READER_RULES_CLOSED, days=days))
    return "\n".join(lines)


def _rule_told(rule: LoanRule) -> str:
    """«Книги выдаются на 14 дней, на руках — не больше 5. Продлить можно 2 раза, …»"""
    kind = texts.READER_RULES_KIND.get(rule.kind, texts.READER_RULES_KIND["*"])
    loan = texts.READER_RULES_LOAN_YEAR if rule.until_school_year_end else texts.READER_RULES_LOAN
    text = say(loan, kind=kind, days=rule.loan_days, max_items=rule.max_items)
    if rule.max_renewals == 0:
        return text + texts.READER_RULES_RENEW_NEVER
    late = rule.max_overdue_days_to_renew
    renewals = texts.READER_RULES_RENEW_LATE if late else texts.READER_RULES_RENEW
    return text + say(renewals, n=rule.max_renewals, late=late)


@router.intent("reading_history")
async def reading_history(ctx: Context) -> Reply:
    """«что я читал» is /history; «что читает сын» — a child's history only where the child
    turned it on; of the others the parent is told that only the child can."""
    reply = await history(ctx)
    children = ctx.actor.children
    if not children:
        return reply
    chosen = await history_settings(ctx.session, [card.reader_id for card in children])
    off = [chosen[card.reader_id] for card in children if not chosen[card.reader_id].history_opt_in]
    notes = [say(texts.HISTORY_CHILD_OFF, child=person(reader)) for reader in off]
    if not notes:
        return reply
    if not ctx.actor.cards and len(off) == len(children):
        return Reply("\n\n".join(notes))
    reply.text = "\n\n".join([reply.text, *notes])
    return reply
