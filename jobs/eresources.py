"""The e-book loans' round: access a librarian granted for a while ends on time, and the
reader is told (messages/elibrary_notices.py). Hourly, so an access ends within the hour its
time is up; safe to run at any time and as often as one likes (each ending is queued once)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from db.engine import Database
from messages.elibrary_notices import eloans_round


async def eloan_round(db: Database, clock: Callable[[], datetime]) -> int:
    """One transaction; how many e-book loans ended."""
    now = clock()
    async with db.transaction() as session:
        return await eloans_round(session, now)
