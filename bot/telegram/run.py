"""`python -m bot` with a Telegram token: long polling, or a webhook server when
TELEGRAM_WEBHOOK_URL is set (which then needs TELEGRAM_WEBHOOK_SECRET)."""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web

from bot.app import App
from bot.telegram.transport import TelegramTransport
from db.enums import Messenger
from handlers import texts
from handlers.i18n import say
from jobs.scheduler import build_scheduler


def transport_for(app: App) -> TelegramTransport:
    token = app.settings.telegram_bot_token
    assert token is not None
    return TelegramTransport(
        app.dispatcher, app.services, token.get_secret_value(), app.settings.telegram_api_base
    )


async def run_telegram(app: App) -> int:
    settings = app.settings
    telegram = transport_for(app)
    scheduler = build_scheduler(app.db, {Messenger.TELEGRAM: telegram}, app.services.clock)
    scheduler.start()
    try:
        if not settings.telegram_webhook_url:
            await telegram.prepare()
            print(say(texts.CLI_TELEGRAM_POLLING, username=telegram.username), file=sys.stderr)
            await telegram.run_polling()
            return 0
        secret = settings.telegram_webhook_secret
        if secret is None or not secret.get_secret_value():
            print(texts.CLI_WEBHOOK_NEEDS_SECRET, file=sys.stderr)
            return 2
        server = web.AppRunner(
            telegram.webhook_app(settings.telegram_webhook_url, secret.get_secret_value())
        )
        await server.setup()
        site = web.TCPSite(server, settings.webhook_listen_host, settings.webhook_listen_port)
        await site.start()
        print(
            say(
                texts.CLI_TELEGRAM_WEBHOOK,
                username=telegram.username,
                host=settings.webhook_listen_host,
                port=settings.webhook_listen_port,
            ),
            file=sys.stderr,
        )
        try:
            await asyncio.Event().wait()  # until the process is stopped
        finally:
            await server.cleanup()
        return 0
    finally:
        scheduler.shutdown(wait=False)
        await telegram.close()
