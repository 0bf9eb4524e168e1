"""Reports: the charts (PNG a phone shows), the spreadsheet (sheets, numbers, formulas), /report
for a librarian with a period in words, /stats for the methodologist (counts per school, no
reader's name anywhere), the weekly digest on Mondays, and the same report from the CLI.
In chat the report follows «⏳ Готовлю отчёт…» from the outbox (tests/test_report_progress.py
shows how); here it is read as the outbox sends it.

Every number a report shows is checked against a count written here in SQL on the demo
network's year of history."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select, text

from bot.console import ConsolePort
from db.engine import Database
from db.enums import FundKind, Medium, Messenger, ReceiptSource, WriteOffReason
from db.fund import Fund, Movement, Oo2Row, RegisterLine, SummaryRegister
from db.indicators import ClassOverdue, Coverage, Indicators, MonthLoans, Wanted
from db.models import AuditEntry, OutboxMessage, Reader, ReportDigest
from db.reports import LibraryReport, chart_start, coverage_by_class
from handlers.reports import Period, period_from_words
from jobs.outbox import deliver_due
from jobs.reports import weekly_round
from messages import report_charts
from messages.report_xlsx import library_workbook
from messages.types import Reply
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.test_cli import cli

TODAY = date(2026, 11, 16)  # FIXED_NOW's day: a Monday in the second quarter
MOSCOW = timedelta(hours=3)  # the demo schools' time zone, no summer time


# The charts --------------------------------------------------------------------------------


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def _inked(image: Image.Image) -> float:
    """The share of pixels that are not white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return 1 - sum(histogram[250:]) / (image.width * image.height)


MONTHS = [(date(2025 + (m > 12), (m - 1) % 12 + 1, 1), 10 + m) for m in range(12, 24)]

CHARTS = {
    "loans": lambda: report_charts.loans_by_month(MONTHS, "Школа №1"),
    "wanted": lambda: report_charts.most_wanted(
        [("Гарри Поттер и философский камень", 12), ("Капитанская дочка", 9), ("Му-му", 2)]
    ),
    "overdue": lambda: report_charts.overdue_by_class([("5А", 2), ("7Б", 5)], "Школа №1"),
    "textbooks": lambda: report_charts.textbook_coverage([("5А", 1.0, 0), ("7Б", 0.5, 1)]),
    "schools": lambda: report_charts.per_school([("Школа №1", 2.4), ("Гимназия №2", 1.1)], "Ч"),
}


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_a_chart_is_a_phone_sized_png_with_ink_on_it(name: str) -> None:
    png = CHARTS[name]()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = _image(png)
    assert image.size == (1080, 1350)
    assert 0.03 < _inked(image) < 0.7  # bars and words, not a blank page, not a black one
    assert len(png) < 400_000


@pytest.mark.parametrize(
    "empty",
    [
        lambda: report_charts.loans_by_month([(date(2026, 9, 1), 0)]),
        lambda: report_charts.most_wanted([]),
        lambda: report_charts.overdue_by_class([("7Б", 0)]),
        lambda: report_charts.textbook_coverage([]),
    ],
)
def test_a_chart_with_nothing_to_show_says_so_rather_than_coming_out_blank(empty) -> None:
    image = _image(empty())
    assert image.size == (1080, 1350)
    assert _inked(image) > 0.005  # the title and the words «Пока нет данных»


def test_the_bars_grow_with_the_numbers() -> None:
    """Twice the loans in every month: more ink in the bars' blue."""

    def blue(png: bytes) -> int:
        image = _image(png)
        pixels = np.asarray(image).reshape(-1, 3)
        return int((pixels == (0x1F, 0x4E, 0x79)).all(axis=1).sum())

    small = blue(report_charts.loans_by_month([(m, 5) for m, _ in MONTHS[:6]] + MONTHS[6:]))
    big = blue(report_charts.loans_by_month(MONTHS))
    assert big > small


def test_long_titles_are_shortened_in_two_lines() -> None:
    shown = report_charts.shortened("Приключения Тома Сойера и Гекльберри Финна в одной книге", 22)
    first, second = shown.split("\n")
    assert first == "Приключения Тома"
    assert second.endswith("…") and len(second) <= 22
    assert report_charts.shortened("Му-му", 22) == "Му-му"


