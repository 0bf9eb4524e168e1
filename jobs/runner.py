"""The scheduler as a role: a process waits until it holds the scheduler's lock, runs the
rounds and the outbox's dispatcher while it holds it, and goes back to waiting if it loses
it. Several `jobs` processes on PostgreSQL may run at once; one schedules, the others stand by
and take over when it dies.
On SQLite the lock is always granted (see db/leader.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from db.engine import Database
from db.enums import Messenger
from db.leader import Lock, hold_until, wait_to_hold
from jobs.outbox import run_outbox
from jobs.scheduler import Running, build_scheduler, stop_scheduler
from messages.port import Port

log = logging.getLogger(__name__)

SCHEDULER_LOCK = "formulyar.scheduler"
GRACE_SECONDS = 10.0  # a running round's time to finish when the scheduler stops


async def run_jobs(
    db: Database,
    ports: Mapping[Messenger, Port],
    clock: Callable[[], datetime],
    stop: asyncio.Event,
    *,
    retry_every: float = 5.0,
    grace: float = GRACE_SECONDS,
) -> None:
    """Run the scheduler whenever this process leads, until `stop` is set.

    `retry_every` is both how often a waiting process tries the lock and how often the leader
    checks it still holds it. On stop or on a lost lock the scheduler takes no new rounds, the
    running ones get `grace` seconds to finish, and the scheduler is shut down."""
    lock = Lock(db, SCHEDULER_LOCK)
    try:
        while await wait_to_hold(lock, stop, retry_every):
            log.info("scheduler leading")
            running = Running()
            scheduler = build_scheduler(db, ports, clock, running=running)
            scheduler.start()
            resign = asyncio.Event()
            outbox = asyncio.create_task(run_outbox(db, ports, clock, resign))
            running.tasks.add(outbox)  # type: ignore[arg-type]
            try:
                kept = await hold_until(lock, stop, retry_every)
            finally:
                resign.set()  # the dispatcher finishes the batch in hand and stops
                await stop_scheduler(scheduler, running, grace)
            log.info("scheduler %s", "stopped" if kept else "stopped: leadership lost")
    finally:
        await lock.release()
