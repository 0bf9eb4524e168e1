"""The Callback API: VK POSTs each event to a route on the application's HTTP server.

- `{"type": "confirmation"}` for our community is answered with `VK_CONFIRMATION_CODE` (VK asks
  once, when the server address is set in the community's settings).
- A request without our `secret` is refused (403) and not read further; a body that is not an
  event is answered 400. Neither is logged with its content.
- An event is answered «ok» at once — VK waits only a few seconds and then delivers again — and
  handled in the background, in its person's turn. An event VK delivers again is handled once:
  this process remembers the event ids it has taken, and the core's dedupe covers restarts and
  other processes.
- Stopping, the route answers 503 (VK delivers again later) and what is in hand is finished.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from aiohttp import web

from bot.lifecycle import Closed
from bot.vk.events import parse
from bot.vk.transport import VkTransport

log = logging.getLogger(__name__)

OK = "ok"


class CallbackRoute:
    def __init__(
        self, transport: VkTransport, *, path: str, secret: str, confirmation: str
    ) -> None:
        self.transport = transport
        self.path = path
        self.secret = secret.encode()
        self.confirmation = confirmation
        self.tasks: set[asyncio.Task[None]] = set()

    def add_to(self, app: web.Application) -> None:
        app.router.add_post(self.path, self.on_request)

    async def on_request(self, request: web.Request) -> web.Response:
        if self.transport.inflight.closed:
            return web.Response(status=503, text="stopping")
        try:
            body = json.loads(await request.read())
        except ValueError:
            log.warning("vk callback: the body is not JSON; answered 400")
            return web.Response(status=400, text="not an event")
        if not isinstance(body, dict):
            return web.Response(status=400, text="not an event")
        if body.get("group_id") != self.transport.group_id:
            log.warning("vk callback: an event for another community; refused")
            return web.Response(status=403, text="forbidden")
        if body.get("type") == "confirmation":
            return web.Response(text=self.confirmation)
        given = str(body.get("secret") or "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.warning("vk callback: a request without the right secret; refused")
            return web.Response(status=403, text="forbidden")
        event = parse(body)
        if event is not None and self.transport.first_time(event):
            try:  # taken now, answered at once, served in the background: a stop waits for it
                task = self.transport.inflight.serve(lambda: self.transport.handle(event))
            except Closed:
                return web.Response(status=503, text="stopping")
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return web.Response(text=OK)
