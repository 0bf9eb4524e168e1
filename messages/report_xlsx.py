"""The report as a spreadsheet (xlsx, openpyxl): a sheet per table, formulas shown.

Sheets: «Показатели» (the counts, then each ratio as an Excel formula over the cells of its
counts — читаемость is =B9/B5, so whoever opens it sees how it was made — with the formula in
words beside it), «Выдачи по месяцам», «Спрос», «Задолженность по классам», «Обеспеченность
учебниками» (each share a formula: has it ÷ students), «ОО-2 2.6», «КСУ ч.1» (receipts), «КСУ
ч.2» (write-offs), «КСУ ч.3» (totals: the end of the year is a formula over the start, the
received and the written off). A network's workbook has «Показатели» per school and total,
and its loans by month. No cell holds a reader's name: classes and counts only.

The counts are the db layer's (db.indicators, db.fund); formulas only divide and add them, so
a spreadsheet program shows the same ratios the chat does. The same report gives the same
bytes: the workbook's dates are the period's end, not the moment of writing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from db.enums import FundKind
from db.fund import Oo2Row, SummaryRegister
from db.indicators import Indicators
from db.reports import LibraryReport, NetworkReport
from messages import texts
from messages.i18n import say

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE6EE")
RATIO = "0.00"
SHARE = "0%"
TITLE_ROWS = 3  # the library, the period, a blank line; tables start below
KINDS = tuple(FundKind)


def library_workbook(report: LibraryReport) -> bytes:
    """A library's report as xlsx bytes."""
    book = Workbook()
    heading = (report.library_name, _period(report))
    _indicators_sheet(book.active, heading, [(None, report.figures)])
    _months_sheet(book.create_sheet(texts.XLSX_SHEET_MONTHS), heading, report.months)
    _wanted_sheet(book.create_sheet(texts.XLSX_SHEET_WANTED), heading, report.wanted)
    _overdue_sheet(book.create_sheet(texts.XLSX_SHEET_OVERDUE), heading, report.overdue)
    _coverage_sheet(book.create_sheet(texts.XLSX_SHEET_COVERAGE), heading, report.coverage)
    year = (report.library_name, say(texts.XLSX_YEAR, year=report.end.year))
    if report.oo2 is not None:
        _oo2_sheet(book.create_sheet(texts.XLSX_SHEET_OO2), year, report.oo2)
    if report.register is not None:
        _register_sheets(book, year, report.register)
    return _saved(book, report.end)


def network_workbook(report: NetworkReport) -> bytes:
    """A network's report as xlsx bytes: per school and total, no reader anywhere."""
    book = Workbook()
    heading = (report.network_name, _period(report))
    rows = [(school.school or texts.XLSX_TOTAL, school.figures) for school in report.schools]
    _indicators_sheet(book.active, heading, rows)
    _months_sheet(book.create_sheet(texts.XLSX_SHEET_MONTHS), heading, report.months)
    return _saved(book, report.end)


# Показатели --------------------------------------------------------------------------------

# The counts' rows (below the column heads), then the ratios' rows as formulas over them.
COUNTS = ("readers", "desk_visits", "event_visitors", "visits", "loans", "fund")
RATIOS = (  # figure, its top count, its bottom count
    ("reading", "loans", "readers"),
    ("attendance", "visits", "readers"),
    ("turnover", "loans", "fund"),
    ("supply", "fund", "readers"),
)


def _indicators_sheet(
    sheet: Worksheet, heading: tuple[str, str], columns: Sequence[tuple[str | None, Indicators]]
) -> None:
    """Counts in rows, a column per school (or one column for a library); then each ratio as
    a formula over the counts' cells, and the formula in words in the last column."""
    sheet.title = texts.XLSX_SHEET_INDICATORS
    _heading(sheet, heading)
    head = TITLE_ROWS + 1
    names = [name or texts.XLSX_VALUE for name, _ in columns]
    _row(sheet, head, [texts.XLSX_INDICATOR, *names, texts.XLSX_FORMULA], bold=True, fill=True)
    where: dict[str, int] = {}
    for n, key in enumerate(COUNTS):
        row = head + 1 + n
        where[key] = row
        sheet.cell(row, 1, texts.XLSX_COUNTS[key])
    for c, (_, figures) in enumerate(columns, start=2):
        column = get_column_letter(c)
        for key in COUNTS:
            if key == "visits":  # a formula too: desk days + event visitors
                desk, events = where["desk_visits"], where["event_visitors"]
                value: Any = f"={column}{desk}+{column}{events}"
            else:
                value = getattr(figures, key)
            sheet.cell(where[key], c, value)
    sheet.cell(where["visits"], len(columns) + 2, texts.XLSX_VISITS_FORMULA)
    for n, (key, top, bottom) in enumerate(RATIOS):
        row = head + 1 + len(COUNTS) + n
        sheet.cell(row, 1, texts.INDICATOR_NAMES[key].capitalize()).font = BOLD
        for c in range(2, len(columns) + 2):
            column = get_column_letter(c)
            up, down = f"{column}{where[top]}", f"{column}{where[bottom]}"
            cell = sheet.cell(row, c, f'=IF({down}=0,"—",{up}/{down})')
            cell.number_format = RATIO
        words = say(
            texts.XLSX_RATIO_FORMULA,
            top=texts.INDICATOR_TERMS[top],
            bottom=texts.INDICATOR_TERMS[bottom],
        )
        sheet.cell(row, len(columns) + 2, words)
    note = head + 2 + len(COUNTS) + len(RATIOS)
    sheet.cell(note, 1, _textbooks_note(columns))
    _widths(sheet, [34, *[16] * len(columns), 30])
    sheet.freeze_panes = f"B{head + 1}"


