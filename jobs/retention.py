"""The daily retention round: prunes what only grows (see db/retention.py for what is kept
and for how long). Safe to run at any time and as often as one likes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from db.engine import Database
from db.retention import Pruned, prune


async def retention_round(db: Database, clock: Callable[[], datetime]) -> Pruned:
    """One transaction; returns how many rows each table lost."""
    now = clock()
    async with db.transaction() as session:
        return await prune(session, now)
