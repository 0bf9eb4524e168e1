"""A library's loan rules, seen and changed by its librarian: /rules, /rule, /approval, and
the days the library is closed: /closed, /open."""

from __future__ import annotations

import re
from datetime import date

from db.calendar import closed_days, parse_weekdays
from db.enums import ApprovalMode, RecordKind
from db.models import Library
from db.rules import (
    DEFAULT_KIND,
    EDITABLE,
    change_rule,
    library_rules,
    local_today,
    mark_closed,
    mark_open,
    set_approval_mode,
    set_weekday_open,
)
from handlers.context import Context
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.i18n import format_date, say
from messages.types import Reply
from nlu.normalize import ascii_int

router = Router("rules", staff_only=True)

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


@router.command("rules", menus=(LIBRARIAN,), audited_as="rules.view")
async def show_rules(ctx: Context, prefix: str = "") -> Reply:
    library_id = ctx.desk
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


@router.command("rule", audited_as="rules.edit")
async def rule_command(ctx: Context) -> Reply:
    words = ctx.text.lower().split()
    if len(words) < 3 or words[0] not in KIND_WORDS or words[1] not in FIELD_WORDS:
        return Reply(texts.RULES_USAGE)
    kind, field, value = KIND_WORDS[words[0]], FIELD_WORDS[words[1]], " ".join(words[2:])
    year_end = field == "loan_days" and value in YEAR_WORDS
    number: int | None = None  # None: lent until the end of the school year
    if not year_end:
        low, high = EDITABLE[field]
        if len(words) != 3:
            return Reply(texts.RULES_USAGE)
        number = ascii_int(value)
        if number is None or not low <= number <= high:
            return Reply(say(texts.RULES_BAD_VALUE, field=words[1], low=low, high=high))
    await change_rule(ctx.session, ctx.actor, ctx.desk, kind, field, number)
    shown = texts.RULES_YEAR_END if year_end else value
    return await show_rules(
        ctx, prefix=say(texts.RULES_CHANGED, kind=words[0], field=words[1], value=shown)
    )


@router.command("approval", audited_as="rules.edit")
async def change_approval(ctx: Context) -> Reply:
    mode = MODE_WORDS.get(ctx.text.strip().lower())
    if mode is None:
        return Reply(texts.RULES_USAGE)
    await set_approval_mode(ctx.session, ctx.actor, ctx.desk, mode)
    return await show_rules(
        ctx, prefix=say(texts.APPROVAL_CHANGED, mode=texts.RULES_MODE[mode.value])
    )


# The days a library is closed ----------------------------------------------------------------


def _calendar_action(ctx: Context) -> str:
    return "calendar.edit" if ctx.text.split() else "calendar.view"


@router.command("closed", menus=(LIBRARIAN,), audited_as=_calendar_action)
async def closed(ctx: Context) -> Reply:
    """/closed — the library's own closed days; /closed 30.12 [note] — mark one."""
    words = ctx.text.split(maxsplit=1)
    library = await ctx.session.get(Library, ctx.desk)
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
    note = words[1] if len(words) > 1 else None
    marked = await mark_closed(ctx.session, ctx.actor, library.id, day, note)
    note = say(texts.CLOSED_NOTE, note=marked.note) if marked.note else ""
    done = say(texts.CLOSED_ADDED, day=day, note=note)
    return Reply(done + "\n\n" + await _closed_list(ctx, library))


@router.command("open", audited_as="calendar.edit")
async def reopen(ctx: Context) -> Reply:
    """/open 30.12 — the library works that day after all."""
    library = await ctx.session.get(Library, ctx.desk)
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
    if not await mark_open(ctx.session, ctx.actor, library.id, day):
        return Reply(say(texts.CLOSED_NOT_MARKED, day=day))
    return Reply(say(texts.CLOSED_REMOVED, day=day) + "\n\n" + await _closed_list(ctx, library))


async def _set_weekday(ctx: Context, library: Library, weekday: int, *, open_: bool) -> Reply:
    """/closed сб, /open сб: the library's working week (a six-day school opens on Saturdays)."""
    if await set_weekday_open(ctx.session, ctx.actor, library.id, weekday, open_) is None:
        return Reply(texts.WEEKDAY_LAST_OPEN)
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
