"""The fund from chat: a delivery received (/receipt), an act of write-off (/writeoff), the
fund today (/fund) and whether it counts textbooks (/fund_textbooks да|нет).

A receipt: the date («сегодня» or «12.09.2026»; a button for today), where the books came from
(buttons), the document's number, the copies' inventory numbers or barcodes (ranges
«1001–1040» allowed); then a summary with «✅ Записать». A write-off: the act's date, the reason
(buttons), its number, the copies — for lost books with «1005 взамен: 2001» pairs, the new
copy received by the same act. Bad input is answered in Russian and the step stays as it was:
nothing typed before is lost. The copies are checked when typed and again when saved
(db/fund.py); every step is the librarian's (a staff-only router) and a saved receipt or act
is checked against the library its button names (a forged button is refused).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from db.enums import FundKind, Medium, ReceiptSource, WriteOffReason
from db.fund import (
    Planned,
    fund_at,
    plan_receipt,
    plan_write_off,
    record_receipt,
    record_write_off,
    set_textbooks_in_fund,
    without_receipt,
)
from handlers.context import Context
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.i18n import say
from messages.types import Reply

router = Router("fund", staff_only=True)

DOCUMENT_MAX = 60
TODAY_WORDS = frozenset({"сегодня", "today"})
NO_DOCUMENT = frozenset({"-", "—", "–", "нет", "без номера"})
_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?$")
RECEIPT_SOURCES = (
    ReceiptSource.PURCHASE,
    ReceiptSource.GIFT,
    ReceiptSource.TRANSFER,
    ReceiptSource.REPLACEMENT,
)


# Dates ---------------------------------------------------------------------------------------


def typed_day(text: str, today: date) -> date | None:
    """«сегодня», «12.09.2026», «12.09.26», or «12.09» (the last such day up to today)."""
    text = text.strip().lower()
    if text in TODAY_WORDS:
        return today
    found = _DATE.match(text)
    if found is None:
        return None
    day, month, year = found.groups()
    try:
        if year:
            return date(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
        guess = date(today.year, int(month), int(day))
    except ValueError:
        return None
    return guess if guess <= today else guess.replace(year=today.year - 1)


async def _day(ctx: Context) -> Reply | date:
    """The date typed, or what is wrong with it (the step stays)."""
    day = typed_day(ctx.text, ctx.today)
    if day is None:
        return Reply(say(texts.FUND_BAD_DATE, typed=ctx.text.strip()[:40]))
    if day > ctx.today:
        return Reply(say(texts.FUND_FUTURE_DATE, day=day, year=day.year))
    return day


def _today_button(ctx: Context, action: str) -> list[list[Any]]:
    return [[ctx.button(texts.BUTTON_FUND_TODAY, action, day=ctx.today.isoformat())]]


# A receipt -----------------------------------------------------------------------------------


@router.command("receipt", menus=(LIBRARIAN,), audited_as="fund.receipt")
async def receipt(ctx: Context) -> Reply:
    """/receipt — when the books came (a date may follow the command)."""
    if ctx.text.strip():
        return await receipt_date_typed(ctx)
    await ctx.expect("fund.receipt_date")
    return Reply(texts.FUND_ASK_RECEIPT_DATE, buttons=_today_button(ctx, "fund.receipt_day"))


@router.state("fund.receipt_date", audited_as="fund.receipt")
async def receipt_date_typed(ctx: Context) -> Reply:
    day = await _day(ctx)
    if isinstance(day, Reply):
        await ctx.expect("fund.receipt_date")
        return day
    return await _ask_source(ctx, day)


@router.action("fund.receipt_day", audited_as="fund.receipt")
async def receipt_today_pressed(ctx: Context) -> Reply:
    return await _ask_source(ctx, date.fromisoformat(str(ctx.args["day"])))


async def _ask_source(ctx: Context, day: date) -> Reply:
    await ctx.forget_expectation()
    buttons = [
        [ctx.button(texts.FUND_SOURCES[s], "fund.receipt_source", day=day.isoformat(), source=s)]
        for s in RECEIPT_SOURCES
    ]
    return Reply(say(texts.FUND_ASK_SOURCE, day=day, year=day.year), buttons=buttons)


@router.action("fund.receipt_source", audited_as="fund.receipt")
async def source_pressed(ctx: Context) -> Reply:
    source = ReceiptSource(str(ctx.args["source"]))
    await ctx.expect("fund.receipt_document", day=str(ctx.args["day"]), source=source.value)
    return Reply(texts.FUND_ASK_RECEIPT_DOCUMENT)


@router.state("fund.receipt_document", audited_as="fund.receipt")
async def receipt_document_typed(ctx: Context) -> Reply:
    document = _document(ctx.text)
    if document is None:
        return Reply(say(texts.FUND_DOCUMENT_TOO_LONG, max=DOCUMENT_MAX))
    await ctx.expect("fund.receipt_copies", **ctx.state_data, document=document)
    return Reply(texts.FUND_ASK_RECEIPT_COPIES)


@router.state("fund.receipt_copies", audited_as="fund.receipt")
async def receipt_copies_typed(ctx: Context) -> Reply:
    """The copies, checked now (a refusal keeps the step); the summary with «✅ Записать»."""
    if not ctx.text.strip():
        return Reply(texts.FUND_NO_NUMBERS)
    planned = await plan_receipt(ctx.session, ctx.actor, ctx.desk, ctx.text)
    data = ctx.state_data
    day = date.fromisoformat(str(data["day"]))
    await ctx.forget_expectation()
    text = say(
        texts.FUND_RECEIPT_PREVIEW,
        day=day,
        year=day.year,
        source=texts.FUND_SOURCES[str(data["source"])],
        document=_document_shown(str(data["document"])),
        n=len(planned.item_ids),
        kinds=_kinds(planned),
    )
    save = ctx.button(
        texts.BUTTON_FUND_SAVE,
        "fund.receipt_save",
        library=ctx.desk,
        day=data["day"],
        source=data["source"],
        document=data["document"],
        items=list(planned.item_ids),
    )
    cancel = ctx.button(texts.BUTTON_FUND_CANCEL, "fund.cancel")
    return Reply(text, buttons=[[save, cancel]])


@router.action("fund.receipt_save", audited_as="fund.receipt")
async def receipt_save_pressed(ctx: Context) -> Reply:
    """Recorded for the library the button names, checked again (db.fund)."""
    args = ctx.args
    day = date.fromisoformat(str(args["day"]))
    received = await record_receipt(
        ctx.session,
        ctx.actor,
        int(args["library"]),
        day,
        ReceiptSource(str(args["source"])),
        str(args["document"]),
        [int(i) for i in args["items"]],
    )
    text = say(
        texts.FUND_RECEIPT_SAVED,
        id=received.receipt.id,
        day=day,
        year=day.year,
        n=received.copies,
    )
    return Reply(text, edit=True)


@router.action("fund.cancel", audited_as="fund.receipt")
async def cancel_pressed(ctx: Context) -> Reply:
    await ctx.forget_expectation()
    return Reply(texts.FUND_CANCELLED, edit=True)


# A write-off ---------------------------------------------------------------------------------


@router.command("writeoff", menus=(LIBRARIAN,), audited_as="fund.write_off")
async def write_off(ctx: Context) -> Reply:
    """/writeoff — the act's date (a date may follow the command)."""
    if ctx.text.strip():
        return await write_off_date_typed(ctx)
    await ctx.expect("fund.write_off_date")
    return Reply(texts.FUND_ASK_WRITE_OFF_DATE, buttons=_today_button(ctx, "fund.write_off_day"))


