"""Long polling (`GET /updates` with `marker`), for development and for a deployment without a
public HTTPS address. MAX recommends the webhook for production (webhook.py).

Updates are served as they come (one person's in order, different people's at once) while the
loop keeps polling. The marker is saved in the database only up to the oldest batch still in
hand, so a restarted process reads again what it had not finished (MAX keeps updates for a
while); the core's dedupe by the update's key makes each happen once. Network errors and MAX's
refusals are waited out with a growing pause.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

from bot.lifecycle import Batches
from bot.max.client import MaxCallFailed, MaxClient
from bot.max.events import parse
from bot.max.transport import MaxTransport
from db.engine import Database
from db.positions import load_position, save_position
from messages.types import RecipientUnreachable

log = logging.getLogger(__name__)

WAIT = 30  # seconds MAX holds a request open when there is nothing new
MAX_PAUSE = 30.0  # seconds between attempts while MAX cannot be reached
POSITION = "max.updates.marker"


class LongPolling:
    def __init__(
        self, transport: MaxTransport, client: MaxClient, db: Database, *, wait: int = WAIT
    ) -> None:
        self.transport = transport
        self.client = client
        self.db = db
        self.wait = wait
        self._stopping = asyncio.Event()
        self._marker: int | None = None
        self._saved: int | None = None
        self._batches: Batches[int | None] = Batches()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Poll until `stop`; then finish what is in hand and save the marker."""
        saved = await load_position(self.db, POSITION)
        self._marker = self._saved = int(saved) if saved else None
        failures = 0
        try:
            while not self._stopping.is_set():
                try:
                    answer = await self._poll()
                except (MaxCallFailed, RecipientUnreachable, ValueError, KeyError) as error:
                    failures += 1
                    log.error("max long polling failed: %s", type(error).__name__)
                    await self._pause(min(2.0**failures, MAX_PAUSE))
                    continue
                if answer is None:  # stopping
                    break
                failures = 0
                self._follow(answer)
                await self._save()
        finally:
            in_hand = self._batches.in_hand()
            if in_hand:
                await asyncio.wait(in_hand)
            await self._save()

    async def _poll(self) -> dict[str, Any] | None:
        """One GET /updates; None if stopped meanwhile."""
        request = asyncio.ensure_future(self.client.updates(self._marker, self.wait))
        stop = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({request, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if request not in done:
            request.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await request
            return None
        answer = request.result()
        if not isinstance(answer, dict):
            raise ValueError("not an updates answer")
        return answer

    def _follow(self, answer: dict[str, Any]) -> None:
        """Serve a batch of updates and move the marker past it."""
        if self.transport.inflight.closed:
            return  # stopping: these updates are not taken, and the marker stays before them
        before = self._marker
        marker = answer.get("marker")
        if marker is not None:
            self._marker = int(marker)
        tasks = {t for raw in answer.get("updates") or () if (t := self._take(raw)) is not None}
        self._batches.add(before, tasks)

    def _take(self, raw: Any) -> asyncio.Task[None] | None:
        event = parse(raw)
        if event is None or not self.transport.first_time(event):
            return None
        return self.transport.inflight.serve(lambda: self.transport.handle(event))

    async def _save(self) -> None:
        """Save how far everything is handled: the oldest unfinished batch's start, or now."""
        position = self._batches.handled_up_to(self._marker)
        if position is None or position == self._saved:
            return
        try:
            await save_position(self.db, POSITION, str(position))
            self._saved = position
        except Exception as error:  # saved with the next batch
            log.error("max long polling: the marker was not saved: %s", type(error).__name__)

    async def _pause(self, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
