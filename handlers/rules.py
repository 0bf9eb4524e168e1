"""A library's loan rules, seen and changed by its librarian: /rules, /rule, /approval, and
the days the library is closed: /closed, /open."""

from __future__ import annotations

import re
from datetime import date

from db.calendar import close_day, closed_days, parse_weekdays, reopen_day
from db.enums import ApprovalMode, RecordKind
from db.models import Library, LoanRule
from db.rules import DEFAULT_KIND, EDITABLE, library_rules, local_today, rule_for
from handlers.context import Context
from handlers.router import LIBRARIAN, Router
from handlers.staff import desk_library
from messages import texts
from messages.i18n import format_date, say
from messages.types import Reply
from nlu.normalize import ascii_int

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
# «/rule учебники дни год»: lent until the end of the school year again.
YEAR_WORDS = frozenset(
    {"год", "конец года", "до конца года", "конец учебного года", "до конца учебного года"}
)
DAY = re.compile(
    r"^(?P<day>\d{1,2})[./](?P<month>\d{1,2})(?:[./](?P<year>\d{4}|\d{2}))?$", re.ASCII
)
CLOSED_SHOWN = 20
# Each weekday: its two-letter short form, then the starts of its full name.
WEEKDAY_PREFIXES = (
    ("пн", "пон"),
    ("вт", "втор"),
    ("ср", "сред", "среду"),
    ("чт", "чет"),
    ("пт", "пят"),
    ("сб", "суб"),
    ("вс", "воск"),
)


@router.command("rules", menus=(LIBRARIAN,))
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
    lines.append(say(texts.RULES_CALENDAR, weekdays=weekdays_text(library.open_weekdays)))
    upcoming = await closed_days(ctx.session, library_id, local_today(library, ctx.now))
    if upcoming:
        days = ", ".join(format_date(d.day) for d in upcoming[:CLOSED_SHOWN])
        lines.append(say(texts.RULES_CALENDAR_CLOSED, days=days))
    lines.append(texts.RULES_USAGE)
    return Reply("\n".join(lines))


