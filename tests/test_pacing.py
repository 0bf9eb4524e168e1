"""A messenger token's request rate is shared by every process of a deployment: on PostgreSQL
each call takes the next slot of one row, whichever process it comes from; the embedded SQLite
default paces in memory. A transport's position in its event stream survives a restart."""

from __future__ import annotations

import asyncio

import pytest

from bot.pacing import Pace, SharedPace, pace_for, slot_key
from db.engine import Database
from db.positions import load_position, save_position
from db.rate import pause_slots, take_slot

INTERVAL = 10.0  # seconds: far longer than the test, so no slot is free by the time it is asked


async def test_slots_are_shared_by_two_processes_and_spaced_by_the_interval(
    db: Database, backend: str
) -> None:
    if backend != "postgresql":
        assert isinstance(pace_for(db, "vk", "token", 20), Pace)  # one process: in memory
        return
    other = Database(db.engine.url)  # a second worker of the deployment: its own engine
    try:
        takes = [take_slot(each, "vk:test", INTERVAL) for each in (db, other) * 4]
        waits = sorted(await asyncio.gather(*takes))
    finally:
        await other.dispose()
    assert waits[0] == pytest.approx(0.0, abs=1.0)  # the first slot is free now
    for k, wait in enumerate(waits):  # each later one a whole interval after the one before
        assert (k - 0.1) * INTERVAL < wait <= k * INTERVAL


async def test_a_deployment_on_postgresql_paces_through_the_database(
    db: Database, backend: str
) -> None:
    pace = pace_for(db, "vk", "secret-token", 20)
    if backend == "postgresql":
        assert isinstance(pace, SharedPace)
        await pace.wait()
        await pace.wait()
    key = slot_key("vk", "secret-token")
    assert "secret-token" not in key and key.startswith("vk:")


async def test_a_position_is_saved_and_read_back(db: Database) -> None:
    assert await load_position(db, "vk.longpoll.ts.1") is None
    await save_position(db, "vk.longpoll.ts.1", "41")
    await save_position(db, "vk.longpoll.ts.1", "42")
    assert await load_position(db, "vk.longpoll.ts.1") == "42"


async def test_a_pause_holds_every_worker_of_the_deployment(
    db: Database, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram's 429 (retry_after) or VK's error 6, met by one worker, pauses them all."""
    if backend != "postgresql":  # one process: its own pace waits the pause out
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        monkeypatch.setattr("bot.pacing.asyncio.sleep", sleep)
        pace = Pace(20)
        await pace.pause(INTERVAL)
        await pace.wait()
        assert slept and INTERVAL - 1.0 < slept[0] <= INTERVAL
        return
    other = Database(db.engine.url)
    try:
        await pause_slots(db, "vk:paused", INTERVAL)  # one worker met the limit
        wait = await take_slot(other, "vk:paused", 0.05)  # another worker's next call
    finally:
        await other.dispose()
    assert INTERVAL - 1.0 < wait <= INTERVAL
