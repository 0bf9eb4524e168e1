"""The scheduler as a role: on PostgreSQL one process leads (an advisory lock) and the others
stand by, taking over when the leader stops or loses its connection; each round runs on its own,
so one failing does not skip another; a stop lets a running round finish."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from db.engine import Database
from jobs.runner import run_jobs
from tests.conftest import _open
from tests.support.clock import Clock
from tests.support.shared import under_ci

RETRY = 0.1  # seconds between tries of the lock, and between the leader's checks
PATIENCE = 30.0  # seconds a condition may take to come true on a busy machine
POLL = 0.02
A_PUPIL = "Иванова Маша, 7Б"
ROUNDS = ("hold_shelf_round", "due_date_round", "retention_round")


class Rounds:
    """Stand-ins for the rounds, noting which process (Database) ran each."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.runs: list[tuple[str, Database]] = []
        for name in ROUNDS:
            monkeypatch.setattr(f"jobs.scheduler.{name}", self._fake(name))
        monkeypatch.setattr("jobs.runner.run_outbox", self._outbox)

    def _fake(self, name: str) -> Callable[[Database, Callable[[], datetime]], Any]:
        async def run(db: Database, clock: Callable[[], datetime]) -> None:
            self.runs.append((name, db))

        return run

    async def _outbox(
        self, db: Database, ports: object, clock: object, stop: asyncio.Event
    ) -> None:
        """The dispatcher loop: a look at the outbox every POLL seconds until its stop."""
        while not stop.is_set():
            self.runs.append(("deliver_due", db))
            await asyncio.sleep(POLL)

    def count(self, name: str, db: Database | None = None) -> int:
        return sum(1 for ran, by in self.runs if ran == name and (db is None or by is db))


async def eventually(condition: Callable[[], bool]) -> None:
    for _ in range(int(PATIENCE / POLL)):
        if condition():
            return
        await asyncio.sleep(POLL)
    assert condition()


def logged(caplog: pytest.LogCaptureFixture, message: str) -> int:
    return sum(1 for record in caplog.records if record.getMessage().startswith(message))


async def stopped(*tasks: asyncio.Task[None]) -> None:
    async with asyncio.timeout(PATIENCE):
        await asyncio.gather(*tasks)


@pytest.fixture
async def two_processes(
    tmp_path: Path, pg_templates: dict[bool, str] | None
) -> AsyncIterator[tuple[Database, Database]]:
    """One PostgreSQL database seen by two engines: two processes' separate connections."""
    if pg_templates is None:
        if under_ci():
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run")
        pytest.skip(
            "TEST_DATABASE_URL is not set: the scheduler's lock is PostgreSQL's "
            "(on SQLite, one process, it is always granted)"
        )
    async for first in _open("postgresql", False, tmp_path, {}, pg_templates):
        second = Database(first.engine.url)
        try:
            yield first, second
        finally:
            await second.dispose()


class Unreachable:
    """An engine cut off from the database."""

    async def connect(self) -> None:
        raise ConnectionRefusedError("the network is down")


def _start(db: Database, clock: Clock, stop: asyncio.Event) -> asyncio.Task[None]:
    return asyncio.create_task(run_jobs(db, {}, clock, stop, retry_every=RETRY))


async def _advisory_holders(db: Database) -> list[int]:
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
        return [row.pid for row in rows]


# PostgreSQL: one leader at a time -------------------------------------------------------


