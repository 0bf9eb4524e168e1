"""A report asked for in chat: the person hears «⏳ Готовлю отчёт…» at once, and the report
follows from the outbox — gathered and drawn there, outside the write transaction of the event
that asked (and outside the outbox's own), sent to the chat that asked, still there after a
restart, and not sent at all to someone who lost the role in between. The figures are the same
independent SQL counts tests/test_reports.py checks."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

import jobs.reports
from bot.console import ConsolePort
from db.engine import Database
from db.enums import Messenger, OutboxStatus, Priority, RoleName
from db.models import Account, OutboxMessage, Role
from db.reports import REPORT_KIND
from jobs.outbox import deliver_due
from messages.types import Reply
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import also_on_telegram
from tests.test_cli import cli
from tests.test_outbox import FakePort
from tests.test_reports import TODAY, _loans, _overdue, _readers, _visits, reports_sent

SCHOOL_YEAR = date(2026, 9, 1)
WAIT = 60  # seconds a test waits for the other side before failing instead of hanging


async def _report_rows(db: Database) -> list[OutboxMessage]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == REPORT_KIND)
                .order_by(OutboxMessage.id)
            )
        )


async def _account(db: Database, persona: str) -> Account:
    async with db.reading() as session:
        account = await session.scalar(
            select(Account).where(
                Account.messenger == Messenger.CONSOLE, Account.external_id == persona
            )
        )
        assert account is not None, persona
        return account


async def _take_role(db: Database, persona: str, role: RoleName) -> None:
    """The person behind the persona loses the role (a librarian who left the school)."""
    person_id = (await _account(db, persona)).person_id
    async with db.transaction() as session:
        await session.execute(delete(Role).where(Role.person_id == person_id, Role.role == role))


def _drawing_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the outbox's drawings of a library's report (the pictures and the xlsx)."""
    drawn: list[str] = []
    real = jobs.reports.library_files

    def counted(found, code):  # type: ignore[no-untyped-def]
        drawn.append(code)
        return real(found, code)

    monkeypatch.setattr(jobs.reports, "library_files", counted)
    return drawn


