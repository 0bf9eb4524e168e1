"""The hold shelf's daily round: warn readers a day before a pickup deadline, and release
copies nobody picked up in time (to the next reader in line, or back on the shelf).

Runs as the scheduler (no person behind it); notices are queued in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from db.access import Actor
from db.circulation import Circulation
from db.engine import Database
from db.holds import expire_holds, warn_expiring_holds
from messages.notices import publish

SCHEDULER = Actor(account_id=None, person_id=None)


@dataclass(frozen=True, slots=True)
class ShelfRound:
    warned: int
    expired: int
    notices: int


async def hold_shelf_round(db: Database, clock: Callable[[], datetime]) -> ShelfRound:
    now = clock()
    async with db.transaction() as session:
        c = Circulation(session, SCHEDULER, now)
        expired = await expire_holds(c)
        warned = await warn_expiring_holds(c)
        notices = await publish(session, c.events, now, None)
    return ShelfRound(warned=warned, expired=expired, notices=notices)