async def test_one_of_two_processes_leads_and_the_other_takes_over_when_it_stops(
    two_processes: tuple[Database, Database],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    rounds = Rounds(monkeypatch)
    first, second = two_processes
    stops = {first: asyncio.Event(), second: asyncio.Event()}
    tasks = {db: _start(db, clock, stop) for db, stop in stops.items()}
    try:
        await eventually(lambda: logged(caplog, "lock formulyar.scheduler is held elsewhere") == 1)
        await eventually(lambda: rounds.count("due_date_round") == 1)
        # The hourly rounds ran once, all by one process; the other was refused the lock.
        assert [rounds.count(name) for name in ROUNDS] == [1, 1, 1]
        leader = rounds.runs[0][1]
        follower = second if leader is first else first
        assert {by for _, by in rounds.runs} == {leader}
        assert len(await _advisory_holders(follower)) == 1

        stops[leader].set()
        await stopped(tasks[leader])  # the leader shut its scheduler down and let go
        await eventually(lambda: rounds.count("due_date_round", follower) == 1)
        assert [rounds.count(name, follower) for name in ROUNDS] == [1, 1, 1]
        assert [rounds.count(name) for name in ROUNDS] == [2, 2, 2]  # once per leadership
        assert logged(caplog, "scheduler leading") == 2
    finally:
        for stop in stops.values():
            stop.set()
        await stopped(*tasks.values())
    assert await _advisory_holders(first) == []  # the last leader let go on its stop


async def test_a_leader_that_loses_its_connection_stops_and_the_other_takes_over(
    two_processes: tuple[Database, Database],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    rounds = Rounds(monkeypatch)
    first, second = two_processes
    stop = asyncio.Event()
    tasks = [_start(first, clock, stop)]
    try:
        await eventually(lambda: rounds.count("hold_shelf_round", first) == 1)
        tasks.append(_start(second, clock, stop))
        await eventually(lambda: logged(caplog, "lock formulyar.scheduler is held elsewhere") == 1)

        # The network drops the leader: its connection is cut and it cannot connect again.
        reachable = first.engine
        monkeypatch.setattr(first, "engine", Unreachable())
        [holder] = await _advisory_holders(second)
        async with second.engine.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": holder})

        await eventually(lambda: logged(caplog, "scheduler stopped: leadership lost") == 1)
        await eventually(lambda: rounds.count("hold_shelf_round", second) == 1)
        # The old leader acts no more: the outbox goes on in the new leader only.
        old = rounds.count("deliver_due", first)
        new = rounds.count("deliver_due", second)
        await eventually(lambda: rounds.count("deliver_due", second) >= new + 2)
        assert rounds.count("deliver_due", first) == old
        assert rounds.count("hold_shelf_round", first) == 1
        assert logged(caplog, "lock formulyar.scheduler: try failed: ConnectionRefusedError")

        monkeypatch.setattr(first, "engine", reachable)  # back on the network, it stands by
        await eventually(lambda: logged(caplog, "lock formulyar.scheduler is held elsewhere") == 2)
        assert not tasks[0].done()
        assert rounds.count("hold_shelf_round", first) == 1
        assert len(await _advisory_holders(second)) == 1
    finally:
        stop.set()
        await stopped(*tasks)


# Both databases: each round on its own ------------------------------------------------


async def test_a_failing_hold_shelf_round_does_not_skip_the_due_date_round(
    db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rounds = Rounds(monkeypatch)

    async def broken(db: Database, clock: Callable[[], datetime]) -> None:
        raise RuntimeError(A_PUPIL)  # what a row might hold: not for the log

    monkeypatch.setattr("jobs.scheduler.hold_shelf_round", broken)
    stop = asyncio.Event()
    task = _start(db, clock, stop)  # on SQLite the lock is granted at once
    try:
        await eventually(lambda: logged(caplog, "round due_date done") == 1)
        await eventually(lambda: logged(caplog, "round hold_shelf failed") == 1)
    finally:
        stop.set()
        await stopped(task)
    assert rounds.count("due_date_round") == 1
    assert logged(caplog, "round hold_shelf started") == 1
    assert logged(caplog, "round hold_shelf done") == 0
    assert "builtins.RuntimeError" in caplog.text
    assert A_PUPIL not in caplog.text


async def test_a_stop_lets_the_running_round_finish(
    db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    Rounds(monkeypatch)
    began, finish = asyncio.Event(), asyncio.Event()

    async def slow(db: Database, clock: Callable[[], datetime]) -> str:
        began.set()
        await finish.wait()
        return "counts"

    monkeypatch.setattr("jobs.scheduler.retention_round", slow)
    stop = asyncio.Event()
    task = _start(db, clock, stop)
    try:
        await eventually(began.is_set)
        stop.set()
        await asyncio.sleep(RETRY * 3)  # the runner has seen the stop and waits for the round
        assert not task.done()
        finish.set()
    finally:
        stop.set()
        finish.set()
        await stopped(task)
    assert logged(caplog, "round retention done: counts") == 1
    assert logged(caplog, "scheduler stopped") == 1