# The period in words -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "start", "end"),
    [
        ("", date(2026, 9, 1), TODAY),
        ("за учебный год", date(2026, 9, 1), TODAY),
        ("за четверть", date(2026, 11, 1), TODAY),
        ("за эту четверть", date(2026, 11, 1), TODAY),
        ("за прошлую четверть", date(2026, 9, 1), date(2026, 10, 31)),
        ("за месяц", date(2026, 11, 1), TODAY),
        ("за прошлый месяц", date(2026, 10, 1), date(2026, 10, 31)),
        ("за неделю", date(2026, 11, 10), TODAY),
        ("за год", date(2025, 11, 17), TODAY),
        ("за 2026 год", date(2026, 1, 1), TODAY),
        ("за 2025 год", date(2025, 1, 1), date(2025, 12, 31)),
        ("за прошлый учебный год", date(2025, 9, 1), date(2026, 8, 31)),
    ],
)
def test_a_period_is_read_from_words(words: str, start: date, end: date) -> None:
    assert period_from_words(words, TODAY) == Period(start, end)


def test_quarters_across_the_year() -> None:
    assert period_from_words("за четверть", date(2027, 2, 1)) == Period(
        date(2027, 1, 1), date(2027, 2, 1)
    )
    summer = period_from_words("за четверть", date(2026, 7, 10))
    assert summer == Period(date(2026, 4, 1), date(2026, 5, 31))
    first = period_from_words("за прошлую четверть", date(2026, 9, 10))
    assert first == Period(date(2026, 4, 1), date(2026, 5, 31))


@pytest.mark.parametrize("words", ["о путешествии", "за 2027 год", "за вчера и позавчера"])
def test_words_that_name_no_period_are_not_guessed(words: str) -> None:
    assert period_from_words(words, TODAY) is None


def test_the_chart_of_months_covers_the_year_to_the_period() -> None:
    assert chart_start(date(2026, 9, 1), TODAY) == date(2025, 12, 1)
    assert chart_start(date(2025, 1, 1), date(2026, 11, 16)) == date(2025, 1, 1)


# The spreadsheet from plain data -----------------------------------------------------------


def _fund(counts: dict[tuple[FundKind, Medium], int]) -> Fund:
    return Fund(counts, textbooks=True)


