"""How updates reach the bot: long polling (GET /updates) or a webhook subscription.

Long polling: updates are numbered 1, 2, …; GET /updates?marker=m answers the updates after
m (at most `limit`, only the `types` asked for) and the marker to pass next time (the number
of the last update answered, or of the newest one when none is); without a marker it starts
after the highest marker the bot has passed so far. With nothing new it waits up to `timeout`
seconds (default 30, at most 90). While a webhook subscription exists, GET /updates answers
nothing new, as MAX says.

Webhook: each update is POSTed as JSON to every subscription whose update_types include its
type (all when none are given), with X-Max-Bot-Api-Secret when a secret was set. MAX counts
only HTTP 200 as delivered and retries for hours; here a failed delivery (another status, or
no connection) is tried again in the background every `retry_pause` seconds, `attempts` times
in all, until one is answered 200 (a redelivery's 200 counts too).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import ClientError, ClientSession, ClientTimeout

if TYPE_CHECKING:
    from tests.support.fake_http import FakeHttpServer

DEFAULT_TIMEOUT = 30
SECRET_HEADER = "X-Max-Bot-Api-Secret"


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to a subscription, and what the bot's server answered."""

    url: str
    update_type: str
    timestamp: int
    attempt: int  # 1 for the first try
    status: int  # 0: no connection
    secret_sent: bool
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


class LongPoll:
    """The numbered updates and the markers the bot passed."""

    def __init__(self, server: FakeHttpServer) -> None:
        self.server = server
        self.queue: list[dict[str, Any]] = []  # update number n is queue[n - 1]
        self.acknowledged = 0  # the highest marker the bot has passed
        self.requests = 0

    def add(self, update: dict[str, Any]) -> int:
        self.queue.append(update)
        self.server.wake()
        return len(self.queue)

    async def answer(
        self,
        query: dict[str, Any],
        alive: Callable[[], bool],
        subscribed: Callable[[], bool],
    ) -> dict[str, Any]:
        """The UpdateList for one GET /updates (query already converted by the spec)."""
        self.requests += 1
        marker = query.get("marker")
        if marker is not None:
            self.acknowledged = max(self.acknowledged, int(marker))
        start = self.acknowledged if marker is None else int(marker)
        limit = int(query.get("limit") or 100)
        timeout = int(query.get("timeout") if query.get("timeout") is not None else DEFAULT_TIMEOUT)
        types = set(query.get("types") or [])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [] if subscribed() else self._after(start, types, limit)
            remaining = deadline - loop.time()
            if found or remaining <= 0 or self.server.closing or not alive():
                break
            await self.server.sleep_until_woken(remaining)
        if found:
            last = found[-1][0]
        elif subscribed():
            last = start
        else:
            last = max(start, len(self.queue))
        return {"updates": [update for _, update in found], "marker": last}

    def _after(self, start: int, types: set[str], limit: int) -> list[tuple[int, dict[str, Any]]]:
        found = []
        for number in range(start + 1, len(self.queue) + 1):
            update = self.queue[number - 1]
            if not types or update["update_type"] in types:
                found.append((number, update))
                if len(found) >= limit:
                    break
        return found


class WebhookPoster:
    """POSTs updates to the subscriptions; see the module docstring."""

    def __init__(self, client: Callable[[], ClientSession]) -> None:
        self._client = client
        self.attempts = 5
        self.retry_pause = 0.2  # seconds
        self.timeout = 10.0  # seconds one POST may take
        self.deliveries: list[WebhookDelivery] = []
        self._delivered: set[tuple[str, str]] = set()

    async def deliver(
        self,
        subscription: dict[str, Any],
        update: dict[str, Any],
        spawn: Callable[[Coroutine[Any, Any, Any]], None],
    ) -> bool:
        """POST once; if that fails, go on retrying in the background (`spawn`), as MAX does
        after the event has happened. True if the first POST was answered 200."""
        if (await self.post(subscription, update)).ok:
            return True
        spawn(self._retry(subscription, update))
        return False

    async def _retry(self, subscription: dict[str, Any], update: dict[str, Any]) -> None:
        for attempt in range(2, self.attempts + 1):
            await asyncio.sleep(self.retry_pause)
            if _key(subscription, update) in self._delivered:
                return  # a redelivery got its 200 meanwhile
            if (await self.post(subscription, update, attempt)).ok:
                return

    async def post(
        self, subscription: dict[str, Any], update: dict[str, Any], attempt: int = 1
    ) -> WebhookDelivery:
        headers = {"Content-Type": "application/json"}
        secret = subscription.get("secret")
        if secret:
            headers[SECRET_HEADER] = secret
        data = json.dumps(update, ensure_ascii=False).encode("utf-8")
        status, error = 0, None
        try:
            async with self._client().post(
                subscription["url"],
                data=data,
                headers=headers,
                timeout=ClientTimeout(total=self.timeout),
            ) as response:
                await response.read()
                status = response.status
        except (ClientError, TimeoutError) as failure:
            error = f"{type(failure).__name__}: {failure}"
        delivery = WebhookDelivery(
            url=subscription["url"],
            update_type=str(update.get("update_type")),
            timestamp=int(update.get("timestamp", 0)),
            attempt=attempt,
            status=status,
            secret_sent=bool(secret),
            error=error,
        )
        self.deliveries.append(delivery)
        if delivery.ok:
            self._delivered.add(_key(subscription, update))
        return delivery


def _key(subscription: dict[str, Any], update: dict[str, Any]) -> tuple[str, str]:
    return subscription["url"], json.dumps(update, sort_keys=True, ensure_ascii=False)


def wanted(subscription: dict[str, Any], update: dict[str, Any]) -> bool:
    types = subscription.get("update_types") or []
    return not types or update["update_type"] in types
