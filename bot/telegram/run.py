"""Telegram as the root runs it (bot/runtime.py): long polling, or a webhook route on the
application's HTTP server when TELEGRAM_WEBHOOK_URL is set (which then needs
TELEGRAM_WEBHOOK_SECRET).

Stopping: polling asks for no new updates and the webhook answers 503 (Telegram delivers again
later); what is in hand is finished within the deadline, then the bot session is closed.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from aiohttp import web

from bot.app import App
from bot.config import Settings
from bot.pacing import chat_spacing_for, pace_for
from bot.runtime import BackgroundPolling, MisConfigured
from bot.telegram.transport import CHAT_INTERVAL, MESSAGES_PER_SECOND, TelegramTransport
from db.enums import Messenger
from messages import texts
from messages.i18n import say
from messages.port import Port

log = logging.getLogger(__name__)


class TelegramEdge(BackgroundPolling):
    messenger = Messenger.TELEGRAM

    def __init__(self, transport: TelegramTransport, settings: Settings) -> None:
        self.transport = transport
        self.settings = settings
        self.inflight = transport.inflight

    @classmethod
    def from_app(cls, app: App) -> TelegramEdge:
        token = app.settings.telegram_bot_token
        assert token is not None
        secret = token.get_secret_value()
        pace = pace_for(app.db, Messenger.TELEGRAM, secret, MESSAGES_PER_SECOND)
        spacing = chat_spacing_for(app.db, Messenger.TELEGRAM, secret, CHAT_INTERVAL)
        transport = TelegramTransport(
            app.dispatcher, secret, app.settings.telegram_api_base, pace, spacing
        )
        return cls(transport, app.settings)

    @property
    def port(self) -> Port:
        return self.transport

    def _webhook(self) -> tuple[str, str] | None:
        url = self.settings.telegram_webhook_url
        if not url:
            return None
        secret = self.settings.telegram_webhook_secret
        if secret is None or not secret.get_secret_value():
            raise MisConfigured(texts.CLI_WEBHOOK_NEEDS_SECRET)
        return url, secret.get_secret_value()

    async def start(self, routes: web.Application) -> None:
        webhook = self._webhook()
        if webhook is not None:
            self.transport.add_webhook_route(routes, *webhook)
            return
        await self.transport.prepare()
        print(say(texts.CLI_TELEGRAM_POLLING, username=self.transport.username), file=sys.stderr)
        self.polling = asyncio.create_task(self.transport.run_polling())

    async def listening(self) -> None:
        webhook = self._webhook()
        if webhook is None:
            return
        await self.transport.register_webhook(*webhook)
        print(
            say(
                texts.CLI_TELEGRAM_WEBHOOK,
                username=self.transport.username,
                host=self.settings.webhook_listen_host,
                port=self.settings.webhook_listen_port,
            ),
            file=sys.stderr,
        )

    def stop_taking_work(self) -> None:
        self.transport.stop_taking_work()

    async def close(self) -> None:
        await self.stop_polling()
        await self.transport.close()
