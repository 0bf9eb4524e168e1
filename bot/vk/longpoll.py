"""The Bots Long Poll, made to survive the night.

vk_api's own `listen()` ends with an exception at the first read timeout or dropped connection;
this loop does not. It follows the protocol: `failed: 1` — go on from the `ts` VK gives;
`failed: 2` — the key expired, get a new one and keep our `ts`; `failed: 3` — the history is
gone, get a new key and `ts`. Network errors and timeouts are waited out with a growing pause.

Events are served as they come (one person's in order, different people's at once), and the
loop keeps polling while they are served. The position (`ts`) is saved in the database only up
to the oldest batch still in hand, so a restarted process reads again what it had not finished,
and what queued while it was down; the core's dedupe by `event_id` makes each happen once.

One waiting request runs on a daemon thread of its own (it can take `wait` seconds, and a
stopping process does not wait for it).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from contextlib import suppress
from typing import Any

import requests

from bot.lifecycle import Batches
from bot.vk.client import VkCallFailed, VkClient
from bot.vk.events import parse
from bot.vk.transport import VkTransport
from db.engine import Database
from db.positions import load_position, save_position

log = logging.getLogger(__name__)

WAIT = 25  # seconds VK holds a request open when there is nothing new
MAX_PAUSE = 30.0  # seconds between attempts while VK cannot be reached


class LongPoll:
    def __init__(
        self, transport: VkTransport, client: VkClient, db: Database, *, wait: int = WAIT
    ) -> None:
        self.transport = transport
        self.client = client
        self.db = db
        self.wait = wait
        self.position_name = f"vk.longpoll.ts.{transport.group_id}"
        self.http = requests.Session()
        self._stopping = asyncio.Event()
        self._server: dict[str, Any] | None = None  # {"server", "key"}
        self._ts: str | None = None
        self._saved: str | None = None
        self._batches: Batches[str | None] = Batches()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Poll until `stop`; then finish what is in hand and save the position."""
        self._ts = self._saved = await load_position(self.db, self.position_name)
        failures = 0
        try:
            while not self._stopping.is_set():
                try:
                    answer = await self._check()
                except (VkCallFailed, requests.RequestException, ValueError, KeyError) as error:
                    failures += 1
                    log.error("vk long poll failed: %s", type(error).__name__)
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

    async def _check(self) -> dict[str, Any] | None:
        """One a_check request (a new key first where needed); None if stopped meanwhile."""
        if self._server is None:
            server = await self.client.call(
                "groups.getLongPollServer", group_id=self.transport.group_id
            )
            self._server = {"server": server["server"], "key": server["key"]}
            if self._ts is None:  # the first start (or after failed 3): from now on, kept
                self._ts = str(server["ts"])
                await self._save()
        params = {"act": "a_check", "key": self._server["key"], "ts": self._ts, "wait": self.wait}
        request = _on_daemon_thread(
            lambda: self.http.get(self._server_url(), params=params, timeout=self.wait + 10)
        )
        stop = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({request, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if request not in done:
            return None
        response = request.result()
        response.raise_for_status()
        answer = response.json()
        if not isinstance(answer, dict):
            raise ValueError("not a long poll answer")
        return answer

    def _server_url(self) -> str:
        assert self._server is not None
        return str(self._server["server"])

    def _follow(self, answer: dict[str, Any]) -> None:
        """Act on one answer: the protocol's `failed`, or a batch of events to serve."""
        failed = answer.get("failed")
        if failed == 1:  # some history is lost; go on from here
            log.warning("vk long poll: failed 1, events may have been missed")
            self._ts = str(answer["ts"])
        elif failed == 2:  # the key expired: a new one, the same ts
            self._server = None
        elif failed == 3:  # the history is gone: a new key and ts
            log.warning("vk long poll: failed 3, starting again from now")
            self._server, self._ts = None, None
        elif failed is not None:
            raise ValueError(f"long poll failed {failed}")
        elif self.transport.inflight.closed:
            return  # stopping: these events are not taken, and the position stays before them
        else:
            before, self._ts = self._ts, str(answer["ts"])
            tasks = {t for raw in answer.get("updates") or () if (t := self._take(raw)) is not None}
            self._batches.add(before, tasks)

    def _take(self, raw: Any) -> asyncio.Task[None] | None:
        event = parse(raw)
        if event is None or not self.transport.first_time(event):
            return None
        return self.transport.inflight.serve(lambda: self.transport.handle(event))

    async def _save(self) -> None:
        """Save how far everything is handled: the oldest unfinished batch's start, or now."""
        position = self._batches.handled_up_to(self._ts)
        if position is None or position == self._saved:
            return
        try:
            await save_position(self.db, self.position_name, position)
            self._saved = position
        except Exception as error:  # saved with the next batch
            log.error("vk long poll: the position was not saved: %s", type(error).__name__)

    async def _pause(self, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def _on_daemon_thread(work: Any) -> asyncio.Future[Any]:
    """Run blocking `work` on a daemon thread; its result as a future of the running loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run() -> None:
        try:
            result, error = work(), None
        except BaseException as caught:
            result, error = None, caught
        with suppress(RuntimeError):  # the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="vk-long-poll", daemon=True).start()
    return future
