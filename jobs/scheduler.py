"""The scheduler (APScheduler): each round its own job, schedule and failure handling — the
hold shelf's round, the due-date reminders, the projects' deadlines and the end of e-book loans
every hour (each its own job: one failing does not skip another); the retention round once a
day. The outbox is not a round: it is the dispatcher
loop that runs beside the scheduler (jobs/outbox.py `run_outbox`, started by jobs/runner.py).

One scheduler acts at a time (jobs/runner.py takes the lock before starting it); outbox delivery
alone is safe in several processes. Each round logs its start and end at INFO, with counts and
never personal data.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from db.clock import wall_clock
from db.engine import Database
from db.enums import Messenger
from jobs.eresources import eloan_round
from jobs.holds import hold_shelf_round
from jobs.projects import deadline_round
from jobs.reminders import due_date_round
from jobs.reports import weekly_round
from jobs.retention import retention_round
from messages.port import Port
from messages.safe_log import redacted_traceback

log = logging.getLogger(__name__)

HOLD_SHELF_EVERY_MINUTES = 60
DUE_DATE_EVERY_MINUTES = 60
RETENTION_EVERY_HOURS = 24
ELOANS_EVERY_MINUTES = 60


@dataclass(frozen=True, slots=True)
class Job:
    """One round on its own schedule."""

    name: str
    every: dict[str, int]  # APScheduler interval arguments: {"minutes": 60}
    run: Callable[[], Awaitable[object]]
    level: int = logging.INFO  # of its start and end lines


class Running:
    """The rounds now running, so that a stop can let them finish."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[object]] = set()

    async def finish(self, grace: float) -> None:
        """Wait up to `grace` seconds for the running rounds, then cancel what is left."""
        tasks = set(self.tasks)
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


def rounds(
    db: Database, ports: Mapping[Messenger, Port], clock: Callable[[], datetime]
) -> list[Job]:
    # The names are looked up at call time, so a test can stand in for a round.
    return [
        Job(
            "hold_shelf", {"minutes": HOLD_SHELF_EVERY_MINUTES}, lambda: hold_shelf_round(db, clock)
        ),
        Job("due_date", {"minutes": DUE_DATE_EVERY_MINUTES}, lambda: due_date_round(db, clock)),
        Job("retention", {"hours": RETENTION_EVERY_HOURS}, lambda: retention_round(db, clock)),
        Job("eloans", {"minutes": ELOANS_EVERY_MINUTES}, lambda: eloan_round(db, clock)),
        Job("project_deadlines", {"hours": 1}, lambda: deadline_round(db, clock)),
        Job("weekly_reports", {"hours": 1}, lambda: weekly_round(db, clock)),
    ]


def guarded(job: Job, running: Running | None = None) -> Callable[[], Awaitable[None]]:
    """The round as a job: logged, its failure logged (without personal data) and contained,
    so the next run and the other jobs go on."""

    async def run() -> None:
        task = asyncio.current_task()
        if running is not None and task is not None:
            running.tasks.add(task)
        log.log(job.level, "round %s started", job.name)
        try:
            result = await job.run()
        except Exception as error:  # the next run tries again
            log.error("round %s failed\n%s", job.name, redacted_traceback(error))
        else:
            log.log(job.level, "round %s done: %s", job.name, result)
        finally:
            if running is not None and task is not None:
                running.tasks.discard(task)

    return run


def build_scheduler(
    db: Database,
    ports: Mapping[Messenger, Port],
    clock: Callable[[], datetime],
    *,
    running: Running | None = None,
) -> AsyncIOScheduler:
    """Every round, each due at once and then on its own interval (not started)."""
    # APScheduler keeps its own timeline on the real clock (the `clock` passed in is what the
    # rounds read): a first run "now" on a pinned clock would be a past run it must catch up.
    # However late a run comes (a busy loop), it still runs, once (coalesce).
    scheduler = AsyncIOScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    start = wall_clock()
    for job in rounds(db, ports, clock):
        scheduler.add_job(
            guarded(job, running),
            "interval",
            id=job.name,
            name=job.name,
            next_run_time=start,
            **job.every,
        )
    return scheduler


async def stop_scheduler(scheduler: AsyncIOScheduler, running: Running, grace: float) -> None:
    """Take no new rounds, give the running ones `grace` seconds, then shut down. (A bare
    `shutdown()` cancels running rounds mid-transaction; with aiosqlite 0.22 a connection
    cancelled so can hang the event loop's close.)"""
    scheduler.pause()
    await running.finish(grace)
    scheduler.shutdown(wait=False)
