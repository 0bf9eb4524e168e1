"""A report as the person gets it: the summary in the message, the charts and the spreadsheet.

Used wherever a report is made into a message or files: the outbox, which draws a report a
librarian asked for in chat once the request is queued (jobs/reports.py `compose_report`), and
the CLI (bot/report_cli.py). The figures come ready from db.reports; nothing is counted here.
`library_files` and `network_files` draw for about a second: run them in a worker thread,
never inside a write transaction.
"""

from __future__ import annotations

from datetime import date

from db.indicators import Indicators
from db.reports import LibraryReport, NetworkReport, coverage_by_class
from messages import report_charts, texts
from messages.i18n import say
from messages.indicators import formula, number
from messages.report_xlsx import library_workbook, network_workbook
from messages.types import OutFile

WANTED_IN_SUMMARY = 3


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
