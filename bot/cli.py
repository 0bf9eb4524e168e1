"""`python -m bot …`: run the bot, the console chat, and the librarian's command-line tools."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from db.enums import RoleName
from messages import texts
from messages.i18n import say

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.app import App

# Start-up stays light: `--help` parses arguments only, and the database, the core and above
# all the messenger libraries (aiogram alone takes seconds) are imported by the command that
# needs them — a transport's library only when that transport runs (tests/test_startup.py).

log = logging.getLogger("bot")

# What a Unix tool's shell reports when it was stopped by SIGPIPE: 128 + 13.
BROKEN_PIPE_EXIT = 128 + getattr(signal, "SIGPIPE", 13)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Формуляр: школьная библиотека в Telegram, VK и консоли. "
        "Без подкоманды запускает все настроенные мессенджеры, а без токенов — консольный чат "
        "на встроенной базе SQLite с демонстрационными данными.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser(
        "run",
        help="запустить бота (то же, что без подкоманды): мессенджеры и фоновые задачи "
        "в одном процессе",
    )
    sub.add_parser(
        "serve",
        help="только мессенджеры (без фоновых задач); на PostgreSQL за вебхуками "
        "таких процессов может быть сколько угодно",
    )
    sub.add_parser(
        "jobs",
        help="только фоновые задачи: расписание (напоминания, полка заказов, хранение данных) "
        "и рассылка уведомлений; на PostgreSQL из нескольких таких процессов работает один, "
        "остальные ждут и подхватывают, если он упадёт",
    )

    console = sub.add_parser("console", help="чат в терминале; читает сценарий со stdin")
    console.add_argument(
        "--as",
        dest="persona",
        default="student",
        help="персона: student, parent, librarian, librarian2, librarian3, "
        "methodist или любое новое имя (непривязанный пользователь)",
    )

    db = sub.add_parser("db", help="база данных")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="применить миграции схемы")

    imp = sub.add_parser("import", help="импорт каталога: CSV, MARC21/RUSMARC (ISO 2709), MARCXML")
    imp.add_argument("file", type=Path)
    imp.add_argument("--library", required=True, help="код библиотеки, например school-1")
    imp.add_argument("--format", choices=("csv", "marc", "marcxml"), help="иначе — по содержимому")

    search = sub.add_parser("search", help="поиск по сводному каталогу")
    search.add_argument("query", nargs="*")
    search.add_argument("--json", action="store_true", help="одна строка JSON на запрос")
    search.add_argument("--batch", type=Path, help="файл (или - для stdin): один запрос в строке")
    search.add_argument("--library", help="код библиотеки читателя (для наличия «в вашей школе»)")
    search.add_argument("--reader", help="номер формуляра: поиск глазами этого читателя")
    search.add_argument("--limit", type=int, default=10)

    invite = sub.add_parser("invite", help="одноразовый код привязки (первой строкой — сам код)")
    invite.add_argument("--role", required=True, choices=[r.value for r in RoleName])
    invite.add_argument("--library", help="код библиотеки")
    invite.add_argument("--card", help="номер формуляра читателя (для роли reader)")
    invite.add_argument("--child", help="номер формуляра ребёнка (для роли parent)")

    sub.add_parser("demo-data", help="заполнить пустую базу демонстрационной сетью")

    fund = sub.add_parser("fund", help="учёт фонда (книга суммарного учёта)")
    fund_sub = fund.add_subparsers(dest="fund_command", metavar="ACTION", required=True)
    record_import = fund_sub.add_parser(
        "record-import",
        help="записать все экземпляры библиотеки без записи о поступлении одним поступлением "
        "«перенос каталога» на дату",
    )
    record_import.add_argument("--library", required=True, help="код библиотеки, например school-1")
    record_import.add_argument("--date", required=True, type=_iso_date, help="ГГГГ-ММ-ДД")

    report = sub.add_parser(
        "report", help="отчёт библиотеки или сети за период: таблица xlsx с формулами и графики"
    )
    whose = report.add_mutually_exclusive_group(required=True)
    whose.add_argument("--library", help="код библиотеки, например school-1")
    whose.add_argument(
        "--network", nargs="?", const=0, type=int,
        help="отчёт методиста по сети, без имён (номер сети; без номера — первая)",
    )  # fmt: skip
    report.add_argument("--from", dest="start", type=_iso_date, help="ГГГГ-ММ-ДД (с 1 сентября)")
    report.add_argument("--to", dest="end", type=_iso_date, help="ГГГГ-ММ-ДД (по сегодня)")
    report.add_argument("--out", type=Path, help="файл xlsx (по умолчанию report-….xlsx здесь)")
    report.add_argument("--charts", type=Path, help="папка для графиков PNG")

    backup = sub.add_parser("backup", help="резервная копия встроенной базы SQLite (на ходу)")
    backup.add_argument("file", type=Path)
    restore = sub.add_parser(
        "restore", help="восстановить базу SQLite из копии (прежняя сохраняется рядом)"
    )
    restore.add_argument("file", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=logging.WARNING if args.command in (None, "run", "console") else settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for chatty in ("alembic", "apscheduler"):  # their INFO is every step of every run
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        code = asyncio.run(_dispatch(args, settings))
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _stdout_gone()


def _stdout_gone() -> int:
    """Whoever read stdout has gone (`… | head -1`): stop quietly, as Unix tools do.

    Whatever is still buffered can never be written; stdout is pointed at /dev/null so that
    the interpreter's own last flush does not complain about it either.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return BROKEN_PIPE_EXIT


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app
    from db.migrate import upgrade

    command = args.command or "run"
    if command in ("backup", "restore"):  # on the file itself: no migration, no app
        from bot.backup import run_backup, run_restore

        return (run_backup if command == "backup" else run_restore)(settings, args.file)
    if command == "db":
        async with open_app(settings, migrate=False) as app:
            await upgrade(app.db)
        print(texts.CLI_DB_UPGRADED)
        return 0
    async with open_app(settings) as app:
        match command:
            case "run":
                return await _run(app)
            case "serve" | "jobs":
                from bot.runtime import run_roles

                return await run_roles(app, frozenset({command}))
            case "console":
                return await _console(app, args.persona)
            case "import":
                return await _import(app, args)
            case "search":
                from bot.search_cli import run_search

                return await run_search(app, args)
            case "invite":
                return await _invite(app, args)
            case "demo-data":
                return await _demo(app)
            case "fund":
                return await _fund_record_import(app, args)
            case "report":
                from bot.report_cli import run_report

                return await run_report(app, args)
    raise AssertionError(command)


