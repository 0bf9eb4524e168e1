"""Due-date reminders: one digest per person per day, in the library's local date.

A reader's digest lists, a line per book, the loans due in exactly `remind_days_before` days,
those due today (if the library reminds on the day) and those overdue at a step of the
library's ladder (db/reminder_settings.py). A parent with copies on gets a child's overdue
lines from the library's `parents_from_step` on. «🔄 Продлить все» comes with a digest where at
least one of its loans can be renewed now (authorised and checked again when pressed).

Safe to run as often as one likes, late, twice or after downtime: the dedupe key is the person
and the local day («digest:<person>:<YYYY-MM-DD>»), so the day's digest is queued once; the
lines are today's only, so the days missed during downtime are not sent afterwards. Quiet hours
of the library hold it until morning. The payload names the loans listed with their due dates
(`still`): the outbox sends the digest only while at least one of them is still open and due
then, so a digest can name a book returned since the scan — while another is still out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.circulation import Circulation
from db.engine import Database
from db.enums import RoleName
from db.loans import renewal_refusals
from db.models import GuardianLink, Item, Library, Loan, Reader, Record, Role
from db.outbox import notify
from db.reminder_settings import ReminderSettings, settings_of
from jobs.holds import SCHEDULER
from messages import texts
from messages.i18n import person, say
from messages.notices import after_quiet_hours

DIGEST_KIND = "loan.digest"
RENEW_ALL_ACTION = "loans.renew_all"


class Due(StrEnum):
    SOON = "soon"
    TODAY = "today"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class ReminderRound:
    due_soon: int
    due_today: int
    overdue: int
    digests: int


@dataclass(frozen=True, slots=True)
class Line:
    """One book of a digest, as of the library's today."""

    loan_id: int
    due_at: datetime
    title: str
    due: Due
    days_late: int = 0
    step: int | None = None  # the ladder's step of an overdue line (1-based)


def line_for(
    loan: Loan, title: str, settings: ReminderSettings, today: date, tz: ZoneInfo
) -> Line | None:
    """The line a loan gets in today's digest, or None when today is not one of its days."""
    days_left = (loan.due_at.astimezone(tz).date() - today).days
    if days_left > 0:
        soon = settings.days_before > 0 and days_left == settings.days_before
        return Line(loan.id, loan.due_at, title, Due.SOON) if soon else None
    if days_left == 0:
        return Line(loan.id, loan.due_at, title, Due.TODAY) if settings.on_due_day else None
    step = settings.overdue_step(-days_left)
    if step is None:
        return None
    return Line(loan.id, loan.due_at, title, Due.OVERDUE, -days_left, step)


@dataclass(slots=True)
class Section:
    """One reader's lines as one recipient gets them (their own, or a parent's copy)."""

    reader: Reader
    library: Library
    as_parent: bool
    lines: list[Line] = field(default_factory=list)


async def due_date_round(db: Database, clock: Callable[[], datetime]) -> ReminderRound:
    now = clock()
    async with db.transaction() as session:
        libraries = {library.id: library for library in await session.scalars(select(Library))}
        if not libraries:
            return ReminderRound(0, 0, 0, 0)
        settings = {library_id: settings_of(lib) for library_id, lib in libraries.items()}
        # A day more than the furthest «days before», for the time zones ahead of UTC.
        horizon = now + timedelta(days=max(s.days_before for s in settings.values()) + 2)
        rows = await session.execute(
            select(Loan, Record.title, Reader)
            .join(Item, Item.id == Loan.item_id)
            .join(Record, Record.id == Item.record_id)
            .join(Reader, Reader.id == Loan.reader_id)
            .where(Loan.returned_at.is_(None), Loan.due_at < horizon)
            .order_by(Loan.due_at, Loan.id)
        )
        lines: dict[int, list[Line]] = defaultdict(list)
        readers: dict[int, Reader] = {}
        for loan, title, reader in rows:
            library = libraries[loan.library_id]
            tz = ZoneInfo(library.timezone)
            line = line_for(loan, title, settings[library.id], now.astimezone(tz).date(), tz)
            if line is not None:
                lines[reader.id].append(line)
                readers[reader.id] = reader
        every = [line for listed in lines.values() for line in listed]
        counts = {due: sum(1 for line in every if line.due == due) for due in Due}
        refusals = await renewal_refusals(
            Circulation(session, SCHEDULER, now), [line.loan_id for line in every]
        )
        renewable = {loan_id for loan_id, refusal in refusals.items() if refusal is None}
        sections = await _sections(session, readers, libraries, settings, lines)
        digests = 0
        for person_id, theirs in sections.items():
            digests += await _queue_digest(session, person_id, theirs, renewable, now)
    return ReminderRound(counts[Due.SOON], counts[Due.TODAY], counts[Due.OVERDUE], digests)