def _textbooks_note(columns: Sequence[tuple[str | None, Indicators]]) -> str:
    ways = {figures.textbooks_in_fund for _, figures in columns}
    way = ways.pop() if len(ways) == 1 else None
    return texts.XLSX_TEXTBOOKS_NOTE.get(str(way), texts.XLSX_TEXTBOOKS_NOTE["None"])


# The tables --------------------------------------------------------------------------------


def _months_sheet(sheet: Worksheet, heading: tuple[str, str], rows: Sequence[Any]) -> None:
    """Loans by month over the twelve months ending with the period (its heading says so: a
    short period's own months would be a bar or two)."""
    if rows:
        first, last = (
            say(texts.XLSX_MONTH_NAME, month=row.month.month, year=row.month.year)
            for row in (rows[0], rows[-1])
        )
        months = say(texts.XLSX_MONTHS_SPAN, first=first, last=last)
        heading = (heading[0], months)
    _heading(sheet, heading)
    head = TITLE_ROWS + 1
    _row(sheet, head, [texts.XLSX_MONTH, texts.XLSX_LOANS], bold=True, fill=True)
    for n, row in enumerate(rows, start=head + 1):
        sheet.cell(n, 1, say(texts.XLSX_MONTH_NAME, month=row.month.month, year=row.month.year))
        sheet.cell(n, 2, row.loans)
    _total(sheet, head, len(rows), [2])
    _widths(sheet, [20, 12])


def _wanted_sheet(sheet: Worksheet, heading: tuple[str, str], rows: Sequence[Any]) -> None:
    _heading(sheet, heading)
    head = TITLE_ROWS + 1
    _row(sheet, head, ["№", texts.XLSX_TITLE, texts.XLSX_WANTED], bold=True, fill=True)
    for n, row in enumerate(rows, start=1):
        _row(sheet, head + n, [n, row.title, row.wanted])
    sheet.cell(head + len(rows) + 2, 1, texts.XLSX_WANTED_NOTE)
    _widths(sheet, [5, 50, 18])


def _overdue_sheet(sheet: Worksheet, heading: tuple[str, str], rows: Sequence[Any]) -> None:
    _heading(sheet, heading)
    head = TITLE_ROWS + 1
    heads = [texts.XLSX_CLASS, texts.XLSX_OVERDUE_READERS, texts.XLSX_OVERDUE_LOANS]
    _row(sheet, head, heads, bold=True, fill=True)
    for n, row in enumerate(rows, start=head + 1):
        _row(sheet, n, [row.class_name or texts.XLSX_NO_CLASS, row.readers, row.loans])
    _total(sheet, head, len(rows), [2, 3])
    _widths(sheet, [14, 18, 18])


def _coverage_sheet(sheet: Worksheet, heading: tuple[str, str], rows: Sequence[Any]) -> None:
    """A row per class and textbook: students with it, students, the share as a formula, and
    how the class's set was counted (the grade's declared list, or inferred from what was
    lent)."""
    _heading(sheet, heading)
    head = TITLE_ROWS + 1
    heads = [
        texts.XLSX_CLASS,
        texts.XLSX_TEXTBOOK,
        texts.XLSX_HOLDING,
        texts.XLSX_STUDENTS,
        texts.XLSX_SHARE,
        texts.XLSX_COVERAGE_COUNTED,
    ]
    _row(sheet, head, heads, bold=True, fill=True)
    for n, row in enumerate(rows, start=head + 1):
        _row(sheet, n, [row.class_name, row.subject, row.holding, row.students])
        sheet.cell(n, 5, f'=IF(D{n}=0,"—",C{n}/D{n})').number_format = SHARE
        counted = texts.XLSX_COVERAGE_DECLARED if row.declared else texts.XLSX_COVERAGE_INFERRED
        sheet.cell(n, 6, counted)
    _widths(sheet, [10, 44, 14, 14, 12, 20])


def _oo2_sheet(sheet: Worksheet, heading: tuple[str, str], rows: Sequence[Oo2Row]) -> None:
    """ОО-2 section 2.6: the whole fund, by kind, by medium; received, written off, held."""
    _heading(sheet, heading)
    head = TITLE_ROWS + 1
    heads = [texts.XLSX_OO2_ROW, texts.XLSX_RECEIVED, texts.XLSX_WRITTEN_OFF, texts.XLSX_HELD]
    _row(sheet, head, heads, bold=True, fill=True)
    for n, row in enumerate(rows, start=head + 1):
        if row.kind is not None:
            name = "  " + texts.XLSX_FUND_KINDS[row.kind.value]
        elif row.medium is not None:
            name = "  " + texts.XLSX_MEDIA[row.medium.value]
        else:
            name = texts.XLSX_WHOLE_FUND
        _row(sheet, n, [name, row.received, row.written_off, row.held])
    sheet.cell(head + len(rows) + 2, 1, texts.XLSX_OO2_NOTE)
    _widths(sheet, [40, 14, 14, 22])