def _plain_report() -> LibraryReport:
    figures = Indicators(1, date(2026, 9, 1), TODAY, 40, 90, 30, 120, 800, True)
    held = _fund({(FundKind.FICTION, Medium.PRINT): 700, (FundKind.TEXTBOOK, Medium.PRINT): 100})
    received = _fund({(FundKind.FICTION, Medium.PRINT): 50})
    gone = _fund({(FundKind.FICTION, Medium.PRINT): 7, (FundKind.TEXTBOOK, Medium.PRINT): 1})
    register = SummaryRegister(
        2026,
        True,
        receipts=[
            RegisterLine(
                1, date(2026, 3, 2), ReceiptSource.PURCHASE, "Н-12", {FundKind.FICTION: 50}
            )
        ],
        write_offs=[
            RegisterLine(
                2,
                date(2026, 6, 1),
                WriteOffReason.WORN,
                "А-3",
                {FundKind.FICTION: 7, FundKind.TEXTBOOK: 1},
            )
        ],
        movement=Movement(date(2026, 1, 1), date(2026, 12, 31), held, received, gone),
    )
    return LibraryReport(
        library_name="МБОУ «Средняя школа № 1»",
        library_short="Школа №1",
        start=date(2026, 9, 1),
        end=TODAY,
        figures=figures,
        months=[MonthLoans(date(2026, 9, 1), 50), MonthLoans(date(2026, 10, 1), 60)],
        wanted=[Wanted("Динка", 9), Wanted("Возвращение", 7)],
        overdue=[ClassOverdue("5А", 2, 3), ClassOverdue("7Б", 1, 1)],
        coverage=[Coverage("7Б", "Алгебра. 7 класс", 0.75, 9, 12)],
        oo2=[
            Oo2Row(None, None, 50, 8, 842),
            Oo2Row(FundKind.TEXTBOOK, None, 0, 1, 99),
            Oo2Row(None, Medium.PRINT, 50, 8, 842),
        ],
        register=register,
    )


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_the_spreadsheet_has_a_sheet_per_table_with_its_numbers_and_formulas() -> None:
    book = _book(library_workbook(_plain_report()))
    assert book.sheetnames == [
        "Показатели",
        "Выдачи по месяцам",
        "Спрос",
        "Задолженность по классам",
        "Обеспеченность учебниками",
        "ОО-2 2.6",
        "КСУ ч.1",
        "КСУ ч.2",
        "КСУ ч.3",
    ]
    figures = book["Показатели"]
    assert figures["A1"].value == "МБОУ «Средняя школа № 1»"
    assert figures["A2"].value == "Период: 1 сентября 2026 — 16 ноября 2026"
    rows = {figures.cell(r, 1).value: figures.cell(r, 2).value for r in range(5, 15)}
    assert rows["Читатели"] == 40
    assert rows["Посещения: дни у стойки"] == 90
    assert rows["Посещения: гости мероприятий"] == 30
    assert rows["Посещения всего"] == "=B6+B7"
    assert rows["Выдачи"] == 120
    assert rows["Фонд, экземпляров"] == 800
    # Each ratio is a formula over the cells of its counts, its words beside it.
    assert rows["Читаемость"] == '=IF(B5=0,"—",B9/B5)'
    assert rows["Посещаемость"] == '=IF(B5=0,"—",B8/B5)'
    assert rows["Обращаемость"] == '=IF(B10=0,"—",B9/B10)'
    assert rows["Книгообеспеченность"] == '=IF(B5=0,"—",B10/B5)'
    assert figures["C11"].value == "выдачи ÷ читатели"
    assert figures["A16"].value == "Фонд посчитан вместе с учебниками."

    months = book["Выдачи по месяцам"]
    assert [months.cell(r, 1).value for r in (5, 6)] == ["сентябрь 2026", "октябрь 2026"]
    assert [months.cell(r, 2).value for r in (5, 6, 7)] == [50, 60, "=SUM(B5:B6)"]
    assert book["Спрос"]["B5"].value == "Динка" and book["Спрос"]["C5"].value == 9
    overdue = book["Задолженность по классам"]
    assert [c.value for c in overdue[6]] == ["7Б", 1, 1]
    assert overdue["C7"].value == "=SUM(C5:C6)"
    coverage = book["Обеспеченность учебниками"]
    assert [c.value for c in coverage[5]] == [
        "7Б",
        "Алгебра. 7 класс",
        9,
        12,
        '=IF(D5=0,"—",C5/D5)',
        "по выданному",
    ]

    oo2 = book["ОО-2 2.6"]
    assert [c.value for c in oo2[5]] == ["Весь фонд", 50, 8, 842]
    assert [c.value for c in oo2[6]] == ["  учебники", 0, 1, 99]
    assert [c.value for c in oo2[7]] == ["  печатные издания", 50, 8, 842]

    receipts = book["КСУ ч.1"]
    heads = [c.value for c in receipts[4]]
    assert heads[:4] == ["№", "Дата", "Документ", "Источник"] and heads[-1] == "Всего"
    line = [c.value for c in receipts[5]]
    assert line[2:4] == ["Н-12", "закупка"]
    assert line[4 + heads[4:].index("художественная литература")] == 50
    assert line[-1] == f"=SUM(E5:{chr(ord('E') + len(FundKind) - 1)}5)"
    assert book["КСУ ч.2"]["D5"].value == "ветхость"
    totals = book["КСУ ч.3"]
    assert [totals.cell(r, 1).value for r in range(5, 9)] == [
        "На начало года",
        "Поступило",
        "Выбыло",
        "На конец года",
    ]
    fiction = 2 + [c.value for c in totals[4]][1:].index("художественная литература")
    assert [totals.cell(r, fiction).value for r in (5, 6, 7)] == [700, 50, 7]
    column = chr(ord("A") + fiction - 1)
    assert totals.cell(8, fiction).value == f"={column}5+{column}6-{column}7"


# /report in chat on the demo's year -------------------------------------------------------


def _utc(day: date) -> datetime:
    """The start of a Moscow day, in UTC (naive, as SQLite stores it)."""
    return datetime.combine(day, datetime.min.time()) - MOSCOW


async def _count(db: Database, sql: str, **params: object) -> int:
    async with db.reading() as session:
        return int((await session.execute(text(sql), params)).scalar() or 0)


async def _loans(db: Database, code: str, start: date, end: date) -> int:
    return await _count(
        db,
        "SELECT count(*) FROM loans JOIN libraries ON libraries.id = loans.library_id "
        "WHERE libraries.code = :code AND loans.issued_at >= :since AND loans.issued_at < :until",
        code=code,
        since=_utc(start),
        until=_utc(end + timedelta(days=1)),
    )