@router.state("fund.write_off_date", audited_as="fund.write_off")
async def write_off_date_typed(ctx: Context) -> Reply:
    day = await _day(ctx)
    if isinstance(day, Reply):
        await ctx.expect("fund.write_off_date")
        return day
    return await _ask_reason(ctx, day)


@router.action("fund.write_off_day", audited_as="fund.write_off")
async def write_off_today_pressed(ctx: Context) -> Reply:
    return await _ask_reason(ctx, date.fromisoformat(str(ctx.args["day"])))


async def _ask_reason(ctx: Context, day: date) -> Reply:
    await ctx.forget_expectation()
    buttons = [
        [ctx.button(texts.FUND_REASONS[r], "fund.write_off_reason", day=day.isoformat(), reason=r)]
        for r in WriteOffReason
    ]
    return Reply(say(texts.FUND_ASK_REASON, day=day, year=day.year), buttons=buttons)


@router.action("fund.write_off_reason", audited_as="fund.write_off")
async def reason_pressed(ctx: Context) -> Reply:
    reason = WriteOffReason(str(ctx.args["reason"]))
    await ctx.expect("fund.write_off_document", day=str(ctx.args["day"]), reason=reason.value)
    return Reply(texts.FUND_ASK_ACT)


@router.state("fund.write_off_document", audited_as="fund.write_off")
async def act_typed(ctx: Context) -> Reply:
    document = _document(ctx.text)
    if document is None:
        return Reply(say(texts.FUND_DOCUMENT_TOO_LONG, max=DOCUMENT_MAX))
    await ctx.expect("fund.write_off_copies", **ctx.state_data, document=document)
    lost = ctx.state_data["reason"] == WriteOffReason.LOST.value
    return Reply(texts.FUND_ASK_LOST_COPIES if lost else texts.FUND_ASK_WRITE_OFF_COPIES)