async def _sections(
    session: AsyncSession,
    readers: dict[int, Reader],
    libraries: dict[int, Library],
    settings: dict[int, ReminderSettings],
    lines: dict[int, list[Line]],
) -> dict[int, list[Section]]:
    """Who gets which lines: a reader's people all of them; a parent with copies on, the
    overdue ones from the library's step on."""
    ids = list(readers)
    own = await session.execute(
        select(Role.person_id, Role.reader_id)
        .where(Role.role == RoleName.READER, Role.reader_id.in_(ids))
        .order_by(Role.id)
    )
    parents = await session.execute(
        select(GuardianLink.parent_person_id, GuardianLink.reader_id)
        .where(GuardianLink.reader_id.in_(ids), GuardianLink.copy_reminders.is_(True))
        .order_by(GuardianLink.id)
    )
    sections: dict[int, list[Section]] = defaultdict(list)
    for as_parent, pairs in ((False, list(own)), (True, list(parents))):
        for person_id, reader_id in dict.fromkeys(pairs):
            reader = readers[reader_id]
            chosen = lines[reader_id]
            if as_parent:
                ladder = settings[reader.library_id]
                chosen = [
                    line
                    for line in chosen
                    if line.step is not None and ladder.parents_copied(line.step)
                ]
            if chosen:
                library = libraries[reader.library_id]
                sections[person_id].append(Section(reader, library, as_parent, chosen))
    return sections


async def _queue_digest(
    session: AsyncSession,
    person_id: int,
    sections: list[Section],
    renewable: set[int],
    now: datetime,
) -> int:
    """The person's digest for today (the local date of their first library), once."""
    first = sections[0].library
    day = now.astimezone(ZoneInfo(first.timezone)).date()
    listed = [line for section in sections for line in section.lines]
    can_renew = any(line.loan_id in renewable for line in listed)
    loans = {str(line.loan_id): line.due_at.isoformat() for line in listed}
    payload: dict[str, Any] = {"still": {"loans": loans}}
    if can_renew:
        args = {"loans": loans}  # a press after one of them was renewed renews nothing more
        renew = {"label": texts.BUTTON_RENEW_ALL, "action": RENEW_ALL_ACTION, "args": args}
        payload["buttons"] = [[renew]]
    queued = await notify(
        session,
        person_id,
        DIGEST_KIND,
        digest_text(sections, can_renew),
        f"digest:{person_id}:{day.isoformat()}",
        not_before=after_quiet_hours(now, first),
        payload=payload,
    )
    return int(queued)


def digest_text(sections: list[Section], can_renew: bool) -> str:
    blocks = [_block(section) for section in sections]
    own = [line for section in sections if not section.as_parent for line in section.lines]
    tail = []
    if any(line.due == Due.OVERDUE for line in own):
        tail.append(texts.DIGEST_RETURN)
    if can_renew:
        tail.append(texts.DIGEST_RENEW)
    if tail:
        blocks.append("\n".join(tail))
    return "\n\n".join(blocks)


def _block(section: Section) -> str:
    tz = ZoneInfo(section.library.timezone)
    lines = [_line_text(line, tz) for line in section.lines]
    library = section.library.short_name
    if not section.as_parent:
        return "\n".join([say(texts.DIGEST_OWN_HEADER, library=library), *lines])
    child, n = person(section.reader), len(lines)
    header = say(texts.DIGEST_CHILD_HEADER, child=child, n=n, library=library)
    return "\n".join([header, *lines, say(texts.DIGEST_CHILD_FOOTER, child=child, n=n)])


def _line_text(line: Line, tz: ZoneInfo) -> str:
    due = line.due_at.astimezone(tz)
    if line.due == Due.SOON:
        return say(texts.DIGEST_SOON, title=line.title, due=due)
    if line.due == Due.TODAY:
        return say(texts.DIGEST_TODAY, title=line.title, due=due)
    return say(texts.DIGEST_OVERDUE, title=line.title, due=due, days=line.days_late)
