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

Every figure comes from db.indicators and db.fund through db.reports; nothing is counted here.
The pictures and the spreadsheet are drawn in a worker thread (about a second for all of them),
so the event loop serves other chats meanwhile. The replies go out together when the event
ends: a «Готовлю отчёт…» sent first would need the transports to send before the commit,
which they do not, so there is none.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, timedelta

from db.access import AccessDenied
from db.indicators import Indicators
from db.models import Library, Network
from db.reports import (
    LibraryReport,
    NetworkReport,
    coverage_by_class,
    library_report,
    network_report,
    set_weekly_digest,
    weekly_digest_on,
)
from handlers.catalog import search
from handlers.context import Context, desk_of
from handlers.router import LIBRARIAN, Router
from messages import report_charts, texts
from messages.i18n import say
from messages.indicators import formula, number
from messages.report_xlsx import library_workbook, network_workbook
from messages.types import OutFile, Reply

router = Router("reports")

WANTED_IN_SUMMARY = 3
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
    found = await library_report(ctx.session, library_id, period.start, period.end, ctx.now)
    ctx.audit("report.library", library_id=library_id, start=str(period.start), end=str(period.end))
    library = await ctx.session.get(Library, library_id)
    assert library is not None
    files = await asyncio.to_thread(library_files, found, library.code)
    return Reply(library_summary(found), files=files)


async def _network(ctx: Context, words: str) -> Reply | list[Reply]:
    if not ctx.actor.admin_of:
        raise AccessDenied("report.network")
    network_id = min(ctx.actor.admin_of)
    period = period_from_words(words, ctx.today)
    if period is None:
        return Reply(say(texts.REPORT_BAD_PERIOD, typed=words.strip()))
    network = await ctx.session.get(Network, network_id)
    assert network is not None
    found = await network_report(ctx.session, network_id, period.start, period.end)
    ctx.audit("report.network", start=str(period.start), end=str(period.end), network=network_id)
    files = await asyncio.to_thread(network_files, found, network_id)
    return Reply(network_summary(found), files=files)


# The summaries -----------------------------------------------------------------------------


def library_summary(report: LibraryReport) -> str:
    """The message: the period, the counts, the four formulas, the overdue, the most wanted."""
    figures = report.figures
    lines = [
        say(texts.REPORT_HEADER, library=report.library_short, start=report.start, end=report.end),
        _counts(figures),
        "",
        *(formula(figure) for figure in figures.figures),
        "",
    ]
    if report.overdue_loans:
        readers = sum(row.readers for row in report.overdue)
        lines.append(say(texts.REPORT_OVERDUE, n=report.overdue_loans, readers=readers))
    else:
        lines.append(texts.REPORT_NO_OVERDUE)
    if report.wanted:
        titles = ", ".join(
            f"«{row.title}» ({row.wanted})" for row in report.wanted[:WANTED_IN_SUMMARY]
        )
        lines.append(say(texts.REPORT_WANTED, titles=titles))
    lines += ["", texts.REPORT_FILES]
    return "\n".join(lines)


def network_summary(report: NetworkReport) -> str:
    """Per school and the total: counts and ratios, school names, no reader anywhere."""
    lines = [
        say(
            texts.REPORT_NETWORK_HEADER,
            network=report.network_name,
            start=report.start,
            end=report.end,
        )
    ]
    for school in report.schools[:-1]:
        lines.append(say(texts.REPORT_SCHOOL_LINE, school=school.school, **_ratios(school.figures)))
    total = report.total
    lines += ["", say(texts.REPORT_TOTAL_LINE, fund=total.fund, **_ratios(total))]
    lines += ["", *(formula(figure) for figure in total.figures), "", texts.REPORT_FILES_NETWORK]
    return "\n".join(lines)


def _counts(figures: Indicators) -> str:
    return say(
        texts.REPORT_COUNTS,
        readers=figures.readers,
        visits=figures.visits,
        loans=figures.loans,
        fund=figures.fund,
    )


def _ratios(figures: Indicators) -> dict[str, object]:
    return {
        "readers": figures.readers,
        "loans": figures.loans,
        "reading": number(figures.reading.value),
        "attendance": number(figures.attendance.value),
    }


# The pictures and the spreadsheet (drawn in a worker thread) ------------------------------


def library_files(report: LibraryReport, code: str) -> list[OutFile]:
    subtitle = report.library_short
    period = _period_line(report.start, report.end)
    months = [(row.month, row.loans) for row in report.months]
    charts = [
        ("loans.png", report_charts.loans_by_month(months, subtitle)),
        (
            "wanted.png",
            report_charts.most_wanted(
                [(row.title, row.wanted) for row in report.wanted], f"{subtitle} · {period}"
            ),
        ),
        (
            "overdue.png",
            report_charts.overdue_by_class(
                [(row.class_name or texts.XLSX_NO_CLASS, row.loans) for row in report.overdue],
                subtitle,
            ),
        ),
        (
            "textbooks.png",
            report_charts.textbook_coverage(coverage_by_class(report.coverage), subtitle),
        ),
    ]
    name = f"report-{code}-{report.start:%Y-%m-%d}-{report.end:%Y-%m-%d}.xlsx"
    book = OutFile("document", name, library_workbook(report), texts.REPORT_XLSX_CAPTION)
    return [OutFile("photo", file_name, data) for file_name, data in charts] + [book]


def network_files(report: NetworkReport, network_id: int) -> list[OutFile]:
    period = _period_line(report.start, report.end)
    reading = [
        (school.school or "", school.figures.reading.value or 0.0) for school in report.schools[:-1]
    ]
    months = [(row.month, row.loans) for row in report.months]
    charts = [
        ("schools.png", report_charts.per_school(reading, texts.REPORT_CHART_SCHOOLS, period)),
        ("loans.png", report_charts.loans_by_month(months, report.network_name)),
    ]
    name = f"report-network-{network_id}-{report.start:%Y-%m-%d}-{report.end:%Y-%m-%d}.xlsx"
    book = OutFile("document", name, network_workbook(report), texts.REPORT_XLSX_CAPTION_NETWORK)
    return [OutFile("photo", file_name, data) for file_name, data in charts] + [book]


def _period_line(start: date, end: date) -> str:
    return say(texts.XLSX_PERIOD, start=start, end=end).split(": ", 1)[-1]


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
