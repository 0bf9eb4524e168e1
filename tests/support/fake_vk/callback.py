"""Callback API delivery: VK POSTs each event as JSON to the community's server.

The body is {type, event_id, v, object, group_id, secret}; VK counts an event delivered when the
server answers HTTP 200 with the body "ok", and otherwise tries again (here: `attempts` tries in
all, `retry_pause` seconds apart). Before using a server VK confirms it: it POSTs
{"type": "confirmation", "group_id": …} and expects the confirmation code as the body. Every
attempt is recorded with what the server answered.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout


@dataclass(frozen=True)
class CallbackDelivery:
    """One POST to the callback server and its answer."""

    event_id: str | None  # None for a confirmation request
    type: str
    attempt: int  # 1 for the first try
    status: int  # 0: the server could not be reached
    body: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body == "ok"


class CallbackPoster:
    """Posts events to the configured callback URL; see the module docstring."""

    def __init__(self, client: Callable[[], ClientSession], group_id: int) -> None:
        self._client = client
        self.group_id = group_id
        self.url: str | None = None
        self.secret: str | None = None
        self.attempts = 3
        self.retry_pause = 0.05  # seconds
        self.timeout = 10.0  # seconds a POST may take
        self.deliveries: list[CallbackDelivery] = []

    def body(self, event: dict[str, Any]) -> dict[str, Any]:
        body = dict(event)
        if self.secret is not None:
            body["secret"] = self.secret
        return body

    async def deliver(self, event: dict[str, Any]) -> bool:
        """POST the event until the server answers "ok" or the attempts run out."""
        assert self.url is not None, "callback_to(url) first"
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                await asyncio.sleep(self.retry_pause)
            delivery = await self._post(self.url, self.body(event), event["event_id"], attempt)
            if delivery.ok:
                return True
        return False

    async def confirm(self, url: str, secret: str | None = None) -> str:
        """The confirmation request; the body the server answered."""
        body: dict[str, Any] = {"type": "confirmation", "group_id": self.group_id}
        if secret is not None:
            body["secret"] = secret
        return (await self._post(url, body, None, 1)).body

    async def _post(
        self, url: str, body: dict[str, Any], event_id: str | None, attempt: int
    ) -> CallbackDelivery:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        status, text, error = 0, "", None
        try:
            async with self._client().post(
                url,
                data=data,
                headers={"Content-Type": "application/json"},
                timeout=ClientTimeout(total=self.timeout),
            ) as response:
                status, text = response.status, await response.text()
        except (ClientError, TimeoutError) as failure:
            error = f"{type(failure).__name__}: {failure}"
        delivery = CallbackDelivery(event_id, str(body["type"]), attempt, status, text, error)
        self.deliveries.append(delivery)
        return delivery
