"""Request slots of a messenger token, shared by every process that uses this PostgreSQL
database: each call takes the next free moment of the token's rate in one atomic statement, so
two `serve` processes and a `jobs` process together stay under the messenger's limit.

Moments are read off the database server's clock (`clock_timestamp()`), the one clock all
workers share. The embedded SQLite default is one process; its transports pace in memory.
"""

from __future__ import annotations

from sqlalchemy import text

from db.engine import Database

_NOW = "extract(epoch FROM clock_timestamp())::double precision"
_TAKE = text(
    f"""
    INSERT INTO rate_slots AS s (key, next_at)
    VALUES (:key, {_NOW} + CAST(:interval AS double precision))
    ON CONFLICT (key) DO UPDATE
        SET next_at = greatest(s.next_at, {_NOW}) + CAST(:interval AS double precision)
    RETURNING s.next_at - CAST(:interval AS double precision) - {_NOW}
    """
)


_PAUSE = text(
    f"""
    INSERT INTO rate_slots AS s (key, next_at)
    VALUES (:key, {_NOW} + CAST(:seconds AS double precision))
    ON CONFLICT (key) DO UPDATE
        SET next_at = greatest(s.next_at, {_NOW} + CAST(:seconds AS double precision))
    """
)


async def take_slot(db: Database, key: str, interval: float, *, catch_up: int = 0) -> float:
    """Claim the token's next slot; the seconds to wait before using it (0 when it is free).
    With `catch_up`, up to that many slots nobody came for in time may still be taken (a
    worker that was busy makes up for them at once): no second then holds more than the rate
    and `catch_up` more."""
    behind = catch_up * interval
    async with db.engine.begin() as connection:
        wait = await connection.scalar(_TAKE, {"key": key, "interval": interval, "behind": behind})
    return max(0.0, float(wait or 0.0))


async def pause_slots(db: Database, key: str, seconds: float) -> None:
    """No slot of the token before `seconds` from now, for every process: a 429's retry_after
    (or VK's error 6) holds the whole deployment, not only the worker that met it."""
    async with db.engine.begin() as connection:
        await connection.execute(_PAUSE, {"key": key, "seconds": seconds})