@router.state("fund.write_off_copies", audited_as="fund.write_off")
async def write_off_copies_typed(ctx: Context) -> Reply:
    if not ctx.text.strip():
        return Reply(texts.FUND_NO_NUMBERS)
    data = ctx.state_data
    day = date.fromisoformat(str(data["day"]))
    reason = WriteOffReason(str(data["reason"]))
    planned = await plan_write_off(ctx.session, ctx.actor, ctx.desk, day, reason, ctx.text)
    await ctx.forget_expectation()
    on_loan = say(texts.FUND_WRITE_OFF_ON_LOAN, n=planned.on_loan) if planned.on_loan else ""
    replaced = planned.replacements
    text = say(
        texts.FUND_WRITE_OFF_PREVIEW,
        day=day,
        year=day.year,
        why=texts.FUND_REASONS[reason],
        document=_document_shown(str(data["document"])),
        n=len(planned.item_ids),
        kinds=_kinds(planned),
        on_loan=on_loan,
        replaced=say(texts.FUND_WRITE_OFF_REPLACED, n=len(replaced)) if replaced else "",
    )
    save = ctx.button(
        texts.BUTTON_FUND_SAVE,
        "fund.write_off_save",
        library=ctx.desk,
        day=data["day"],
        reason=reason.value,
        document=data["document"],
        items=list(planned.item_ids),
        replacements=[[lost, new] for lost, new in replaced.items()],
    )
    cancel = ctx.button(texts.BUTTON_FUND_CANCEL, "fund.cancel")
    return Reply(text, buttons=[[save, cancel]])


@router.action("fund.write_off_save", audited_as="fund.write_off")
async def write_off_save_pressed(ctx: Context) -> Reply:
    args = ctx.args
    day = date.fromisoformat(str(args["day"]))
    done = await record_write_off(
        ctx.session,
        ctx.actor,
        int(args["library"]),
        day,
        WriteOffReason(str(args["reason"])),
        str(args["document"]),
        [int(i) for i in args["items"]],
        {int(lost): int(new) for lost, new in args.get("replacements") or []},
    )
    closed = say(texts.FUND_SAVED_CLOSED, n=done.loans_closed) if done.loans_closed else ""
    replaced = say(texts.FUND_SAVED_REPLACED, n=done.replaced) if done.replaced else ""
    text = say(
        texts.FUND_WRITE_OFF_SAVED,
        id=done.act.id,
        day=day,
        year=day.year,
        n=done.copies,
        closed=closed,
        replaced=replaced,
    )
    return Reply(text, edit=True)