async def _readers(db: Database, code: str, start: date, end: date) -> int:
    return await _count(
        db,
        "SELECT count(*) FROM (SELECT v.reader_id FROM desk_visits v JOIN libraries l ON "
        "l.id = v.library_id WHERE l.code = :code AND v.visited_on BETWEEN :start AND :end "
        "UNION SELECT loans.reader_id FROM loans JOIN libraries l ON l.id = loans.library_id "
        "JOIN readers r ON r.id = loans.reader_id WHERE l.code = :code AND r.library_id = l.id "
        "AND loans.issued_at >= :since AND loans.issued_at < :until) AS seen",
        code=code,
        start=start,
        end=end,
        since=_utc(start),
        until=_utc(end + timedelta(days=1)),
    )


async def _visits(db: Database, code: str, start: date, end: date) -> int:
    desk = await _count(
        db,
        "SELECT count(*) FROM desk_visits v JOIN libraries l ON l.id = v.library_id "
        "WHERE l.code = :code AND v.visited_on BETWEEN :start AND :end",
        code=code,
        start=start,
        end=end,
    )
    events = await _count(
        db,
        "SELECT coalesce(sum(e.visitors), 0) FROM library_events e JOIN libraries l ON "
        "l.id = e.library_id WHERE l.code = :code AND e.held_on BETWEEN :start AND :end",
        code=code,
        start=start,
        end=end,
    )
    return desk + events


async def _overdue(db: Database, code: str, now: datetime) -> int:
    return await _count(
        db,
        "SELECT count(*) FROM loans JOIN libraries l ON l.id = loans.library_id WHERE "
        "l.code = :code AND loans.returned_at IS NULL AND loans.due_at < :now",
        code=code,
        now=now.replace(tzinfo=None),
    )


def _files(reply: Reply, kind: str) -> list:
    return [f for f in reply.files if f.kind == kind]


async def reports_sent(db: Database, clock: Clock, persona: str) -> list[Reply]:
    """The reports the outbox sends the console persona now (a run of the whole outbox)."""
    port = ConsolePort(out=io.StringIO())
    await deliver_due(db, {Messenger.CONSOLE: port}, clock)
    return [
        reply
        for address, reply, _ in port.delivered
        if address.chat_id == persona and reply.text.startswith("📊")
    ]