async def test_the_librarian_hears_at_once_and_the_report_follows_from_the_outbox(
    chat: ChatFactory, demo_db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = _drawing_counted(monkeypatch)
    librarian = chat("librarian")
    await also_on_telegram(demo_db, "librarian", "777001")
    (progress,) = await librarian.send("/report")
    assert progress.text.startswith(
        "⏳ Готовлю отчёт: Школа №1, 1 сентября 2026 — 16 ноября 2026. Цифры, графики и таблица "
        "придут следующим сообщением"
    )
    assert not progress.files and drawn == []  # nothing drawn while the event was open

    (row,) = await _report_rows(demo_db)
    account = await _account(demo_db, "librarian")
    assert row.status == OutboxStatus.PENDING and row.priority == Priority.REPLY
    assert row.person_id == account.person_id and row.not_before == clock()
    assert row.payload["reply_to_account"] == account.id

    console, telegram = ConsolePort(out=io.StringIO()), FakePort()
    delivery = await deliver_due(
        demo_db, {Messenger.CONSOLE: console, Messenger.TELEGRAM: telegram}, clock
    )
    assert delivery.failed == 0 and drawn == ["school-1"]
    reports = [(a.chat_id, r) for a, r, _ in console.delivered if r.text.startswith("📊")]
    assert [chat_id for chat_id, _ in reports] == ["librarian"]  # the chat that asked, only
    assert telegram.delivered == []
    report: Reply = reports[0][1]

    loans = await _loans(demo_db, "school-1", SCHOOL_YEAR, TODAY)
    readers = await _readers(demo_db, "school-1", SCHOOL_YEAR, TODAY)
    visits = await _visits(demo_db, "school-1", SCHOOL_YEAR, TODAY)
    overdue = await _overdue(demo_db, "school-1", clock())
    assert loans > 50 and readers > 30 and overdue > 0
    assert report.text.startswith("📊 Отчёт: Школа №1, 1 сентября 2026 — 16 ноября 2026")
    assert f"Читатели: {readers} · посещения: {visits} · выдачи: {loans} · фонд:" in report.text
    assert f"Просрочено сейчас: {overdue} " in report.text
    assert [f.name for f in report.files] == [
        "loans.png",
        "wanted.png",
        "overdue.png",
        "textbooks.png",
        "report-school-1-2026-09-01-2026-11-16.xlsx",
    ]
    sheet = load_workbook(io.BytesIO(report.files[-1].data))["Показатели"]
    assert sheet["B5"].value == readers and sheet["B9"].value == loans

    (row,) = await _report_rows(demo_db)
    assert row.status == OutboxStatus.SENT
    assert await reports_sent(demo_db, clock, "librarian") == []  # once


async def test_the_report_is_drawn_while_other_chats_write(
    chat: ChatFactory, demo_db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the outbox draws, a reader's event commits: no write transaction (on SQLite, the
    one write lock) is held by the drawing."""
    loop = asyncio.get_running_loop()
    drawing, done = asyncio.Event(), threading.Event()
    real = jobs.reports.library_files

    def held_up(found, code):  # type: ignore[no-untyped-def]
        loop.call_soon_threadsafe(drawing.set)
        assert done.wait(WAIT), "the other chat's event never finished"
        return real(found, code)

    monkeypatch.setattr(jobs.reports, "library_files", held_up)
    await chat("librarian").send("/report за месяц")
    sending = asyncio.create_task(reports_sent(demo_db, clock, "librarian"))
    try:
        await asyncio.wait_for(drawing.wait(), WAIT)
        student = chat("student")
        await asyncio.wait_for(student.send("/via консоль"), WAIT)  # a write: the choice kept
        assert "консоль" in student.text
    finally:
        done.set()
    (report,) = await sending
    assert report.text.startswith("📊 Отчёт: Школа №1, 1 ноября 2026 — 16 ноября 2026")


async def test_a_librarian_who_lost_the_role_before_it_went_gets_nothing(
    chat: ChatFactory, demo_db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = _drawing_counted(monkeypatch)
    librarian = chat("librarian")
    (progress,) = await librarian.send("отчёт за четверть")
    assert progress.text.startswith("⏳ Готовлю отчёт")
    await _take_role(demo_db, "librarian", RoleName.LIBRARIAN)

    port = ConsolePort(out=io.StringIO())
    await deliver_due(demo_db, {Messenger.CONSOLE: port}, clock)
    assert [r.text for a, r, _ in port.delivered if a.chat_id == "librarian"] == []
    assert drawn == []  # not even drawn
    (row,) = await _report_rows(demo_db)
    assert row.status == OutboxStatus.SKIPPED and row.last_error == "stale"


async def test_a_methodologist_who_lost_the_role_gets_no_network_report(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    methodist = chat("methodist")
    (progress,) = await methodist.send("/stats")
    assert progress.text.startswith("⏳ Готовлю отчёт по сети «Сеть школьных библиотек")
    (row,) = await _report_rows(demo_db)
    assert row.payload["compose"]["network"] is not None
    await _take_role(demo_db, "methodist", RoleName.ADMIN)
    assert await reports_sent(demo_db, clock, "methodist") == []
    (row,) = await _report_rows(demo_db)
    assert row.status == OutboxStatus.SKIPPED


async def test_a_queued_report_is_sent_after_a_restart(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    """The request is a row: a bot stopped before sending it sends it when it starts again
    (here, a second connection to the same database, as a restarted process opens)."""
    await chat("librarian").send("/report")
    await demo_db.dispose()  # the process that took the request is gone
    restarted = Database(demo_db.engine.url)
    try:
        (report,) = await reports_sent(restarted, clock, "librarian")
    finally:
        await restarted.dispose()
    loans = await _loans(demo_db, "school-1", SCHOOL_YEAR, TODAY)
    assert f"выдачи: {loans} ·" in report.text and len(report.files) == 5


async def test_a_failed_drawing_is_tried_again(
    chat: ChatFactory, demo_db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = jobs.reports.library_files
    failures = [MemoryError("simulated")]

    def flaky(found, code):  # type: ignore[no-untyped-def]
        if failures:
            raise failures.pop()
        return real(found, code)

    monkeypatch.setattr(jobs.reports, "library_files", flaky)
    await chat("librarian").send("/report")
    assert await reports_sent(demo_db, clock, "librarian") == []
    (row,) = await _report_rows(demo_db)
    assert row.status == OutboxStatus.PENDING and row.last_error == "MemoryError"
    clock.advance(seconds=31)  # the first retry's pause
    (report,) = await reports_sent(demo_db, clock, "librarian")
    assert report.text.startswith("📊 Отчёт: Школа №1")


async def test_the_console_shows_the_report_after_the_progress(
    demo_db: Database,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`python -m bot console` (and `python3 dev.py run` with no messenger) runs no outbox; it
    sends the reports asked for in it itself, with their files saved as the console saves any."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("/report за неделю\n"))
    url = demo_db.engine.url.render_as_string(hide_password=False)
    result = await asyncio.to_thread(
        cli, "console", "--as", "librarian", database=url, monkeypatch=monkeypatch, capsys=capsys
    )
    assert result.returncode == 0, result.stderr
    progress = result.stdout.index("бот> ⏳ Готовлю отчёт: Школа №1, 10 ноября 2026")
    report = result.stdout.index("📬 для «librarian»: 📊 Отчёт: Школа №1, 10 ноября 2026")
    assert progress < report
    loans = await _loans(demo_db, "school-1", TODAY - timedelta(days=6), TODAY)
    assert f"выдачи: {loans} ·" in result.stdout[report:]
    saved = tmp_path / "data" / "console-files" / "report-school-1-2026-11-10-2026-11-16.xlsx"
    assert saved.is_file() and str(saved.relative_to(tmp_path)) in result.stdout
    (row,) = await _report_rows(demo_db)
    assert row.status == OutboxStatus.SENT