async def _run(app: App) -> int:
    """Every messenger whose credentials are set, and the jobs, in this one process; with no
    messenger, the console on demo data."""
    if app.settings.has_messenger:
        from bot.runtime import JOBS, SERVE, run_roles

        return await run_roles(app, frozenset({SERVE, JOBS}))
    return await _console(app, "student")


async def _console(app: App, persona: str) -> int:
    from bot.app import warm_up
    from bot.console import ConsoleChat, ConsolePort, run_interactive, run_script
    from db.demo.seed import is_empty, seed_demo
    from db.enums import Messenger
    from db.outbox import last_id, queued_after
    from db.reports import REPORT_KIND
    from jobs.outbox import deliver_due

    if await is_empty(app.db):
        await seed_demo(app.db)
    await warm_up(app)
    async with app.db.reading() as session:
        seen = await last_id(session)

    async def notices() -> list[tuple[str, str]]:
        """The notices queued since, as they would be sent; a report asked for here is drawn
        and sent by the outbox, as in a messenger (its queued row has only a stand-in text)."""
        nonlocal seen
        async with app.db.reading() as session:
            rows = await queued_after(session, seen, leave_out=(REPORT_KIND,))
        if rows:
            seen = rows[-1][0]
        ports = {Messenger.CONSOLE: port}
        await deliver_due(app.db, ports, app.services.clock, kinds=(REPORT_KIND,))
        return [(persona, text) for _, persona, text in rows]

    chat = ConsoleChat(handle=app.dispatcher.handle, persona=persona, notices=notices)
    port = ConsolePort(out=chat.out, chat=chat)
    if sys.stdin.isatty():
        await run_interactive(chat, say(texts.CLI_CONSOLE_GREETING, persona=persona))
    else:
        await run_script(chat, sys.stdin)
    return 0


