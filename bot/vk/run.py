"""VK as the root runs it (bot/runtime.py): the Bots Long Poll, or a Callback API route on the
application's HTTP server when VK_CALLBACK_SECRET is set (which then needs
VK_CONFIRMATION_CODE). Either way VK_GROUP_ID names the community.

With the Long Poll, run one `serve` process per community (each would read every event; the
core would still handle each once). The Callback API suits many `serve` processes behind a
balancer.

Stopping: the Long Poll asks for nothing more and the route answers 503 (VK delivers again
later); what is in hand is finished within the deadline, then the client is closed.
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web

from bot.app import App
from bot.config import Settings
from bot.pacing import pace_for
from bot.runtime import BackgroundPolling, MisConfigured
from bot.vk.callback import CallbackRoute
from bot.vk.client import REQUESTS_PER_SECOND, VkClient
from bot.vk.longpoll import LongPoll
from bot.vk.transport import VkTransport
from db.enums import Messenger
from messages import texts
from messages.i18n import say
from messages.port import Port


class VkEdge(BackgroundPolling):
    messenger = Messenger.VK

    def __init__(self, transport: VkTransport, app: App) -> None:
        self.transport = transport
        self.app = app
        self.settings: Settings = app.settings
        self.inflight = transport.inflight
        self.long_poll: LongPoll | None = None

    @classmethod
    def from_app(cls, app: App) -> VkEdge:
        settings = app.settings
        assert settings.vk_group_token is not None
        if settings.vk_group_id is None:
            raise MisConfigured(texts.CLI_VK_NEEDS_GROUP)
        token = settings.vk_group_token.get_secret_value()
        pace = pace_for(app.db, Messenger.VK, token, REQUESTS_PER_SECOND)
        client = VkClient(token, settings.vk_api_base, pace)
        return cls(VkTransport(app.dispatcher, client, settings.vk_group_id), app)

    @property
    def port(self) -> Port:
        return self.transport

    async def start(self, routes: web.Application) -> None:
        settings = self.settings
        if settings.vk_callback:
            code = settings.vk_confirmation_code
            if code is None or not code.get_secret_value():
                raise MisConfigured(texts.CLI_VK_NEEDS_CONFIRMATION)
            assert settings.vk_callback_secret is not None
            route = CallbackRoute(
                self.transport,
                path=settings.vk_callback_path,
                secret=settings.vk_callback_secret.get_secret_value(),
                confirmation=code.get_secret_value(),
            )
            route.add_to(routes)
            return
        self.long_poll = LongPoll(self.transport, self.transport.client, self.app.db)
        self.polling = asyncio.create_task(self.long_poll.run())
        print(say(texts.CLI_VK_LONG_POLL, group_id=self.transport.group_id), file=sys.stderr)

    async def listening(self) -> None:
        if self.settings.vk_callback:
            print(
                say(
                    texts.CLI_VK_CALLBACK,
                    group_id=self.transport.group_id,
                    host=self.settings.webhook_listen_host,
                    port=self.settings.webhook_listen_port,
                    path=self.settings.vk_callback_path,
                ),
                file=sys.stderr,
            )

    def stop_taking_work(self) -> None:
        self.transport.inflight.close()
        if self.long_poll is not None:
            self.long_poll.stop()

    async def close(self) -> None:
        await self.stop_polling()
        self.transport.client.close()
