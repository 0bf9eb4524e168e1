"""The weekly report digest: on Monday, everyone who asked for it (/report_weekly да) gets last
week's figures — a librarian their school's, a methodologist their network's, per school —
once (dedupe key «report.weekly:p<person>:<ISO year>-W<week>»), after the quiet hours of the
school (for a methodologist: of the network's first school). Monday is each school's own, in
its time zone; the round runs every hour and queues nothing on other days.

Figures come from db.indicators through db.reports; the digest names no reader.

Here too the outbox's maker of a report asked for in chat (`compose_report`, the COMPOSE kind
«report» of db.outbox): /report queues a request and replies «⏳ Готовлю отчёт…» at once; the
outbox, when it sends the row, gathers the figures in a read-only session and draws the charts
and the spreadsheet in a worker thread with no session open — never in the write transaction
of the event that asked, nor in the outbox's own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.indicators import indicators, network_indicators, overdue_by_class
from db.models import Library, Network
from db.outbox import notify
from db.reports import (
    DigestReader,
    ReportRequest,
    digest_readers,
    library_report,
    network_report,
)
from messages import texts
from messages.i18n import say
from messages.notices import after_quiet_hours
from messages.report_message import (
    library_files,
    library_summary,
    network_files,
    network_summary,
)
from messages.types import Reply

log = logging.getLogger(__name__)

MONDAY = 0


def last_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the week before the one `today` is in."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=7), monday - timedelta(days=1)


def dedupe_key(person_id: int, today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"report.weekly:p{person_id}:{year}-W{week:02d}"


async def weekly_round(db: Database, clock: Callable[[], datetime]) -> int:
    """Queue this Monday's digests; returns how many rows were queued now."""
    now = clock()
    queued = 0
    async with db.transaction() as session:
        for reader in await digest_readers(session):
            library = await _home(session, reader)
            if library is None:
                continue
            today = now.astimezone(ZoneInfo(library.timezone)).date()
            if today.weekday() != MONDAY:
                continue
            text = await _digest(session, reader, library, today, now)
            queued += await notify(
                session,
                reader.person_id,
                "report.weekly",
                text,
                dedupe_key(reader.person_id, today),
                not_before=after_quiet_hours(now, library),
            )
    log.info("weekly report digests: %d queued", queued)
    return queued


async def _home(session: AsyncSession, reader: DigestReader) -> Library | None:
    """The school whose calendar and quiet hours the digest keeps."""
    if reader.library_id is not None:
        return await session.get(Library, reader.library_id)
    return await session.scalar(
        select(Library).where(Library.network_id == reader.network_id).order_by(Library.id)
    )


async def _digest(
    session: AsyncSession, reader: DigestReader, library: Library, today: date, now: datetime
) -> str:
    start, end = last_week(today)
    if reader.library_id is not None:
        figures = await indicators(session, library.id, start, end)
        overdue = sum(row.loans for row in await overdue_by_class(session, library.id, now))
        return say(
            texts.REPORT_DIGEST,
            start=start,
            end=end,
            library=library.short_name,
            loans=figures.loans,
            visits=figures.visits,
            readers=figures.readers,
            overdue=overdue,
        )
    assert reader.network_id is not None
    network = await session.get(Network, reader.network_id)
    schools = await network_indicators(session, reader.network_id, start, end)
    total = schools[-1].figures
    lines = [
        say(
            texts.REPORT_DIGEST_SCHOOL,
            school=school.school,
            loans=school.figures.loans,
            visits=school.figures.visits,
        )
        for school in schools[:-1]
    ]
    return say(
        texts.REPORT_DIGEST_NETWORK,
        start=start,
        end=end,
        network=network.name if network else "",
        loans=total.loans,
        visits=total.visits,
        readers=total.readers,
        schools="\n".join(lines),
    )


# A report asked for in chat -----------------------------------------------------------------


async def compose_report(db: Database, payload: dict[str, Any], now: datetime) -> Reply:
    """The message of a report request (db.reports `request_report`): the summary, the charts
    and the spreadsheet. The figures are gathered in a read-only session, which never takes
    SQLite's write lock; the drawing (about a second) runs in a worker thread after it is
    closed. The overdue are counted as of `now`, when the report is sent."""
    request = ReportRequest.from_payload(payload)
    async with db.reading() as session:
        if request.library_id is not None:
            found = await library_report(
                session, request.library_id, request.start, request.end, now
            )
            library = await session.get(Library, request.library_id)
            assert library is not None  # library_report found it
            text, draw = library_summary(found), partial(library_files, found, library.code)
        else:
            assert request.network_id is not None
            whole = await network_report(session, request.network_id, request.start, request.end)
            text, draw = network_summary(whole), partial(network_files, whole, request.network_id)
    return Reply(text, files=await asyncio.to_thread(draw))
