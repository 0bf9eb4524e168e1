"""Reports from chat, for people who would rather look than read.

/report (and «отчёт», «отчёт за четверть», «статистика за год»): a librarian gets their
library's report for a period — a short summary in the message (the counts, the four
statutory ratios with their formulas, the overdue, the titles asked for most), four charts as
pictures (loans by month, the most wanted titles, the overdue by class, the textbook coverage
by class) and the whole spreadsheet (xlsx: a sheet per table, formulas shown, ОО-2 section 2.6
and the summary register). The period is read from the words after the command; with none,
the school year so far.

/stats (and /report from a methodologist who is no librarian): the network's figures per
school and in total — counts and school names only, never a reader — with a chart comparing
the schools, the network's loans by month and the spreadsheet.

/report_weekly да|нет: the weekly digest (jobs/reports.py) on or off.

Every figure comes from db.indicators and db.fund through db.reports; nothing is counted here,
and nothing drawn. A report takes a second or more to gather and draw, too long to hold the
event's write transaction (on SQLite, every other chat's write waits for it) and too long to
leave the person looking at silence. So the event only checks the period and the person's
right, audits the request and queues it (db.reports `request_report`), and the person gets
«⏳ Готовлю отчёт…» at once; the outbox gathers and draws the report and sends it as the next
message (jobs/reports.py `compose_report`, messages/report_message.py), to the same chat,
checking again that the person still is the library's librarian or the network's
methodologist. A queued request survives a restart: it is an outbox row like any notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from db.access import AccessDenied
from db.models import Library, Network
from db.reports import ReportRequest, request_report, set_weekly_digest, weekly_digest_on
from handlers.catalog import search
from handlers.context import Context, desk_of
from handlers.router import LIBRARIAN, Router
from messages import texts
from messages.i18n import say

# The CLI (bot/report_cli.py) draws with these, as the outbox does.
from messages.report_message import library_files as library_files
from messages.report_message import network_files as network_files
from messages.types import Reply

router = Router("reports")

# Words a period may be said with, besides the years (and what the intent's frame allows).
PERIOD_STEMS = (
    "прошл", "эт", "текущ", "учебн", "год", "четверт", "месяц", "недел", "последн",
    "мо", "наш", "библиотек", "школ", "сет", "район", "покаж", "показ",
)  # fmt: skip
SCHOOL_YEAR_STARTS = 9  # September
# The school quarters as most schools keep them (a school's own dates differ by days):
# (first month, last month) — September–October, November–December, January–March, April–May;
# the summer belongs to the fourth.
QUARTERS = ((9, 10), (11, 12), (1, 3), (4, 5))


# The period ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date


def school_year_start(today: date) -> date:
    year = today.year if today.month >= SCHOOL_YEAR_STARTS else today.year - 1
    return date(year, SCHOOL_YEAR_STARTS, 1)


def period_from_words(words: str, today: date) -> Period | None:
    """The period a librarian asked for, in their words, up to today; None if not understood.

    «» or «за учебный год» — the school year so far; «за год» — the twelve months to today;
    «за 2026 год» — that calendar year (so far, if it is this one); «за четверть» — this
    quarter so far, «за прошлую четверть» — the one before, whole; «за месяц» — this month so
    far, «за прошлый месяц» — the one before; «за неделю» — the seven days to today."""
    text = re.sub(r"[^\w\s]", " ", words.lower().replace("ё", "е"))
    said = set(text.split()) - {"за", "по", "в", "отчет", "статистика", "статистику"}
    past = any(w.startswith("прошл") for w in said)
    years = [int(w) for w in said if re.fullmatch(r"20\d\d", w)]
    kinds = {
        kind
        for w in said
        for stem, kind in (
            ("учебн", "school"),
            ("год", "year"),
            ("четверт", "quarter"),
            ("месяц", "month"),
            ("недел", "week"),
        )
        if w.startswith(stem)
    }
    known = {w for w in said if w.startswith(PERIOD_STEMS)}
    if said - known - {str(y) for y in years}:
        return None
    if years:
        return _calendar_year(years[0], today) if len(years) == 1 and not past else None
    if "school" in kinds or not kinds:
        start = school_year_start(today)
        return (
            Period(date(start.year - 1, 9, 1), start - timedelta(days=1))
            if past
            else Period(start, today)
        )
    if "quarter" in kinds:
        return _quarter(today, past)
    if "month" in kinds:
        first = today.replace(day=1)
        if past:
            last = first - timedelta(days=1)
            return Period(last.replace(day=1), last)
        return Period(first, today)
    if "week" in kinds:
        return Period(today - timedelta(days=6), today)
    if past:
        return _calendar_year(today.year - 1, today)
    return Period(_year_before(today) + timedelta(days=1), today)


def _calendar_year(year: int, today: date) -> Period | None:
    if year > today.year:
        return None
    return Period(date(year, 1, 1), min(date(year, 12, 31), today))


def _year_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def _quarter(today: date, past: bool) -> Period:
    """This school quarter so far (in the summer: the fourth, whole), or the one before, whole."""
    year = school_year_start(today).year
    quarters = [
        (date(year + (first < SCHOOL_YEAR_STARTS), first, 1), _month_end(year, first, last))
        for first, last in QUARTERS
    ]
    index = next((n for n, (s, e) in enumerate(quarters) if s <= today <= e), len(quarters) - 1)
    if past and index == 0:  # before the first: the fourth of the year before
        start, end = quarters[-1]
        return Period(start.replace(year=start.year - 1), end.replace(year=end.year - 1))
    start, end = quarters[index - 1 if past else index]
    return Period(start, min(end, today))


def _month_end(school_year: int, first: int, last: int) -> date:
    """The last day of the quarter's last month."""
    year = school_year + (first < SCHOOL_YEAR_STARTS)
    return (date(year, last, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


# /report, /stats --------------------------------------------------------------------------


@router.command("report", menus=(LIBRARIAN,))
async def report(ctx: Context) -> Reply | list[Reply]:
    """A librarian's library report; a methodologist who is no librarian gets the network's."""
    if desk_of(ctx.actor) is None and ctx.actor.admin_of:
        return await _network(ctx, ctx.text)
    return await _library(ctx, ctx.text)


@router.command("stats")
async def stats(ctx: Context) -> Reply | list[Reply]:
    """The network's report for its methodologist; a librarian's /stats is their /report."""
    if ctx.actor.admin_of or not ctx.actor.librarian_of:
        return await _network(ctx, ctx.text)
    return await _library(ctx, ctx.text)


@router.intent("report")
async def report_asked(ctx: Context) -> Reply | list[Reply]:
    """«отчёт за четверть», «статистика»: a report for staff; anyone else, or words that name
    no period («отчёт о путешествии»), search the catalog as typed."""
    words = ctx.args.get("query", "")
    staff = ctx.actor.librarian_of or ctx.actor.admin_of
    if not staff or period_from_words(words, ctx.today) is None:
        ctx.args = {"query": ctx.text}
        return await search(ctx)
    if desk_of(ctx.actor) is None:
        return await _network(ctx, words)
    return await _library(ctx, words)


async def _library(ctx: Context, words: str) -> Reply | list[Reply]:
    library_id = desk_of(ctx.actor)
    if library_id is None:
        raise AccessDenied("report.library")
    period = period_from_words(words, ctx.today)
    if period is None:
        return Reply(say(texts.REPORT_BAD_PERIOD, typed=words.strip()))
    library = await ctx.session.get(Library, library_id)
    assert library is not None
    shown = {"library": library.short_name, "start": period.start, "end": period.end}
    request = ReportRequest(period.start, period.end, library_id=library_id)
    header = say(texts.REPORT_HEADER, **shown)
    await request_report(ctx.session, ctx.actor, request, header, ctx.now)
    ctx.audit("report.library", library_id=library_id, start=str(period.start), end=str(period.end))
    return Reply(say(texts.REPORT_PREPARING, **shown))


async def _network(ctx: Context, words: str) -> Reply | list[Reply]:
    if not ctx.actor.admin_of:
        raise AccessDenied("report.network")
    network_id = min(ctx.actor.admin_of)
    period = period_from_words(words, ctx.today)
    if period is None:
        return Reply(say(texts.REPORT_BAD_PERIOD, typed=words.strip()))
    network = await ctx.session.get(Network, network_id)
    assert network is not None
    shown = {"network": network.name, "start": period.start, "end": period.end}
    request = ReportRequest(period.start, period.end, network_id=network_id)
    header = say(texts.REPORT_NETWORK_HEADER, **shown)
    await request_report(ctx.session, ctx.actor, request, header, ctx.now)
    ctx.audit("report.network", start=str(period.start), end=str(period.end), network=network_id)
    return Reply(say(texts.REPORT_PREPARING_NETWORK, **shown))


# The weekly digest ------------------------------------------------------------------------


@router.command("report_weekly", menus=(LIBRARIAN,))
async def report_weekly(ctx: Context) -> Reply:
    """/report_weekly да|нет: the Monday digest on or off; with neither word, whether it is."""
    if not (ctx.actor.librarian_of or ctx.actor.admin_of) or ctx.actor.person_id is None:
        raise AccessDenied("report.weekly")
    answer = ctx.text.strip().lower()
    if answer in ("да", "вкл", "включить", "on"):
        await set_weekly_digest(ctx.session, ctx.actor, True, ctx.now)
        return Reply(texts.REPORT_WEEKLY_ON)
    if answer in ("нет", "выкл", "выключить", "off"):
        await set_weekly_digest(ctx.session, ctx.actor, False, ctx.now)
        return Reply(texts.REPORT_WEEKLY_OFF)
    on = await weekly_digest_on(ctx.session, ctx.actor.person_id)
    return Reply(say(texts.REPORT_WEEKLY_USAGE, on=str(on)))
