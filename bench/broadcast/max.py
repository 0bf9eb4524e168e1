"""The --max run: one broadcast of a school's librarian to N readers, each with a MAX account,
delivered by jobs.outbox.deliver_due through the real MAX transport (maxapi, paced at
bot.max.client.REQUESTS_PER_SECOND, built as `python -m bot` builds it) to the local fake MAX
API (tests/support/fake_max), which answers 429 beyond 30 requests in any second and checks
every call against the published schema. MAX takes one recipient a message, so the figure that
matters is how close the run comes to that limit without meeting it; counted from what the
fake received (when each POST /messages came) and what each person sees."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from bench.broadcast.arrivals import Arrivals
from bench.broadcast.people import BROADCAST_TEXT, prepare_broadcast
from bench.broadcast.report import MAX_LIMIT, MaxFigures, shown
from bench.broadcast.sender import max_transport_for, send_all
from db.engine import Database
from db.enums import Messenger
from tests.support.fake_max import FakeMax

SEND = "POST /messages"
TOO_MANY_REQUESTS = 429


class TimedMax(Arrivals, FakeMax):
    """The fake MAX API, noting when each call came (monotonic seconds)."""


async def run_max(size: int, folder: Path) -> MaxFigures:
    db = Database(f"sqlite+aiosqlite:///{folder / 'broadcast-max.sqlite3'}")
    async with TimedMax(strict=False, rate_limit=MAX_LIMIT) as fake:
        people = [fake.user("Читатель", str(i)) for i in range(size)]
        queued = await prepare_broadcast(
            db,
            size,
            Messenger.MAX,
            lambda i: people[i].user_id,
            lambda i: people[i].chat_id,
        )
        transport = max_transport_for(db, fake.base_url, fake.token)
        await transport.prepare()  # GET /me, as the edge's start does before any send
        started = time.monotonic()
        try:
            await send_all(db, {Messenger.MAX: transport})
        finally:
            await transport.client.close()
        seconds = time.monotonic() - started
        dialogs = ([m.text for m in person.messages] for person in people)
        duplicates, lost = shown(dialogs, BROADCAST_TEXT)
        figures = MaxFigures(
            size=size,
            queued=queued,
            seconds=seconds,
            sends=[moment for moment, _ in fake.arrivals(SEND)],
            duplicates=duplicates,
            lost=lost,
            rate_errors=len(fake.rate_errors),
            errors=Counter(
                f"{path} {status}"
                for path, status in fake.errors_given
                if status != TOO_MANY_REQUESTS
            ),
            violations=len(fake.violations),
        )
    await db.dispose()
    return figures
