"""A library's loan rules, seen and changed by its librarian: /rules, /rule, /approval."""

from __future__ import annotations

from db.enums import ApprovalMode, RecordKind
from db.models import Library, LoanRule
from db.rules import DEFAULT_KIND, EDITABLE, library_rules, rule_for
from handlers import texts
from handlers.context import Context
from handlers.core import Reply
from handlers.i18n import say
from handlers.router import Router
from handlers.staff import desk_library

router = Router("rules")

KIND_WORDS = {"все": DEFAULT_KIND, "книги": DEFAULT_KIND, "учебники": RecordKind.TEXTBOOK.value}
FIELD_WORDS = {
    "дни": "loan_days",
    "максимум": "max_items",
    "продлений": "max_renewals",
    "полка": "hold_shelf_days",
    "просрочка": "max_overdue_days_to_renew",
}
MODE_WORDS = {"авто": ApprovalMode.AUTO, "вручную": ApprovalMode.MANUAL}


@router.command("rules")
async def show_rules(ctx: Context, prefix: str = "") -> Reply:
    library_id = desk_library(ctx, "rules.view")
    library = await ctx.session.get(Library, library_id)
    assert library is not None
    lines = [prefix] if prefix else []
    lines.append(
        say(
            texts.RULES_HEADER,
            library=library.short_name,
            mode=texts.RULES_MODE[library.approval_mode.value],
        )
    )
    for rule in await library_rules(ctx.session, library_id):
        days = (
            texts.RULES_YEAR_END
            if rule.until_school_year_end
            else say(texts.RULES_DAYS, n=rule.loan_days)
        )
        lines.append(
            say(
                texts.RULES_LINE,
                kind=texts.RULES_KIND.get(rule.kind, rule.kind),
                days=days,
                max_items=rule.max_items,
                max_renewals=rule.max_renewals,
                shelf=rule.hold_shelf_days,
                late=rule.max_overdue_days_to_renew,
            )
        )
    lines.append(texts.RULES_USAGE)
    return Reply("\n".join(lines))


@router.command("rule")
async def change_rule(ctx: Context) -> Reply:
    library_id = desk_library(ctx, "rules.edit")
    words = ctx.text.lower().split()
    if len(words) != 3 or words[0] not in KIND_WORDS or words[1] not in FIELD_WORDS:
        return Reply(texts.RULES_USAGE)
    kind, field = KIND_WORDS[words[0]], FIELD_WORDS[words[1]]
    low, high = EDITABLE[field]
    if not words[2].isdigit() or not low <= int(words[2]) <= high:
        return Reply(say(texts.RULES_BAD_VALUE, field=words[1], low=low, high=high))
    rule = await rule_for(ctx.session, library_id, kind)
    if rule.kind != kind or rule.id is None:  # the library had no rule of its own for this kind
        rule = LoanRule(
            library_id=library_id,
            kind=kind,
            loan_days=rule.loan_days,
            until_school_year_end=rule.until_school_year_end,
            max_items=rule.max_items,
            max_renewals=rule.max_renewals,
            hold_shelf_days=rule.hold_shelf_days,
            max_overdue_days_to_renew=rule.max_overdue_days_to_renew,
        )
        ctx.session.add(rule)
    setattr(rule, field, int(words[2]))
    if field == "loan_days":
        rule.until_school_year_end = False
    ctx.audit("rules.edit", library_id=library_id, kind=kind, field=field, value=int(words[2]))
    return await show_rules(
        ctx, prefix=say(texts.RULES_CHANGED, kind=words[0], field=words[1], value=words[2])
    )


@router.command("approval")
async def change_approval(ctx: Context) -> Reply:
    library_id = desk_library(ctx, "rules.edit")
    mode = MODE_WORDS.get(ctx.text.strip().lower())
    if mode is None:
        return Reply(texts.RULES_USAGE)
    library = await ctx.session.get(Library, library_id)
    assert library is not None
    library.approval_mode = mode
    ctx.audit("rules.approval", library_id=library_id, mode=mode.value)
    return await show_rules(
        ctx, prefix=say(texts.APPROVAL_CHANGED, mode=texts.RULES_MODE[mode.value])
    )
