"""MAX as the root runs it (bot/runtime.py): a webhook subscription on the application's HTTP
server when MAX_WEBHOOK_URL is set (which then needs MAX_WEBHOOK_SECRET) — the production mode
MAX recommends —, or long polling.

With long polling run one `serve` process per bot (each would read every update; the core would
still handle each once). The webhook suits many `serve` processes behind a balancer.

Stopping: polling asks for nothing more and the route answers 503 (MAX delivers again later);
what is in hand is finished within the deadline, then the session is closed.
"""

from __future__ import annotations

import asyncio
import re
import sys

from aiohttp import web

from bot.app import App
from bot.config import Settings
from bot.max.client import REQUESTS_PER_SECOND, MaxClient
from bot.max.polling import LongPolling
from bot.max.transport import MaxTransport
from bot.max.webhook import WebhookRoute
from bot.pacing import pace_for
from bot.runtime import BackgroundPolling, MisConfigured
from db.enums import Messenger
from messages import texts
from messages.i18n import say
from messages.port import Port

SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{5,256}")  # what MAX accepts as a webhook secret


class MaxEdge(BackgroundPolling):
    messenger = Messenger.MAX

    def __init__(self, transport: MaxTransport, app: App) -> None:
        self.transport = transport
        self.app = app
        self.settings: Settings = app.settings
        self.inflight = transport.inflight
        self.long_polling: LongPolling | None = None

    @classmethod
    def from_app(cls, app: App) -> MaxEdge:
        token = app.settings.max_bot_token
        assert token is not None
        secret = token.get_secret_value()
        pace = pace_for(app.db, Messenger.MAX, secret, REQUESTS_PER_SECOND)
        client = MaxClient(secret, app.settings.max_api_base, pace)
        return cls(MaxTransport(app.dispatcher, client), app)

    @property
    def port(self) -> Port:
        return self.transport

    def _webhook(self) -> tuple[str, str] | None:
        url = self.settings.max_webhook_url
        if not url:
            return None
        secret = self.settings.max_webhook_secret
        if secret is None or not SECRET_PATTERN.fullmatch(secret.get_secret_value()):
            raise MisConfigured(texts.CLI_MAX_NEEDS_SECRET)
        return url, secret.get_secret_value()

    async def start(self, routes: web.Application) -> None:
        webhook = self._webhook()  # a setting that cannot work: stop before asking MAX
        await self.transport.prepare()
        if webhook is not None:
            WebhookRoute(self.transport, url=webhook[0], secret=webhook[1]).add_to(routes)
            return
        client = self.transport.client
        if await client.unsubscribe_all():  # a webhook left set would starve the polling
            print(texts.CLI_MAX_WEBHOOK_REMOVED, file=sys.stderr)
        self.long_polling = LongPolling(self.transport, client, self.app.db)
        self.polling = asyncio.create_task(self.long_polling.run())
        print(say(texts.CLI_MAX_POLLING, username=self.transport.username), file=sys.stderr)

    async def listening(self) -> None:
        webhook = self._webhook()
        if webhook is None:
            return
        await self.transport.client.subscribe(*webhook)
        print(
            say(
                texts.CLI_MAX_WEBHOOK,
                username=self.transport.username,
                host=self.settings.webhook_listen_host,
                port=self.settings.webhook_listen_port,
            ),
            file=sys.stderr,
        )

    def stop_taking_work(self) -> None:
        self.transport.inflight.close()
        if self.long_polling is not None:
            self.long_polling.stop()

    async def close(self) -> None:
        await self.stop_polling()
        await self.transport.client.close()
