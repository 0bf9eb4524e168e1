"""The scheduler (APScheduler): delivering the outbox every few seconds; every hour, the hold
shelf's round and the due-date reminders; once a day, the retention round. One per
installation; outbox delivery alone is safe to run in several processes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from db.clock import wall_clock
from db.engine import Database
from db.enums import Messenger
from jobs.holds import hold_shelf_round
from jobs.outbox import deliver_due
from jobs.reminders import due_date_round
from jobs.retention import retention_round
from messages.port import Port
from messages.safe_log import redacted_traceback

log = logging.getLogger(__name__)

OUTBOX_EVERY_SECONDS = 5
HOLD_SHELF_EVERY_MINUTES = 60
RETENTION_EVERY_HOURS = 24


def build_scheduler(
    db: Database, ports: Mapping[Messenger, Port], clock: Callable[[], datetime]
) -> AsyncIOScheduler:
    # APScheduler keeps its own timeline on the real clock (the `clock` passed in is what the
    # rounds read): a first run "now" on a pinned clock would be a past run it must catch up.
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def outbox() -> None:
        try:
            await deliver_due(db, ports, clock)
        except Exception as error:  # the next round tries again
            log.error("outbox round failed\n%s", redacted_traceback(error))

    async def hold_shelf() -> None:
        try:
            await hold_shelf_round(db, clock)
            await due_date_round(db, clock)
        except Exception as error:
            log.error("hourly round failed\n%s", redacted_traceback(error))

    async def retention() -> None:
        try:
            pruned = await retention_round(db, clock)
            log.info("retention round: %s", pruned)
        except Exception as error:
            log.error("retention round failed\n%s", redacted_traceback(error))

    scheduler.add_job(
        outbox,
        "interval",
        seconds=OUTBOX_EVERY_SECONDS,
        id="outbox",
        next_run_time=wall_clock(),
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        hold_shelf,
        "interval",
        minutes=HOLD_SHELF_EVERY_MINUTES,
        id="hold_shelf",
        max_instances=1,
        coalesce=True,
        next_run_time=wall_clock(),
    )
    scheduler.add_job(
        retention,
        "interval",
        hours=RETENTION_EVERY_HOURS,
        id="retention",
        max_instances=1,
        coalesce=True,
        next_run_time=wall_clock(),
    )
    return scheduler
