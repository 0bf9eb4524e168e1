"""The webhook: MAX POSTs each update to a route on the application's HTTP server (`POST
/subscriptions` set it up, with a secret MAX sends back in `X-Max-Bot-Api-Secret`).

- A request without our secret is refused (401) and not read further; a body that is not an
  update is answered 400. Neither is logged with its content.
- An update is handled, then answered 200; a failure is answered 500 and MAX delivers it again
  (it retries for hours until it gets 200). The same update delivered again is handled once:
  this process remembers the keys it has taken (a redelivery while the first is in hand is
  answered 200 at once), and the core's dedupe covers restarts and other processes.
- Stopping, the route answers 503 (MAX delivers again later) and what is in hand is finished.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web

from bot.lifecycle import Closed
from bot.max.events import parse
from bot.max.transport import MaxTransport

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Max-Bot-Api-Secret"


class WebhookRoute:
    def __init__(self, transport: MaxTransport, *, url: str, secret: str) -> None:
        self.transport = transport
        self.path = urlsplit(url).path or "/"
        self.secret = secret.encode()

    def add_to(self, app: web.Application) -> None:
        app.router.add_post(self.path, self.on_request)

    async def on_request(self, request: web.Request) -> web.Response:
        if self.transport.inflight.closed:
            return web.Response(status=503, text="stopping")
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.warning("max webhook: a request without the right secret; refused")
            return web.Response(status=401, text="Unauthorized")
        try:
            body = json.loads(await request.read())
        except ValueError:
            log.warning("max webhook: the body is not JSON; answered 400")
            return web.Response(status=400, text="not an update")
        if not isinstance(body, dict) or "update_type" not in body:
            return web.Response(status=400, text="not an update")
        event = parse(body)
        if event is None or not self.transport.first_time(event):
            return web.json_response({"ok": True})  # not ours to answer, or already in hand
        try:
            async with self.transport.inflight.track():
                handled = await self.transport.handle(event)
        except Closed:
            return web.Response(status=503, text="stopping")
        if not handled:
            self.transport.seen.forget(event.key)  # MAX delivers it again: take it then
            return web.Response(status=500, text="failed")
        return web.json_response({"ok": True})