def _register_sheets(book: Workbook, heading: tuple[str, str], register: SummaryRegister) -> None:
    """The summary register's three parts, each on its own sheet."""
    kinds = [k for k in KINDS if register.textbooks or k != FundKind.TEXTBOOK]
    kind_heads = [texts.XLSX_FUND_KINDS[k.value] for k in kinds]
    for title, lines, names, why_head in (
        (texts.XLSX_SHEET_REGISTER_1, register.receipts, texts.XLSX_SOURCES, texts.XLSX_SOURCE),
        (texts.XLSX_SHEET_REGISTER_2, register.write_offs, texts.XLSX_REASONS, texts.XLSX_REASON),
    ):
        sheet = book.create_sheet(title)
        _heading(sheet, heading)
        head = TITLE_ROWS + 1
        heads = ["№", texts.XLSX_DATE, texts.XLSX_DOCUMENT, why_head, *kind_heads, texts.XLSX_ALL]
        _row(sheet, head, heads, bold=True, fill=True)
        first, last_kind = get_column_letter(5), get_column_letter(4 + len(kinds))
        for n, line in enumerate(lines, start=1):
            row = head + n
            values = [n, line.on, line.document, names.get(line.why.value, line.why.value)]
            _row(sheet, row, [*values, *(line.by_kind.get(k, 0) for k in kinds)])
            sheet.cell(row, 2).number_format = "DD.MM.YYYY"
            sheet.cell(row, 5 + len(kinds), f"=SUM({first}{row}:{last_kind}{row})")
        _total(sheet, head, len(lines), range(5, 6 + len(kinds)))
        _widths(sheet, [5, 12, 14, 22, *[14] * len(kinds), 10])
    _register_totals(book.create_sheet(texts.XLSX_SHEET_REGISTER_3), heading, register, kinds)


def _register_totals(
    sheet: Worksheet, heading: tuple[str, str], register: SummaryRegister, kinds: list[FundKind]
) -> None:
    """Part 3: at the start of the year, received, written off; the end as a formula."""
    _heading(sheet, heading)
    head = TITLE_ROWS + 1
    kind_heads = [texts.XLSX_FUND_KINDS[k.value] for k in kinds]
    _row(sheet, head, ["", *kind_heads, texts.XLSX_ALL], bold=True, fill=True)
    totals = register.totals()
    last_kind = get_column_letter(1 + len(kinds))
    for n, key in enumerate(("start", "received", "written_off"), start=head + 1):
        _row(sheet, n, [texts.XLSX_REGISTER_ROWS[key], *(totals[key][k] for k in kinds)])
        sheet.cell(n, 2 + len(kinds), f"=SUM(B{n}:{last_kind}{n})")
    end = head + 4
    sheet.cell(end, 1, texts.XLSX_REGISTER_ROWS["end"]).font = BOLD
    for c in range(2, 3 + len(kinds)):
        column = get_column_letter(c)
        formula = f"={column}{head + 1}+{column}{head + 2}-{column}{head + 3}"
        sheet.cell(end, c, formula).font = BOLD
    sheet.cell(end + 2, 1, texts.XLSX_REGISTER_NOTE[str(register.textbooks)])
    _widths(sheet, [26, *[14] * len(kinds), 10])


# Cells -------------------------------------------------------------------------------------


def _period(report: LibraryReport | NetworkReport) -> str:
    return say(texts.XLSX_PERIOD, start=report.start, end=report.end)


def _heading(sheet: Worksheet, lines: tuple[str, str]) -> None:
    sheet.cell(1, 1, lines[0]).font = Font(bold=True, size=13)
    sheet.cell(2, 1, lines[1])


def _row(
    sheet: Worksheet, row: int, values: Iterable[Any], *, bold: bool = False, fill: bool = False
) -> None:
    for c, value in enumerate(values, start=1):
        cell = sheet.cell(row, c, value)
        if bold:
            cell.font = BOLD
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        if fill:
            cell.fill = HEAD_FILL


def _total(sheet: Worksheet, head: int, rows: int, columns: Iterable[int]) -> None:
    """A «Итого» row of SUM formulas under a table of `rows` rows."""
    row = head + rows + 1
    sheet.cell(row, 1, texts.XLSX_TOTAL).font = BOLD
    for c in columns:
        column = get_column_letter(c)
        formula = f"=SUM({column}{head + 1}:{column}{head + rows})" if rows else 0
        sheet.cell(row, c, formula).font = BOLD


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width


def _saved(book: Workbook, end: Any) -> bytes:
    """The workbook's bytes, dated the period's end (no clock read while writing it)."""
    stamp = datetime.combine(end, time(12), UTC).replace(tzinfo=None)
    book.properties.created = stamp
    book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