# The fund today ------------------------------------------------------------------------------


@router.command("fund", menus=(LIBRARIAN,), audited_as="fund.look")
async def fund(ctx: Context) -> Reply:
    """/fund — the fund at the end of today by kind and medium, which way textbooks count, and
    how many copies have no receipt yet."""
    today = ctx.today
    counted = await fund_at(ctx.session, ctx.desk, today)
    how = (
        texts.FUND_TODAY_WITH_TEXTBOOKS if counted.textbooks else texts.FUND_TODAY_WITHOUT_TEXTBOOKS
    )
    lines = [say(texts.FUND_TODAY, day=today, year=today.year, n=counted.total, how=how)]
    kinds = [
        say(texts.FUND_KIND_LINE, kind=texts.FUND_KINDS[k], n=counted.of_kind(k))
        for k in FundKind
        if counted.of_kind(k)
    ]
    lines += [f"• {line}" for line in kinds]
    media = [
        say(texts.FUND_KIND_LINE, kind=texts.FUND_MEDIA[m], n=counted.of_medium(m))
        for m in Medium
        if counted.of_medium(m)
    ]
    if media:
        lines.append(say(texts.FUND_TODAY_MEDIUM, media="; ".join(media)))
    if not counted.total:
        lines.append(texts.FUND_TODAY_EMPTY)
    missing = await without_receipt(ctx.session, ctx.desk)
    if missing:
        lines.append(say(texts.FUND_TODAY_NO_RECEIPT, n=missing))
    lines.append(texts.FUND_TEXTBOOKS_HINT)
    label = texts.BUTTON_FUND_TEXTBOOKS_OFF if counted.textbooks else texts.BUTTON_FUND_TEXTBOOKS_ON
    toggle = ctx.button(label, "fund.textbooks", counted=not counted.textbooks)
    return Reply("\n".join(lines), buttons=[[toggle]])


@router.command("fund_textbooks", audited_as="fund.textbooks")
async def fund_textbooks(ctx: Context) -> Reply:
    """/fund_textbooks да|нет — whether the fund's figures count textbooks."""
    answer = ctx.text.strip().lower()
    if answer not in ("да", "нет"):
        return Reply(texts.FUND_TEXTBOOKS_USAGE)
    return await _textbooks(ctx, answer == "да")


@router.action("fund.textbooks", audited_as="fund.textbooks")
async def textbooks_pressed(ctx: Context) -> Reply:
    return await _textbooks(ctx, bool(ctx.args["counted"]))


async def _textbooks(ctx: Context, counted: bool) -> Reply:
    await set_textbooks_in_fund(ctx.session, ctx.actor, ctx.desk, counted)
    return Reply(texts.FUND_TEXTBOOKS_ON if counted else texts.FUND_TEXTBOOKS_OFF)


# Words ---------------------------------------------------------------------------------------


def _document(typed: str) -> str | None:
    """The document's number as typed («-»: none), or None when empty or too long."""
    text = " ".join(typed.split())
    if not text:
        return None
    if text.lower() in NO_DOCUMENT:
        return ""
    return text if len(text) <= DOCUMENT_MAX else None


def _document_shown(document: str) -> str:
    return f"«{document}»" if document else texts.FUND_NO_DOCUMENT


def _kinds(planned: Planned) -> str:
    return ", ".join(
        say(texts.FUND_KIND_LINE, kind=texts.FUND_KINDS[kind], n=n)
        for kind, n in planned.by_kind.items()
    )