async def _demo(app: App) -> int:
    from db.demo.seed import is_empty, seed_demo

    if not await is_empty(app.db):
        print(texts.CLI_DEMO_NOT_EMPTY, file=sys.stderr)
        return 1
    summary = await seed_demo(app.db)
    print(
        say(
            texts.CLI_DEMO_DONE,
            libraries=summary.libraries,
            records=summary.records,
            items=summary.items,
            readers=summary.readers,
            loans=summary.loans,
        )
    )
    return 0


async def _import(app: App, args: argparse.Namespace) -> int:
    from db.catalog_import import UnknownLibrary, import_catalog
    from db.importers import CatalogFormatError

    if not args.file.is_file():
        print(say(texts.CLI_NO_FILE, path=args.file), file=sys.stderr)
        return 2
    try:
        report = await import_catalog(app.db, args.file, args.library, args.format)
    except UnknownLibrary:
        print(say(texts.CLI_UNKNOWN_LIBRARY, code=args.library), file=sys.stderr)
        return 2
    except CatalogFormatError as error:
        print(say(texts.CLI_BAD_FORMAT, reason=error), file=sys.stderr)
        return 2
    for rejected in report.rejected:
        print(say(texts.CLI_IMPORT_REJECTED, number=rejected.number, reason=rejected.reason))
    for skipped in report.skipped_isbns:
        print(
            say(
                texts.CLI_IMPORT_ISBN_SKIPPED[skipped.problem],
                number=skipped.number,
                title=skipped.title,
                isbn=skipped.isbn,
            )
        )
    for number, inventory in report.conflicts:
        print(say(texts.CLI_IMPORT_CONFLICT, record=number, inventory=inventory))
    print(
        say(
            texts.CLI_IMPORT_SUMMARY,
            read=report.read,
            added=report.added,
            merged=report.merged,
            copies=report.copies_added,
            rejected=len(report.rejected),
        )
    )
    return 0


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(say(texts.CLI_FUND_BAD_DATE, value=value)) from None


async def _fund_record_import(app: App, args: argparse.Namespace) -> int:
    """`fund record-import`: the library's copies with no receipt, received on the date by
    one receipt of source IMPORT (db.fund.record_import)."""
    from db.fund import record_import
    from db.people import library_by_code

    async with app.db.transaction() as session:
        library = await library_by_code(session, args.library)
        if library is None:
            print(say(texts.CLI_UNKNOWN_LIBRARY, code=args.library), file=sys.stderr)
            return 2
        received = await record_import(session, library.id, args.date)
    if received is None:
        print(say(texts.CLI_FUND_NOTHING, code=args.library))
    else:
        print(say(texts.CLI_FUND_IMPORTED, id=received.receipt.id, n=received.copies,
                  day=args.date, year=args.date.year, code=args.library))  # fmt: skip
    return 0


async def _invite(app: App, args: argparse.Namespace) -> int:
    from db.clock import utcnow
    from db.people import create_link_code, library_by_code, reader_by_card

    role = RoleName(args.role)
    async with app.db.transaction() as session:
        library = await library_by_code(session, args.library) if args.library else None
        if args.library and library is None:
            print(say(texts.CLI_UNKNOWN_LIBRARY, code=args.library), file=sys.stderr)
            return 2
        reader = None
        card = args.card if role == RoleName.READER else args.child
        if role in (RoleName.READER, RoleName.PARENT):
            if library is None or not card:
                print(texts.CLI_INVITE_NEEDS_CARD, file=sys.stderr)
                return 2
            reader = await reader_by_card(session, library.id, card)
            if reader is None:
                print(say(texts.CLI_UNKNOWN_CARD, card=card, library=library.code), file=sys.stderr)
                return 2
        if role == RoleName.LIBRARIAN and library is None:
            print(texts.CLI_INVITE_NEEDS_LIBRARY, file=sys.stderr)
            return 2
        link = await create_link_code(
            session,
            role,
            library_id=library.id if library else None,
            network_id=library.network_id if library else await _only_network(session),
            reader_id=reader.id if reader else None,
            now=utcnow(),
        )
        expires = link.expires_at
    print(link.code)
    print(say(texts.CLI_INVITE_DETAILS, role=texts.ROLE_NAMES[role], expires=expires))
    return 0


async def _only_network(session: AsyncSession) -> int | None:
    from sqlalchemy import select

    from db.models import Network

    return await session.scalar(select(Network.id).order_by(Network.id).limit(1))