async def assert_no_reader_named(db: Database, reply: Reply) -> None:
    """No reader's name or surname anywhere a methodologist sees: the message, every cell of
    its spreadsheet, the files' names."""
    (document,) = _files(reply, "document")
    book = _book(document.data)
    async with db.reading() as session:
        names = set(await session.scalars(select(Reader.full_name)))
    words = {part for name in names for part in name.split() if len(part) > 3}
    cells = [
        str(cell.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    shown = "\n".join([reply.text, *cells, *(f.name for f in reply.files)])
    assert names and not [name for name in names if name in shown]
    assert not [word for word in words if word in shown]


async def asked(db: Database, clock: Clock, chat: Chat, words: str) -> Reply:
    """The persona asks for a report: the reply at once says it is being made; the report
    itself is what the outbox sends next."""
    (progress,) = await chat.send(words)
    assert progress.text.startswith("⏳ Готовлю отчёт") and not progress.files, progress.text
    (report,) = await reports_sent(db, clock, chat.persona)
    return report


async def test_a_librarian_gets_the_school_year_in_words_pictures_and_a_spreadsheet(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    reply = await asked(demo_db, clock, librarian, "/report")
    start = date(2026, 9, 1)
    loans = await _loans(demo_db, "school-1", start, TODAY)
    readers = await _readers(demo_db, "school-1", start, TODAY)
    visits = await _visits(demo_db, "school-1", start, TODAY)
    assert loans > 50 and readers > 30 and visits > readers  # the demo's history is there
    assert reply.text.startswith("📊 Отчёт: Школа №1, 1 сентября 2026 — 16 ноября 2026")
    assert f"Читатели: {readers} · посещения: {visits} · выдачи: {loans} · фонд:" in reply.text
    reading = f"{loans / readers:.1f}".replace(".", ",")
    assert f"читаемость = выдачи ÷ читатели = {loans} ÷ {readers} = {reading}" in reply.text
    assert "посещаемость = посещения ÷ читатели" in reply.text
    assert "обращаемость = выдачи ÷ фонд" in reply.text
    assert "книгообеспеченность = фонд ÷ читатели" in reply.text
    overdue = await _overdue(demo_db, "school-1", clock())
    assert overdue > 0
    assert f"Просрочено сейчас: {overdue} " in reply.text
    assert "Чаще всего спрашивали: «" in reply.text

    photos, documents = _files(reply, "photo"), _files(reply, "document")
    assert [p.name for p in photos] == ["loans.png", "wanted.png", "overdue.png", "textbooks.png"]
    for photo in photos:
        image = _image(photo.data)
        assert image.size == (1080, 1350) and _inked(image) > 0.03
    (document,) = documents
    assert document.name == "report-school-1-2026-09-01-2026-11-16.xlsx"
    book = _book(document.data)
    assert "ОО-2 2.6" in book.sheetnames and "КСУ ч.3" in book.sheetnames
    sheet = book["Показатели"]
    counts = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(5, 11)}
    assert counts["Читатели"] == readers and counts["Выдачи"] == loans
    months = book["Выдачи по месяцам"]
    by_month = {
        months.cell(r, 1).value: months.cell(r, 2).value
        for r in range(5, months.max_row)
        if isinstance(months.cell(r, 2).value, int)
    }
    october = await _loans(demo_db, "school-1", date(2026, 10, 1), date(2026, 10, 31))
    assert by_month["октябрь 2026"] == october > 0
    assert len(by_month) == 12  # the year to the period's month, however short the period

    async with demo_db.reading() as session:
        audited = await session.scalar(
            select(func.count()).where(AuditEntry.action == "report.library")
        )
    assert audited == 1


async def test_everyday_words_ask_for_a_quarter_and_a_reader_gets_a_search(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian = chat("librarian")
    reply = await asked(demo_db, clock, librarian, "отчёт за четверть")
    assert reply.text.startswith("📊 Отчёт: Школа №1, 1 ноября 2026 — 16 ноября 2026")
    loans = await _loans(demo_db, "school-1", date(2026, 11, 1), TODAY)
    assert f"выдачи: {loans} ·" in reply.text
    assert len(reply.files) == 5

    reply = await asked(demo_db, clock, librarian, "статистика за 2025 год")
    assert "1 января 2025 — 31 декабря 2025" in reply.text

    await librarian.send("/report за позавчера")
    assert "Не понял период «за позавчера»" in librarian.text
    assert await reports_sent(demo_db, clock, "librarian") == []

    student = chat("student")
    replies = await student.send("статистика")
    assert "📊" not in student.text and "⏳" not in student.text
    assert not any(r.files for r in replies)
    assert await reports_sent(demo_db, clock, "student") == []


async def test_a_reader_is_refused_the_reports(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    student = chat("student")
    for command in ("/report", "/stats", "/report_weekly да"):
        (reply,) = await student.send(command)
        assert not reply.files and "📊" not in reply.text
        assert reply.text == "Это действие вам недоступно."
    assert await reports_sent(demo_db, clock, "student") == []
    async with demo_db.reading() as session:
        refused = list(
            await session.scalars(select(AuditEntry.action).where(AuditEntry.outcome == "refused"))
        )
    assert {"report.library", "report.network", "report.weekly"} <= set(refused)


# The methodologist --------------------------------------------------------------------------


async def test_the_methodologist_sees_each_school_and_the_network_without_a_name(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    methodist = chat("methodist")
    reply = await asked(demo_db, clock, methodist, "/stats")
    start = date(2026, 9, 1)
    assert reply.text.startswith("📊 Сеть «Сеть школьных библиотек Центрального района»")
    total_loans = 0
    for code, short in (
        ("school-1", "Школа №1"),
        ("school-2", "Гимназия №2"),
        ("school-3", "Лицей №3"),
    ):
        loans = await _loans(demo_db, code, start, TODAY)
        readers = await _readers(demo_db, code, start, TODAY)
        total_loans += loans
        assert f"• {short}: читатели {readers}, выдачи {loans}," in reply.text
    assert "Итого по сети: читатели" in reply.text and f"выдачи {total_loans}," in reply.text

    photos, (document,) = _files(reply, "photo"), _files(reply, "document")
    assert [p.name for p in photos] == ["schools.png", "loans.png"]
    book = _book(document.data)
    sheet = book["Показатели"]
    assert [sheet.cell(4, c).value for c in range(2, 6)] == [
        "Школа №1",
        "Гимназия №2",
        "Лицей №3",
        "Итого",
    ]
    assert sheet.cell(9, 5).value == total_loans

    await assert_no_reader_named(demo_db, reply)

    # /report from a methodologist who is no librarian is the network's too.
    reply = await asked(demo_db, clock, methodist, "/report за месяц")
    assert "📊 Сеть «" in reply.text and "1 ноября 2026 — 16 ноября 2026" in reply.text


# The weekly digest --------------------------------------------------------------------------


async def _digests(db: Database) -> list[OutboxMessage]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "report.weekly")
                .order_by(OutboxMessage.id)
            )
        )


async def test_the_weekly_digest_is_opt_in_and_comes_once_on_monday(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian, methodist = chat("librarian"), chat("methodist")
    await librarian.send("/report_weekly")
    assert "Сейчас: выключена" in librarian.text
    await librarian.send("/report_weekly да")
    assert "Сводка включена" in librarian.text
    await methodist.send("/report_weekly да")
    await librarian.send("/report_weekly")
    assert "Сейчас: включена" in librarian.text
    async with demo_db.reading() as session:
        assert await session.scalar(select(func.count()).select_from(ReportDigest)) == 2

    clock.now = datetime(2026, 11, 15, 9, 30, tzinfo=UTC)  # a Sunday: nothing
    assert await weekly_round(demo_db, clock) == 0
    clock.now = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)  # Monday 6:00 in Moscow: quiet hours
    assert await weekly_round(demo_db, clock) == 2
    clock.now = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # again that Monday: once a week
    assert await weekly_round(demo_db, clock) == 0

    school, network = await _digests(demo_db)
    assert school.not_before == datetime(2026, 11, 16, 5, 0, tzinfo=UTC)  # 8:00 in Moscow
    assert school.dedupe_key.endswith(":2026-W47")
    loans = await _loans(demo_db, "school-1", date(2026, 11, 9), date(2026, 11, 15))
    assert school.text.startswith("📊 Неделя 9 ноября — 15 ноября, Школа №1: ")
    assert f"выдачи {loans}," in school.text
    assert "сеть «Сеть школьных библиотек Центрального района»" in network.text
    assert "• Гимназия №2: выдачи" in network.text

    await librarian.send("/report_weekly нет")
    assert "Сводка выключена" in librarian.text
    clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the next Monday: the methodologist
    assert await weekly_round(demo_db, clock) == 1


# The CLI -----------------------------------------------------------------------------------


async def test_the_cli_writes_the_spreadsheet_and_the_charts_saying_what_it_does(
    demo_db: Database, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = demo_db.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "report.xlsx"
    result = await asyncio.to_thread(
        cli, "report", "--library", "school-1", "--from", "2026-09-01", "--to", "2026-12-31",
        "--out", str(out), "--charts", str(tmp_path / "charts"),
        database=url, monkeypatch=monkeypatch, capsys=capsys,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Считаю показатели: Школа №1, 1 сентября 2026 — 31 декабря 2026…" in result.stderr
    assert result.stderr.rstrip().endswith("Готово.")
    assert str(out) in result.stdout.splitlines()
    loans = await _loans(demo_db, "school-1", date(2026, 9, 1), date(2026, 12, 31))
    sheet = _book(out.read_bytes())["Показатели"]
    assert sheet["A9"].value == "Выдачи" and sheet["B9"].value == loans
    names = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert names == ["loans.png", "overdue.png", "overview.png", "textbooks.png", "wanted.png"]
    assert _image((tmp_path / "charts" / "overview.png").read_bytes()).size == (1080, 1350)

    network = await asyncio.to_thread(
        cli, "report", "--network", "--out", str(tmp_path / "network.xlsx"),
        database=url, monkeypatch=monkeypatch, capsys=capsys,
    )  # fmt: skip
    assert network.returncode == 0, network.stderr
    book = _book((tmp_path / "network.xlsx").read_bytes())
    assert book["Показатели"]["E4"].value == "Итого"

    unknown = await asyncio.to_thread(
        cli, "report", "--library", "school-9", database=url, monkeypatch=monkeypatch, capsys=capsys
    )
    assert unknown.returncode == 2 and "Библиотеки с кодом «school-9» нет." in unknown.stderr


def test_the_coverage_chart_keeps_a_textbook_nobody_has_in_sight() -> None:
    """A class's bar is the share of (student, textbook) pairs held; the textbooks nobody in the
    class has are counted beside it, so the average cannot hide them."""
    rows = [
        Coverage("10А", "Геометрия. 10–11 классы", 0.8, 16, 20),
        Coverage("10А", "Астрономия. 10–11 классы", 0.0, 0, 20),
        Coverage("11А", "Геометрия. 10–11 классы", 1.0, 18, 18),
    ]
    assert coverage_by_class(rows) == [("10А", 16 / 40, 1), ("11А", 1.0, 0)]