@router.command("rule")
async def change_rule(ctx: Context) -> Reply:
    library_id = desk_library(ctx, "rules.edit")
    words = ctx.text.lower().split()
    if len(words) < 3 or words[0] not in KIND_WORDS or words[1] not in FIELD_WORDS:
        return Reply(texts.RULES_USAGE)
    kind, field, value = KIND_WORDS[words[0]], FIELD_WORDS[words[1]], " ".join(words[2:])
    year_end = field == "loan_days" and value in YEAR_WORDS
    if not year_end:
        low, high = EDITABLE[field]
        if len(words) != 3:
            return Reply(texts.RULES_USAGE)
        number = ascii_int(value)
        if number is None or not low <= number <= high:
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
    if year_end:
        rule.until_school_year_end = True
        ctx.audit("rules.edit", library_id=library_id, kind=kind, field="until_school_year_end")
        shown = texts.RULES_YEAR_END
    else:
        setattr(rule, field, number)
        if field == "loan_days":  # a number of days replaces «до конца учебного года»
            rule.until_school_year_end = False
        ctx.audit("rules.edit", library_id=library_id, kind=kind, field=field, value=number)
        shown = value
    return await show_rules(
        ctx, prefix=say(texts.RULES_CHANGED, kind=words[0], field=words[1], value=shown)
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


# The days a library is closed ----------------------------------------------------------------


@router.command("closed", menus=(LIBRARIAN,))
async def closed(ctx: Context) -> Reply:
    """/closed — the library's own closed days; /closed 30.12 [note] — mark one."""
    words = ctx.text.split(maxsplit=1)
    library_id = desk_library(ctx, "calendar.edit" if words else "calendar.view")
    library = await ctx.session.get(Library, library_id)
    assert library is not None
    if not words:
        return Reply(await _closed_list(ctx, library))
    weekday = parse_weekday(words[0])
    if weekday is not None:
        return await _set_weekday(ctx, library, weekday, open_=False)
    today = local_today(library, ctx.now)
    day = parse_day(words[0], today)
    if day is None:
        return Reply(say(texts.CLOSED_BAD_DATE, text=words[0][:20]) + "\n" + texts.CLOSED_USAGE)
    if day < today:
        return Reply(say(texts.CLOSED_PAST, day=day))
    marked = await close_day(ctx.session, library_id, day, words[1] if len(words) > 1 else None)
    ctx.audit("calendar.close", library_id=library_id, day=day.isoformat(), note=marked.note)
    note = say(texts.CLOSED_NOTE, note=marked.note) if marked.note else ""
    done = say(texts.CLOSED_ADDED, day=day, note=note)
    return Reply(done + "\n\n" + await _closed_list(ctx, library))


@router.command("open")
async def reopen(ctx: Context) -> Reply:
    """/open 30.12 — the library works that day after all."""
    library_id = desk_library(ctx, "calendar.edit")
    library = await ctx.session.get(Library, library_id)
    assert library is not None
    words = ctx.text.split()
    if not words:
        return Reply(texts.CLOSED_USAGE)
    weekday = parse_weekday(words[0])
    if weekday is not None:
        return await _set_weekday(ctx, library, weekday, open_=True)
    day = parse_day(words[0], local_today(library, ctx.now))
    if day is None:
        return Reply(say(texts.CLOSED_BAD_DATE, text=words[0][:20]) + "\n" + texts.CLOSED_USAGE)
    if not await reopen_day(ctx.session, library_id, day):
        return Reply(say(texts.CLOSED_NOT_MARKED, day=day))
    ctx.audit("calendar.open", library_id=library_id, day=day.isoformat())
    return Reply(say(texts.CLOSED_REMOVED, day=day) + "\n\n" + await _closed_list(ctx, library))


async def _set_weekday(ctx: Context, library: Library, weekday: int, *, open_: bool) -> Reply:
    """/closed сб, /open сб: the library's working week (a six-day school opens on Saturdays)."""
    days = set(parse_weekdays(library.open_weekdays))
    if open_:
        days.add(weekday)
    else:
        days.discard(weekday)
    if not days:
        return Reply(texts.WEEKDAY_LAST_OPEN)
    library.open_weekdays = "".join(str(d) for d in sorted(days))
    ctx.audit("calendar.weekdays", library_id=library.id, open_weekdays=library.open_weekdays)
    template = texts.WEEKDAY_OPENED if open_ else texts.WEEKDAY_CLOSED
    return Reply(
        say(
            template,
            weekday=texts.WEEKDAYS_DATIVE[weekday - 1],
            weekdays=weekdays_text(library.open_weekdays),
        )
    )


def parse_weekday(word: str) -> int | None:
    """«сб», «суббота», «субботам», «Сб.» → 6 (ISO weekday); None if it is not a weekday."""
    word = word.lower().replace("ё", "е").rstrip(".")
    for number, prefixes in enumerate(WEEKDAY_PREFIXES, start=1):
        if word in prefixes[:1] or (len(word) >= 3 and word.startswith(prefixes[1:])):
            return number
    return None


async def _closed_list(ctx: Context, library: Library) -> str:
    upcoming = await closed_days(ctx.session, library.id, local_today(library, ctx.now))
    if not upcoming:
        return say(texts.CLOSED_NONE, library=library.short_name) + "\n" + texts.CLOSED_USAGE
    lines = [say(texts.CLOSED_HEADER, library=library.short_name)]
    for closed_day in upcoming[:CLOSED_SHOWN]:
        note = say(texts.CLOSED_NOTE, note=closed_day.note) if closed_day.note else ""
        lines.append(say(texts.CLOSED_LINE, day=closed_day.day, note=note))
    lines.append(texts.CLOSED_USAGE)
    return "\n".join(lines)


def parse_day(text: str, today: date) -> date | None:
    """«30.12» (the next 30 December from today), «30.12.2026», «30.12.26»; None if not a day."""
    match = DAY.match(text.strip())
    if match is None:
        return None
    day, month = int(match["day"]), int(match["month"])
    if match["year"]:
        year = int(match["year"])
        years = [year + 2000 if year < 100 else year]
    else:
        years = [today.year, today.year + 1]
    for year in years:
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if match["year"] or found >= today:
            return found
    return None


def weekdays_text(open_weekdays: str) -> str:
    """«12345» → «пн–пт», «135» → «пн, ср, пт», all seven → «каждый день»."""
    days = sorted(parse_weekdays(open_weekdays))
    if len(days) == 7:
        return texts.WEEKDAYS_EVERY_DAY
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    names = texts.WEEKDAYS_SHORT
    return ", ".join(
        f"{names[run[0] - 1]}–{names[run[-1] - 1]}"
        if len(run) > 2
        else ", ".join(names[d - 1] for d in run)
        for run in runs
    )
