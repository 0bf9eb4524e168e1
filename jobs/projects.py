"""Deadline reminders of reading projects: the day before a task is due, each member who has
not handed it in hears of it once (dedupe key «project.deadline:<task>:<reader>:p<person>»),
after their school's quiet hours. «Tomorrow» is each school's own, in its time zone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.engine import Database
from db.models import Library
from db.outbox import notify
from db.project_progress import due_tomorrow
from db.project_works import readers_people
from messages import texts
from messages.i18n import say
from messages.notices import after_quiet_hours

log = logging.getLogger(__name__)


async def deadline_round(db: Database, clock: Callable[[], datetime]) -> int:
    """Queue tomorrow's deadline reminders; returns how many rows were queued now."""
    now = clock()
    queued = 0
    async with db.transaction() as session:
        libraries = {lib.id: lib for lib in await session.scalars(select(Library))}
        tomorrow = {
            lib.id: (now.astimezone(ZoneInfo(lib.timezone)) + timedelta(days=1)).date()
            for lib in libraries.values()
        }
        for due in await due_tomorrow(session, tomorrow):
            library = libraries[due.library_id]
            text = say(
                texts.PROJECT_DEADLINE_NOTICE,
                due=due.task.due_on,
                task=due.task.title,
                title=due.project.title,
            )
            for person_id in await readers_people(session, due.reader_id, parents=False):
                queued += await notify(
                    session,
                    person_id,
                    "project.deadline",
                    text,
                    f"project.deadline:{due.task.id}:{due.reader_id}:p{person_id}",
                    not_before=after_quiet_hours(now, library),
                    payload={"reader_id": due.reader_id},
                )
    log.info("project deadlines: %d reminders queued", queued)
    return queued
